"""The rules of programmes: applying and amending (public, by a signed link), selecting and
notifying, the laureate's choice of operator, support actions and programme missions."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.models import Agency, HostStructure
from core.errors import DomainError
from core.mail import queue_emails
from exchanges.models import Quota
from missions.models import Mission
from volunteers.eligibility import Rules, evaluate

from .models import Application, Call, ProgrammeMission, Scheme, SupportAction

TOKEN_SALT = "programmes.application"  # noqa: S105 (a namespace, not a secret)
APPLICANT_FIELDS = [
    "name",
    "level",
    "siren",
    "region",
    "contact_name",
    "contact_email",
    "contact_phone",
    "partners",
    "first_time",
    "sending",
    "hosting",
    "countries",
    "missions_planned",
    "answers",
]


def scheme_rules(scheme: Scheme, *, disability: bool = False) -> Rules:
    """The eligibility rules of a scheme, for ``volunteers.eligibility.evaluate`` (an open upper
    age is taken as 120)."""
    max_age = scheme.max_age_with_disability if disability else None
    return Rules(
        min_age=scheme.min_age,
        max_age=max_age or scheme.max_age or 120,
        min_experience_days=scheme.min_experience_days,
    )


def check_scheme(mission, volunteer, periods) -> None:
    """A mission counted for a programme's laureate takes only volunteers eligible under its
    scheme (``settings.NOMINATION_CHECKS``, read by ``missions.nomination_checks``)."""
    link = ProgrammeMission.objects.filter(mission=mission).select_related("scheme").first()
    if link is None:
        return
    result = evaluate(
        volunteer.birth_date,
        periods,
        mission.start_date,
        scheme_rules(link.scheme),
        year_only=volunteer.is_anonymised,
    )
    if not result.eligible:
        raise DomainError(
            _("%(volunteer)s is not eligible under this mission's scheme, %(scheme)s: %(reasons)s")
            % {
                "volunteer": volunteer,
                "scheme": link.scheme,
                "reasons": " ".join(str(r) for r in result.reasons),
            }
        )


# --- The amend link -------------------------------------------------------------------------


def application_token(application: Application) -> str:
    return signing.dumps([application.pk, application.token], salt=TOKEN_SALT)


def application_from_token(value: str) -> Application | None:
    """The application a link designates, or None (forged, or its secret since changed)."""
    try:
        pk, secret = signing.loads(value, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Application.objects.select_related("call__programme", "operator")
        .filter(pk=pk, token=secret)
        .first()
    )


def amend_url(application: Application) -> str:
    path = reverse("programmes:amend", args=[application_token(application)])
    return settings.SITE_URL.rstrip("/") + path


def _deadline(call: Call) -> str:
    with timezone.override(call.time_zone):
        return date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")


def _deadline_in_zone(call: Call) -> str:
    """The deadline as applicants read it, with the zone it is announced in (applicants include
    overseas regions)."""
    return f"{_deadline(call)} ({call.time_zone})"


def _check_open(call: Call) -> None:
    now = timezone.now()
    if now < call.opens_at:
        raise DomainError(_("This call is not open yet."))
    if now >= call.closes_at:
        raise DomainError(
            _("The deadline of this call has passed (%(deadline)s).")
            % {"deadline": _deadline(call)}
        )


def _save(application: Application, data: dict, themes) -> Application:
    for name in APPLICANT_FIELDS:
        setattr(application, name, data[name])
    if not (application.sending or application.hosting):
        raise DomainError(_("Choose sending, hosting or both."), field="sending")
    duplicate = Application.objects.filter(call=application.call, siren=application.siren)
    if duplicate.exclude(pk=application.pk).exists():
        raise DomainError(
            _(
                "This authority has already applied to this call: use the link of the "
                "confirmation e-mail to complete the application."
            ),
            field="siren",
        )
    application.full_clean(exclude=["token"], validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:  # the same authority, at the same moment
        raise DomainError(
            _("This authority has already applied to this call."), field="siren"
        ) from error
    application.themes.set(themes)
    return application


def _confirmation(application: Application, *, amended: bool) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("Your application to %(call)s was updated")
            if amended
            else _("Your application to %(call)s was received")
        ) % {"call": application.call.title}
        body = _(
            "Hello %(contact)s,\n\nThe application of %(name)s to %(call)s is recorded. You may "
            "complete or amend it until %(deadline)s at this address:\n%(url)s\n\nThe selection "
            "is announced on %(selection)s."
        ) % {
            "contact": application.contact_name,
            "name": application.name,
            "call": application.call.title,
            "deadline": _deadline_in_zone(application.call),
            "url": amend_url(application),
            "selection": date_format(application.call.selection_date, "DATE_FORMAT"),
        }
    return EmailMessage(subject, body, to=[application.contact_email])


@transaction.atomic
def application_submit(*, call: Call, data: dict, themes) -> Application:
    """A local authority applies to an open call: saved whole or not at all, then confirmed by
    e-mail with the amend link."""
    _check_open(call)
    application = _save(Application(call=call), data, themes)
    queue_emails([_confirmation(application, amended=False)])
    return application


@transaction.atomic
def application_amend(*, application: Application, data: dict, themes) -> Application:
    """The authority amends its application by its link, until the deadline."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_open(application.call)
    application = _save(application, data, themes)
    queue_emails([_confirmation(application, amended=True)])
    return application


# --- Selection ------------------------------------------------------------------------------


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(_("You may not do this in this programme."))


@transaction.atomic
def application_assess(
    *, application: Application, user, score: int | None, comment: str, decision: str, reason: str
) -> Application:
    _require(user, "vir.select_applications", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.notified_at is not None and decision != application.decision:
        raise DomainError(_("The applicant was already notified of the decision."))
    if application.notified_at is not None and reason.strip() != application.reason.strip():
        # The record must say what the applicant was told (the notice carried this reason).
        raise DomainError(
            _(
                "The applicant was notified of this reason on %(date)s: it can no longer "
                "change (the score and the comment may)."
            )
            % {"date": _local_date(application.call, application.notified_at)},
            field="reason",
        )
    if decision not in Application.Decision.values:
        raise DomainError(_("Unknown decision."), field="decision")
    if decision != Application.Decision.PENDING and not reason.strip():
        raise DomainError(_("Give the reason of the decision."), field="reason")
    if decision != Application.Decision.LAUREATE and application.operator_id:
        raise DomainError(_("This laureate has already chosen its operator."))
    application.score, application.comment = score, comment
    application.decision, application.reason = decision, reason
    application.decided_at = None if decision == Application.Decision.PENDING else timezone.now()
    application.full_clean(exclude=["token"])
    application.save()
    return application


def _decision_email(application: Application) -> EmailMessage:
    # Applicants are French local authorities: the notice is in French, whatever the language
    # of the staff member who sends it.
    with translation.override("fr"):
        if application.is_laureate:
            subject = _("%(call)s: your application is selected") % {"call": application.call.title}
            body = _(
                "Hello %(contact)s,\n\n%(name)s is a laureate of %(call)s. Reason: %(reason)s\n\n"
                "Choose your operator at this address:\n%(url)s"
            )
        else:
            subject = _("%(call)s: your application is not selected") % {
                "call": application.call.title
            }
            body = _(
                "Hello %(contact)s,\n\nThe application of %(name)s to %(call)s is not selected. "
                "Reason: %(reason)s"
            )
        body = body % {
            "contact": application.contact_name,
            "name": application.name,
            "call": application.call.title,
            "reason": application.reason,
            "url": amend_url(application),
        }
    return EmailMessage(subject, body, to=[application.contact_email])


def _local_date(call: Call, instant) -> str:
    with timezone.override(call.time_zone):
        return date_format(timezone.localtime(instant), "DATE_FORMAT")


def call_notify_refusal(*, call: Call, to_notify: int, last_notified, now=None) -> str | None:
    """Why the applicants of ``call`` cannot be notified now, or None: not before the deadline
    (until then applicants may amend, as their confirmation promised), and not when nobody is
    left to notify. The page shows it instead of the button; ``call_notify`` checks it again."""
    now = now or timezone.now()
    if now < call.closes_at:
        return _("The call is open until %(deadline)s: notify after its deadline.") % {
            "deadline": _deadline_in_zone(call)
        }
    if to_notify == 0 and last_notified is not None:
        return _("Every applicant was notified on %(date)s.") % {
            "date": _local_date(call, last_notified)
        }
    if to_notify == 0:
        return _("No application to notify.")
    return None


@transaction.atomic
def call_notify(*, call: Call, user) -> int:
    """Tell every applicant of ``call`` its decision, once, after the call's deadline; refused
    while some are pending."""
    _require(user, "vir.select_applications", call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    applications = list(
        Application.objects.select_for_update()
        .select_related("call")
        .filter(call=call, notified_at__isnull=True)
    )
    last_notified = None
    if not applications:
        last_notified = Application.objects.filter(call=call).aggregate(last=Max("notified_at"))[
            "last"
        ]
    refusal = call_notify_refusal(
        call=call, to_notify=len(applications), last_notified=last_notified
    )
    if refusal:
        raise DomainError(refusal)
    pending = sum(1 for a in applications if a.decision == Application.Decision.PENDING)
    if pending:
        raise DomainError(
            _("Applications without a decision: %(n)s. Decide them all before notifying.")
            % {"n": pending}
        )
    queue_emails([_decision_email(a) for a in applications])
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        notified_at=timezone.now()
    )
    return len(applications)


# --- Operators, support, missions -----------------------------------------------------------


@transaction.atomic
def operator_choose(*, application: Application, operator: Agency) -> Application:
    """The laureate chooses its operator among the programme's (by its link; staff may too)."""
    application = (
        Application.objects.select_for_update()
        .select_related("call__programme")
        .get(pk=application.pk)
    )
    if not application.is_laureate or application.notified_at is None:
        raise DomainError(_("Only a notified laureate chooses an operator."))
    if not application.call.programme.operators.filter(pk=operator.pk, is_active=True).exists():
        raise DomainError(_("This agency is not an operator of the programme."), field="operator")
    if application.programme_missions.exists() and application.operator_id != operator.pk:
        raise DomainError(_("Missions are already carried with the current operator."))
    application.operator = operator
    application.operator_chosen_at = timezone.now()
    # The authority becomes a host structure of its operator (volunteers it hosts serve there).
    application.host_structure, _created = HostStructure.objects.get_or_create(
        agency=operator,
        name__iexact=application.name,
        city=application.region,
        defaults={
            "name": application.name,
            "kind": HostStructure.Kind.LOCAL_AUTHORITY,
            "country": operator.country,
            "contact_person": application.contact_name,
            "email": application.contact_email,
        },
    )
    application.save(
        update_fields=["operator", "operator_chosen_at", "host_structure", "updated_at"]
    )
    return application


def _check_support_date(laureate: Application, day) -> None:
    """A support action is recorded once it took place, for a laureate told it was one, within
    the programme's period."""
    call = laureate.call
    programme = call.programme
    # Dates are read in the call's zone, the programme's own (as its deadline is announced).
    zone = zoneinfo.ZoneInfo(call.time_zone)
    if day > timezone.localdate(timezone=zone):
        raise DomainError(
            _("A support action is recorded once it took place: its date cannot be in the future."),
            field="date",
        )
    if laureate.notified_at is not None:
        earliest = timezone.localdate(laureate.notified_at, timezone=zone)
        if day < earliest:
            raise DomainError(
                _(
                    "Support is given to a laureate once notified: the date cannot be before "
                    "%(date)s."
                )
                % {"date": date_format(earliest, "DATE_FORMAT")},
                field="date",
            )
    if day < programme.start_date:
        raise DomainError(
            _("The date cannot be before the programme's start (%(date)s).")
            % {"date": date_format(programme.start_date, "DATE_FORMAT")},
            field="date",
        )
    if day > programme.end_date:
        raise DomainError(
            _("The date cannot be after the programme's end (%(date)s).")
            % {"date": date_format(programme.end_date, "DATE_FORMAT")},
            field="date",
        )


def support_action_add(*, laureate: Application, user, data: dict) -> SupportAction:
    _require(user, "vir.record_support", laureate)
    if not laureate.is_laureate:
        raise DomainError(_("Support is given to laureates."))
    _check_support_date(laureate, data["date"])
    if not 0 <= data["attendance"] <= SupportAction.MAX_ATTENDANCE:
        raise DomainError(
            _("The attendance is between 0 and %(max)s.") % {"max": SupportAction.MAX_ATTENDANCE},
            field="attendance",
        )
    action = SupportAction(laureate=laureate, created_by=user, **data)
    action.full_clean()
    action.save()
    return action


def operator_quotas(*, laureate: Application):
    """The quotas of the laureate's operator (sending or receiving): its missions are those
    under them (read as ``quota_id IN (…)``, which PostgreSQL answers from the quota index
    rather than joining every mission to its quota)."""
    if laureate.operator_id is None:
        return Quota.objects.none()
    operator = laureate.operator_id
    return Quota.objects.filter(Q(receiving=operator) | Q(sending=operator))


@transaction.atomic
def programme_mission_link(*, laureate: Application, mission: Mission, scheme: Scheme, user):
    _require(user, "vir.link_programme_mission", laureate)
    if laureate.operator_id is None:
        raise DomainError(_("The laureate has not chosen its operator yet."))
    operator = laureate.operator_id
    if operator not in (mission.quota.sending_id, mission.quota.receiving_id):
        raise DomainError(_("This mission is not carried by the laureate's operator."))
    programme = laureate.call.programme
    if not programme.start_date <= mission.start_date <= programme.end_date:
        raise DomainError(_("The mission starts outside the programme's period."), field="mission")
    if scheme.programme_id != laureate.call.programme_id:
        raise DomainError(_("This scheme is not one of the programme's."), field="scheme")
    if hasattr(mission, "programme_link"):
        raise DomainError(_("This mission already counts for a laureate."), field="mission")
    return ProgrammeMission.objects.create(laureate=laureate, mission=mission, scheme=scheme)
