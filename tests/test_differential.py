"""A page shows what a fresh query would show (DESIGN.md), whatever wrote the data.

A scenario runs the main services one write after the other on the demo data (and, where an
administrator has no service, the admin or a bulk ``update()``: paths that send no signal). After
each step every list page and the home page is rendered for every demo persona, and what the
HTML shows is compared with what fresh queries on the tables say (``tests.differential``): the
rows of each list's first page in order, with the figures a step may change; the home page's
panels and counts; the names of the volunteers (a former name must be gone from every page). A
page served from a cache, a counter kept by hand, a per-user memo that outlives a write: each
shows up here as a difference between "expected" and "shown".
"""

from __future__ import annotations

import datetime
import html
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, HostStructure, Membership
from exchanges import services as agreements
from exchanges.models import Agreement, AgreementStatus
from missions import services as placements
from missions.models import Mission, Placement
from reports import services as reports
from reports.models import Report
from tests.access import PERSONAS
from tests.differential import PAGES, expected, shown
from volunteers import services as volunteers
from volunteers.forms import ExperienceFormSet, LanguageFormSet, VolunteerForm
from volunteers.models import Volunteer

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
            if name == "home":  # and the panels it loads after the page
                for panel in ("home_exchanges", "alerts"):
                    loaded = clients[persona].get(reverse(panel), headers={"HX-Request": "true"})
                    assert loaded.status_code == (
                        404 if panel == "alerts" and persona == "admin" else 200
                    ), where
                    page += loaded.content.decode()
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
