"""Alerts: one framework for what needs an agency's attention, computed from the rows of every
domain when asked (the home page, the weekly digest), so that an alert is never stale and
disappears with its cause. They live here, in the top layer that reads missions, exchanges and
evaluations; each kind is one query bounded by ``LIMIT``, whatever the size of the agency.

Kinds, and the agency concerned:

- a pre-departure checklist item late, or due within 14 days: its responsible agency;
- a reciprocity imbalance: the used places of one direction of an agreement in force exceed the
  other's by more than the agreement's own threshold (the approved one,
  ``Agreement.binding_imbalance_threshold``): both parties;
- a recommendation of a published evaluation past its due date, still open or in progress: its
  owner agency;
- a quota full (its places taken) while missions under it are open to nominations: both parties;
- an agreement in force ending within 90 days: both parties.

An alert is named by its kind and key (the object's id); an acknowledgement (who, when) hides it
from the home page and the digests, until its cause changes kind (an item due soon, then late).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Abs, Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.links import pk_url
from evaluations.models import Evaluation, Finding, superseded_q
from exchanges.models import Agreement, Quota, binding_threshold, in_force_q
from missions.models import ChecklistItem, DirectionUse, Mission, Placement

from .models import AlertAcknowledgement, AlertKind

SOON = datetime.timedelta(days=14)
ENDING = datetime.timedelta(days=90)
LIMIT = 50  # alerts of each kind, the most pressing first


@dataclass
class Alert:
    kind: str
    key: str
    subject: str
    detail: str
    url: str
    date: datetime.date | None = None
    acknowledgement: AlertAcknowledgement | None = None
    volunteer_id: int | None = None  # the volunteer it names, if any (their erasure reaches it)

    @property
    def label(self) -> str:
        return str(AlertKind(self.kind).label)

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledgement is not None


def _date(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _checklist(agency, today) -> list[Alert]:
    items = (
        ChecklistItem.objects.filter(
            agency=agency,
            status=ChecklistItem.Status.TO_DO,
            due_date__lte=today + SOON,
            placement__status=Placement.Status.CONFIRMED,
        )
        .select_related("placement__volunteer", "placement__mission")
        .only(
            "kind",
            "due_date",
            "placement__mission_id",
            "placement__mission__title",
            "placement__volunteer__first_name",
            "placement__volunteer__last_name",
            "placement__volunteer__anonymised_at",
        )
        .order_by("due_date", "pk")[:LIMIT]
    )
    alerts = []
    for item in items:
        late = item.due_date < today
        placement = item.placement
        alerts.append(
            Alert(
                kind=AlertKind.CHECKLIST_LATE if late else AlertKind.CHECKLIST_DUE,
                key=str(item.pk),
                subject=f"{item.get_kind_display()} — {placement.volunteer.full_name}",
                detail=(_("was due on %(date)s") if late else _("due on %(date)s"))
                % {"date": _date(item.due_date)}
                + f" · {placement.mission.title}",
                url=placement.get_absolute_url(),
                date=item.due_date,
                volunteer_id=placement.volunteer_id,
            )
        )
    return alerts


def _in_force(agency, today, prefix: str = "") -> Q:
    """The agency's agreements in force (``prefix``: the path to them, from a quota). Quotas
    are filtered on their joined agreement itself: a subquery of the agreements' ids was
    planned as a second agreements table, read whole and hashed (15 ms for the largest
    agency, against 5)."""
    party = Q(**{f"{prefix}party_a": agency}) | Q(**{f"{prefix}party_b": agency})
    return in_force_q(today, today, prefix) & party


def _imbalances(agency, today) -> list[Alert]:
    """The agency's agreements in force whose places taken in one direction exceed the other's
    by more than the threshold: each direction's count is one row kept by the database
    (``missions.DirectionUse``), read by the agreement's key and party; with the agreement's
    reference and parties. ``exchanges.selectors.reciprocity_balance`` gives the same figures
    with the places agreed beside them, for figures this panel does not show. Summing the
    places taken of the quotas instead read 2,860 quotas' counts for the largest agency."""

    def used(party):
        taken = DirectionUse.objects.filter(agreement=OuterRef("pk"), sending=OuterRef(party))
        return Coalesce(Subquery(taken.values("n")[:1]), 0)

    rows = list(
        Agreement.objects.filter(_in_force(agency, today))
        .annotate(used_a_to_b=used("party_a"), used_b_to_a=used("party_b"))
        .annotate(gap=Abs(F("used_a_to_b") - F("used_b_to_a")), threshold=binding_threshold())
        .filter(gap__gt=F("threshold"))
        .values(
            "pk",
            "reference",
            "used_a_to_b",
            "used_b_to_a",
            "threshold",
            a=F("party_a__acronym"),
            b=F("party_b__acronym"),
        )
        .order_by("-gap", "pk")[:LIMIT]
    )
    return [
        Alert(
            kind=AlertKind.IMBALANCE,
            key=str(row["pk"]),
            subject=row["reference"],
            detail=_("%(a)s → %(b)s: %(ab)d, %(b)s → %(a)s: %(ba)d (more than %(threshold)d apart)")
            % {
                "a": row["a"],
                "b": row["b"],
                "ab": row["used_a_to_b"],
                "ba": row["used_b_to_a"],
                "threshold": row["threshold"],
            },
            url=pk_url("exchanges:detail", row["pk"]),
        )
        for row in rows
    ]


def _recommendations(agency, today) -> list[Alert]:
    findings = (
        Finding.objects.filter(
            owner=agency,
            kind=Finding.Kind.RECOMMENDATION,
            follow_up__in=[Finding.FollowUp.OPEN, Finding.FollowUp.IN_PROGRESS],
            due_date__lt=today,
            evaluation__status=Evaluation.Status.PUBLISHED,
        )
        .exclude(superseded_q("evaluation__"))
        .only("evaluation_id", "text", "due_date")
        .order_by("due_date", "pk")[:LIMIT]
    )
    return [
        Alert(
            kind=AlertKind.RECOMMENDATION_OVERDUE,
            key=str(finding.pk),
            subject=str(finding),
            detail=_("was due on %(date)s") % {"date": _date(finding.due_date)},
            url=pk_url("evaluations:detail", finding.evaluation_id),
            date=finding.due_date,
        )
        for finding in findings
    ]


def _full_quotas(agency, today) -> list[Alert]:
    # The quota's places taken: a column kept by the database (``missions.QuotaUse``).
    open_missions = Mission.objects.filter(quota=OuterRef("pk"), status=Mission.Status.OPEN)
    quotas = (
        Quota.objects.filter(_in_force(agency, today, "agreement__"))
        # Agreements in force: the places agreed are the approved ones (a row a pending
        # amendment adds has none, null, and is left out by the comparison).
        .annotate(binding=F("approved_places"), used=Coalesce("use__n", 0))
        .filter(binding__gt=0, used__gte=F("binding"))
        .filter(Exists(open_missions))
        .select_related("agreement", "sending", "receiving")
        .only("cohort", "agreement__reference", "sending__acronym", "receiving__acronym")
        .order_by("agreement__reference", "cohort", "pk")[:LIMIT]
    )
    return [
        Alert(
            kind=AlertKind.QUOTA_FULL,
            key=str(quota.pk),
            subject=f"{quota.agreement.reference} · {quota.cohort} · "
            f"{quota.sending.acronym} → {quota.receiving.acronym}",
            detail=_("%(used)d/%(places)d places taken, missions still open to nominations")
            % {"used": quota.used, "places": quota.binding},
            url=pk_url("exchanges:detail", quota.agreement_id),
        )
        for quota in quotas
    ]


def _agreements_ending(agency, today) -> list[Alert]:
    agreements = (
        Agreement.objects.filter(_in_force(agency, today), end_date__lte=today + ENDING)
        .only("reference", "end_date")
        .order_by("end_date", "pk")[:LIMIT]
    )
    return [
        Alert(
            kind=AlertKind.AGREEMENT_ENDING,
            key=str(agreement.pk),
            subject=agreement.reference,
            detail=_("ends on %(date)s") % {"date": _date(agreement.end_date)},
            url=pk_url("exchanges:detail", agreement.pk),
            date=agreement.end_date,
        )
        for agreement in agreements
    ]


KINDS = (_checklist, _recommendations, _full_quotas, _imbalances, _agreements_ending)
# One query per kind, the acknowledgements.
MAX_QUERIES = len(KINDS) + 1


def alerts_for(*, agency, today: datetime.date) -> list[Alert]:
    """Every alert of ``agency``, the acknowledged ones marked (who, when): most pressing kinds
    first (late and due items, overdue recommendations, full quotas...)."""
    alerts = [alert for compute in KINDS for alert in compute(agency, today)]
    if not alerts:
        return alerts
    acknowledged = {
        (ack.kind, ack.key): ack
        for ack in AlertAcknowledgement.objects.filter(
            agency=agency, key__in={alert.key for alert in alerts}
        ).select_related("user")
    }
    for alert in alerts:
        alert.acknowledgement = acknowledged.get((alert.kind, alert.key))
    order = {kind: i for i, kind in enumerate(AlertKind.values)}
    alerts.sort(key=lambda a: order[a.kind])
    return alerts


@dataclass
class AlertPanel:
    """The home page's panel: the alerts to act on, and those acknowledged (shown on demand)."""

    open: list[Alert]
    acknowledged: list[Alert]
    show_acknowledged: bool
    acknowledge_url: str = ""
    limit: int | None = None  # open alerts shown (the home page's panel: the most pressing)
    page: Page | None = None  # the alerts page's page of open alerts

    @property
    def shown(self) -> list[Alert]:
        return self.page.object_list if self.page else self.open[: self.limit]

    @property
    def not_shown(self) -> int:
        """Open alerts the home page's panel leaves to the alerts page."""
        return 0 if self.page else len(self.open) - len(self.shown)


def alert_panel(
    *, agency, today: datetime.date, show_acknowledged: bool, limit: int | None = None
) -> AlertPanel:
    alerts = alerts_for(agency=agency, today=today)
    return AlertPanel(
        open=[a for a in alerts if not a.is_acknowledged],
        acknowledged=[a for a in alerts if a.is_acknowledged],
        show_acknowledged=show_acknowledged,
        acknowledge_url=reverse("alert_acknowledge"),
        limit=limit,
    )
