from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_GET, require_http_methods

from core import views as core_views


def form_view(view_class, **initkwargs):
    # Django's form views treat PUT as POST; the platform only speaks GET and POST.
    return require_http_methods(["GET", "POST"])(view_class.as_view(**initkwargs))


handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("core.urls")),
    path("agencies/", include("agencies.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("agreements/", include("exchanges.urls")),
    path("missions/", include("missions.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("reports/", include("reports.urls")),
    path("", include("voice.urls")),
    path("programmes/", include("programmes.urls")),
    path("api/", include("api.urls")),
    path("accounts/login/", form_view(auth_views.LoginView), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        form_view(auth_views.PasswordChangeView),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        require_GET(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        # Signed with the platform's name, not with the request's host and port.
        form_view(core_views.PasswordResetView),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        require_GET(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        form_view(auth_views.PasswordResetConfirmView),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        require_GET(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # The language switcher is on the login page too.
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

if "devtools" in settings.INSTALLED_APPS:
    urlpatterns.append(path("", include("devtools.urls")))
