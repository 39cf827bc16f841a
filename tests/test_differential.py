"""A page shows what a fresh query would show (DESIGN.md), whatever wrote the data.

A scenario runs the main services one write after the other on the demo data (and, where an
administrator has no service, the admin or a bulk ``update()``: paths that send no signal). After
each step every list page and the home page is rendered for every demo persona, and what the
HTML shows is compared with what fresh queries on the tables say: the rows of the first page (in
order, with the figures the step may change), the home page's counts (against ``COUNT`` on the
source tables, not the counter tables the page reads), the names of the volunteers. A page served
from a cache, a counter kept by hand, a per-user memo that outlives a write: each shows up here as
a difference between "expected" and "shown".

The HTML is read, not ``response.context``: a page served from a cache has no context.
"""

from __future__ import annotations

import datetime
import html
import re
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, HostStructure, Membership
from core import rules as access
from evaluations.models import Finding
from exchanges import services as agreements
from exchanges.models import Agreement, AgreementStatus, Approval, Quota
from missions import services as placements
from missions.models import USED_STATUSES, FollowUp, Mission, Placement, PlacementStatus
from reports import services as reports
from reports.models import Report
from tests.access import PERSONAS
from volunteers import services as volunteers
from volunteers.forms import ExperienceFormSet, LanguageFormSet, VolunteerForm
from volunteers.models import Volunteer

PAGES = [
    "home",
    "volunteers:index",
    "exchanges:index",
    "missions:index",
    "evaluations:index",
    "reports:index",
    "agencies:hoststructure_list",
]
PAGE_SIZE = 50  # every list page's first page
PANEL = 8  # rows per panel of the home page
SOON = datetime.timedelta(days=60)


# --- Reading a page -------------------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(fragment: str) -> list[list[str]]:
    """The cells (their HTML) of each row of the first table body. A row of one cell is the
    table's empty state ("No volunteer yet"), not a row of data."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [c for c in cells if len(c) > 1]


def _link(cell: str) -> tuple[int, str]:
    """The object id in the cell's first link and the link's text."""
    match = re.search(r'<a href="/[\w-]+/(?:[\w-]+/)?(\d+)/[^"]*">(.*?)</a>', cell, re.S)
    assert match, cell
    return int(match.group(1)), _text(match.group(2))


def _numbers(fragment: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", _text(fragment))]


def _badge(cell: str) -> str:
    return _text(re.search(r'<span class="badge[^"]*"[^>]*>(.*?)</span>', cell, re.S).group(1))


def _panels(page: str) -> dict[str, str]:
    return dict(re.findall(r'aria-labelledby="h-([\w-]+)">(.*?)</section>', page, re.S))


def _placement_links(panel: str) -> list[tuple[int, str]]:
    found = re.findall(r'<a href="/missions/\d+/#placement-(\d+)">(.*?)</a>', panel, re.S)
    return [(int(pk), _text(name)) for pk, name in found]


def _chart(panel: str) -> dict[tuple[str, str], int]:
    """``{(series, category): value}`` of the grouped-bar SVG (each bar has a <title>)."""
    bars = re.findall(r"<title>([^<:]*): ([\d.]+)</title>", panel)
    if not bars:
        return {}
    series = list(dict.fromkeys(label for label, _ in bars))
    categories = re.findall(r"<text[^>]*>([^<]*)</text>", panel)[-(len(bars) // len(series)) :]
    per = len(categories)
    return {
        (label, html.unescape(categories[i % per])): int(float(v))
        for i, (label, v) in enumerate(bars)
    }


def shown(name: str, page: str) -> dict:
    """What the page shows, read from its HTML."""
    if name == "home":
        heading = re.search(r'<h1 class="h3 mb-1">(.*?)</h1>\s*<p[^>]*>(.*?)</p>', page, re.S)
        panels = _panels(page)
        counts = re.findall(r"<span>([^<]*)</span><strong>(\d+)</strong>", panels["volunteers"])
        quotas = [
            (_text(c[0]), _text(c[1]), _text(c[2]), *_numbers(c[3]))
            for c in _rows(panels["quotas"])
        ]
        return {
            "heading": (_text(heading.group(1)), _text(heading.group(2))),
            "volunteers_by_status": [(html.unescape(label), int(n)) for label, n in counts],
            "nominations": _placement_links(panels["nominations"]),
            "departures_and_returns": _placement_links(panels["departures"]),
            "follow_ups": _placement_links(panels["followups"]),
            "approvals": re.findall(r'<a href="/agreements/\d+/">([^<]*)</a>', panels["approvals"]),
            "quotas_near_full": sorted(quotas),
            "latest_reports": [int(pk) for pk in re.findall(r"/reports/(\d+)/", panels["reports"])],
            "chart": _chart(panels["chart"]),
        }
    rows = _rows(page)
    if name == "volunteers:index":
        count = re.search(r'data-testid="result-count">(.*?)</p>', page, re.S).group(1)
        return {
            "count": _numbers(count),
            "rows": [
                (*_link(c[0]), _text(c[3]), _text(c[6]) if len(c) > 6 else None) for c in rows
            ],
        }
    if name == "exchanges:index":
        return {"rows": [(*_link(c[0]), *_numbers(c[5]), _badge(c[6])) for c in rows]}
    if name == "missions:index":
        return {"rows": [(*_link(c[0]), *_numbers(c[5]), _text(c[6])) for c in rows]}
    if name == "evaluations:index":
        return {"rows": [(*_link(c[0]), *_numbers(c[5]), _text(c[6])) for c in rows]}
    if name == "reports:index":
        return {"rows": [(_link(c[0])[0], _badge(c[4])) for c in rows]}
    if name == "agencies:hoststructure_list":
        return {"rows": [_link(c[0]) for c in rows]}
    raise AssertionError(name)


# --- What fresh queries say -----------------------------------------------------------------


def _volunteer_label(v: Volunteer) -> str:
    return _("Anonymised volunteer") if v.anonymised_at else f"{v.last_name.upper()} {v.first_name}"


def _placement_rows(queryset) -> list[tuple[int, str]]:
    return [(p.pk, str(p.volunteer)) for p in queryset.select_related("volunteer")[:PANEL]]


def _used(quota_ids) -> dict[int, int]:
    rows = Placement.objects.filter(quota__in=quota_ids, status__in=USED_STATUSES)
    return dict(rows.order_by().values_list("quota").annotate(n=Count("pk")))


def _home(user, today) -> dict:
    acting = access.memberships_of(user)[:1]
    agency = acting[0].agency if acting else None
    if acting:
        heading = (agency.name, _("Your role: %(role)s.") % {"role": acting[0].get_role_display()})
    else:
        heading = (_("All agencies"), _("You are an administrator: you see every agency."))
    mine = Q() if agency is None else Q(sending_agency=agency)
    by_status = Volunteer.objects.filter(mine).values("status").annotate(n=Count("pk"))
    concerns = Q() if agency is None else Q(quota__sending=agency) | Q(quota__receiving=agency)
    live = Placement.objects.filter(concerns)
    departures = live.filter(
        status=PlacementStatus.CONFIRMED, mission__start_date__range=(today, today + SOON)
    ).order_by("mission__start_date", "pk")
    returns = live.filter(
        status=PlacementStatus.DEPLOYED, mission__end_date__range=(today, today + SOON)
    ).order_by("mission__end_date", "pk")
    nominations = Placement.objects.filter(status=PlacementStatus.NOMINATED)
    if agency is not None:
        nominations = nominations.filter(quota__receiving=agency)
    awaited = access.agreements_visible_to(user).filter(status=AgreementStatus.SUBMITTED)
    if agency is not None:
        awaited = awaited.filter(Q(party_a=agency) | Q(party_b=agency)).exclude(
            pk__in=Approval.objects.filter(agency=agency).values("version__agreement")
        )
    return {
        "heading": heading,
        "volunteers_by_status": [
            (str(Volunteer.Status(row["status"]).label), row["n"])
            for row in by_status.order_by("status")
        ],
        "nominations": _placement_rows(nominations.order_by("mission__start_date", "pk")),
        "departures_and_returns": _placement_rows(departures) + _placement_rows(returns),
        "follow_ups": _follow_ups(agency, today),
        "approvals": list(
            awaited.order_by("start_date", "reference").values_list("reference", flat=True)[:PANEL]
        ),
        "quotas_near_full": _quotas_near_full(agency, today),
        "latest_reports": list(
            access.reports_visible_to(user)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:5]
        ),
        "chart": _chart_of(agency) if agency is not None else {},
    }


def _follow_ups(agency, today) -> list[tuple[int, str]]:
    due = FollowUp.objects.filter(
        recorded_at__isnull=True, due_date__lte=today + datetime.timedelta(days=30)
    ).select_related("placement__volunteer")
    if agency is not None:
        due = due.filter(placement__quota__sending=agency)
    due = due.order_by("due_date", "pk")[:PANEL]
    return [(f.placement_id, str(f.placement.volunteer)) for f in due]


def _quotas_near_full(agency, today) -> list[tuple]:
    in_force = Agreement.objects.filter(status=AgreementStatus.APPROVED, end_date__gte=today)
    if agency is not None:
        in_force = in_force.filter(Q(party_a=agency) | Q(party_b=agency))
    quotas = list(Quota.objects.filter(agreement__in=in_force).select_related("agreement"))
    used = _used([q.pk for q in quotas])
    rows = []
    for q in quotas:
        places = q.approved_places if q.approved_places is not None else q.places
        taken = used.get(q.pk, 0)
        if places > 0 and places - taken <= 1:
            direction = f"{q.sending.acronym} → {q.receiving.acronym}"
            rows.append((q.agreement.reference, q.cohort, direction, taken, places))
    return sorted(rows)


def _chart_of(agency) -> dict[tuple[str, str], int]:
    """Volunteers sent and hosted per partner and cohort: placements that took a place."""
    rows = (
        Placement.objects.filter(status__in=USED_STATUSES)
        .filter(Q(quota__sending=agency) | Q(quota__receiving=agency))
        .values_list("quota__cohort", "quota__sending__acronym", "quota__receiving__acronym")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sent, hosted = _("Sent"), _("Hosted")
    values: dict[tuple[str, str], int] = {}
    for cohort, sending, receiving, n in rows:
        key = (
            (sent, f"{receiving} {cohort}")
            if sending == agency.acronym
            else (hosted, f"{sending} {cohort}")
        )
        values[key] = values.get(key, 0) + n
    categories = sorted({c for _, c in values}, key=lambda c: (c.split()[-1], c))[-12:]
    return {(s, c): values.get((s, c), 0) for s in (sent, hosted) for c in categories}


def _volunteers(user, today) -> dict:
    qs = access.volunteers_registered_by(user).order_by("last_name", "first_name", "pk")
    several = access.is_admin(user) or len(access.memberships_of(user)) > 1
    return {
        "count": [qs.count()],
        "rows": [
            (
                v.pk,
                _volunteer_label(v),
                v.get_status_display(),
                v.sending_agency.acronym if several else None,
            )
            for v in qs[:PAGE_SIZE]
        ],
    }


def _agreements(user, today) -> dict:
    rows = []
    for a in access.agreements_visible_to(user).order_by("-start_date", "reference")[:PAGE_SIZE]:
        places = dict(a.quotas.order_by().values_list("sending").annotate(n=Sum("places")))
        each_way = (places.get(a.party_a_id, 0), places.get(a.party_b_id, 0))
        rows.append((a.pk, a.reference, *each_way, a.get_state_display()))
    return {"rows": rows}


def _missions(user, today) -> dict:
    missions = access.missions_visible_to(user).order_by("-start_date", "title", "pk")[:PAGE_SIZE]
    rows = []
    for m in missions:
        placed = Placement.objects.filter(mission=m)
        taken = placed.filter(status__in=USED_STATUSES).count()
        waiting = placed.filter(status=PlacementStatus.NOMINATED).count()
        figures = [taken, m.places] + ([waiting] if waiting else [])  # "1 / 2 +1"
        rows.append((m.pk, m.title, *figures, m.get_status_display()))
    return {"rows": rows}


def _evaluations(user, today) -> dict:
    rows = []
    for e in access.evaluations_visible_to(user).order_by("-period_end", "-pk")[:PAGE_SIZE]:
        recommendations = e.findings.filter(kind=Finding.Kind.RECOMMENDATION).count()
        rows.append((e.pk, e.title, recommendations, e.get_status_display()))
    return {"rows": rows}


def _reports(user, today) -> dict:
    qs = access.reports_visible_to(user).order_by("-created_at", "-pk")[:PAGE_SIZE]
    return {"rows": [(r.pk, r.get_status_display()) for r in qs]}


def _host_structures(user, today) -> dict:
    qs = access.host_structures_visible_to(user).order_by("name", "pk")[:PAGE_SIZE]
    return {"rows": [(s.pk, s.name) for s in qs]}


EXPECTED = {
    "home": _home,
    "volunteers:index": _volunteers,
    "exchanges:index": _agreements,
    "missions:index": _missions,
    "evaluations:index": _evaluations,
    "reports:index": _reports,
    "agencies:hoststructure_list": _host_structures,
}


def expected(name: str, user, today) -> dict:
    """What the page must show to ``user``: fresh queries, the page's default order, page 1."""
    with translation.override("fr"):  # the pages' language (LANGUAGE_CODE)
        return EXPECTED[name](user, today)


# --- The scenario ---------------------------------------------------------------------------

STEPS = []


def step(function):
    STEPS.append(function)
    return function


def _user(username: str):
    # Fetched again each time: the access rules memoise memberships on the user object.
    return get_user_model().objects.get(username=username)


def _agency(acronym: str) -> Agency:
    return Agency.objects.get(acronym=acronym)


def _save_volunteer(agency, volunteer=None, *, experiences=(), **fields) -> Volunteer:
    """``volunteers.services.volunteer_save`` with the forms the edit page would post: the
    volunteer's current values, ``fields`` changed, ``experiences`` added."""
    current = VolunteerForm(instance=volunteer, agency=agency)
    data = {name: current[name].value() for name in current.fields}
    data.update(fields)
    data = {k: getattr(v, "code", v) for k, v in data.items() if v not in (None, False)}
    for prefix, rows in (("experiences", experiences), ("languages", ())):
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
        for i, row in enumerate(rows):
            data |= {f"{prefix}-{i}-{key}": value for key, value in row.items()}
    form = VolunteerForm(data, instance=volunteer, agency=agency)
    experience_forms = ExperienceFormSet(data, {}, instance=form.instance, prefix="experiences")
    language_forms = LanguageFormSet(data, instance=form.instance, prefix="languages")
    assert form.is_valid(), form.errors
    assert experience_forms.is_valid(), experience_forms.errors
    assert language_forms.is_valid(), language_forms.errors
    return volunteers.volunteer_save(
        form=form, experiences=experience_forms, languages=language_forms
    )


@step
def demo_as_loaded(world):
    pass


@step
def create_a_volunteer(world):
    volunteer = _save_volunteer(
        _agency("ANVT"),
        first_name="Yawovi",
        last_name="Abiassi",
        sex="male",
        birth_date=datetime.date(world.today.year - 22, 3, 1),
        nationality="TG",
        country="TG",
        email="candidature.0042@anvt.example",
        status=Volunteer.Status.CANDIDATE,
    )
    world.volunteer = volunteer.pk


@step
def rename_the_volunteer(world):
    volunteer = Volunteer.objects.get(pk=world.volunteer)
    _save_volunteer(volunteer.sending_agency, volunteer, first_name="Elikplim", last_name="Abitor")
    world.gone |= {"Yawovi", "Abiassi"}


@step
def add_an_experience(world):
    volunteer = Volunteer.objects.get(pk=world.volunteer)
    year = world.today.year
    period = {"start": f"{year - 4}-01-01", "end": f"{year - 1}-06-30"}
    _save_volunteer(
        volunteer.sending_agency,
        volunteer,
        experiences=[{"organisation": "Croix-Rouge togolaise", "role": "Secouriste", **period}],
    )


@step
def nominate_the_volunteer(world):
    placement = placements.placement_nominate(
        mission=Mission.objects.get(title="Conservación del bosque nublado en Mindo"),
        volunteer=Volunteer.objects.get(pk=world.volunteer),
        user=_user("anvt-manager"),
    )
    world.placement = placement.pk


@step
def confirm_the_placement(world):
    placements.placement_confirm(
        placement=Placement.objects.get(pk=world.placement), user=_user("vase-manager")
    )


@step
def anonymise_the_volunteer(world):
    volunteers.volunteer_anonymise(
        volunteer=Volunteer.objects.get(pk=world.volunteer), user=_user("anvt-manager")
    )
    world.gone |= {"Elikplim", "Abitor"}


@step
def move_a_volunteer_to_another_agency(world):
    # No service does it: an administrator's bulk update, which sends no signal at all. The
    # first volunteer of ANVT's list leaves it and joins CNPV's.
    placed = Placement.objects.values("volunteer")
    volunteer = (
        Volunteer.objects.filter(sending_agency__acronym="ANVT")
        .exclude(pk__in=placed)
        .order_by("last_name", "first_name", "pk")
        .first()
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(sending_agency=_agency("CNPV"))


@step
def change_memberships_in_the_admin(world):
    partner = Membership.objects.get(user__username="anvt-partner")
    response = world.admin.post(
        reverse("admin:agencies_membership_change", args=[partner.pk]),
        {"user": partner.user_id, "agency": partner.agency_id, "role": "officer"},
    )
    assert response.status_code == 302, response.context["adminform"].errors
    # VASE's officer now also works for ANVT (first by acronym: the agency the pages act for).
    response = world.admin.post(
        reverse("admin:agencies_membership_add"),
        {"user": _user("vase-officer").pk, "agency": _agency("ANVT").pk, "role": "evaluator"},
    )
    assert response.status_code == 302, response.context["adminform"].errors


@step
def delete_in_the_admin_with_cascades(world):
    # A volunteer with experience, languages and spans (deleted with it), then a host structure
    # with its themes.
    volunteer = (
        Volunteer.objects.filter(sending_agency__acronym="CNPV")
        .exclude(pk__in=Placement.objects.values("volunteer"))
        .order_by("last_name", "first_name", "pk")
        .first()
    )
    assert volunteer.experiences.exists() and volunteer.languages.exists()
    structure = HostStructure.objects.get(name="Escuela Fiscal Mixta Nº 12")
    for url in (
        reverse("admin:volunteers_volunteer_delete", args=[volunteer.pk]),
        reverse("admin:agencies_hoststructure_delete", args=[structure.pk]),
    ):
        assert world.admin.post(url, {"post": "yes"}).status_code == 302
    assert not Volunteer.objects.filter(pk=volunteer.pk).exists()
    assert not HostStructure.objects.filter(pk=structure.pk).exists()


@step
def request_and_render_a_report(world):
    report = reports.report_request(
        kind=Report.Kind.QUOTA,
        user=_user("vase-manager"),
        format=Report.Format.CSV,
        agreement=Agreement.objects.get(reference="VIR-TG-EC-2017"),
        params={"threshold": 1, "delimiter": ","},
    )
    assert reports.report_run(report.pk)  # what the worker does once the request commits


@step
def submit_an_agreement(world):
    agreement = Agreement.objects.get(reference__startswith="VIR-TG-BF-")
    agreements.agreement_submit(agreement=agreement, user=_user("anvt-manager"))


def _approve(acronym: str):
    agreement = Agreement.objects.get(reference__startswith="VIR-TG-BF-")
    agreements.agreement_approve(
        agreement=agreement,
        version_number=agreement.current_version.number,
        agency=_agency(acronym),
        user=_user(f"{acronym.lower()}-manager"),
    )
    agreement.refresh_from_db()
    return agreement


@step
def approve_the_agreement_for_one_party(world):
    assert _approve("ANVT").status == AgreementStatus.SUBMITTED


@step
def approve_the_agreement_for_the_other(world):
    assert _approve("GIP-PNVB").status == AgreementStatus.APPROVED


# --- The test -------------------------------------------------------------------------------


def _differences(step_name: str, clients: dict, world) -> list[str]:
    found = []
    for persona, username in PERSONAS.items():
        user = _user(username) if username else None
        for name in PAGES:
            response = clients[persona].get(reverse(name))
            where = f"after {step_name}, {name} for {persona}"
            if user is None:
                assert response.status_code == 302, where  # to the login page
                continue
            assert response.status_code == 200, where
            page = response.content.decode()
            want = expected(name, user, world.today)
            got = shown(name, page)
            found += [
                f"{where}, {key}:\n  shown    {got.get(key)}\n  expected {want[key]}"
                for key in want
                if got.get(key) != want[key]
            ]
            text = html.unescape(page).casefold()
            found += [f"{where}: shows {word!r}" for word in world.gone if word.casefold() in text]
    return found


def test_every_page_shows_what_a_fresh_query_says_after_each_write(demo):
    clients = {}
    for persona, username in PERSONAS.items():
        clients[persona] = Client()
        if username:
            clients[persona].force_login(_user(username))
    admin = Client()
    admin.force_login(_user("admin"))
    world = SimpleNamespace(today=timezone.localdate(), admin=admin, gone=set())
    for write in STEPS:
        write(world)
        differences = _differences(write.__name__, clients, world)
        assert not differences, "\n".join(differences)
