from django.contrib.sessions.models import Session
from django.urls import reverse

from core.models import UserPreference
from dashboard.models import AlertAcknowledgement
from devtools.demo_checklists import CHECKLIST_MISSION
from missions.models import ChecklistItem

from . import Row, everyone


def sessions():
    return Session.objects.count()


def late_ticket():
    """An alert of ANVT (owner), not acknowledged: the late ticket of the demo's checklist."""
    item = ChecklistItem.objects.get(placement__mission__title=CHECKLIST_MISSION, kind="ticket")
    return {"kind": "checklist_late", "key": str(item.pk), "next": "/"}


def acknowledgements():
    return sorted(AlertAcknowledgement.objects.values_list("agency__acronym", "kind", "key"))


def language_preferences():
    """The language is kept in a cookie, and on the account of a logged-in user."""
    return sorted(UserPreference.objects.values_list("user__username", "language"))


ROWS = [
    Row("home", lambda: reverse("home"), everyone(200)),
    # The home page's panels loaded after it: the acting agency's alerts (an administrator
    # acting for none has none), its chart or, for that administrator, the network.
    Row("alerts", lambda: reverse("alerts"), everyone(200, admin=404)),
    Row("home_exchanges", lambda: reverse("home_exchanges"), everyone(200)),
    # An alert is acknowledged for the acting agency by its managers, officers and evaluators;
    # partners read; other agencies have no such alert (refused with a message); an
    # administrator acting for no agency has no alerts.
    Row(
        "alert_acknowledge",
        lambda: reverse("alert_acknowledge"),
        everyone(302, partner=403, admin=404),
        method="post",
        data=late_ticket,
        effect=acknowledgements,
        performed_by=("manager", "officer", "evaluator"),
    ),
    Row("healthz", lambda: reverse("healthz"), everyone(200, anonymous=200)),
    Row("bench_bare", lambda: reverse("bench_bare"), everyone(200, anonymous=200)),
    Row("login", lambda: reverse("login"), everyone(200, anonymous=200)),
    # Logging out deletes the session (each logged-in persona has one).
    Row(
        "logout",
        lambda: reverse("logout"),
        everyone(302, anonymous=302),
        method="post",
        effect=sessions,
    ),
    Row("password_change", lambda: reverse("password_change"), everyone(200)),
    Row("password_change_done", lambda: reverse("password_change_done"), everyone(200)),
    Row("password_reset", lambda: reverse("password_reset"), everyone(200, anonymous=200)),
    Row(
        "password_reset_done", lambda: reverse("password_reset_done"), everyone(200, anonymous=200)
    ),
    Row(
        "password_reset_confirm",
        lambda: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        everyone(200, anonymous=200),
    ),
    Row(
        "password_reset_complete",
        lambda: reverse("password_reset_complete"),
        everyone(200, anonymous=200),
    ),
    Row(
        "set_language",
        lambda: reverse("set_language"),
        everyone(302, anonymous=302),
        method="post",
        data={"language": "en", "next": "/"},
        effect=language_preferences,
    ),
    # The admin site is Django's: only staff get in; its own permissions govern the rest.
    Row("admin:index", lambda: reverse("admin:index"), everyone(302, admin=200)),
    # The areas still to come (their own issues replace these rows).
]
