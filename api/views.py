"""The API's resources other than volunteers: agencies, agreements with their versions and
approvals, quotas, missions, placements, evaluations, reports. Each reads through the
visibility selector of its app and asks the access rules of ``agencies/rules.py``; each write
calls the service the pages call."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from agencies import rules as access
from agencies.models import Agency
from core.files import download_name
from evaluations.models import Evaluation
from evaluations.selectors import evaluations_visible_to
from exchanges.forms import QuotaReportForm
from exchanges.models import Agreement, Quota
from exchanges.quota_report import quota_report_request, quota_report_scope
from exchanges.selectors import agreement_versions, agreements_visible_to, quota_places
from exchanges.services import agreement_approve
from missions import services as placements
from missions.selectors import missions_visible_to, placements_visible_to
from reports.models import Report
from reports.selectors import reports_visible_to
from volunteers.models import Volunteer

from . import serializers as s
from .base import ApiView, audit, choice_param, require, visible_or_404
from .problems import problem
from .rows import rows_of, shape
from .volunteer_views import IDEMPOTENCY
from .writes import conditional, idempotent


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise exceptions.ValidationError({name: [_("Enter a whole number.")]})
    return int(value)


class ListView(ListModelMixin, ApiView):
    """A paged list (keyset cursor)."""

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class RowsListView(ListModelMixin, ApiView):
    """A paged list read as ``values()`` rows shaped by the serializer (api/rows.py)."""

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(rows_of(self.get_queryset(), self.serializer_class))
        return self.get_paginated_response(shape(page, self.serializer_class))


class DetailView(ApiView):
    """One object of the visible queryset, with its ETag."""

    def get(self, request, pk: int):
        return conditional(
            request, self.get_serializer(visible_or_404(self.get_queryset(), pk)).data
        )


@extend_schema(exclude=True)
class NotFound(ApiView):
    """Any other path under the API (an id that is not a number...): a 404 problem for the
    methods the API speaks; others are 405 as everywhere."""

    def get(self, request):
        raise Http404

    post = patch = get


# --- Agencies (the public directory) -------------------------------------------------------


@extend_schema(summary="The directory of active agencies")
class AgencyList(ListView):
    serializer_class = s.AgencySerializer

    def get_queryset(self):
        return Agency.objects.filter(is_active=True)


@extend_schema(summary="An agency of the directory")
class AgencyDetail(DetailView):
    serializer_class = s.AgencySerializer

    def get_queryset(self):
        return Agency.objects.filter(is_active=True)


# --- Agreements, versions, approvals -------------------------------------------------------


def _agreements(request):
    return agreements_visible_to(request.user).select_related(
        "current_version", "last_approved_version"
    )


@extend_schema(
    summary="The agreements the token's agency is party to",
    parameters=[
        OpenApiParameter(
            "status", str, enum=Agreement.Status.values, description="Only this stored status."
        )
    ],
)
class AgreementList(RowsListView):
    serializer_class = s.AgreementSerializer

    def get_queryset(self):
        qs = _agreements(self.request)
        wanted = choice_param(self.request, "status", Agreement.Status)
        return qs.filter(status=wanted) if wanted else qs


@extend_schema(summary="An agreement")
class AgreementDetail(DetailView):
    serializer_class = s.AgreementSerializer

    def get_queryset(self):
        return _agreements(self.request)


@extend_schema(summary="Every version of an agreement, with its SHA-256 and approvals")
class VersionList(ListModelMixin, ApiView):
    serializer_class = s.VersionSerializer
    pagination_class = None

    def get(self, request, pk: int):
        agreement = visible_or_404(_agreements(request), pk)
        versions = agreement_versions(agreement=agreement).prefetch_related("approvals")
        return Response(self.get_serializer(versions, many=True).data)


@extend_schema(summary="One version: its canonical JSON text and SHA-256")
class VersionDetail(ApiView):
    serializer_class = s.VersionDetailSerializer

    def get(self, request, pk: int, number: int):
        agreement = visible_or_404(_agreements(request), pk)
        versions = agreement_versions(agreement=agreement).prefetch_related("approvals")
        version = versions.filter(number=number).first()
        if version is None:
            raise Http404
        return conditional(request, self.get_serializer(version).data)


class AgreementApprove(ApiView):
    serializer_class = s.ApproveSerializer

    @extend_schema(
        summary="Approve the current version for a party, naming its SHA-256",
        description="As in Erasmus Without Paper: the approval names the hash of the version "
        "read. A hash that is not the current version's is refused with 409.",
        parameters=[IDEMPOTENCY],
        responses={201: s.ApprovalSerializer, 409: OpenApiResponse(description="Stale hash")},
    )
    @idempotent
    def post(self, request, pk: int):
        agreement = visible_or_404(_agreements(request), pk)
        require(request, "vir.approve_agreement", agreement)
        body = s.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agency_id = body.validated_data["agency"]
        if agency_id not in agreement.party_ids:
            raise exceptions.ValidationError({"agency": [_("Not a party to this agreement.")]})
        version = agreement.current_version
        if version is None or version.sha256 != body.validated_data["sha256"]:
            return problem(
                status.HTTP_409_CONFLICT,
                _(
                    "This hash is not the current version's: read the current version "
                    "and approve it."
                ),
            )
        approval = agreement_approve(
            agreement=agreement,
            version_number=version.number,
            agency=Agency.objects.get(pk=agency_id),
            user=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return Response(s.ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


# --- Quotas, missions, placements ----------------------------------------------------------


@extend_schema(
    summary="Quotas with their places left",
    parameters=[OpenApiParameter("agreement", int, description="Only this agreement's.")],
)
class QuotaList(ListView):
    serializer_class = s.QuotaSerializer

    def get_queryset(self):
        quotas = Quota.objects.filter(agreement__in=agreements_visible_to(self.request.user))
        agreement = _int_param(self.request, "agreement")
        if agreement is not None:
            quotas = quotas.filter(agreement=agreement)
        return quota_places(quotas=quotas)


@extend_schema(summary="Missions hosted by or sent to the token's agency")
class MissionList(RowsListView):
    serializer_class = s.MissionSerializer

    def get_queryset(self):
        return missions_visible_to(self.request.user)


@extend_schema(summary="A mission")
class MissionDetail(DetailView):
    serializer_class = s.MissionSerializer

    def get_queryset(self):
        return missions_visible_to(self.request.user)


class PlacementList(ListModelMixin, ApiView):
    serializer_class = s.PlacementSerializer

    def get_queryset(self):
        qs = placements_visible_to(self.request.user)
        mission = _int_param(self.request, "mission")
        return qs.filter(mission=mission) if mission is not None else qs

    @extend_schema(
        summary="Placements of the missions the token's agency sends to or hosts",
        parameters=[OpenApiParameter("mission", int, description="Only this mission's.")],
    )
    def get(self, request):
        page = self.paginate_queryset(rows_of(self.get_queryset(), self.serializer_class))
        return self.get_paginated_response(shape(page, self.serializer_class))

    @extend_schema(
        summary="Nominate a volunteer of the sending agency to a mission",
        request=s.NominateSerializer,
        responses={201: s.PlacementSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request):
        body = s.NominateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mission = visible_or_404(missions_visible_to(request.user), body.validated_data["mission"])
        require(request, "vir.nominate_mission", mission)
        volunteer = Volunteer.objects.filter(
            sending_agency=mission.quota.sending_id, pk=body.validated_data["volunteer"]
        ).first()
        if volunteer is None:
            raise exceptions.ValidationError(
                {"volunteer": [_("Choose a volunteer of the sending agency.")]}
            )
        placement = placements.placement_nominate(
            mission=mission,
            volunteer=volunteer,
            user=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return Response(s.PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="A placement")
class PlacementDetail(DetailView):
    serializer_class = s.PlacementSerializer

    def get_queryset(self):
        return placements_visible_to(self.request.user)


# action: (permission, service, the body field it passes)
DECISIONS = {
    "confirm": ("vir.decide_placement", placements.placement_confirm, "note"),
    "decline": ("vir.decide_placement", placements.placement_decline, "reason"),
    "cancel": ("vir.cancel_placement", placements.placement_cancel, "reason"),
}


class PlacementDecision(ApiView):
    serializer_class = s.DecisionSerializer
    action_name = ""

    @extend_schema(
        summary="Accept (confirm), decline or cancel a placement",
        request=s.DecisionSerializer,
        responses={200: s.PlacementSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request, pk: int):
        permission, service, field = DECISIONS[self.action_name]
        placement = visible_or_404(placements_visible_to(request.user), pk)
        require(request, permission, placement)
        body = s.DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs = {field: body.validated_data[field]}
        if self.action_name != "cancel":
            kwargs["base_url"] = request.build_absolute_uri("/").rstrip("/")
        placement = service(placement=placement, user=request.user, **kwargs)
        return Response(s.PlacementSerializer(placement).data)


class PlacementStep(ApiView):
    """A step recorded on a placement (its departure, its return) through the mission page's
    service: the body is the serializer's, passed to the service as keyword arguments."""

    serializer_class = None
    service = None

    @idempotent
    def post(self, request, pk: int):
        placement = visible_or_404(placements_visible_to(request.user), pk)
        require(request, "vir.record_placement", placement)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = type(self).service
        placement = service(placement=placement, user=request.user, **body.validated_data)
        return Response(s.PlacementSerializer(placement).data)


def _step_schema(serializer, summary: str, description: str):
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            description=description,
            request=serializer,
            responses={200: s.PlacementSerializer},
            parameters=[IDEMPOTENCY],
        )
    )


@_step_schema(
    s.DepartureSerializer,
    "Record a confirmed placement's departure",
    "Through the service of the mission page: the date's window, the pre-departure checklist "
    "(a manager may depart with required items open by giving `override_reason`). A refusal "
    "is a 409 problem with the page's message.",
)
class PlacementDeparture(PlacementStep):
    serializer_class = s.DepartureSerializer
    service = staticmethod(placements.placement_deploy)


@_step_schema(
    s.ReturnSerializer,
    "Record a placement's return",
    "Through the service of the mission page: a return before the end of the mission's "
    "tolerance needs `early_return_reason`. A refusal is a 409 problem with the page's message.",
)
class PlacementReturn(PlacementStep):
    serializer_class = s.ReturnSerializer
    service = staticmethod(placements.placement_complete)


# --- Evaluations and reports ---------------------------------------------------------------


def _published(request):
    return evaluations_visible_to(request.user).filter(status=Evaluation.Status.PUBLISHED)


@extend_schema(summary="Published evaluations of the token's agency's agreements")
class EvaluationList(RowsListView):
    serializer_class = s.EvaluationSerializer

    def get_queryset(self):
        return _published(self.request)


@extend_schema(summary="A published evaluation")
class EvaluationDetail(DetailView):
    serializer_class = s.EvaluationSerializer

    def get_queryset(self):
        return _published(self.request)


class ReportList(ListModelMixin, ApiView):
    serializer_class = s.ReportSerializer

    def get_queryset(self):
        return reports_visible_to(self.request.user)

    @extend_schema(summary="Reports of the token's agency and of its agreements")
    def get(self, request):
        page = self.paginate_queryset(rows_of(self.get_queryset(), self.serializer_class))
        return self.get_paginated_response(shape(page, self.serializer_class))

    @extend_schema(
        summary="Request a quota report (rendered in the background)",
        description="The form, the scope rules and the per-user rate limit of the reports "
        "page. Follow `Location` (or the report's `status`) until it is `done`, then download.",
        request=s.ReportRequestSerializer,
        responses={201: s.ReportSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request):
        body = s.ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data
        mine = access.agency_ids_of(request.user)
        acting = wanted.get("agency")
        if acting is None and len(mine) == 1:
            acting = next(iter(mine))
        if acting is not None and acting not in mine:
            raise exceptions.ValidationError({"agency": [_("Choose one of your agencies.")]})
        form = QuotaReportForm(
            {
                "scope": wanted["scope"],
                "file_format": wanted["format"],
                "language": wanted.get("language") or get_language(),
                **{
                    field: "" if wanted.get(field) is None else wanted[field]
                    for field in ("agreement", "first_year", "last_year", "threshold", "delimiter")
                },
            }
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    {"file_format": "format", "__all__": "non_field_errors"}.get(k, k): v
                    for k, v in form.errors.items()
                }
            )
        data = form.cleaned_data
        agreement, agency = quota_report_scope(
            user=request.user,
            scope=data["scope"],
            agreement_id=data["agreement"],
            acting_agency=Agency.objects.get(pk=acting) if acting is not None else None,
        )
        report = quota_report_request(
            user=request.user,
            agreement=agreement,
            agency=agency,
            file_format=data["file_format"],
            language=data["language"],
            first_year=data["first_year"],
            last_year=data["last_year"],
            threshold=data["threshold"],
            delimiter=data["delimiter"],
        )
        return Response(
            s.ReportSerializer(report).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{report.pk}/"},
        )


@extend_schema(summary="A report and its status")
class ReportDetail(DetailView):
    serializer_class = s.ReportSerializer

    def get_queryset(self):
        return reports_visible_to(self.request.user)


class ReportDownload(ApiView):
    @extend_schema(
        summary="Download a finished report (recorded in the agency's download log)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        report = visible_or_404(reports_visible_to(request.user), pk)
        if report.status != Report.Status.DONE or not report.file:
            raise Http404
        try:
            handle = report.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        agreement = report.agreement
        parties = (agreement.party_a_id, agreement.party_b_id) if agreement else ()
        audit(
            request,
            kind=report.download_kind,
            object_id=report.pk,
            concerns=(report.agency_id, *parties),
        )
        content_type = "application/pdf" if report.format == Report.Format.PDF else "text/csv"
        return FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(report.filename),
            content_type=content_type,
        )
