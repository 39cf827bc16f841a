"""One settings module, driven by the environment (django-environ).

Without any variable the platform runs on SQLite under ``var/`` with Celery tasks executed
in-process, so that ``make run`` works on a bare machine. ``DATABASE_URL`` and
``CELERY_BROKER_URL`` switch to PostgreSQL and Redis. With ``DEBUG`` off nothing unsafe has a
default: a missing ``SECRET_KEY`` or ``ALLOWED_HOSTS`` stops the start.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret(name, default=None):
    """Read ``NAME`` or the file named by ``NAME_FILE`` (Docker/Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


def _strict_bool(name, default):
    """A boolean that must be spelled as one: a typo must not silently mean False."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


DEBUG = _strict_bool("DEBUG", True)

SECRET_KEY = _secret("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the platform refuses to start without it "
            "(set SECRET_KEY or SECRET_KEY_FILE)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105
# Signed cookies, password reset links and sessions are only as strong as the key: a short one
# (a word, a default left in place) can be guessed offline from a single signed value.
SECRET_KEY_MIN_LENGTH = 50
if not DEBUG and len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"SECRET_KEY is too short ({len(SECRET_KEY)} characters): with DEBUG off it must have at "
        f"least {SECRET_KEY_MIN_LENGTH} random characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if not DEBUG else ["127.0.0.1", "localhost"])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. With DEBUG off it is required.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The platform's address, for links in e-mails sent outside a request (tasks, admin, scripts).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The platform's name in page titles and e-mails (the password reset is signed with it, not
# with the host and port).
SITE_NAME = env.str("SITE_NAME", default="Reciprocity")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_countries",
    "django_htmx",
    "simple_history",
    "axes",
    "core",
    "agencies",
    "volunteers",
    "exchanges",
    "missions",
    "voice",
    "evaluations",
    "programmes",
    "reports",
    "dashboard",
    "rest_framework",
    "drf_spectacular",
    "api",
]
# Demo data, data generator and benchmark: development, tests and the benchmark only.
DEVTOOLS = _strict_bool("DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed for slow links (a 39 KB list page becomes about 6 KB). BREACH: Django's
    # GZipMiddleware pads each response with random bytes (since 4.2) and the CSRF token is
    # masked afresh on every response (Django's default); no secret is reflected beside user
    # input (README, "Security").
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "agencies.middleware.ActingAgencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.acting_agency",
                "core.context_processors.site",
            ],
        },
    },
]
# Django's form renderer, with plain inputs and text areas written in Python (same markup).
FORM_RENDERER = "core.widgets.QuickRenderer"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests (the dev server is threaded) wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the planner's costs of the pages' queries over millions of rows pass
    # its threshold, and compiling then took longer than running (home page: 137 of 287 ms).
    # random_page_cost 1.1 instead of 4 (the default, for spinning disks): the working set is
    # in memory or on SSD, and at 4 the planner hashed whole count tables (343,000 rows) where
    # an index lookup per quota reads a few thousand (home page chart 80 -> 27 ms, network
    # panel 85 -> 32 ms on the benchmark data; docs/performance.md). PG_RANDOM_PAGE_COST
    # overrides it, e.g. for a database on spinning disks.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    page_cost = env.float("PG_RANDOM_PAGE_COST", default=1.1)
    options["options"] = (
        f"{options.get('options', '')} -c jit=off -c random_page_cost={page_cost}".strip()
    )
    # PG_PREPARE_THRESHOLD=N: parameters bound by the server, and a statement run N times on a
    # connection prepared, so that PostgreSQL plans it once per connection (Django's default,
    # 0, prepares nothing). Off by default: it saved planning on the joins of the home page
    # and the mission list (52 -> 41 ms, the mission list's SQL 22 -> 15 ms), but once a search
    # statement had been run with five other terms, PostgreSQL's generic plan made the e-mail
    # domain search take 414 ms instead of 25 (docs/performance.md).
    prepare = env.int("PG_PREPARE_THRESHOLD", default=0)
    if prepare:
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", prepare)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# The partner API (api/): tokens or sessions, problem details, a rate limit per token.
API_RATE = env.str("API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.http.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.http.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    "DEFAULT_PAGINATION_CLASS": "api.http.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reciprocity API",
    "DESCRIPTION": (
        "The partner API of Reciprocity: agencies' own systems read and exchange agreements, "
        "quotas, nominations and reports under the platform's access rules. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are created by an agency's managers at "
        "/api/tokens/). Errors are RFC 9457 problem details in the language of "
        "`Accept-Language`; lists are paged by an opaque `cursor`; writes need an "
        "`Idempotency-Key`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "exchanges.models.AgreementStatus",
        "PlacementStatusEnum": "missions.models.PlacementStatus",
        "MissionStatusEnum": "missions.models.MissionStatus",
        "VolunteerStatusEnum": "volunteers.models.VolunteerStatus",
        "EvaluationStatusEnum": "evaluations.models.Evaluation.Status",
        "ReportStatusEnum": "reports.models.Report.Status",
    },
}
# Sessions are read from the cache (one query less on every page) and written through to the
# database, so a cache restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the user's memberships with the user (one query).
    "agencies.auth.MembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account+address pair after repeated failures, for a while; and pause an
# account that fails too often from any address, briefly, except for the addresses it logged in
# from before (core/login_throttle.py; README, "Security").
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "core.login_throttle.LoginThrottleHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the failures per account, from every address
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts do not prolong a pause
# The client's address behind TRUSTED_PROXY_COUNT proxies that each append to X-Forwarded-For
# (0: no proxy, the header is ignored). Only the proxies' own entries are believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.login_throttle.client_ip"
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_ACCOUNT_WINDOW_MINUTES = env.int("LOGIN_ACCOUNT_WINDOW_MINUTES", default=5)
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = _strict_bool("AXES_ENABLED", True)

# Reports a user may request per minute (each one is a render on the worker).
REPORT_REQUESTS_PER_MINUTE = env.int("REPORT_REQUESTS_PER_MINUTE", default=10)

# Days a departure may precede a mission's start, and a return follow its end (travel, visas);
# a return more than this before the end is early and needs a reason (missions/placement_dates.py).
PLACEMENT_DATE_TOLERANCE_DAYS = env.int("PLACEMENT_DATE_TOLERANCE_DAYS", default=30)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Generated and uploaded files are private: they are never served by URL, only through views
# that check the access rules (see DESIGN.md), hence no MEDIA_URL route in config/urls.py.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# Seconds an SMTP connection may wait on the server: a hung server cannot hold a worker (or, with
# tasks in-process, a page) longer than this. E-mails go through the outbox (core.outbox).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Reciprocity <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # the site's layout, in the request's language
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Content-Security-Policy (django-csp 4): everything from the platform itself, nothing inline —
# no inline script, event handler or style attribute in any template (scripts and styles are
# static files; htmx is configured by a meta tag and injects no style). Charts are inline SVG
# with presentation attributes, which CSP does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws its icons (toggler, close) as data: SVG
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them on their keys alone.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Celery ---------------------------------------------------------------------------------
# No broker configured: tasks run in-process (eager). With a broker, a dead or hung broker must
# make publishing fail within about two seconds instead of blocking the request: short socket
# timeouts and a publish retry policy of one quick attempt. No result backend: pages poll
# database rows, never Celery results (DESIGN.md), which also avoids the backend's own retries.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "max_retries": 0,
    "retry_on_timeout": False,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
# acks_late + reject_on_worker_lost: a task is acknowledged once it has run, and a prefork child
# killed mid-task sends its message back to the queue. A worker killed whole (SIGKILL, OOM, a
# deploy) acknowledges nothing: Redis redelivers its message only after the visibility timeout
# (an hour). Meanwhile the job's lease (core/jobs.py) lets the sweep take the job back; any late
# delivery finds it claimed or done and does nothing (README, "Scheduled jobs").
# A running job (report, export) holds a lease of JOB_LEASE_SECONDS, longer than the slowest
# render (an export renews it as it writes). Once it has expired, the sweep puts the job back
# in the queue, at most JOB_MAX_ATTEMPTS attempts in all, then marks it failed (retry button).
# The public endpoints of the volunteers' questionnaires and certificates (voice/throttle.py):
# past this many misses (unknown or expired link or code) from one address within the window
# (seconds), that address is answered 429 until the window ends.
PUBLIC_MISSES_LIMIT = env.int("PUBLIC_MISSES_LIMIT", default=20)
PUBLIC_MISSES_WINDOW = env.int("PUBLIC_MISSES_WINDOW", default=3600)
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=600)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# Documented in the README ("Scheduled jobs").
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 60.0},
    # Reports left queued while the broker was down are enqueued again (claimed once).
    "sweep-reports": {"task": "reports.tasks.sweep_reports", "schedule": 300.0},
    # Likewise the exports of the volunteer list.
    "sweep-volunteer-exports": {
        "task": "volunteers.tasks.sweep_volunteer_exports",
        "schedule": 300.0,
    },
    # E-mails left unsent (broker down when recorded, sender killed): enqueued again, sent once.
    "sweep-emails": {"task": "core.tasks.sweep_emails", "schedule": 300.0},
    # On the first day of each month: quota reports of each agency and of each agreement.
    # On the first day of each quarter: each running programme's progress report (issue 19).
    "quarterly-programme-reports": {
        "task": "programmes.tasks.quarterly_programme_reports",
        "schedule": crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "monthly-quota-reports": {
        "task": "exchanges.tasks.monthly_quota_reports",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    # Every Monday morning: each recipient's digest of the week's alerts (sent once a week).
    # Every morning: end-of-mission questionnaires and their reminders (14 and 28 days), and
    # the reminders of the insertion follow-ups that fall due; each e-mail recorded once.
    "daily-questionnaires": {
        "task": "voice.tasks.daily_questionnaires",
        "schedule": crontab(minute=0, hour=7),
    },
    "weekly-alert-digests": {
        "task": "dashboard.tasks.weekly_alert_digests",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
}

# The format of the monthly quota reports (one per agreement in force and per agency): CSV, or
# "pdf" (about two pages a second of worker time each).
QUOTA_REPORTS_MONTHLY_FORMAT = env.str("QUOTA_REPORTS_MONTHLY_FORMAT", default="csv")

REDIS_URL = env.str("REDIS_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Demo data (manage.py load_demo): never in production.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="reciprocity")

# Applications posted to a programme's public call form per client address and hour (issue 19):
# past it, the form answers 429.
PROGRAMME_APPLY_LIMIT_PER_HOUR = env.int("PROGRAMME_APPLY_LIMIT_PER_HOUR", default=20)
# Checks added to a nomination by apps above missions (missions/nomination_checks.py): a
# mission counted for a programme's laureate takes only volunteers eligible under its scheme.
NOMINATION_CHECKS = ["programmes.services.check_scheme"]
# What a volunteer's withdrawal checks first (volunteers.services.withdrawal_checks).
VOLUNTEER_WITHDRAWAL_CHECKS = ["missions.services.check_withdrawal"]
# What apps above ``volunteers`` show on a volunteer's page (volunteers.views.detail): dotted
# paths of functions taking (volunteer, user) and returning HTML.
VOLUNTEER_PAGE_PANELS = ["missions.views.volunteer_placements_panel"]
