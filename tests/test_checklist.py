"""The pre-departure checklist (issue 17, point 6): items and due dates, who keeps them, the
refusal to depart while a required item is open and a manager's override with a reason."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import DownloadRecord
from core.errors import DomainError
from missions.checklist import ITEMS, ChecklistItem, DepartureOverride, due_date
from missions.models import Placement
from missions.services import placement_confirm, placement_deploy, placement_nominate
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    eligible_volunteer,
    make_mission,
    manager_of,
)

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2018, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.fixture
def placement():
    mission = make_mission(start=START)
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=None)


def items(placement) -> dict[str, ChecklistItem]:
    return {i.kind: i for i in ChecklistItem.objects.filter(placement=placement)}


def member(agency, role):
    return MembershipFactory(agency=agency, role=role).user


def test_it_computes_each_due_date_from_the_departure():
    due = {rule.kind: due_date(rule, START) for rule in ITEMS}
    assert due == {
        "passport": D(2017, 9, 1),
        "visa": D(2017, 10, 1),  # three months before, as the Lomé evaluation recommends
        "ticket": D(2017, 10, 1),
        "medical": D(2017, 11, 17),
        "insurance": D(2017, 12, 2),
        "training": D(2017, 12, 18),
        "welcome": D(2017, 12, 2),
    }
    visa = next(rule for rule in ITEMS if rule.kind == "visa")
    assert due_date(visa, D(2018, 5, 31)) == D(2018, 2, 28)  # the month's last day
    assert due_date(visa, D(1, 2, 1)) == D.min  # never before the first date


def test_confirming_a_placement_creates_its_checklist_for_each_side(placement):
    quota = placement.quota
    checklist = items(placement)
    assert set(checklist) == {rule.kind for rule in ITEMS}
    assert checklist["visa"].due_date == D(2017, 10, 1)
    assert all(i.status == "to_do" for i in checklist.values())
    assert checklist["welcome"].agency_id == quota.receiving_id
    assert checklist["welcome"].required is False
    assert {i.agency_id for k, i in checklist.items() if k != "welcome"} == {quota.sending_id}


def test_the_departure_is_refused_while_a_required_item_is_open(placement):
    ChecklistItem.objects.filter(placement=placement).exclude(kind="ticket").update(status="done")
    with pytest.raises(DomainError) as refused:
        placement_deploy(placement=placement, user=None, departure_date=START)
    assert "Billet" in refused.value.message
    placement.refresh_from_db()
    assert placement.status == "confirmed"
    # "Not needed" closes an item; the host's welcome contact, optional, holds nothing back.
    ChecklistItem.objects.filter(placement=placement, kind="ticket").update(status="not_needed")
    ChecklistItem.objects.filter(placement=placement, kind="welcome").update(status="to_do")
    placement_deploy(placement=placement, user=None, departure_date=START)
    placement.refresh_from_db()
    assert placement.status == "deployed"
    assert not DepartureOverride.objects.exists()


def test_only_a_manager_overrides_and_the_reason_is_recorded(placement):
    officer = member(placement.quota.sending, "officer")
    with pytest.raises(DomainError) as refused:
        placement_deploy(
            placement=placement, user=officer, departure_date=START, override_reason="Urgence"
        )
    assert "responsable" in refused.value.message
    manager = manager_of(placement.quota.receiving)
    placement_deploy(
        placement=placement,
        user=manager,
        departure_date=START,
        override_reason="Visa délivré à l’arrivée, billet pris par l’hôte.",
    )
    override = DepartureOverride.objects.get(placement=placement)
    assert override.user == manager
    assert override.reason.startswith("Visa délivré")
    assert set(override.open_items) == {r.kind for r in ITEMS if r.required}


def test_the_pages_tick_items_refuse_the_departure_and_show_the_override(client, placement):
    sender, host = placement.quota.sending, placement.quota.receiving
    officer = member(sender, "officer")
    client.force_login(officer)
    visa = items(placement)["visa"]
    response = client.post(
        reverse("missions:checklist_item", args=[visa.pk]),
        {"status": "done", "note": "Visa obtenu"},
        follow=True,
    )
    visa.refresh_from_db()
    assert (visa.status, visa.updated_by, visa.note) == ("done", officer, "Visa obtenu")
    assert "Visa : fait." in response.content.decode()
    response = client.post(
        reverse("missions:deploy", args=[placement.pk]),
        {"departure_date": START.isoformat()},
        follow=True,
    )
    page = response.content.decode()
    assert "ne peut pas être enregistré" in page and "Billet" in page
    assert "en retard" in page and "obligatoires ouverts" in page  # due in 2017, still open
    client.force_login(manager_of(sender))
    page = client.post(
        reverse("missions:deploy", args=[placement.pk]),
        {"departure_date": START.isoformat(), "override_reason": "Départ groupé maintenu."},
        follow=True,
    ).content.decode()
    placement.refresh_from_db()
    assert placement.status == "deployed"
    assert "Départ groupé maintenu." in page
    # Gone: what stays open is no longer late nor waited for.
    assert "en retard" not in page and "obligatoires ouverts" not in page
    # The host's officer may not tick the sender's items; an outsider does not see them.
    client.force_login(member(host, "officer"))
    assert client.post(reverse("missions:checklist_item", args=[visa.pk]), {}).status_code == 403
    client.force_login(member(AgencyFactory(), "manager"))
    assert client.post(reverse("missions:checklist_item", args=[visa.pk]), {}).status_code == 404


def test_a_document_is_kept_private_and_its_downloads_logged(client, placement):
    sender, host = placement.quota.sending, placement.quota.receiving
    client.force_login(member(sender, "officer"))
    checklist = items(placement)
    for kind in ("ticket", "passport"):
        client.post(
            reverse("missions:checklist_item", args=[checklist[kind].pk]),
            {"status": "done", "document": SimpleUploadedFile(f"{kind}.pdf", PDF)},
        )
    ticket, passport = (
        ChecklistItem.objects.get(pk=checklist[k].pk) for k in ("ticket", "passport")
    )
    assert ticket.document_name == "ticket.pdf" and ticket.document.name.startswith("missions/")
    response = client.get(reverse("missions:checklist_document", args=[ticket.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert DownloadRecord.objects.filter(kind="checklist_document", object_id=ticket.pk).exists()
    # The host reads the ticket, not the identity document.
    client.force_login(member(host, "officer"))
    assert client.get(reverse("missions:checklist_document", args=[ticket.pk])).status_code == 200
    url = reverse("missions:checklist_document", args=[passport.pk])
    assert client.get(url).status_code == 403
    # Not a PDF nor an image: refused with the reason.
    client.force_login(member(sender, "manager"))
    page = client.post(
        reverse("missions:checklist_item", args=[checklist["visa"].pk]),
        {"status": "done", "document": SimpleUploadedFile("visa.exe", b"MZ\x90\x00")},
        follow=True,
    ).content.decode()
    assert "ni un PDF ni une image" in page
    assert ChecklistItem.objects.get(pk=checklist["visa"].pk).status == "to_do"


def test_the_migration_gives_confirmed_placements_their_checklist(placement):
    migration = importlib.import_module(
        "missions.migrations.0012_checklists_for_confirmed_placements"
    )
    ChecklistItem.objects.all().delete()
    Placement.objects.create(
        mission=placement.mission,
        quota=placement.quota,
        volunteer=eligible_volunteer(placement.quota.sending),
        status="nominated",
    )
    migration.create(apps, None)
    assert items(placement)["ticket"].due_date == D(2017, 10, 1)
    assert ChecklistItem.objects.count() == len(ITEMS)  # the nomination has none
    migration.create(apps, None)  # idempotent
    assert ChecklistItem.objects.count() == len(ITEMS)


def test_the_mission_page_reads_checklists_in_the_same_queries_for_1_and_3_placements(
    client, placement
):
    client.force_login(manager_of(placement.quota.sending))
    url = reverse("missions:detail", args=[placement.mission_id])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.get(url)
    few = queries()
    for _ in range(2):
        volunteer = eligible_volunteer(placement.quota.sending)
        other = placement_nominate(mission=placement.mission, volunteer=volunteer, user=None)
        placement_confirm(placement=other, user=None)
    assert ChecklistItem.objects.count() == 3 * len(ITEMS)
    assert queries() == few
