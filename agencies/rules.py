"""The access rules of the platform, in one place.

Roles, the permissions they give (``rules`` predicates, asked as ``user.has_perm("vir.…")`` by
views, templates and the services) and the user's memberships. The visibility selectors
(``*_visible_to(user)``) live in the selectors of the app whose rows they filter and are built
from the role tables and helpers below, so that a list and a detail never disagree. Outsiders
are answered 404 by the views (the object is not in their visible queryset); members whose role
is too low get 403 (the permission below is refused).

A user may belong to several agencies with one role in each. A rule about an object asks for the
user's role *in the agency that the object concerns* (the managing agency of a host structure,
the sending agency of a volunteer, a party of an agreement...).
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.conf import settings

from core.languages import known as known_language

from .models import Membership

Role = Membership.Role

# Who may change what: one table, read by the predicates below.
MANAGE_HOST_STRUCTURES = {Role.MANAGER, Role.OFFICER}
MANAGE_VOLUNTEERS = {Role.MANAGER, Role.OFFICER}
MANAGE_MISSIONS = {Role.MANAGER, Role.OFFICER}
APPROVE = {Role.MANAGER}
WRITE_EVALUATIONS = {Role.EVALUATOR, Role.MANAGER}


# Who is told of what: the roles of the other party's members who receive each kind of notice.
NOTIFY_AGREEMENTS = {Role.MANAGER}  # approvals and changes of status are theirs to act on
NOTIFY_PLACEMENTS = {Role.MANAGER, Role.OFFICER}  # both run placements on each side
NOTIFY_ALERTS = {Role.MANAGER, Role.OFFICER}  # the weekly digest of alerts: those who act


def notified_recipients(agency_ids: Iterable[int], roles: Iterable[str]) -> dict[str, list[str]]:
    """The addresses of the active members of ``agency_ids`` whose role is one of ``roles``, by
    the language each chose (``core.languages``; the platform's default where none): each
    notice is written once per language, and each recipient reads it in theirs."""
    rows = (
        Membership.objects.filter(
            agency__in=agency_ids,
            agency__is_active=True,
            role__in=set(roles),
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", "user__preference__language")
        .distinct()
    )
    by_language: dict[str, set[str]] = {}
    for email, language in rows:
        code = language if known_language(language) else settings.LANGUAGE_CODE
        by_language.setdefault(code, set()).add(email)
    return {code: sorted(emails) for code, emails in sorted(by_language.items())}


def notified_emails(agency_ids: Iterable[int], roles: Iterable[str]) -> list[str]:
    """The addresses of the active members of ``agency_ids`` whose role is one of ``roles``."""
    return sorted({e for emails in notified_recipients(agency_ids, roles).values() for e in emails})


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def active_memberships():
    """Memberships of active agencies, with their agency, by acronym."""
    return (
        Membership.objects.filter(agency__is_active=True)
        .select_related("agency")
        .order_by("agency__acronym")
    )


def memberships_of(user) -> list[Membership]:
    """The user's memberships of active agencies, with their agency, by acronym: one query,
    cached on the user object (the request's user: the access rules and the agency switcher
    share it; ``agencies.auth`` reads them with the user)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_reciprocity_memberships", None)
    if cached is None:
        cached = remember_memberships(user, list(active_memberships().filter(user=user)))
    return cached


def remember_memberships(user, memberships: list[Membership]) -> list[Membership]:
    """Keep ``memberships`` (read by ``memberships_of``'s query) on ``user``."""
    user._reciprocity_memberships = memberships
    return memberships


def roles_of(user) -> dict[int, str]:
    """``{agency_id: role}`` for the user's memberships of active agencies."""
    return {m.agency_id: m.role for m in memberships_of(user)}


def agency_ids_of(user) -> set[int]:
    return set(roles_of(user))


def agency_ids_with(user, allowed: Iterable[str]) -> set[int]:
    """The user's agencies where their role is one of ``allowed``."""
    return {agency for agency, role in roles_of(user).items() if role in set(allowed)}


def has_role(user, agency_id: int | None, allowed: Iterable[str]) -> bool:
    return agency_id is not None and roles_of(user).get(agency_id) in set(allowed)


# --- Visibility selectors -------------------------------------------------------------------


# --- Predicates and permissions -------------------------------------------------------------


@rules.predicate
def admin(user):
    return is_admin(user)


@rules.predicate
def manages_host_structure(user, structure):
    return structure is not None and has_role(user, structure.agency_id, MANAGE_HOST_STRUCTURES)


@rules.predicate
def can_create_host_structure(user, agency):
    return agency is not None and has_role(user, agency.pk, MANAGE_HOST_STRUCTURES)


@rules.predicate
def is_agency_manager(user, agency):
    return agency is not None and has_role(user, agency.pk, APPROVE)


# Permission names live in the "vir" namespace so that they never mix with the Django model
# permissions that govern the admin site.
rules.add_perm("vir.add_hoststructure", admin | can_create_host_structure)
rules.add_perm("vir.change_hoststructure", admin | manages_host_structure)
rules.add_perm("vir.view_members", admin | is_agency_manager)
# The log of downloads of an agency (object: the agency the page acts for).
rules.add_perm("vir.view_download_log", admin | is_agency_manager)
# API tokens of an agency (object: the agency): its managers create and revoke them. A token
# acts as a member of the agency with the role chosen at its creation.
rules.add_perm("vir.manage_api_tokens", admin | is_agency_manager)


# --- Volunteers -----------------------------------------------------------------------------
# Officers and managers of the sending agency change a volunteer; managers also download a
# volunteer's personal data and anonymise; evaluators and partners only read.
PERSONAL_DATA = {Role.MANAGER}


@rules.predicate
def can_add_volunteer(user, agency):
    return agency is not None and has_role(user, agency.pk, MANAGE_VOLUNTEERS)


@rules.predicate
def manages_volunteer(user, volunteer):
    return volunteer is not None and has_role(user, volunteer.sending_agency_id, MANAGE_VOLUNTEERS)


@rules.predicate
def member_of_sending_agency(user, volunteer):
    return volunteer is not None and volunteer.sending_agency_id in agency_ids_of(user)


@rules.predicate
def manages_personal_data(user, volunteer):
    return volunteer is not None and has_role(user, volunteer.sending_agency_id, PERSONAL_DATA)


@rules.predicate
def is_anonymised(user, volunteer):
    return volunteer is not None and volunteer.anonymised_at is not None


@rules.predicate
def manages_some_volunteers(user):
    return any(role in MANAGE_VOLUNTEERS for role in roles_of(user).values())


@rules.predicate
def manages_import(user, volunteer_import):
    return volunteer_import is not None and has_role(
        user, volunteer_import.agency_id, MANAGE_VOLUNTEERS
    )


rules.add_perm("vir.add_volunteer", admin | can_add_volunteer)
rules.add_perm("vir.import_volunteers", admin | can_add_volunteer)
rules.add_perm("vir.export_volunteers", admin | manages_some_volunteers)
rules.add_perm("vir.view_full_volunteer", admin | member_of_sending_agency)
rules.add_perm("vir.change_volunteer", ~is_anonymised & (admin | manages_volunteer))
rules.add_perm("vir.withdraw_volunteer", ~is_anonymised & (admin | manages_volunteer))
rules.add_perm("vir.download_personal_data", admin | manages_personal_data)
rules.add_perm("vir.anonymise_volunteer", ~is_anonymised & (admin | manages_personal_data))
rules.add_perm("vir.view_volunteerimport", admin | manages_import)


# --- Agreements -----------------------------------------------------------------------------
# An agreement concerns its two parties: their members see it (drafts included: both negotiate
# it), their managers change it, submit, approve, suspend and terminate it. Officers, evaluators
# and partners of a party read it. Administrators see and correct every agreement but approve
# none: an approval is given on behalf of a party.


def managed_parties(user, agreement) -> list[int]:
    """The parties of ``agreement`` in which ``user`` is a manager."""
    parties = (agreement.party_a_id, agreement.party_b_id)
    return [pk for pk in parties if has_role(user, pk, APPROVE)]


def can_approve_for(user, agreement, agency_id: int) -> bool:
    """A manager of ``agency_id`` may approve the current version for it, now (and has not
    approved it for the other party)."""
    return (
        has_role(user, agency_id, APPROVE)
        and agreement.approval_refusal(agency_id, user=user) is None
    )


@rules.predicate
def manages_a_party(user, agreement):
    return agreement is not None and bool(managed_parties(user, agreement))


rules.add_perm("vir.add_agreement", is_agency_manager)
rules.add_perm("vir.change_agreement", admin | manages_a_party)
rules.add_perm("vir.submit_agreement", admin | manages_a_party)
# Django grants active superusers every permission: views also require a party the user
# manages before approving (exchanges.views.agreement_approve).
rules.add_perm("vir.approve_agreement", manages_a_party)
rules.add_perm("vir.suspend_agreement", admin | manages_a_party)
rules.add_perm("vir.terminate_agreement", admin | manages_a_party)


# --- Missions and placements ----------------------------------------------------------------
# A mission concerns the two agencies of its quota: the host (receiving) and the sender. Their
# members see it and its placements. Officers and managers of the host create and edit
# missions; those of the sender nominate and cancel; managers of the host confirm or decline;
# officers and managers of either side record departure, return, withdrawal and follow-ups.
# Evaluators and partners read.
DECIDE_PLACEMENTS = {Role.MANAGER}


def _quota_of(obj):
    """The quota of a quota, a mission or a placement (those two carry a ``quota_id``)."""
    return obj.quota if hasattr(obj, "quota_id") else obj


@rules.predicate
def hosts(user, obj):
    quota = _quota_of(obj)
    return quota is not None and has_role(user, quota.receiving_id, MANAGE_MISSIONS)


@rules.predicate
def sends(user, obj):
    quota = _quota_of(obj)
    return quota is not None and has_role(user, quota.sending_id, MANAGE_MISSIONS)


@rules.predicate
def decides_for_host(user, obj):
    quota = _quota_of(obj)
    return quota is not None and has_role(user, quota.receiving_id, DECIDE_PLACEMENTS)


@rules.predicate
def member_of_sender(user, obj):
    quota = _quota_of(obj)
    return quota is not None and quota.sending_id in agency_ids_of(user)


@rules.predicate
def creates_missions_somewhere(user):
    return any(role in MANAGE_MISSIONS for role in roles_of(user).values())


rules.add_perm("vir.add_mission", admin | hosts)  # object: the quota
rules.add_perm("vir.create_missions", admin | creates_missions_somewhere)
rules.add_perm("vir.change_mission", admin | hosts)
rules.add_perm("vir.nominate_mission", admin | sends)
rules.add_perm("vir.cancel_placement", admin | sends)
rules.add_perm("vir.decide_placement", admin | decides_for_host)
rules.add_perm("vir.record_placement", admin | sends | hosts)
rules.add_perm("vir.record_followup", admin | sends | hosts)
# The sending agency's members open the full profiles of the volunteers it placed.
rules.add_perm("vir.view_sent_profiles", admin | member_of_sender)

# The host agency reviews a nominee on a reduced profile: age on the mission's start,
# nationality, languages, skills, themes, experience with the eligibility verdict, motivation
# and the proof documents of the experience; never the contact details, the exact birth date
# or the notes. Every member of the host reads it (the mission and its placements concern them
# all; managers decide on it) while the placement stands: nominated, confirmed, under way or
# completed. Once cancelled by the sender, declined by the host or withdrawn, the profile is
# closed to the host (404). The sending agency has the full profile instead.
VIEW_NOMINEES = {Role.MANAGER, Role.OFFICER, Role.EVALUATOR, Role.PARTNER}
# Placement statuses (``missions.models.PlacementStatus`` values: that app is above this one).
NOMINEE_STATUSES = {"nominated", "confirmed", "deployed", "completed"}


@rules.predicate
def hosts_nominee(user, placement):
    return (
        placement is not None
        and placement.status in NOMINEE_STATUSES
        and has_role(user, placement.quota.receiving_id, VIEW_NOMINEES)
    )


rules.add_perm("vir.view_nominee", admin | hosts_nominee)


# The pre-departure checklist: each item is kept by the officers and managers of its responsible
# agency (the sender or the host); both sides' officers and managers read its documents, except
# identity documents (the passport), which stay with the sending agency. A departure with
# required items open is allowed by a manager of either side, who gives the reason.
CHECKLIST_DOCUMENTS = {Role.MANAGER, Role.OFFICER}


@rules.predicate
def responsible_for_item(user, item):
    return item is not None and has_role(user, item.agency_id, MANAGE_MISSIONS)


@rules.predicate
def reads_checklist_document(user, item):
    if item is None:
        return False
    quota = item.placement.quota
    sides = (
        [quota.sending_id] if item.is_identity_document else [quota.sending_id, quota.receiving_id]
    )
    return any(has_role(user, agency_id, CHECKLIST_DOCUMENTS) for agency_id in sides)


@rules.predicate
def manages_a_side(user, obj):
    quota = _quota_of(obj)
    return quota is not None and (
        has_role(user, quota.sending_id, APPROVE) or has_role(user, quota.receiving_id, APPROVE)
    )


rules.add_perm("vir.update_checklist_item", admin | responsible_for_item)
rules.add_perm("vir.view_checklist_document", admin | reads_checklist_document)
rules.add_perm("vir.override_departure", admin | manages_a_side)


# --- Evaluations and reports ----------------------------------------------------------------
# Evaluations are written by the evaluators and managers of the authoring agency (a party of
# the agreement). Its members see drafts; once published, the members of both parties see it.
# Recommendations' follow-up status changes after publication: the owner agency's managers and
# officers report progress, the authors may too. Reports follow their scope: an agreement's
# (evaluation reports included) are for both parties, an agency's for its members; a report of
# a draft evaluation stays with its authors.

FOLLOW_UP_RECOMMENDATIONS = {Role.MANAGER, Role.OFFICER}


@rules.predicate
def writes_evaluations_for(user, agency):
    return agency is not None and has_role(user, agency.pk, WRITE_EVALUATIONS)


@rules.predicate
def authors_evaluation(user, evaluation):
    return evaluation is not None and has_role(user, evaluation.agency_id, WRITE_EVALUATIONS)


@rules.predicate
def follows_up_recommendation(user, finding):
    if finding is None:
        return False
    return has_role(user, finding.owner_id, FOLLOW_UP_RECOMMENDATIONS) or has_role(
        user, finding.evaluation.agency_id, WRITE_EVALUATIONS
    )


rules.add_perm("vir.add_evaluation", writes_evaluations_for)
rules.add_perm("vir.change_evaluation", admin | authors_evaluation)
rules.add_perm("vir.publish_evaluation", admin | authors_evaluation)
rules.add_perm("vir.follow_up_recommendation", admin | follows_up_recommendation)


# Retrying a failed report renders it again: work done on the worker, so an action, which the
# read-only role (partners) may not take. Any other member of an agency the report concerns
# (a party of its agreement, or its agency) may; seeing the report at all is checked by the
# view (reports_visible_to, 404 otherwise).
RETRY_REPORTS = {Role.MANAGER, Role.OFFICER, Role.EVALUATOR}


def report_agency_ids(report) -> set[int]:
    """The agencies a report concerns: the parties of its agreement, or its agency."""
    if report.agreement_id is not None:
        return {report.agreement.party_a_id, report.agreement.party_b_id}
    return {report.agency_id} if report.agency_id is not None else set()


@rules.predicate
def retries_report(user, report):
    if report is not None and report.programme_id is not None:
        # A programme's progress report: its staff (the programme rules, below).
        return programme_role(user, report.programme) in PROGRAMME_STAFF
    return report is not None and any(
        has_role(user, agency_id, RETRY_REPORTS) for agency_id in report_agency_ids(report)
    )


rules.add_perm("vir.retry_report", admin | retries_report)


# --- Alerts (home page) ---------------------------------------------------------------------
# An agency's alerts are acknowledged by its members who act on them (managers, officers,
# evaluators for the recommendations); partners only read.
ACKNOWLEDGE_ALERTS = {Role.MANAGER, Role.OFFICER, Role.EVALUATOR}


@rules.predicate
def acknowledges_alerts_of(user, agency):
    return agency is not None and has_role(user, agency.pk, ACKNOWLEDGE_ALERTS)


rules.add_perm("vir.acknowledge_alert", acknowledges_alerts_of)


# --- After the mission (voice): host assessment, certificate, insertion support -------------
# The host's officers and managers assess the volunteer of a completed placement; the sending
# agency's managers revoke a certificate it signed; both sides' officers and managers record
# support actions, as they record follow-ups. Everyone who sees the placement reads the
# questionnaire's answers and downloads the certificate.
REVOKE_CERTIFICATES = {Role.MANAGER}


@rules.predicate
def revokes_certificate_of(user, placement):
    return placement is not None and has_role(user, placement.quota.sending_id, REVOKE_CERTIFICATES)


rules.add_perm("vir.assess_placement", admin | hosts)
rules.add_perm("vir.revoke_certificate", admin | revokes_certificate_of)
rules.add_perm("vir.record_support_action", admin | sends | hosts)
# --- Programmes (issue 19) ------------------------------------------------------------------
# A programme's staff (``ProgrammeMember`` role "staff") select applications, record support
# and request progress reports; its viewers (the funder's view) read the programme, its
# applications and dashboard; nobody else reads them. Once a laureate has chosen its operator,
# that operator's members see the laureate and its missions, and its officers and managers link
# the missions they create to it; another operator sees nothing of it. Roles are the values of
# ``programmes.models.ProgrammeMember.Role`` (that app is above this one).
PROGRAMME_STAFF = {"staff"}
PROGRAMME_READERS = {"staff", "viewer"}


def programme_of(obj):
    """The programme of a programme, a call, an application or a support action."""
    for step in ("laureate", "call", "programme"):
        if hasattr(obj, f"{step}_id"):
            obj = getattr(obj, step)
    return obj


def programme_role(user, programme) -> str | None:
    """The user's role in ``programme`` (one query, cached on the user per programme)."""
    if programme is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_reciprocity_programme_roles", {})
    if programme.pk not in cache:
        cache[programme.pk] = (
            programme.members.filter(user=user).values_list("role", flat=True).first()
        )
    return cache[programme.pk]


@rules.predicate
def programme_staff(user, obj):
    return obj is not None and programme_role(user, programme_of(obj)) in PROGRAMME_STAFF


@rules.predicate
def programme_reader(user, obj):
    return obj is not None and programme_role(user, programme_of(obj)) in PROGRAMME_READERS


@rules.predicate
def operates_laureate(user, application):
    """A member of the operator the laureate chose (object: the application)."""
    return (
        application is not None
        and application.operator_id is not None
        and application.operator_id in agency_ids_of(user)
    )


@rules.predicate
def carries_laureate_missions(user, application):
    return (
        application is not None
        and application.operator_id is not None
        and has_role(user, application.operator_id, MANAGE_MISSIONS)
    )


rules.add_perm("vir.view_programme_dashboard", admin | programme_reader)
rules.add_perm("vir.select_applications", admin | programme_staff)
rules.add_perm("vir.record_support", admin | programme_staff)
rules.add_perm("vir.request_programme_report", admin | programme_staff)
rules.add_perm("vir.view_application", admin | programme_reader | operates_laureate)
rules.add_perm("vir.link_programme_mission", admin | programme_staff | carries_laureate_missions)
