"""What ``make bench`` measures: every GET page of the project on the bench data, with variants.

``PATHS`` gives each GET URL pattern a path builder on the bench data (detail pages: an object of
the largest agency, GEN-001); ``POST_ONLY`` lists the patterns that answer POST only. A test
(tests/test_bench.py) fails when a URL pattern is in neither, so a new page cannot land without
being measured. ``cases`` adds the variants users meet: searches (short, common, rare, an
e-mail), every sort the volunteer list offers, filters, and deep pages (the last one), each beside
the Django admin page of the same model (with a search and a deep page too).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import Agency, HostStructure, Membership
from agencies.rules import NOMINEE_STATUSES
from core import keyset
from devtools.bench import Case, Job
from devtools.generate_programmes import add_programmes
from evaluations.models import Evaluation
from evaluations.selectors import EVALUATION_ORDER, evaluation_list
from exchanges.models import Agreement, Quota
from exchanges.quota_report import Scope, build_quota_report, render_csv, render_html
from exchanges.selectors import AGREEMENT_ORDER
from missions.departures import checklist_create
from missions.models import ChecklistItem, Mission, Placement
from missions.selectors import MISSION_ORDER
from programmes.models import Application, Programme
from programmes.services import application_token
from reports.models import Report
from reports.pdf import render_pdf
from reports.selectors import REPORT_ORDER, report_list
from reports.services import report_run
from voice.certificates import certificate_issue, shown_code
from voice.links import link_issue
from voice.models import Certificate, Questionnaire
from volunteers.models import Experience, Volunteer, VolunteerExport, VolunteerImport

LARGE_AGENCY = "GEN-001"
MEMBER = "bench-officer"  # an officer of the largest agency
MANAGER = "bench-manager"  # for the pages only managers open
ADMIN = "bench-admin"  # the platform administrator (superuser)
READERS = [f"bench-reader-{n}" for n in range(1, 9)]  # the mixed workload's 8 officers
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Patterns that answer POST only (405 to GET): actions, not pages. Listed so that a new one is a
# decision, checked by tests/test_bench.py against the access matrix.
POST_ONLY = {
    "volunteers:export",
    "agencies:switch",
    "evaluations:new_version",
    "evaluations:publish",
    "evaluations:recommendation_status",
    "evaluations:request_report",
    "exchanges:approve",
    "exchanges:quota_report",
    "exchanges:resume",
    "exchanges:submit",
    "exchanges:suspend",
    "exchanges:terminate",
    "logout",
    "missions:cancel",
    "missions:complete",
    "missions:confirm",
    "missions:decline",
    "missions:deploy",
    "missions:follow_up",
    "missions:withdraw",
    "missions:checklist_item",
    "programmes:report",
    "programmes:assess",
    "programmes:support_add",
    "programmes:link_mission",
    "programmes:notify",
    "programmes:choose_operator",
    "alert_acknowledge",
    "reports:retry",
    "set_language",
    "voice:language",
    "voice:assess",
    "voice:certificate_revoke",
    "voice:support_action_add",
    "volunteers:withdraw",
    "api:agreement_approve",
    "api:placement_confirm",
    "api:placement_decline",
    "api:placement_cancel",
    "api:placement_departure",
    "api:placement_return",
    "api:token_revoke",
}
# Patterns that answer no page to measure: the API's 404 for any other path under /api/v1/.
NOT_MEASURED = {"api:not_found"}


@dataclass
class Objects:
    """The objects of the largest agency that detail pages show."""

    agency: Agency
    structure: HostStructure
    volunteer: Volunteer
    proof: Experience
    volunteer_import: VolunteerImport
    export: VolunteerExport  # done, the officer's
    agreement: Agreement  # approved
    draft_agreement: Agreement
    mission: Mission  # open, sent by the agency: nominate
    hosted_mission: Mission  # hosted by the agency: edit
    evaluation: Evaluation  # published
    draft_evaluation: Evaluation
    report: Report  # done, with a file
    officer: object
    checklist_item: ChecklistItem | None = None  # of a placement sent by the agency, a file
    programme: Programme | None = None  # led by the agency (generate_data --programmes)
    laureate: Application | None = None  # of that programme, with missions


def _r(name: str, *args) -> Callable[[Objects], str]:
    return lambda o: reverse(name, args=[a(o) if callable(a) else a for a in args])


# Every GET URL pattern: a builder of its path on the bench data.
PATHS: dict[str, Callable[[Objects], str]] = {
    "home": _r("home"),
    "home_exchanges": _r("home_exchanges"),
    "alerts": _r("alerts"),
    "programmes:index": _r("programmes:index"),
    "programmes:detail": _r("programmes:detail", lambda o: o.programme.pk),
    "programmes:dashboard": _r("programmes:dashboard", lambda o: o.programme.pk),
    "programmes:dashboard_csv": _r("programmes:dashboard_csv", lambda o: o.programme.pk),
    "programmes:application": _r("programmes:application", lambda o: o.laureate.pk),
    "programmes:apply": _r("programmes:apply", lambda o: o.programme.calls.first().slug),
    "programmes:applied": _r("programmes:applied", lambda o: o.programme.calls.first().slug),
    "programmes:amend": _r("programmes:amend", lambda o: application_token(o.laureate)),
    "healthz": _r("healthz"),
    "bench_bare": _r("bench_bare"),
    "login": _r("login"),
    "password_change": _r("password_change"),
    "password_change_done": _r("password_change_done"),
    "password_reset": _r("password_reset"),
    "password_reset_done": _r("password_reset_done"),
    "password_reset_confirm": lambda o: reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(o.officer.pk)),
            default_token_generator.make_token(o.officer),
        ],
    ),
    "password_reset_complete": _r("password_reset_complete"),
    "agencies:list": _r("agencies:list"),
    "agencies:detail": _r("agencies:detail", lambda o: o.agency.pk),
    "agencies:hoststructure_list": _r("agencies:hoststructure_list"),
    "agencies:hoststructure_create": _r("agencies:hoststructure_create"),
    "agencies:hoststructure_detail": _r("agencies:hoststructure_detail", lambda o: o.structure.pk),
    "agencies:hoststructure_edit": _r("agencies:hoststructure_edit", lambda o: o.structure.pk),
    "agencies:download_log": _r("agencies:download_log"),
    "volunteers:index": _r("volunteers:index"),
    "volunteers:export_detail": _r("volunteers:export_detail", lambda o: o.export.pk),
    "volunteers:export_download": _r("volunteers:export_download", lambda o: o.export.pk),
    "volunteers:create": _r("volunteers:create"),
    "volunteers:detail": _r("volunteers:detail", lambda o: o.volunteer.pk),
    "volunteers:edit": _r("volunteers:edit", lambda o: o.volunteer.pk),
    "volunteers:personal_data": _r("volunteers:personal_data", lambda o: o.volunteer.pk),
    "volunteers:anonymise": _r("volunteers:anonymise", lambda o: o.volunteer.pk),
    "volunteers:proof": _r("volunteers:proof", lambda o: o.proof.pk),
    "volunteers:import": _r("volunteers:import"),
    "volunteers:import_template": _r("volunteers:import_template"),
    "volunteers:import_detail": _r("volunteers:import_detail", lambda o: o.volunteer_import.pk),
    "exchanges:index": _r("exchanges:index"),
    "exchanges:create": _r("exchanges:create"),
    "exchanges:detail": _r("exchanges:detail", lambda o: o.agreement.pk),
    "exchanges:edit": _r("exchanges:edit", lambda o: o.draft_agreement.pk),
    "exchanges:versions": _r("exchanges:versions", lambda o: o.agreement.pk),
    "exchanges:version": _r("exchanges:version", lambda o: o.agreement.pk, 1),
    "exchanges:compare": _r("exchanges:compare", lambda o: o.agreement.pk),
    "exchanges:document": _r("exchanges:document", lambda o: o.agreement.pk),
    "missions:index": _r("missions:index"),
    "missions:inbox": _r("missions:inbox"),
    "missions:create": _r("missions:create"),
    "missions:detail": _r("missions:detail", lambda o: o.mission.pk),
    "missions:edit": _r("missions:edit", lambda o: o.hosted_mission.pk),
    "missions:nominate": _r("missions:nominate", lambda o: o.mission.pk),
    "missions:nominee": _r("missions:nominee", lambda o: _hosted_placement(o).pk),
    "missions:nominee_proof": lambda o: _nominee_proof(o),
    "missions:checklist_document": _r("missions:checklist_document", lambda o: o.checklist_item.pk),
    "evaluations:index": _r("evaluations:index"),
    "evaluations:create": _r("evaluations:create"),
    "evaluations:detail": _r("evaluations:detail", lambda o: o.evaluation.pk),
    "evaluations:edit": _r("evaluations:edit", lambda o: o.draft_evaluation.pk),
    "evaluations:history": _r("evaluations:history", lambda o: o.evaluation.pk),
    "reports:index": _r("reports:index"),
    "reports:detail": _r("reports:detail", lambda o: o.report.pk),
    "reports:status": _r("reports:status", lambda o: o.report.pk),
    "reports:download": _r("reports:download", lambda o: o.report.pk),
    "voice:answer": lambda o: reverse("voice:answer", args=[_voice_link(o)]),
    "voice:certificate": lambda o: reverse("voice:certificate", args=[_voice_link(o)]),
    "voice:verify": lambda o: reverse("voice:verify", args=[shown_code(_certificate(o).code)]),
    "voice:placement": _r("voice:placement", lambda o: _certificate(o).placement_id),
    "voice:certificate_download": _r("voice:certificate_download", lambda o: _certificate(o).pk),
    "voice:agreement_insertion": _r("voice:agreement_insertion", lambda o: o.agreement.pk),
    # The partner API, read through the officer's session (a token is authenticated by one
    # indexed lookup more; its rules are the same).
    "api:tokens": _r("api:tokens"),
    "api:schema": _r("api:schema"),
    "api:docs": _r("api:docs"),
    "api:agency_list": _r("api:agency_list"),
    "api:agency_detail": _r("api:agency_detail", lambda o: o.agency.pk),
    "api:volunteer_list": lambda o: reverse("api:volunteer_list") + "?page_size=100",
    "api:volunteer_detail": _r("api:volunteer_detail", lambda o: o.volunteer.pk),
    "api:volunteer_eligibility": _r("api:volunteer_eligibility", lambda o: o.volunteer.pk),
    "api:agreement_list": _r("api:agreement_list"),
    "api:agreement_detail": _r("api:agreement_detail", lambda o: o.agreement.pk),
    "api:version_list": _r("api:version_list", lambda o: o.agreement.pk),
    "api:version_detail": _r("api:version_detail", lambda o: o.agreement.pk, 1),
    "api:quota_list": _r("api:quota_list"),
    "api:mission_list": _r("api:mission_list"),
    "api:mission_detail": _r("api:mission_detail", lambda o: o.mission.pk),
    "api:placement_list": _r("api:placement_list"),
    "api:placement_detail": _r("api:placement_detail", lambda o: _hosted_placement(o).pk),
    "api:evaluation_list": _r("api:evaluation_list"),
    "api:evaluation_detail": _r("api:evaluation_detail", lambda o: o.evaluation.pk),
    "api:report_list": _r("api:report_list"),
    "api:report_detail": _r("api:report_detail", lambda o: o.report.pk),
    "api:report_download": _r("api:report_download", lambda o: o.report.pk),
}

# Pages an officer may not open: measured as the agency's manager.
AS_MANAGER = {"volunteers:personal_data", "volunteers:anonymise", "exchanges:create",
              "exchanges:edit", "evaluations:create", "evaluations:edit",
              "agencies:download_log", "api:tokens"}  # fmt: skip
# Pages that refuse the administrator by rule (they act for an agency, and admins have none).
ADMIN_REFUSED = {"volunteers:create", "volunteers:import", "agencies:hoststructure_create",
                 "evaluations:create", "exchanges:create", "agencies:download_log",
                 "api:tokens", "alerts"}  # fmt: skip


def _admin_change(model: str, attr: str) -> Callable[[Objects], str]:
    return lambda o: reverse(f"admin:{model}_change", args=[getattr(o, attr).pk])


def _changelist(model: str, query: str = "") -> Callable[[Objects], str]:
    return lambda o: reverse(f"admin:{model}_changelist") + query


# The Django admin page of the same model, for the "×admin" ratio.
ADMIN_PAGES: dict[str, Callable[[Objects], str]] = {
    "agencies:list": _changelist("agencies_agency"),
    "agencies:detail": _admin_change("agencies_agency", "agency"),
    "agencies:hoststructure_list": _changelist("agencies_hoststructure"),
    "agencies:hoststructure_detail": _admin_change("agencies_hoststructure", "structure"),
    "agencies:hoststructure_edit": _admin_change("agencies_hoststructure", "structure"),
    "agencies:download_log": _changelist("agencies_downloadrecord"),
    "volunteers:index": _changelist("volunteers_volunteer"),
    "volunteers:detail": _admin_change("volunteers_volunteer", "volunteer"),
    "volunteers:edit": _admin_change("volunteers_volunteer", "volunteer"),
    "volunteers:import_detail": _admin_change("volunteers_volunteerimport", "volunteer_import"),
    "exchanges:index": _changelist("exchanges_agreement"),
    "exchanges:detail": _admin_change("exchanges_agreement", "agreement"),
    "exchanges:edit": _admin_change("exchanges_agreement", "draft_agreement"),
    "exchanges:versions": _changelist("exchanges_agreementversion"),
    "missions:index": _changelist("missions_mission"),
    "missions:inbox": _changelist("missions_placement"),
    "missions:detail": _admin_change("missions_mission", "mission"),
    "missions:edit": _admin_change("missions_mission", "hosted_mission"),
    "missions:nominate": _changelist("volunteers_volunteer"),
    "evaluations:index": _changelist("evaluations_evaluation"),
    "evaluations:detail": _admin_change("evaluations_evaluation", "evaluation"),
    "evaluations:edit": _admin_change("evaluations_evaluation", "draft_evaluation"),
    "reports:index": _changelist("reports_report"),
    "reports:detail": _admin_change("reports_report", "report"),
}


def _hosted_placement(o: Objects) -> Placement:
    """A placement on a mission the agency hosts, whose reduced profile its officer reads."""
    return (
        Placement.objects.filter(quota__receiving=o.agency, status__in=NOMINEE_STATUSES)
        .order_by("-pk")
        .first()
    )


def _nominee_proof(o: Objects) -> str:
    """The proof download of the hosted placement's volunteer (a file attached once)."""
    placement = _hosted_placement(o)
    proof = Experience.objects.filter(volunteer=placement.volunteer_id).order_by("pk").first()
    if not proof.proof or not proof.proof.storage.exists(proof.proof.name):
        proof.proof.save("proof.pdf", ContentFile(MINIMAL_PDF), save=False)
        proof.proof_name = "proof.pdf"
        proof.save(update_fields=["proof", "proof_name"])
    return reverse("missions:nominee_proof", args=[placement.pk, proof.pk])


def _certificate(o: Objects) -> Certificate:
    """The certificate of a completed placement the agency sends, with its submitted
    questionnaire (issued once, through the service: its PDF is rendered as for users, here
    and now: queued, it rendered after the first run's requests, which answered 404)."""
    found = Certificate.objects.filter(placement__quota__sending=o.agency).order_by("pk").first()
    if found is not None:
        return found
    placement = (
        Placement.objects.filter(quota__sending=o.agency, status=Placement.Status.COMPLETED)
        .order_by("-pk")
        .first()
    )
    Questionnaire.objects.update_or_create(
        placement=placement,
        defaults={
            "satisfaction": 4, "content": 4, "preparation": 3, "welcome": 5, "safety": 4,
            "plan": "job", "skills": "Animation", "submitted_at": timezone.now(),
        },
    )  # fmt: skip
    certificate = certificate_issue(placement=placement)
    report_run(certificate.report_id)
    return certificate


def _voice_link(o: Objects) -> str:
    """A fresh link to that placement's questionnaire (tokens are stored hashed)."""
    return link_issue(questionnaire=Questionnaire.objects.get(placement=_certificate(o).placement))


# Pages that are not HTML pages for people (goals apply to pages).
NOT_PAGES = {"healthz", "bench_bare", "volunteers:export_download", "volunteers:import_template",
             "volunteers:proof", "exchanges:document", "reports:download", "missions:nominee_proof",
             "reports:status", "missions:checklist_document", "voice:certificate",
             "voice:certificate_download", "programmes:dashboard_csv", "api:schema",
             "api:docs", "api:report_download"}  # fmt: skip


def get_patterns() -> set[str]:
    from tests.test_access_matrix import url_pattern_names

    return url_pattern_names() - POST_ONLY


# --- Bench objects --------------------------------------------------------------------------


def ensure_users(agency: Agency) -> None:
    """The mixed workload's readers and the administrator, if the data predates them."""
    from django.conf import settings

    User = get_user_model()
    password = make_password(settings.DEMO_PASSWORD)
    for name in READERS:
        user, _ = User.objects.get_or_create(username=name, defaults={"password": password})
        Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": "officer"})
    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create(username=ADMIN, password=password, is_staff=True, is_superuser=True)


def objects() -> Objects:
    """The largest agency's objects, with the few that the generated data lacks (a file, a
    draft, an import) added once: detail pages answer 200, not 404."""
    agency = Agency.objects.get(acronym=LARGE_AGENCY)
    ensure_users(agency)
    User = get_user_model()
    officer = User.objects.get(username=MEMBER)
    volunteers = Volunteer.objects.filter(sending_agency=agency, anonymised_at__isnull=True)
    volunteer = volunteers.order_by("pk")[1]  # [0] is the one the mixed workload renames
    proof = Experience.objects.filter(volunteer=volunteer).exclude(proof="").first()
    if proof is None or not proof.proof.storage.exists(proof.proof.name):
        proof = proof or Experience.objects.filter(volunteer=volunteer).order_by("pk").first()
        proof.proof.save("proof.pdf", ContentFile(MINIMAL_PDF), save=False)
        proof.proof_name = "proof.pdf"
        proof.save(update_fields=["proof", "proof_name"])
    volunteer_import = VolunteerImport.objects.filter(agency=agency).order_by("-pk").first()
    if volunteer_import is None:
        volunteer_import = VolunteerImport.objects.create(
            agency=agency, uploaded_by=officer, file_name="bench.csv", checksum="0" * 64,
            status=VolunteerImport.Status.DONE,
        )  # fmt: skip
    export = VolunteerExport.objects.filter(requested_by=officer, status="done").first()
    if export is None or not export.file.storage.exists(export.file.name):
        export = export or VolunteerExport(
            requested_by=officer, format="csv", status="done", rows_written=1, sha256="0" * 64
        )
        export.file.save("bench.csv", ContentFile(b"bench;csv\n"), save=False)
        export.filename, export.size = "volunteers.csv", export.file.size
        export.save()
    agreements = Agreement.objects.filter(Q(party_a=agency) | Q(party_b=agency))
    agreement = agreements.filter(status="approved").order_by("-pk").first()
    if not agreement.document or not agreement.document.storage.exists(agreement.document.name):
        agreement.document.save("agreement.pdf", ContentFile(MINIMAL_PDF), save=False)
        Agreement.objects.filter(pk=agreement.pk).update(document=agreement.document.name)
    mission = (
        Mission.objects.filter(quota__sending=agency, status=Mission.Status.OPEN)
        .order_by("-start_date", "pk")
        .first()
    )
    hosted = Mission.objects.filter(quota__receiving=agency).order_by("-start_date", "pk").first()
    evaluations = Evaluation.objects.filter(agency=agency)
    evaluation = evaluations.filter(status="published").order_by("-pk").first()
    draft = evaluations.filter(status="draft").order_by("-pk").first()
    if draft is None:
        draft = Evaluation.objects.get(pk=evaluation.pk)
        draft.pk, draft.status, draft.published_at, draft.published_by = None, "draft", None, None
        draft.version, draft.previous = evaluation.version + 1, evaluation
        draft.save()
    report = (
        Report.objects.filter(agency=agency, status="done", format="csv").order_by("-pk").first()
    )
    if not report.file or not report.file.storage.exists(report.file.name):
        report.file.save(report.filename, ContentFile(b"bench;csv\n"), save=False)
        Report.objects.filter(pk=report.pk).update(file=report.file.name)
    programme = Programme.objects.filter(lead_agency=agency).order_by("pk").first()
    if programme is None:  # data generated before issue 19: added once
        programme = add_programmes(out=lambda *_: None)
    laureate = (
        Application.objects.filter(call__programme=programme, programme_missions__isnull=False)
        .order_by("pk")
        .first()
    )
    return Objects(
        programme=programme,
        laureate=laureate,
        checklist_item=_checklist_item(agency),
        agency=agency, structure=HostStructure.objects.filter(agency=agency).first(),
        volunteer=volunteer, proof=proof, volunteer_import=volunteer_import, export=export,
        agreement=agreement, draft_agreement=agreements.filter(status="draft").order_by("-pk")[0],
        mission=mission, hosted_mission=hosted, evaluation=evaluation,
        draft_evaluation=draft, report=report, officer=officer,
    )  # fmt: skip


def _checklist_item(agency: Agency) -> ChecklistItem:
    """The ticket of a placement the agency sends, with a document (added once)."""
    item = ChecklistItem.objects.filter(agency=agency, kind="ticket").exclude(document="").first()
    if item is None or not item.document.storage.exists(item.document.name):
        placement = (
            Placement.objects.filter(quota__in=Quota.objects.filter(sending=agency).values("pk"))
            .select_related("mission", "quota")
            .order_by("-pk")
            .first()
        )
        checklist_create(placement=placement)
        item = ChecklistItem.objects.get(placement=placement, kind="ticket")
        item.document.save("ticket.pdf", ContentFile(MINIMAL_PDF), save=False)
        item.document_name = "ticket.pdf"
        item.save(update_fields=["document", "document_name"])
    return item


# --- Cases ------------------------------------------------------------------------------------


def cases(o: Objects) -> list[Case]:
    """One case per GET pattern, then the variants."""
    out = []
    for name in sorted(PATHS):
        out.append(
            Case(
                label=name,
                url=PATHS[name](o),
                admin_url=ADMIN_PAGES[name](o) if name in ADMIN_PAGES else None,
                member=MANAGER if name in AS_MANAGER else MEMBER,
                admin_refused=name in ADMIN_REFUSED,
                page=name not in NOT_PAGES,
            )
        )
    return out + variants(o)


def search_terms(o: Objects) -> dict[str, str]:
    """Terms users type: short, common, rare, and parts of e-mails."""
    volunteers = Volunteer.objects.filter(sending_agency=o.agency)
    sample = volunteers.order_by("pk").values_list("last_name", "first_name", "email")[1234]
    common = sample[0].split("-")[0]  # a surname from the generator's short lists
    return {
        "1 letter": "a",
        "2 letters": "ko",
        "common surname": common,
        "first name + surname": f"{sample[1]} {common}",
        "rare (one person)": sample[0],
        "no match": "zzqxw",
        "e-mail, whole": sample[2],
        "e-mail domain": "example.org",
    }


def admin_last_page(model, query: str = "") -> Callable[[], str]:
    """The admin changelist of ``model`` at its last page (``p`` counts from 0; past the end
    the admin redirects to an error page), found by the admin's own paginator."""

    def url() -> str:
        from django.contrib import admin
        from django.test import RequestFactory

        base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        request = RequestFactory().get(f"{base}?{query}")
        request.user = get_user_model().objects.filter(is_superuser=True).order_by("pk")[0]
        changelist = admin.site._registry[model].get_changelist_instance(request)
        last = max(changelist.paginator.num_pages - 1, 0)
        return f"{base}?{query}{'&' if query else ''}p={last}"

    return url


def api_cursor(o: Objects, depth: float) -> str:
    """The API's cursor (DRF's keyset cursor: the last id seen) at ``depth`` of the register."""
    register = Volunteer.objects.filter(sending_agency=o.agency).order_by("pk")
    position = register.values_list("pk", flat=True)[int(register.count() * depth)]
    return quote(base64.b64encode(f"p={position}".encode()).decode())


def _position(rows, keys: list[str], depth: float) -> str:
    """The keyset position (``core.keyset``) after the row at ``depth`` of ``rows`` in the
    order ``keys``: a page far past a list's counted ones."""
    rows = rows.order_by(*keys)
    return keyset.position_of(rows[int(rows.count() * depth)], keys)


def register_position(o: Objects, depth: float) -> str:
    """In the agency's register, in name order."""
    register = Volunteer.objects.filter(sending_agency=o.agency)
    return _position(register, ["last_name", "first_name", "pk"], depth)


def agreement_position(o: Objects, depth: float) -> str:
    mine = Agreement.objects.filter(Q(party_a=o.agency) | Q(party_b=o.agency))
    return _position(mine, AGREEMENT_ORDER, depth)


def mission_position(o: Objects, depth: float) -> str:
    """Among the missions the agency hosts or sends to."""
    mine = Q(quota__sending=o.agency) | Q(quota__receiving=o.agency)
    return _position(Mission.objects.filter(mine), MISSION_ORDER, depth)


def evaluation_position(o: Objects, depth: float) -> str:
    """Among the evaluations the officer sees."""
    return _position(evaluation_list(user=o.officer), EVALUATION_ORDER, depth)


def report_position(o: Objects, depth: float) -> str:
    """Among the reports the officer may download."""
    return _position(report_list(user=o.officer), REPORT_ORDER, depth)


def variants(o: Objects) -> list[Case]:
    v_list = reverse("volunteers:index")
    v_admin = reverse("admin:volunteers_volunteer_changelist")
    deep = "page=999999"  # every list clamps it to its last page
    today = timezone.localdate().isoformat()
    out: list[Case] = []

    def add(label, url, admin_url=None, **kw):
        out.append(Case(label=label, url=url, admin_url=admin_url, member=MEMBER, **kw))

    for what, term in search_terms(o).items():
        q = urlencode({"q": term})
        add(f"volunteers: search, {what}", f"{v_list}?{q}", f"{v_admin}?{q}")
    common = search_terms(o)["common surname"]
    # The API's volunteer list, 100 a page: the first page and a page deep in the register
    # (the cursor of the volunteer 90 % of the way through it), the same cost by construction.
    api_list = reverse("api:volunteer_list") + "?page_size=100"
    add("api: volunteers, first page", api_list)
    add("api: volunteers, deep cursor", f"{api_list}&cursor={api_cursor(o, 0.9)}")
    add(
        "volunteers: search common, last page",
        f"{v_list}?{urlencode({'q': common})}&{deep}",
        admin_last_page(Volunteer, urlencode({"q": common})),
    )
    for field in ("name", "-name", "birth_date", "-birth_date", "nationality", "status",
                  "updated", "-updated"):  # fmt: skip
        admin_sort = {"name": "1", "birth_date": "3", "nationality": "4", "status": "5"}.get(
            field.lstrip("-"), ""
        )
        admin_o = f"?o={'-' if field.startswith('-') else ''}{admin_sort}" if admin_sort else ""
        add(f"volunteers: sort {field}", f"{v_list}?ordering={field}", f"{v_admin}{admin_o}")
        add(
            f"volunteers: sort {field}, last page",
            f"{v_list}?ordering={field}&{deep}",
            admin_last_page(Volunteer, admin_o.lstrip("?")),
        )
    add("volunteers: last page", f"{v_list}?{deep}", admin_last_page(Volunteer))
    add(
        "volunteers: past the count, 90 % deep",
        f"{v_list}?after={register_position(o, 0.9)}",
        admin_last_page(Volunteer),
    )
    add(
        "volunteers: status filter, last page",
        f"{v_list}?status=candidate&{deep}",
        admin_last_page(Volunteer, "status__exact=candidate"),
    )
    add(
        "volunteers: eligible today",
        f"{v_list}?eligible_on={today}",
        f"{v_admin}?status__exact=candidate",
    )
    add(
        "volunteers: eligible today, last page",
        f"{v_list}?eligible_on={today}&{deep}",
        admin_last_page(Volunteer),
    )
    a_list, a_admin = reverse("exchanges:index"), reverse("admin:exchanges_agreement_changelist")
    add("agreements: last page", f"{a_list}?{deep}", admin_last_page(Agreement))
    add(
        "agreements: past the count, 90 % deep",
        f"{a_list}?after={agreement_position(o, 0.9)}",
        admin_last_page(Agreement),
    )
    add("agreements: search", f"{a_list}?q=GEN-00", f"{a_admin}?q=GEN-00")
    m_list, m_admin = reverse("missions:index"), reverse("admin:missions_mission_changelist")
    add("missions: last page", f"{m_list}?{deep}", admin_last_page(Mission))
    add(
        "missions: past the count, 90 % deep",
        f"{m_list}?after={mission_position(o, 0.9)}",
        admin_last_page(Mission),
    )
    add("missions: search", f"{m_list}?q=Ville", f"{m_admin}?q=Ville")
    add(
        "missions: search, last page",
        f"{m_list}?q=Ville&{deep}",
        admin_last_page(Mission, "q=Ville"),
    )
    e_list = reverse("evaluations:index")
    add("evaluations: last page", f"{e_list}?{deep}", admin_last_page(Evaluation))
    add(
        "evaluations: past the count, 90 % deep",
        f"{e_list}?after={evaluation_position(o, 0.9)}",
        admin_last_page(Evaluation),
    )
    r_list = reverse("reports:index")
    add("reports: last page", f"{r_list}?{deep}", admin_last_page(Report))
    add(
        "reports: past the count, 90 % deep",
        f"{r_list}?after={report_position(o, 0.9)}",
        admin_last_page(Report),
    )
    nominate = reverse("missions:nominate", args=[o.mission.pk])
    add("nominate: eligible only", f"{nominate}?eligible=on", v_admin)
    add("nominate: search common", f"{nominate}?{urlencode({'q': common})}", v_admin)
    return out


def jobs(o: Objects) -> list[Job]:
    """Work done outside a request: the quota report (one agency, all agreements)."""

    def quota_csv(scope):
        return lambda: render_csv(build_quota_report(scope=scope, title="bench"))

    def quota_pdf(scope):
        return lambda: render_pdf(render_html(build_quota_report(scope=scope, title="bench")))

    mine = Scope(agency_id=o.agency.pk)
    return [
        Job(f"quota report CSV, agreements of {o.agency.acronym}", quota_csv(mine), goal_s=2),
        Job("quota report CSV, all agreements", quota_csv(Scope()), goal_s=2),
        Job(f"quota report PDF, agreements of {o.agency.acronym}", quota_pdf(mine), repeat=1),
    ]


def first_row(o: Objects) -> Volunteer:
    """The volunteer first on the agency's list (default sort): the mixed workload renames it."""
    return (
        Volunteer.objects.filter(sending_agency=o.agency)
        .order_by("last_name", "first_name", "pk")
        .first()
    )
