from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path

from . import docs, token_views, views
from . import volunteer_views as vv

app_name = "api"

v1 = "v1/"
urlpatterns = [
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path(
        f"{v1}schema/",
        login_not_required(docs.EnglishSchemaView.as_view(api_version="v1")),
        name="schema",
    ),
    path(
        f"{v1}docs/",
        docs.reference,
        name="docs",
    ),
    path(f"{v1}agencies/", views.AgencyList.as_view(), name="agency_list"),
    path(f"{v1}agencies/<int:pk>/", views.AgencyDetail.as_view(), name="agency_detail"),
    path(f"{v1}volunteers/", vv.VolunteerList.as_view(), name="volunteer_list"),
    path(f"{v1}volunteers/<int:pk>/", vv.VolunteerDetail.as_view(), name="volunteer_detail"),
    path(
        f"{v1}volunteers/<int:pk>/eligibility/",
        vv.VolunteerEligibility.as_view(),
        name="volunteer_eligibility",
    ),
    path(f"{v1}agreements/", views.AgreementList.as_view(), name="agreement_list"),
    path(f"{v1}agreements/<int:pk>/", views.AgreementDetail.as_view(), name="agreement_detail"),
    path(f"{v1}agreements/<int:pk>/versions/", views.VersionList.as_view(), name="version_list"),
    path(
        f"{v1}agreements/<int:pk>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="version_detail",
    ),
    path(
        f"{v1}agreements/<int:pk>/approvals/",
        views.AgreementApprove.as_view(),
        name="agreement_approve",
    ),
    path(f"{v1}quotas/", views.QuotaList.as_view(), name="quota_list"),
    path(f"{v1}missions/", views.MissionList.as_view(), name="mission_list"),
    path(f"{v1}missions/<int:pk>/", views.MissionDetail.as_view(), name="mission_detail"),
    path(f"{v1}placements/", views.PlacementList.as_view(), name="placement_list"),
    path(f"{v1}placements/<int:pk>/", views.PlacementDetail.as_view(), name="placement_detail"),
    *[
        path(
            f"{v1}placements/<int:pk>/{action}/",
            views.PlacementDecision.as_view(action_name=action),
            name=f"placement_{action}",
        )
        for action in views.DECISIONS
    ],
    path(
        f"{v1}placements/<int:pk>/departure/",
        views.PlacementDeparture.as_view(),
        name="placement_departure",
    ),
    path(
        f"{v1}placements/<int:pk>/return/", views.PlacementReturn.as_view(), name="placement_return"
    ),
    path(f"{v1}evaluations/", views.EvaluationList.as_view(), name="evaluation_list"),
    path(f"{v1}evaluations/<int:pk>/", views.EvaluationDetail.as_view(), name="evaluation_detail"),
    path(f"{v1}reports/", views.ReportList.as_view(), name="report_list"),
    path(f"{v1}reports/<int:pk>/", views.ReportDetail.as_view(), name="report_detail"),
    path(f"{v1}reports/<int:pk>/download/", views.ReportDownload.as_view(), name="report_download"),
    # Any other path under the API: a problem, not the HTML page of the site.
    re_path(r"^v1/", views.NotFound.as_view(), name="not_found"),
]
