"""Alerts (issue 18, "Alerts"; issue 17, point 6): computed per agency, shown on its home page,
acknowledged (who, when), and sent once a week as one digest per recipient."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency
from core.models import OutgoingEmail
from dashboard.alerts import MAX_QUERIES, alerts_for
from dashboard.models import AlertAcknowledgement, AlertDigest, AlertKind
from dashboard.services import alert_digests_send, week_of
from missions.models import ChecklistItem, Placement
from missions.services import placement_confirm, placement_nominate
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    VolunteerFactory,
    approved_agreement,
    eligible_volunteer,
    make_mission,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2017, 11, 20)  # the missions start on 2018-01-01


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def kinds(agency, today=TODAY) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for alert in alerts_for(agency=agency, today=today):
        found.setdefault(alert.kind, []).append(alert.subject)
    return found


def confirmed(mission):
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=None)


def test_checklist_items_late_or_due_within_14_days_alert_their_responsible_agency():
    placement = confirmed(make_mission())
    sender, host = placement.quota.sending, placement.quota.receiving
    found = kinds(sender)
    late = [s.split(" — ")[0] for s in found["checklist_late"]]
    assert late == [
        "Passeport valide pour tout le séjour",
        "Visa",
        "Billet",
        "Visite médicale et vaccinations",
    ]
    assert [s.split(" — ")[0] for s in found["checklist_due"]] == ["Assurance"]
    assert [s.split(" — ")[0] for s in kinds(host)["checklist_due"]] == [
        "Prise de contact de l’accueil"
    ]
    ChecklistItem.objects.filter(placement=placement, kind="visa").update(status="done")
    ChecklistItem.objects.filter(placement=placement, kind="ticket").update(status="not_needed")
    assert len(kinds(sender)["checklist_late"]) == 2
    # Departed: the checklist no longer alerts.
    Placement.objects.filter(pk=placement.pk).update(status="deployed")
    assert "checklist_late" not in kinds(sender)


def test_a_full_quota_with_open_missions_and_an_ending_agreement_alert_both_parties():
    agreement = approved_agreement(quotas=[(2017, "ab", 1), (2017, "ba", 1)])
    quota = agreement.quotas.get(sending=agreement.party_a)
    first = make_mission(quota=quota, places=1)
    make_mission(quota=quota, places=1, title="Seconde mission")
    assert "quota_full" not in kinds(agreement.party_a)
    confirmed(first)
    for party in (agreement.party_a, agreement.party_b):
        assert kinds(party)["quota_full"] == [
            f"{agreement.reference} · 2017 · {agreement.party_a.acronym} → "
            f"{agreement.party_b.acronym}"
        ]
    assert "agreement_ending" not in kinds(agreement.party_a)
    assert kinds(agreement.party_b, today=D(2030, 11, 1))["agreement_ending"] == [
        agreement.reference
    ]
    assert "agreement_ending" not in kinds(agreement.party_b, today=D(2031, 1, 1))  # ended


def test_an_imbalance_beyond_the_threshold_alerts_both_parties():
    agreement = approved_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 4)])
    quota = agreement.quotas.get(sending=agreement.party_a)
    mission = make_mission(quota=quota)
    for n in range(3):
        Placement.objects.create(
            mission=mission,
            quota=quota,
            volunteer=VolunteerFactory(sending_agency=agreement.party_a),
            status="completed",
        )
        imbalance = kinds(agreement.party_b).get("imbalance")
        # 2 sent, 0 hosted is within the threshold (2); 3 is beyond it.
        assert imbalance == ([agreement.reference] if n == 2 else None)
    assert kinds(agreement.party_a)["imbalance"] == [agreement.reference]
    assert kinds(AgencyFactory()) == {}


def test_overdue_recommendations_alert_their_owner(demo):
    anvt = Agency.objects.get(acronym="ANVT")
    alerts = [
        a
        for a in alerts_for(agency=anvt, today=D(2030, 1, 1))
        if a.kind == "recommendation_overdue"
    ]
    assert alerts and all(a.url.startswith("/evaluations/") for a in alerts)


def test_a_recommendation_is_named_by_its_first_words_then_an_ellipsis():
    from evaluations.models import Finding

    text = "Prévoir un atelier de préparation au retour dans chaque semestre de la mission"
    assert str(Finding(text=text)) == "Prévoir un atelier de préparation au retour dans chaque sem…"
    assert str(Finding(text="Suivre l’insertion.")) == "Suivre l’insertion."


def test_the_home_page_shows_the_alerts_and_acknowledges_one(client, login, demo):
    login("anvt-officer")
    # The home page loads its alerts after the page: the panel alone, for htmx.
    assert 'hx-get="/alerts/"' in client.get(reverse("home")).content.decode()
    panel = client.get(
        reverse("alerts"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"}
    )
    page = panel.content.decode()
    assert 'data-testid="alerts"' in page and "Billet" in page and "<html" not in page
    assert "</strong>\u00a0: <a" in page and "</strong>: <a" not in page  # French spacing
    assert 'name="next" value="/"' in page  # an acknowledgement comes back to the home page
    item = ChecklistItem.objects.get(
        placement__mission__title__startswith="Educación", kind="ticket"
    )
    assert item.is_late(datetime.date.today())
    response = client.post(
        reverse("alert_acknowledge"),
        {"kind": "checklist_late", "key": str(item.pk), "next": reverse("alerts")},
        follow=True,
    )
    ack = AlertAcknowledgement.objects.get(kind="checklist_late", key=str(item.pk))
    assert ack.user.username == "anvt-officer" and ack.agency.acronym == "ANVT"
    open_alerts = response.context["alerts"].open
    assert (AlertKind.CHECKLIST_LATE, str(item.pk)) not in {(a.kind, a.key) for a in open_alerts}
    page = client.get(reverse("alerts") + "?all=1").content.decode()
    assert "prise en compte par" in page and 'data-testid="acknowledged-alert"' in page
    # A key that is no alert of the agency is refused; a partner only reads.
    client.post(reverse("alert_acknowledge"), {"kind": "quota_full", "key": "999999"})
    assert not AlertAcknowledgement.objects.filter(key="999999").exists()
    login("anvt-partner")
    assert client.post(reverse("alert_acknowledge"), {}).status_code == 403


def test_the_alert_panel_reads_in_the_same_queries_for_3_and_10_placements(client):
    sender = AgencyFactory()
    start = datetime.date.today() + datetime.timedelta(50)  # a mission starts in its cohort's year
    agreement = approved_agreement(
        party_a=sender,
        quotas=[(start.year, "ab", 20)],
        start_date=datetime.date(start.year, 1, 1),
        end_date=datetime.date(start.year + 2, 12, 31),
    )
    quota = agreement.quotas.get()
    client.force_login(MembershipFactory(agency=sender, role="manager").user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("alerts"))
        return len(ctx.captured_queries)

    for _ in range(3):  # an imbalance already, and late items
        confirmed(make_mission(quota=quota, start=start))
    client.get(reverse("alerts"))
    few = queries()
    for _ in range(7):
        mission = make_mission(quota=quota, start=start)
        confirmed(mission)
    assert queries() == few <= 3 + MAX_QUERIES  # the session, the user, the memberships


def test_one_digest_per_recipient_and_week_in_french_never_twice():
    placement = confirmed(make_mission())
    sender, host = placement.quota.sending, placement.quota.receiving
    both = MembershipFactory(agency=sender, role="officer").user
    MembershipFactory(agency=host, role="manager", user=both)
    MembershipFactory(agency=sender, role="partner")  # partners get no digest
    MembershipFactory(agency=AgencyFactory(), role="manager")  # no alert, no digest
    ChecklistItem.objects.filter(placement=placement, kind="visa").update(status="done")
    AlertAcknowledgement.objects.create(
        agency=sender,
        kind="checklist_late",
        key=str(ChecklistItem.objects.get(placement=placement, kind="ticket").pk),
    )
    OutgoingEmail.objects.all().delete()  # the notices of the agreement and the placement
    with translation.override("en"):
        sent = alert_digests_send(today=TODAY)
    recipients = sorted(e.to[0] for e in OutgoingEmail.objects.all())
    # Both managers of the agreement (made it), and the officer of both agencies, once.
    assert sent == len(recipients) == 3 and both.email in recipients
    email = OutgoingEmail.objects.get(to=[both.email])
    assert email.subject.startswith("[Reciprocity] Alertes de la semaine")
    assert "Passeport" in email.body and "attendu le 01/09/2017" in email.body
    assert "Prise de contact de l’accueil" in email.body
    assert "Visa" not in email.body and "Billet" not in email.body  # done, acknowledged
    assert sender.acronym in email.body and host.acronym in email.body
    assert AlertDigest.objects.get(user=both).week == week_of(TODAY) == D(2017, 11, 20)
    assert alert_digests_send(today=TODAY + datetime.timedelta(days=3)) == 0
    assert OutgoingEmail.objects.count() == 3
    assert alert_digests_send(today=TODAY + datetime.timedelta(days=7)) == 3


def login_with_ending_agreements(client, today, count):
    """An officer of an agency whose ``count`` agreements end 10, 11, 12… days from ``today``
    (as many alerts), logged in."""
    agency = AgencyFactory()
    for i in range(count):
        approved_agreement(
            party_a=agency,
            quotas=[(today.year, "ab", 2)],
            start_date=today - datetime.timedelta(days=400),
            end_date=today + datetime.timedelta(days=10 + i),
        )
    client.force_login(MembershipFactory(agency=agency, role="officer").user)


def test_the_home_panel_shows_the_most_pressing_alerts_and_links_to_them_all(client):
    """Twelve agreements end within 90 days: the home page's panel shows ten (the soonest) and
    "see all 12"; the alerts page lists them all."""
    today = datetime.date.today()
    login_with_ending_agreements(client, today, 12)
    panel = client.get(reverse("alerts"), headers={"HX-Request": "true"})
    assert panel.context["alerts"].not_shown == 2
    page = panel.content.decode()
    assert page.count('data-testid="alert"') == 10 and "Voir les 12 alertes" in page
    full = client.get(reverse("alerts")).content.decode()
    assert full.count('data-testid="alert"') == 12 and 'data-testid="all-alerts"' not in full


def test_the_alerts_page_lists_its_alerts_fifty_a_page(client, monkeypatch):
    """A large agency's two hundred alerts are read a page at a time, the most pressing first;
    the acknowledged ones stay on demand across the pages."""
    import dashboard.views

    monkeypatch.setattr(dashboard.views, "ALERTS_PAGE", 5)
    today = datetime.date.today()
    login_with_ending_agreements(client, today, 12)

    def shown(**query):
        response = client.get(reverse("alerts"), query)
        return [a.date for a in response.context["alerts"].shown], response.content.decode()

    first, page = shown()
    assert first == sorted(first) and len(first) == 5 and "Page 1 sur 3" in page
    assert shown(page=3)[0] == [today + datetime.timedelta(days=20 + i) for i in range(2)]
    assert 'data-testid="all-alerts"' not in page  # the home page's link, not this page's
    assert "all=1&amp;page=2" in shown(all="1")[1]
