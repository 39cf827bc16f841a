"""A deleted user breaks no page (issue 16, point 6).

Records outlive their authors: the foreign keys to users are ``SET_NULL`` (a version, an
approval, a placement's decision, a report, an import, history rows), and every page that shows
"who" names a missing person "deleted user" (``core/templatetags/people.py``).

Two checks, so that the walk stays within a minute on SQLite:

- each demo user in turn (every member and the admin) is deleted in a savepoint: nothing
  refuses the deletion and no agreement, version, approval, placement, report or volunteer goes
  with the user;
- every GET page of the access matrix (``tests/access/``) is walked as one privileged persona
  of each party the rows point at (ANVT's manager, CNPV's manager) and as the admin — plus the
  admin's change lists and change pages of the models that show users — with every other demo
  user deleted at once. Each user is thus missing from at least two of the three walks, and
  every page a user's deletion could change is among the pages walked (a deleted user changes
  only the rows that named them). Walking the pages once per deleted user instead would render
  some 5,000 pages for the same coverage of the templates.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from devtools.demo import demo_usernames
from exchanges.models import Agreement, AgreementVersion, Approval
from missions.models import Placement
from reports.models import Report
from tests.access import PERSONAS
from tests.test_access_matrix import all_rows
from volunteers.models import Volunteer

User = get_user_model()

# One privileged persona per party of the rows' objects, and the admin.
VIEWERS = ["manager", "partner_agency", "admin"]

# The admin's pages of the models that show a user (change list, then the first row's page).
ADMIN_MODELS = [
    "exchanges_agreement",
    "exchanges_agreementversion",
    "missions_mission",
    "missions_placement",
    "missions_followup",
    "evaluations_evaluation",
    "reports_report",
    "volunteers_volunteerexport",
    "volunteers_volunteerimport",
    "volunteers_volunteer",
    "agencies_membership",
]


def _pages() -> list[tuple[str, str, str]]:
    """(persona, row, URL) for every GET row: as each viewer it answers with a page, else as the
    first persona it answers with a page (so that no URL is skipped), else as the admin."""
    pages = []
    for row in all_rows():
        if row.method != "get" or row.name.startswith("admin:"):
            continue
        url = row.path()  # built before any deletion: some builders read users' rows
        viewers = [p for p in VIEWERS if row.expect[p] == 200]
        if not viewers:
            viewers = [p for p in PERSONAS if row.expect[p] == 200][:1] or ["admin"]
        pages += [(persona, row.case_id(persona), url) for persona in viewers]
    for model in ADMIN_MODELS:
        app, name = model.split("_", 1)
        pages.append(("admin", f"admin:{model}_changelist", reverse(f"admin:{model}_changelist")))
        first = _admin_first(app, name)
        if first is not None:
            url = reverse(f"admin:{model}_change", args=[first])
            pages.append(("admin", f"admin:{model}_change", url))
    return pages


def _admin_first(app, name):
    return apps.get_model(app, name).objects.order_by("pk").values_list("pk", flat=True).first()


def _walk(pages, persona) -> list[str]:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=PERSONAS[persona]))
    failures = []
    for who, case, url in pages:
        if who != persona:
            continue
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{case} {url}: {status}")
    return failures


def test_the_person_filter_names_a_missing_user_deleted_user():
    template = Template("{% load people %}{{ u|person }}|{{ v|person }}|{{ w|person }}")
    named = User(username="jdoe", first_name="Jane", last_name="Doe")
    unnamed = User(username="jdoe")
    with translation.override("en"):
        rendered = template.render(Context({"u": named, "v": unnamed, "w": None}))
    assert rendered == "Jane Doe|jdoe|deleted user"


@pytest.mark.django_db
def test_each_demo_user_can_be_deleted_and_every_record_stays(demo):
    counts = {
        model: model.objects.count()
        for model in (Agreement, AgreementVersion, Approval, Placement, Report, Volunteer)
    }
    blocked = []
    for username in ["admin", *demo_usernames()]:
        user = User.objects.get(username=username)
        with transaction.atomic():
            sid = transaction.savepoint()
            try:
                user.delete()
            except ProtectedError as exc:
                blocked.append(f"{username}: {exc.protected_objects}")
            else:
                assert {model: model.objects.count() for model in counts} == counts, username
            transaction.savepoint_rollback(sid)
    assert not blocked, blocked
    assert User.objects.filter(username="anvt-manager").exists()  # rolled back


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_page_answers_when_every_other_user_is_deleted(demo, viewer):
    # The approvals, versions and decisions of the pages the rows point at have authors.
    assert Approval.objects.filter(user__isnull=False).exists()
    pages = _pages()
    # People: an API token's account is not one, and cannot be deleted while its token exists
    # (the admin says why); revoking the token is how it goes.
    gone = User.objects.exclude(username=PERSONAS[viewer]).filter(api_token__isnull=True)
    deleted = set(gone.values_list("username", flat=True))
    gone.delete()
    # Every demo user but the viewer (the administrator and the programme's staff included).
    assert set(demo_usernames()) - {PERSONAS[viewer]} <= deleted
    assert User.objects.filter(api_token__isnull=True).count() == 1
    assert (
        not Approval.objects.filter(user__isnull=False)
        .exclude(user__username=PERSONAS[viewer])
        .exists()
    )

    failures = _walk(pages, viewer)

    assert not failures, "\n".join(failures)
    assert len([p for p in pages if p[0] == viewer]) > 10


@pytest.mark.django_db
def test_the_versions_page_names_the_deleted_author_and_approvers(demo, client):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    approvers = list(Approval.objects.filter(version__agreement=agreement).values_list("user"))
    assert approvers
    AgreementVersion.objects.filter(agreement=agreement).update(
        created_by=User.objects.get(username="cnpv-manager")
    )
    User.objects.filter(username__in=["anvt-manager", "cnpv-manager"]).delete()
    client.force_login(User.objects.get(username="admin"))

    response = client.get(reverse("exchanges:versions", args=[agreement.pk]))

    assert response.status_code == 200
    assert "utilisateur supprimé" in response.content.decode()
    detail = client.get(reverse("exchanges:detail", args=[agreement.pk]))
    assert detail.status_code == 200
    assert "utilisateur supprimé" in detail.content.decode()
