"""Read-side queries of missions and placements, their visibility included."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from agencies import rules as access
from agencies.models import Agency, HostStructure
from core.pagination import CappedPaginator
from core.search import contains_q
from exchanges.models import Quota
from exchanges.selectors import places_of
from volunteers.eligibility import Eligibility, Rules, evaluate
from volunteers.models import Experience, Volunteer
from volunteers.selectors import (
    SearchReader,
    TimelineBar,
    eligible_q,
    experience_timeline,
    matching,
)

from .models import (
    LIVE_STATUSES,
    USED_STATUSES,
    ChecklistItem,
    DepartureOverride,
    FollowUp,
    Mission,
    Placement,
)

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def missions_visible_to(user) -> QuerySet[Mission]:
    """The missions the user may see, with their quota, its agreement, the host structure and
    the theme joined, and only the two agencies' acronyms, as ``sending_acronym`` and
    ``receiving_acronym`` (scalar subqueries). PostgreSQL plans a join of seven tables in about
    1.2 ms for one row and 4.8 ms for a page of the list; five and two subqueries in 0.4 and
    0.9 ms. Read the agencies themselves through ``quota.sending`` (one query more)."""
    acronym = Agency.objects.values("acronym")
    return _visible_missions(
        user,
        Mission.objects.select_related("quota__agreement", "host_structure", "theme").annotate(
            sending_acronym=Subquery(acronym.filter(pk=OuterRef("sending_id"))),
            receiving_acronym=Subquery(acronym.filter(pk=OuterRef("receiving_id"))),
        ),
    )


def _visible_missions(user, qs: QuerySet[Mission]) -> QuerySet[Mission]:
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    return qs.filter(Q(sending__in=ids) | Q(receiving__in=ids))


def placements_visible_to(user) -> QuerySet[Placement]:
    """The placements the user may see, with their quota (the access rules read it; the
    visibility filter joins it anyway), the mission with its quota, agreement and host
    structure, and the volunteer; the agencies' acronyms as ``sending_acronym`` and
    ``receiving_acronym`` (as ``missions_visible_to``: the nominations inbox was planned in
    11 ms with the two agencies joined, about 3 ms so)."""
    acronym = Agency.objects.values("acronym")
    qs = Placement.objects.select_related(
        "quota", "mission__quota__agreement", "mission__host_structure", "volunteer"
    ).annotate(
        sending_acronym=Subquery(acronym.filter(pk=OuterRef("quota__sending_id"))),
        receiving_acronym=Subquery(acronym.filter(pk=OuterRef("quota__receiving_id"))),
    )
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    return qs.filter(Q(quota__sending__in=ids) | Q(quota__receiving__in=ids))


def nominees_visible_to(user) -> QuerySet[Placement]:
    """The placements whose reduced profile the user may read (``vir.view_nominee``): those of
    the missions their agencies host, while the placement stands (admins: all)."""
    qs = placements_visible_to(user)
    if access.is_admin(user):
        return qs
    return qs.filter(
        quota__receiving__in=access.agency_ids_with(user, access.VIEW_NOMINEES),
        status__in=access.NOMINEE_STATUSES,
    )


@dataclass(frozen=True)
class MissionFilters:
    side: str = ""
    status: str = ""
    theme: int | None = None
    year: int | None = None
    q: str = ""


# The list's order, total (the id last): the keys its pages past the count start after.
MISSION_ORDER = ["-start_date", "title", "pk"]


def mission_list(*, user, filters: MissionFilters) -> QuerySet[Mission]:
    qs = missions_visible_to(user)
    ids = access.agency_ids_of(user)
    if filters.side == "host":
        qs = qs.filter(receiving__in=ids)
    elif filters.side == "send":
        qs = qs.filter(sending__in=ids)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.theme:
        qs = qs.filter(theme=filters.theme)
    if filters.year:
        qs = qs.filter(
            start_date__lte=datetime.date(filters.year, 12, 31),
            end_date__gte=datetime.date(filters.year, 1, 1),
        )
    if filters.q:
        # Title and city from the stored search text (in the list's order index, and in a
        # trigram index for a rare term); the structures by a semi-join, answered by their
        # trigram index; whatever the accents (core.search).
        structures = HostStructure.objects.filter(contains_q(["name"], filters.q)).values("pk")
        qs = qs.filter(Q(search_text__matches=filters.q) | Q(host_structure__in=structures))
    return qs.order_by(*MISSION_ORDER)


def mark_placement_counts(missions: list[Mission]) -> list[Mission]:
    """Set ``taken`` (placements that took a place) and ``nominated`` (awaiting a decision) on
    the missions of a page: one grouped query on their ids. Counted in the list's query, they
    were counted for every row its ``OFFSET`` skips too (a thousand, for its last page)."""
    counts = {
        row["mission"]: row
        for row in Placement.objects.filter(mission__in=[m.pk for m in missions])
        .order_by()
        .values("mission")
        .annotate(
            taken=Count("pk", filter=Q(status__in=USED_STATUSES)),
            nominated=Count("pk", filter=Q(status=Placement.Status.NOMINATED)),
        )
    }
    for mission in missions:
        row = counts.get(mission.pk, {})
        mission.taken, mission.nominated = row.get("taken", 0), row.get("nominated", 0)
    return missions


def mission_quota_places(*, mission: Mission) -> Quota:
    """The mission's quota with its places (``exchanges.selectors.places_of``: what the
    confirmation counts), read from its count rows."""
    return places_of(mission.quota)


def mission_placements(*, mission: Mission) -> list[Placement]:
    """The mission's placements, newest first, each with ``checklist`` (its items, in order,
    with who last updated them) and ``follow_up_list``: three plain queries for any number of
    placements, grouped here rather than by ``prefetch_related`` (whose per-relation querysets
    cost more to build than these rows to read)."""
    placements = list(
        mission.placements.select_related("volunteer", "departure_override__user")
        # Of the volunteer, the name only (``full_name``): a third of the columns to compile.
        .only(*PLACEMENT_FIELDS, *VOLUNTEER_NAME, *OVERRIDE_FIELDS)
        .order_by("-nominated_at", "-pk")
    )
    by_pk = {p.pk: p for p in placements}
    for p in placements:
        p.mission = mission  # the forms read its dates and agreement
        if p.quota_id == mission.quota_id:  # the rules read it (always equal: belt and braces)
            p.quota = mission.quota
        p.checklist, p.follow_up_list = [], []
        # Read once here: a missing one-to-one raises, and a template's failed lookup then
        # lists every attribute of the placement (``dir``) before giving up.
        p.override = getattr(p, "departure_override", None)
    # A checklist is made at the confirmation, follow-ups from the return date: a mission whose
    # placements never got there skips those queries.
    confirmed = [p.pk for p in placements if p.status in CHECKLIST_STATUSES]
    if confirmed:
        # Ordered here: the model's ordering joins the placements to sort by them.
        items = (
            ChecklistItem.objects.filter(placement__in=confirmed)
            .select_related("updated_by")
            .order_by("due_date", "pk")
        )
        for item in items:
            item.placement = by_pk[item.placement_id]
            item.placement.checklist.append(item)
    returned = [p.pk for p in placements if p.return_date is not None]
    if returned:
        for follow_up in FollowUp.objects.filter(placement__in=returned):
            follow_up.placement = by_pk[follow_up.placement_id]
            follow_up.placement.follow_up_list.append(follow_up)
    return placements


# The statuses of a placement that went through its confirmation (and so has a checklist).
CHECKLIST_STATUSES = {
    Placement.Status.CONFIRMED,
    Placement.Status.DEPLOYED,
    Placement.Status.COMPLETED,
    Placement.Status.WITHDRAWN,
}


PLACEMENT_FIELDS = [f.name for f in Placement._meta.concrete_fields]
VOLUNTEER_NAME = ["volunteer__first_name", "volunteer__last_name", "volunteer__anonymised_at"]
# The override, and of its author what ``|person`` shows.
OVERRIDE_FIELDS = [
    *(f"departure_override__{f.name}" for f in DepartureOverride._meta.concrete_fields),
    *(f"departure_override__user__{name}" for name in ("first_name", "last_name", "username")),
]


def placement_history(*, mission: Mission) -> dict[int, list]:
    """The transitions of every placement of the mission, in one query: ``{placement: rows}``
    with only the rows where the status changed (and only what the page shows of them)."""
    rows = (
        Placement.history.filter(mission_id=mission.pk)
        .select_related("history_user")
        .only("id", "status", "history_date", "history_id", "history_user")
        .order_by("id", "history_date", "history_id")
    )
    history: dict[int, list] = {}
    for row in rows:
        steps = history.setdefault(row.id, [])
        if not steps or steps[-1].status != row.status:
            steps.append(row)
    return history


CANDIDATE_ORDER = ["last_name", "first_name", "pk"]


def nomination_candidates(*, mission: Mission, q: str = "", eligible_only: bool = False):
    """The sending agency's volunteers, to be paged. "Eligible only" (on the mission's start
    date, under the agreement's rules) is a SQL filter; the rows of a page get the rest from
    ``describe_candidates``: computed for 50 rows, not for the whole register before the
    ``LIMIT``."""
    rules = Rules(**dataclasses.asdict(mission.quota.agreement.eligibility_rules()))
    qs = Volunteer.objects.filter(
        sending_agency=mission.quota.sending_id, anonymised_at__isnull=True
    ).exclude(status=Volunteer.Status.WITHDRAWN)
    if q:
        qs = matching(qs, q)
    if eligible_only:
        qs = qs.filter(eligible_q(mission.start_date, rules))
    return qs.prefetch_related("experiences").order_by(*CANDIDATE_ORDER), rules


def nomination_page(*, mission: Mission, q: str, eligible_only: bool, number, per_page: int):
    """A page of ``nomination_candidates`` described (``describe_candidates``), and the
    agreement's rules. A search reads its page as the volunteer list does
    (``SearchReader``: in name order through the index that carries the search text)."""
    register, rules = nomination_candidates(mission=mission, eligible_only=eligible_only)
    if q:
        searched = matching(register, q)
        reader = SearchReader(searched, register, CANDIDATE_ORDER)
        page = reader.page(searched, number, per_page)
    else:
        page = CappedPaginator(register, per_page).get_page(number)
    page.object_list = describe_candidates(list(page.object_list), mission=mission, rules=rules)
    return page, rules


def describe_candidates(volunteers, *, mission: Mission, rules: Rules):
    """Attach to each volunteer of a page ``eligibility`` (with the reasons, from the
    prefetched periods), ``eligible``, ``busy`` (placed on overlapping dates) and ``here``
    (already on this mission): one query for the page."""
    live = Placement.objects.filter(
        volunteer__in=[v.pk for v in volunteers],
        status__in=LIVE_STATUSES,
        mission__start_date__lte=mission.end_date,
        mission__end_date__gte=mission.start_date,
    ).values_list("volunteer_id", "mission_id")
    busy, here = set(), set()
    for volunteer_id, mission_id in live:
        busy.add(volunteer_id)
        if mission_id == mission.pk:
            here.add(volunteer_id)
    for v in volunteers:
        periods = [e.period for e in v.experiences.all()]
        v.eligibility = evaluate(v.birth_date, periods, mission.start_date, rules)
        v.eligible = v.eligibility.eligible
        v.busy, v.here = v.pk in busy, v.pk in here
    return volunteers


def inbox(*, user) -> QuerySet[Placement]:
    """Nominations awaiting the decision of an agency the user decides for."""
    qs = placements_visible_to(user).filter(status=Placement.Status.NOMINATED)
    if not access.is_admin(user):
        hosts = [a for a, role in access.roles_of(user).items() if role in access.DECIDE_PLACEMENTS]
        qs = qs.filter(quota__receiving__in=hosts)
    return qs.order_by("nominated_at", "pk")


def follow_ups_due(*, user, today: datetime.date) -> QuerySet[FollowUp]:
    """Follow-ups not recorded yet whose date has come, for the user's agencies."""
    qs = FollowUp.objects.filter(recorded_at__isnull=True, due_date__lte=today).select_related(
        "placement__volunteer", "placement__mission"
    )
    if not access.is_admin(user):
        ids = access.agency_ids_of(user)
        qs = qs.filter(
            Q(placement__quota__sending__in=ids) | Q(placement__quota__receiving__in=ids)
        )
    return qs.order_by("due_date", "pk")


@dataclass(frozen=True)
class NomineeProfile:
    """What the host agency reads of a nominee: no contact details, no exact birth date, no
    notes. ``eligibility`` is computed on the mission's start under the agreement's rules (the
    rules the nomination and the confirmation check)."""

    placement: Placement
    volunteer: Volunteer
    age: int
    languages: list
    themes: list
    timeline: list[TimelineBar]
    eligibility: Eligibility


def nominee_profile(*, placement: Placement) -> NomineeProfile:
    """The reduced profile of a placement's volunteer: four queries (the volunteer with its
    languages, themes and experience periods), whatever the number of rows of each."""
    mission = placement.mission
    volunteer = (
        Volunteer.objects.select_related("sending_agency")
        .prefetch_related(
            "languages",
            "themes",
            Prefetch("experiences", queryset=Experience.objects.order_by("start", "pk")),
        )
        .get(pk=placement.volunteer_id)
    )
    experiences = list(volunteer.experiences.all())
    rules = Rules(**dataclasses.asdict(mission.quota.agreement.eligibility_rules()))
    on = mission.start_date
    eligibility = evaluate(
        volunteer.birth_date,
        [e.period for e in experiences],
        on,
        rules,
        year_only=volunteer.is_anonymised,
    )
    return NomineeProfile(
        placement=placement,
        volunteer=volunteer,
        age=eligibility.age,
        languages=list(volunteer.languages.all()),
        themes=list(volunteer.themes.all()),
        timeline=experience_timeline(experiences, on),
        eligibility=eligibility,
    )


def placements_of_volunteer(volunteer, user) -> QuerySet[Placement]:
    """A volunteer's placements the user may see, latest mission first (their page)."""
    return (
        placements_visible_to(user)
        .filter(volunteer=volunteer)
        .order_by("-mission__start_date", "-pk")
    )
