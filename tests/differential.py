"""The two views of a page that ``test_differential`` compares: what its HTML shows
(``shown``) and what fresh queries on the tables say it must show (``expected``).

Each list page is read on its first page at its default order; the home page panel by panel.
Its counts are expected from ``COUNT`` on the source tables, not from the counter tables that the
page reads (``core.tallies``). The HTML is read, not ``response.context``: a page served from a
cache has no context.
"""

from __future__ import annotations

import datetime
import html
import re

from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from agencies import rules as access
from agencies.selectors import host_structures_visible_to
from core.languages import preferred_language
from evaluations.models import Finding
from evaluations.selectors import evaluations_visible_to
from exchanges.models import Agreement, AgreementStatus, Quota
from exchanges.selectors import agreements_visible_to
from missions.models import USED_STATUSES, FollowUp, Placement, PlacementStatus
from missions.selectors import missions_visible_to
from reports.selectors import reports_visible_to
from volunteers.models import Volunteer
from volunteers.selectors import volunteers_registered_by

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


def _network_rows(panel: str) -> list[tuple]:
    """(pair, sent, hosted, balance, agreements in force, reports) of the network table."""
    rows = []
    for pair, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', panel, re.S):
        total, balance, in_force, reports = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)[-4:]
        signed = int(re.search(r"[-+]?\d+", _text(balance)).group(0))
        rows.append((_text(pair), *_numbers(total), signed, *_numbers(in_force + " " + reports)))
    return rows


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
            "nominations": _placement_links(panels["nominations"])
            if "nominations" in panels
            else None,
            "departures_and_returns": _placement_links(panels["departures"]),
            "follow_ups": _placement_links(panels["followups"]),
            "approvals": re.findall(r'<a href="/agreements/\d+/">([^<]*)</a>', panels["approvals"])
            if "approvals" in panels
            else None,
            "quotas_near_full": sorted(quotas),
            "latest_reports": [int(pk) for pk in re.findall(r"/reports/(\d+)/", panels["reports"])],
            "chart": _chart(panels.get("chart", "")),
            "network": _network_rows(panels.get("network", "")),
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
        return {"rows": [(_link(c[0])[0], _badge(c[5])) for c in rows]}
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
    # The decision and approval panels are for the roles that decide and approve (managers;
    # administrators see every agreement awaiting a party).
    decides = agency is None or access.has_role(user, agency.pk, access.DECIDE_PLACEMENTS)
    approves = agency is None or access.has_role(user, agency.pk, access.APPROVE)
    nominations = Placement.objects.filter(status=PlacementStatus.NOMINATED)
    if agency is not None:
        nominations = nominations.filter(quota__receiving=agency)
    parties = (agency.pk,) if agency is not None else None
    awaited = [
        a.reference
        for a in Agreement.objects.order_by("start_date", "reference")
        if any(a.approval_refusal(p) is None for p in (parties or a.party_ids))
    ][:PANEL]
    return {
        "heading": heading,
        "volunteers_by_status": [
            (str(Volunteer.Status(row["status"]).label), row["n"])
            for row in by_status.order_by("status")
        ],
        "nominations": _placement_rows(nominations.order_by("nominated_at", "pk"))
        if decides
        else None,
        "departures_and_returns": _placement_rows(departures) + _placement_rows(returns),
        "follow_ups": _follow_ups(agency, today),
        "approvals": awaited if approves else None,
        "quotas_near_full": _quotas_near_full(agency, today),
        "latest_reports": list(
            reports_visible_to(user).order_by("-created_at", "-pk").values_list("pk", flat=True)[:5]
        ),
        "chart": _chart_of(agency) if agency is not None else {},
        "network": _network(today) if agency is None else [],
    }


def _follow_ups(agency, today) -> list[tuple[int, str]]:
    due = FollowUp.objects.filter(
        recorded_at__isnull=True, due_date__lte=today + datetime.timedelta(days=30)
    ).select_related("placement__volunteer")
    if agency is not None:  # both sides record follow-ups
        due = due.filter(
            Q(placement__quota__sending=agency) | Q(placement__quota__receiving=agency)
        )
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
        if q.cohort < today.year:  # a past cohort: history, not a warning
            continue
        if q.approved_places is None:  # a row awaiting both approvals: nothing agreed
            continue
        places = q.approved_places
        taken = used.get(q.pk, 0)
        if places > 0 and places - taken <= 1:
            direction = f"{q.sending.acronym} → {q.receiving.acronym}"
            rows.append((q.agreement.reference, str(q.cohort), direction, taken, places))
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


def _network(today) -> list[tuple]:
    """Per pair of agencies bound by an agreement (by acronyms): sent and hosted seen from the
    first, the balance, the agreements in force and the reports on their agreements."""
    pairs: dict[tuple[str, str], list[int]] = {}
    for a in Agreement.objects.select_related("party_a", "party_b"):
        key = tuple(sorted((a.party_a.acronym, a.party_b.acronym)))
        row = pairs.setdefault(key, [0, 0, 0, 0])
        row[2] += a.phase == AgreementStatus.ACTIVE
        row[3] += a.reports.count()
    for p in Placement.objects.filter(status__in=USED_STATUSES).select_related(
        "quota__sending", "quota__receiving"
    ):
        sender, host = p.quota.sending.acronym, p.quota.receiving.acronym
        key = tuple(sorted((sender, host)))
        if key in pairs:
            pairs[key][0 if sender == key[0] else 1] += 1
    return [
        (f"{a} ⇄ {b}", sent, hosted, sent - hosted, in_force, reports)
        for (a, b), (sent, hosted, in_force, reports) in sorted(pairs.items())
    ]


def _volunteers(user, today) -> dict:
    qs = volunteers_registered_by(user).order_by("last_name", "first_name", "pk")
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
    for a in agreements_visible_to(user).order_by("-start_date", "reference")[:PAGE_SIZE]:
        # The places agreed: the approved version's once there is one, else those written.
        field = "places" if a.last_approved_version_id is None else "approved_places"
        places = dict(a.quotas.order_by().values_list("sending").annotate(n=Sum(field)))
        each_way = (places.get(a.party_a_id) or 0, places.get(a.party_b_id) or 0)
        rows.append((a.pk, a.reference, *each_way, a.get_phase_display()))
    return {"rows": rows}


def _missions(user, today) -> dict:
    missions = missions_visible_to(user).order_by("-start_date", "title", "pk")[:PAGE_SIZE]
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
    for e in evaluations_visible_to(user).order_by("-period_end", "-pk")[:PAGE_SIZE]:
        recommendations = e.findings.filter(kind=Finding.Kind.RECOMMENDATION).count()
        rows.append((e.pk, e.title, recommendations, e.get_status_display()))
    return {"rows": rows}


def _reports(user, today) -> dict:
    qs = reports_visible_to(user).order_by("-created_at", "-pk")[:PAGE_SIZE]
    return {"rows": [(r.pk, r.get_status_display()) for r in qs]}


def _host_structures(user, today) -> dict:
    qs = host_structures_visible_to(user).order_by("name", "pk")[:PAGE_SIZE]
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
    # The pages' language: the user's preference (the demo's VASE staff: Spanish), else French.
    with translation.override(preferred_language(user)):
        return EXPECTED[name](user, today)
