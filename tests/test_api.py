"""The partner API (issue 21): tokens, the access rules through the API, hash-checked approvals,
idempotent writes, the rate limit, keyset pagination, ETags and problem details."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import DownloadRecord, Membership
from api.models import ApiToken
from api.serializers import VolunteerSerializer
from api.services import api_token_create, api_token_revoke, digest_of
from core.errors import DomainError
from exchanges.models import Approval
from exchanges.services import agreement_submit, agreement_update
from missions.checklist import ChecklistItem, DepartureOverride
from missions.models import Placement
from missions.services import placement_confirm, placement_nominate
from reports.models import Report
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    ThemeFactory,
    VolunteerFactory,
    current_quotas,
    eligible_volunteer,
    make_agreement,
    make_mission,
    manager_of,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
Role = Membership.Role
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def token_for(agency, role=Role.MANAGER, **kwargs):
    token, secret = api_token_create(
        agency=agency, user=manager_of(agency), name="Registre", role=role,
        expires_on=kwargs.pop("expires_on", NEXT_YEAR),
    )  # fmt: skip
    return token, secret


def api(secret, language="fr"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)


def post(client, url, data, key="k1", **headers):
    return client.post(
        url, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers
    )


# --- Tokens ----------------------------------------------------------------------------------


def test_it_stores_only_the_hash_and_shows_the_secret_once():
    agency = AgencyFactory()
    token, secret = token_for(agency, Role.OFFICER)
    token.refresh_from_db()
    assert secret.startswith("rcp_") and secret not in token.digest
    assert token.digest == digest_of(secret)
    assert token.user.has_usable_password() is False
    assert Membership.objects.get(user=token.user).role == Role.OFFICER


def test_it_authenticates_records_last_use_and_refuses_revoked_and_expired():
    agency = AgencyFactory()
    token, secret = token_for(agency)
    assert api(secret).get("/api/v1/volunteers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    api_token_revoke(token=token, user=manager_of(agency))
    answer = api(secret).get("/api/v1/volunteers/")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    _, other = token_for(agency)
    ApiToken.objects.filter(digest=digest_of(other)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api(other).get("/api/v1/volunteers/").status_code == 401
    assert api("rcp_nope").get("/api/v1/volunteers/").status_code == 401
    assert Client().get("/api/v1/volunteers/").status_code == 401


def test_it_lets_only_managers_create_tokens():
    agency = AgencyFactory()
    officer = MembershipFactory(agency=agency, role=Role.OFFICER).user
    with pytest.raises(DomainError):
        api_token_create(
            agency=agency, user=officer, name="x", role=Role.MANAGER, expires_on=NEXT_YEAR
        )
    with pytest.raises(DomainError):
        token_for(agency, expires_on=timezone.localdate())


def test_the_token_page_creates_shows_once_and_revokes(client):
    agency = AgencyFactory()
    client.force_login(manager_of(agency))
    data = {"name": "Registre national", "role": "partner", "expires_on": NEXT_YEAR.isoformat()}
    page = client.post("/api/tokens/", data, follow=True)
    assert page.status_code == 200 and ApiToken.objects.filter(agency=agency).count() == 1
    secret = page.context["secret"]
    assert secret and secret.encode() in page.content
    assert secret.encode() not in client.get("/api/tokens/").content
    token = ApiToken.objects.get(agency=agency)
    assert api(secret).get("/api/v1/agreements/").status_code == 200
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert api(secret).get("/api/v1/agreements/").status_code == 401


# --- The access rules, unchanged ---------------------------------------------------------------


def test_another_agencys_volunteer_is_404_and_a_reader_is_403():
    agency, other = AgencyFactory(), AgencyFactory()
    mine, theirs = VolunteerFactory(sending_agency=agency), VolunteerFactory(sending_agency=other)
    _, secret = token_for(agency, Role.PARTNER)
    client = api(secret)
    assert client.get(f"/api/v1/volunteers/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/volunteers/{theirs.pk}/").status_code == 404
    listed = client.get("/api/v1/volunteers/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    answer = client.patch(
        f"/api/v1/volunteers/{mine.pk}/", {"city": "Kara"}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert post(client, "/api/v1/volunteers/", {"first_name": "Ama"}).status_code == 403


def test_it_registers_and_changes_a_volunteer_with_the_forms_rules():
    agency = AgencyFactory(country="TG")
    _, secret = token_for(agency, Role.OFFICER)
    client = api(secret)
    data = {
        "first_name": "Ama", "last_name": "Koffi", "sex": "female", "birth_date": "2000-03-01",
        "nationality": "TG", "email": "Ama@Example.org", "status": "candidate",
        "experiences": [{"organisation": "Croix-Rouge", "start": "2016-01-01",
                         "end": "2018-06-30"}],
    }  # fmt: skip
    created = post(client, "/api/v1/volunteers/", data)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["first_name"] == "Ama" and body["email"] == "ama@example.org"
    assert len(body["experiences"]) == 1
    again = post(client, "/api/v1/volunteers/", data, key="k2")
    assert again.status_code == 400
    assert "email" in again.json()["errors"]
    changed = client.patch(
        f"/api/v1/volunteers/{body['id']}/", {"city": "Kara"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["city"] == "Kara"
    assert len(changed.json()["experiences"]) == 1
    verdict = client.get(f"/api/v1/volunteers/{body['id']}/eligibility/?on=2019-01-01").json()
    assert verdict["eligible"] is True
    verdict = client.get(f"/api/v1/volunteers/{body['id']}/eligibility/?on=2017-01-01").json()
    assert verdict["eligible"] is False and verdict["reasons"][0]["code"]


def test_errors_are_problems_in_the_requested_language():
    agency = AgencyFactory()
    _, secret = token_for(agency, Role.OFFICER)
    english = post(api(secret, "en"), "/api/v1/volunteers/", {"last_name": ""}).json()
    french = post(api(secret, "fr"), "/api/v1/volunteers/", {"last_name": ""}, key="k2").json()
    assert english["status"] == 400 and english["title"] == "Bad request"
    assert french["title"] == "Requête invalide"
    assert english["errors"]["last_name"] != french["errors"]["last_name"]
    missing = api(secret, "en").get("/api/v1/volunteers/999999/").json()
    assert missing == {"type": "about:blank", "title": "Not found", "status": 404,
                       "detail": missing["detail"]}  # fmt: skip


@pytest.mark.parametrize(
    "path, valid", [("/api/v1/volunteers/", "candidate"), ("/api/v1/agreements/", "draft")]
)
def test_a_status_filter_outside_the_choices_is_a_400_naming_them(path, valid):
    """A stray value (a NUL byte made PostgreSQL raise a 500) is refused before any query."""
    _, secret = token_for(AgencyFactory(), Role.OFFICER)
    answer = api(secret, "en").get(path, {"status": "x\x00y"})
    assert answer.status_code == 400
    assert answer.json()["errors"]["status"][0].startswith("Choose one of: ")
    assert valid in answer.json()["errors"]["status"][0]
    assert api(secret, "en").get(path, {"status": valid}).status_code == 200


# --- Agreements: the approval names the hash -----------------------------------------------


def test_an_approval_names_the_hash_and_a_stale_hash_is_refused():
    agreement = make_agreement(quotas=[(2018, "ab", 4)])
    party_a = agreement.party_a
    manager = manager_of(party_a)
    agreement_submit(agreement=agreement, user=manager)
    _, secret = token_for(party_a)
    client = api(secret)
    read = client.get(f"/api/v1/agreements/{agreement.pk}/versions/1/").json()
    assert hashlib.sha256(read["canonical"].encode()).hexdigest() == read["sha256"]
    # The partner changes the text after it was read: a new version, a new hash.
    agreement.refresh_from_db()
    agreement.max_age = 24
    agreement_update(agreement=agreement, themes=[], quotas=current_quotas(agreement), user=manager)
    url = f"/api/v1/agreements/{agreement.pk}/approvals/"
    stale = post(client, url, {"agency": party_a.pk, "sha256": read["sha256"]})
    assert stale.status_code == 409
    assert not Approval.objects.filter(version__agreement=agreement).exists()
    current = client.get(f"/api/v1/agreements/{agreement.pk}/").json()["current_version"]
    assert current["number"] == 2 and current["sha256"] != read["sha256"]
    done = post(client, url, {"agency": party_a.pk, "sha256": current["sha256"]}, key="k2")
    assert done.status_code == 201, done.json()
    approval = Approval.objects.get(version__agreement=agreement)
    assert approval.sha256 == current["sha256"] and approval.agency == party_a
    other = post(client, url, {"agency": agreement.party_b_id, "sha256": current["sha256"]},
                 key="k3")  # fmt: skip
    assert other.status_code == 409  # party B is not the token's to approve for


def test_an_officer_token_cannot_approve():
    agreement = make_agreement(quotas=[(2018, "ab", 4)])
    _, secret = token_for(agreement.party_a, Role.OFFICER)
    sha = agreement.current_version.sha256
    answer = post(api(secret), f"/api/v1/agreements/{agreement.pk}/approvals/",
                  {"agency": agreement.party_a_id, "sha256": sha})  # fmt: skip
    assert answer.status_code == 403


# --- Idempotency -------------------------------------------------------------------------------


def _mission_and_nominee():
    mission = make_mission()
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    return mission, volunteer


def test_a_retried_nomination_does_not_nominate_twice():
    mission, volunteer = _mission_and_nominee()
    _, secret = token_for(mission.quota.sending, Role.OFFICER)
    client = api(secret)
    data = {"mission": mission.pk, "volunteer": volunteer.pk}
    first = post(client, "/api/v1/placements/", data, key="nominate-1")
    again = post(client, "/api/v1/placements/", data, key="nominate-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Placement.objects.filter(mission=mission, volunteer=volunteer).count() == 1
    other = post(client, "/api/v1/placements/", {**data, "volunteer": 0}, key="nominate-1")
    assert other.status_code == 422
    assert post(client, "/api/v1/placements/", data, key="").status_code == 400
    # A new key is a new request: refused by the domain (already nominated), as a problem.
    assert post(client, "/api/v1/placements/", data, key="nominate-2").status_code == 409


def test_the_host_confirms_through_the_same_service():
    mission, volunteer = _mission_and_nominee()
    _, sender = token_for(mission.quota.sending, Role.OFFICER)
    placement = post(api(sender), "/api/v1/placements/",
                     {"mission": mission.pk, "volunteer": volunteer.pk}).json()  # fmt: skip
    url = f"/api/v1/placements/{placement['id']}/confirm/"
    assert post(api(sender), url, {}, key="c1").status_code == 403  # the sender does not decide
    _, host = token_for(mission.quota.receiving, Role.MANAGER)
    confirmed = post(api(host), url, {"note": "Bienvenue"}, key="c1")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    _, outsider = token_for(AgencyFactory())
    assert post(api(outsider), url, {}, key="x").status_code == 404


# --- Rate limit, pagination, ETag, Last-Modified, audit ----------------------------------------


def test_the_rate_limit_is_per_token_with_retry_after(settings):
    settings.API_RATE = "3/min"
    agency = AgencyFactory()
    (_, first), (_, second) = token_for(agency), token_for(agency)
    answers = [api(first).get("/api/v1/agencies/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["status"] == 429
    assert api(second).get("/api/v1/agencies/").status_code == 200


def test_pages_follow_the_cursor_at_constant_cost():
    agency = AgencyFactory()
    ids = sorted(VolunteerFactory(sending_agency=agency).pk for _ in range(23))
    VolunteerFactory()  # another agency's
    _, secret = token_for(agency, Role.PARTNER)
    client = api(secret)
    url, seen, counts = "/api/v1/volunteers/?page_size=5", [], []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        counts.append(len(queries))
        assert page.status_code == 200 and page["Last-Modified"]
        seen += [row["id"] for row in page.json()["results"]]
        url = page.json()["next"]
    assert seen == ids
    # The first request also records the token's last use; then every page costs the same.
    assert len(set(counts[1:])) == 1 and max(counts) <= 10, counts


def test_details_carry_an_etag_and_answer_304():
    agency = AgencyFactory()
    _, secret = token_for(agency)
    client = api(secret)
    first = client.get(f"/api/v1/agencies/{agency.pk}/")
    assert first.status_code == 200 and first["ETag"]
    assert (
        client.get(f"/api/v1/agencies/{agency.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )
    agency.name = "Autre nom"
    agency.save()
    assert (
        client.get(f"/api/v1/agencies/{agency.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 200
    )


def test_reads_of_personal_data_are_in_the_download_log():
    agency = AgencyFactory()
    volunteer = VolunteerFactory(sending_agency=agency)
    token, secret = token_for(agency, Role.PARTNER)
    api(secret).get(f"/api/v1/volunteers/{volunteer.pk}/")
    api(secret).get("/api/v1/volunteers/")
    records = DownloadRecord.objects.filter(user=token.user, agency=agency)
    assert sorted(r.object_id for r in records) == [0, volunteer.pk]
    assert all(r.kind == DownloadRecord.Kind.PERSONAL_DATA for r in records)


def test_sessions_read_the_api(client):
    agency = AgencyFactory()
    client.force_login(manager_of(agency))
    assert client.get("/api/v1/agreements/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager_of(agency))
    answer = strict.post("/api/v1/placements/", {}, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="k")  # fmt: skip
    assert answer.status_code == 403  # a session's write needs the CSRF token


def test_the_schema_and_its_reference_page_are_served_to_anyone():
    schema = Client().get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/volunteers/" in paths
    docs = Client().get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Every operation and every schema of the schema has its section, linked from the contents.
    for item in paths.values():
        for op in item.values():
            assert (
                f'id="op-{op["operationId"]}"' in html and f'href="#op-{op["operationId"]}"' in html
            )
    for name in schema.json()["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    # Rendered on the server in the site's layout: the site's scripts only, nothing from outside.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in tag for tag in scripts)
    assert "Authorization: Bearer &lt;token&gt;" in html  # the description's code, escaped


def test_errors_of_nested_fields_are_named_by_their_path():
    agency = AgencyFactory()
    _, secret = token_for(agency, Role.OFFICER)
    data = {"last_name": "Koffi", "languages": [{"language": ["fr"], "level": "b2"}]}
    errors = post(api(secret, "en"), "/api/v1/volunteers/", data).json()["errors"]
    assert list(errors) == ["languages[0].language"]
    assert all(isinstance(m, str) for m in errors["languages[0].language"])


def test_the_list_shows_each_volunteer_as_the_serializer_does():
    agency = AgencyFactory()
    volunteer = eligible_volunteer(agency)
    theme = ThemeFactory()
    volunteer.themes.set([theme])
    _, secret = token_for(agency, Role.PARTNER)
    listed = api(secret).get("/api/v1/volunteers/").json()["results"]
    expected = VolunteerSerializer(Volunteer.objects.get(pk=volunteer.pk)).data
    assert listed == [dict(expected)]
    assert listed[0]["themes"] == [theme.pk] and listed[0]["experience_met_on"]


# --- Departure and return through the services of the mission page ----------------------------


def _confirmed_placement():
    mission = make_mission(start=datetime.date(2018, 1, 1))
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=None)


def test_the_departure_follows_the_date_rules_and_the_checklist():
    placement = _confirmed_placement()
    url = f"/api/v1/placements/{placement.pk}/departure/"
    _, officer = token_for(placement.quota.sending, Role.OFFICER)
    early = post(api(officer, "en"), url, {"departure_date": "2017-06-01"}, key="d1")
    assert early.status_code == 409 and early["Content-Type"] == "application/problem+json"
    assert early.json()["detail"].startswith("The departure cannot be before")
    assert list(early.json()["errors"]) == ["departure_date"]
    # The checklist's required items are open: refused, with the page's message.
    refused = post(api(officer), url, {"departure_date": "2018-01-01"}, key="d2")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Le départ ne peut pas être enregistré")
    forced = {"departure_date": "2018-01-01", "override_reason": "Billet pris par l'hôte."}
    officer_forces = post(api(officer), url, forced, key="d3")
    assert officer_forces.status_code == 409
    assert "responsable" in officer_forces.json()["detail"]
    placement.refresh_from_db()
    assert placement.status == "confirmed" and not DepartureOverride.objects.exists()
    _, host_manager = token_for(placement.quota.receiving, Role.MANAGER)
    departed = post(api(host_manager), url, forced, key="d4")
    assert departed.status_code == 200, departed.json()
    assert departed.json()["status"] == "deployed"
    assert departed.json()["departure_date"] == "2018-01-01"
    assert DepartureOverride.objects.get(placement=placement).reason.startswith("Billet")
    again = post(api(host_manager), url, forced, key="d4")
    assert again["Idempotent-Replayed"] == "true" and again.json() == departed.json()
    twice = post(api(host_manager), url, forced, key="d5")
    assert twice.status_code == 409 and "« en mission »" in twice.json()["detail"]


def test_the_return_asks_the_reason_of_an_early_one():
    placement = _confirmed_placement()
    ChecklistItem.objects.filter(placement=placement).update(status="done")
    _, officer = token_for(placement.quota.sending, Role.OFFICER)
    client = api(officer)
    url = f"/api/v1/placements/{placement.pk}/"
    assert post(client, url + "return/", {"return_date": "2018-03-01"}, key="r0").status_code == 409
    assert post(client, url + "departure/", {"departure_date": "2018-01-02"}).status_code == 200
    before = post(client, url + "return/", {"return_date": "2018-01-02"}, key="r1")
    assert before.status_code == 409 and list(before.json()["errors"]) == ["return_date"]
    early = post(client, url + "return/", {"return_date": "2018-03-01"}, key="r2")
    assert early.status_code == 409 and "anticipé" in early.json()["detail"]
    bad = post(client, url + "return/", {"return_date": "2018-03-01",
                                         "early_return_reason": "bored"}, key="r3")  # fmt: skip
    assert bad.status_code == 400 and "early_return_reason" in bad.json()["errors"]
    absurd = post(client, url + "return/", {"return_date": "0001-01-01"}, key="r4")
    assert absurd.status_code == 409 and "return_date" in absurd.json()["errors"]
    placement.refresh_from_db()
    assert placement.status == "deployed"
    done = post(client, url + "return/", {"return_date": "2018-03-01",
                                          "early_return_reason": "health",
                                          "early_return_note": "Paludisme"}, key="r5")  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "completed", done.json()
    placement.refresh_from_db()
    assert placement.early_return_reason == "health" and placement.early_return_note == "Paludisme"
    assert placement.follow_ups.count() == 3
    _, evaluator = token_for(placement.quota.sending, Role.EVALUATOR)
    assert post(api(evaluator), url + "return/", {"return_date": "2018-03-01"}).status_code == 403
    _, outsider = token_for(AgencyFactory())
    assert post(api(outsider), url + "return/", {"return_date": "2018-03-01"}).status_code == 404


# --- Report requests --------------------------------------------------------------------------


def test_a_report_is_requested_once_under_the_pages_rules(settings):
    agreement = make_agreement()
    _, secret = token_for(agreement.party_a, Role.OFFICER)
    client = api(secret, "en")
    data = {"scope": "agreement", "agreement": agreement.pk, "format": "csv"}
    first = post(client, "/api/v1/reports/", data, key="q1")
    assert first.status_code == 201, first.json()
    report = Report.objects.get()
    assert first["Location"] == f"/api/v1/reports/{report.pk}/"
    assert (report.kind, report.format, report.language) == ("quota", "csv", "en")
    assert report.agreement == agreement and report.requested_by.api_token.agency_id
    again = post(client, "/api/v1/reports/", data, key="q1")
    assert again["Idempotent-Replayed"] == "true" and Report.objects.count() == 1
    status = client.get(first["Location"])
    assert status.status_code == 200 and status.json()["status"] in {"queued", "done", "running"}
    # The form's rules, the scope's rules: another agency's agreement is 404, all is 403.
    _, outsider = token_for(AgencyFactory())
    assert post(api(outsider), "/api/v1/reports/", data, key="q2").status_code == 404
    assert post(client, "/api/v1/reports/", {"scope": "all"}, key="q3").status_code == 403
    reversed_years = {"scope": "agency", "first_year": 2020, "last_year": 2019}
    refused = post(client, "/api/v1/reports/", reversed_years, key="q4")
    assert refused.status_code == 400 and "last_year" in refused.json()["errors"]
    no_agreement = post(client, "/api/v1/reports/", {"scope": "agreement"}, key="q5")
    assert no_agreement.status_code == 400 and "scope" in no_agreement.json()["errors"]
    other = post(client, "/api/v1/reports/", {"scope": "agency", "agency": 0}, key="q6")
    assert other.status_code == 400 and "agency" in other.json()["errors"]
    assert Report.objects.count() == 1
    # The rate limit of the page: the service refuses past it, with its message.
    settings.REPORT_REQUESTS_PER_MINUTE = 2
    assert post(client, "/api/v1/reports/", {"scope": "agency"}, key="q7").status_code == 201
    limited = post(api(secret, "es"), "/api/v1/reports/", {"scope": "agency"}, key="q8")
    assert limited.status_code == 409 and "2" in limited.json()["detail"]
    assert Report.objects.count() == 2


def test_a_change_edits_adds_and_deletes_experiences_as_the_page_does():
    agency = AgencyFactory(country="TG")
    _, secret = token_for(agency, Role.OFFICER)
    client = api(secret, "en")
    data = {
        "first_name": "Kossi", "last_name": "Agbo", "sex": "male", "birth_date": "1999-03-01",
        "nationality": "TG", "status": "candidate",
        "experiences": [{"organisation": "Croix-Rouge", "start": "2016-01-01", "end": "2016-06-30"},
                        {"organisation": "Scouts", "start": "2015-01-01", "end": "2015-03-31"}],
        "languages": [{"language": "fr", "level": "native"},
                      {"language": "en", "level": "working"}],
    }  # fmt: skip
    body = post(client, "/api/v1/volunteers/", data).json()
    assert "id" in body, body
    url = f"/api/v1/volunteers/{body['id']}/"
    red_cross, _ = sorted(body["experiences"], key=lambda e: e["organisation"])

    def patch(payload):
        return client.patch(url, payload, content_type="application/json")

    # The form's rules: an end before the start is refused, and nothing is saved.
    wrong = patch({"city": "Kara", "experiences": [{"id": red_cross["id"], "end": "2015-01-01"}]})
    assert wrong.status_code == 400, wrong.json()
    # Named by the item's index in the request, not by the form's among the stored rows.
    assert list(wrong.json()["errors"]) == ["experiences[0].end"]
    new = patch({"experiences": [red_cross, {"organisation": "X", "start": "2021-01-01",
                                             "end": "2020-01-01"}]})  # fmt: skip
    assert new.status_code == 400 and list(new.json()["errors"]) == ["experiences[1].end"]
    assert Volunteer.objects.get(pk=body["id"]).city == ""
    unknown = patch({"experiences": [{"id": 999999, "organisation": "X"}]})
    assert unknown.status_code == 400 and "experiences[0].id" in unknown.json()["errors"]
    changed = patch({
        "experiences": [{"id": red_cross["id"], "end": "2017-12-31"},
                        {"organisation": "Unicef", "start": "2018-01-01", "end": "2018-03-31"}],
        "languages": [{"language": "fr", "level": "fluent"}, {"language": "ee", "level": "basic"}],
    })  # fmt: skip
    assert changed.status_code == 200, changed.json()
    experiences = {e["organisation"]: e for e in changed.json()["experiences"]}
    assert set(experiences) == {"Croix-Rouge", "Unicef"}  # the scouts deleted
    assert experiences["Croix-Rouge"]["id"] == red_cross["id"]
    assert experiences["Croix-Rouge"]["end"] == "2017-12-31"
    languages = {row["language"]: row["level"] for row in changed.json()["languages"]}
    assert languages == {"fr": "fluent", "ee": "basic"}
    # The experience the eligibility counts follows: the spans are refreshed by the service.
    days = client.get(f"{url}eligibility/?on=2019-01-01").json()["experience_days"]
    assert days == (datetime.date(2017, 12, 31) - datetime.date(2016, 1, 1)).days + 1 + 90
    twice = patch({"languages": [{"language": "fr", "level": "basic"},
                                 {"language": "fr", "level": "native"}]})  # fmt: skip
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"languages[1].language": ["This language is listed twice."]}
    unknown_language = patch({"languages": [{"language": "xx", "level": "native"}]})
    assert list(unknown_language.json()["errors"]) == ["languages[0].language"]
    kept = patch({"city": "Kara"})
    assert len(kept.json()["experiences"]) == 2 and len(kept.json()["languages"]) == 2


def test_the_schema_is_generated_for_concurrent_requests(db):
    """drf-spectacular's generation is not thread-safe (each view's schema object is bound to
    the view in turn): requests at once on gunicorn's threads answered 500 (an exploratory
    walk). Generations take turns (``api.schema.GENERATION``)."""
    import threading

    from django.test import Client

    statuses = []

    def fetch(path):
        statuses.append(Client(raise_request_exception=False).get(path).status_code)

    for _ in range(3):
        threads = [
            threading.Thread(target=fetch, args=(path,))
            for path in ["/api/v1/schema/"] * 4 + ["/api/v1/docs/"] * 2
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        from api import reference

        reference.reference.cache_clear()  # the reference page generates it afresh too
    assert statuses == [200] * 18
