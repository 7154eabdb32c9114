"""Settings read from the environment.

With nothing set, the platform runs on a SQLite file and kombu's filesystem
broker so the demo needs no server. Set DATABASE_URL and REDIS_URL for
PostgreSQL and Redis (see equalex.settings.production and docker-compose.yml).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from accounts.sso_config import form_action_origins, providers_from_env, socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("EQUALEX_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-demo-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_celery_beat",
    "access",
    "accounts",
    "outcomes",
    "hubs",
    "schools",
    "employers",
    "learners",
    "pupils",
    "programmes",
    "reports",
    "api",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so their process_response runs last and covers every response, redirects and
    # error pages from the middleware below included.
    "csp.middleware.CSPMiddleware",
    "equalex.middleware.PermissionsPolicyMiddleware",
    # ETag on every GET and 304 for a matching If-None-Match (API clients poll).
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The one place a request gets its tenant scope; everything after it is scoped.
    "access.middleware.ActorMiddleware",
    "access.middleware.RequireMfaForPupilAccessMiddleware",
    "pupils.middleware.PupilSessionMiddleware",
]

ROOT_URLCONF = "equalex.urls"
WSGI_APPLICATION = "equalex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "access.context_processors.actor",
                "learners.context_processors.ledger_recount",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded demo keeps its SQLite file here
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'equalex.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a worker process started by a test sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT off. PostgreSQL compiles a query with LLVM once its estimated cost passes
    # jit_above_cost (100,000); on hub-sized tables the school summary's main query passes
    # it (136,000), but it runs in tens of milliseconds, so the compile is never won back,
    # and more schools on the server push more of the web's queries over. Measured with
    # `bench/hub_report.py --jit both` (150 schools, 125,200 pupils, 1.2M participations;
    # on/off alternated, median of 5 each, PostgreSQL 15, a loaded 2-core machine):
    #   school summary page       194-349 ms on, 133-156 ms off
    #     its main query           88-177 ms on,   39-71 ms off (EXPLAIN: JIT 65 ms of
    #                              compile, 58 of it emission, for a 47 ms query)
    #   hub report compute      2296 ms on,  2061-2272 ms off
    #   hub floor SQL           2770-4842 ms on, 2526-3799 ms off (JIT 1.0-1.35 s of
    #                              inlining and optimisation, only partly won back)
    # A 30-school hub (23,600 pupils): compute 1211 ms on, 894 off; floor 1038 on, 700 off.
    # So report workers, which share these settings, are better off without it too. (On a
    # one-school database nothing reaches the threshold: bench/school_progress.py is even.)
    # EQUALEX_DB_JIT=on turns it back on for these connections, e.g. to re-measure.
    # Appended to any libpq options the URL gave, which are kept, as are the other OPTIONS.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _jit = "-c jit=" + ("on" if env_bool("EQUALEX_DB_JIT", False) else "off")
    _options["options"] = f"{_options.get('options', '')} {_jit}".strip()
# Row-level security, the second wall behind the scoping layer (access.rls,
# docs/row-level-security.md): every statement runs as this role, which neither owns the
# tables nor bypasses RLS, with the actor's settings. The login role (DATABASE_URL) owns
# the tables and runs migrations; it must be allowed to SET ROLE to this one (the
# migration creates it when the login role may). Empty turns the wall off (the SQLite demo
# has none).
EQUALEX_DB_APP_ROLE = ""
# A statement with no actor at all sees no pupil rows; only the tests turn this on.
EQUALEX_DB_NO_ACTOR_SEES_ALL = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    EQUALEX_DB_APP_ROLE = os.environ.get("EQUALEX_DB_APP_ROLE", "equalex_app").strip()
    if EQUALEX_DB_APP_ROLE:
        # A server-side cursor's DECLARE cannot carry the statement prefix that sets the
        # actor; Django then reads .iterator() results through a client-side cursor (also
        # what a transaction pooler needs).
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# SQLite (the demo) cannot enforce NULLS NOT DISTINCT, nor add an index's included columns
# (W040: the participation window indexes still work there, without them); PostgreSQL,
# which production and the tests use, does both.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared cache so allauth's login rate limits hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "equalex"),
        }
    }
    # Every signed-in page read its session row first; the shared cache answers that read
    # (the row is still written, so a cache flush signs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# "3 March 2026" wherever a template writes {{ day|date }} (equalex/formats/en_GB).
FORMAT_MODULE_PATH = ["equalex.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email login, no open sign-up (staff arrive by invitation).
ACCOUNT_ADAPTER = "accounts.adapter.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    # Sign-ins per address (allauth's default 30 a minute): a school whose staff all come
    # from one address, or a load test on loopback, may need more.
    "login": os.environ.get("EQUALEX_LOGIN_RATE", "30/m/ip"),
    # Wrong pupil sign-in codes per address (pupils.codes states what this allows): enough
    # for a class behind one school address to mistype, few enough that guessing is
    # hopeless. Behind a proxy, set ALLAUTH_TRUSTED_PROXY_COUNT so the address is the
    # pupil's, not the proxy's (production.py reads EQUALEX_TRUSTED_PROXY_COUNT).
    "pupil_code_failed": os.environ.get("EQUALEX_PUPIL_CODE_RATE", "60/15m/ip"),
}
# Pupils (pupils/): a signed-in pupil is signed out after this long without a page, and
# in any case this long after signing in; a printed code works for this many days.
PUPIL_IDLE_SECONDS = int(os.environ.get("EQUALEX_PUPIL_IDLE_SECONDS", str(15 * 60)))
PUPIL_SESSION_MAX_SECONDS = int(os.environ.get("EQUALEX_PUPIL_SESSION_MAX_SECONDS", str(2 * 3600)))
PUPIL_CODE_VALID_DAYS = (1, 7, 14, 30)
# Single sign-on for staff (accounts.sso_config): Microsoft 365 and Google Workspace, or
# any OpenID Connect provider, listed in EQUALEX_SSO_PROVIDERS; none listed, no buttons.
# A sign-in only ever reaches an existing account (accounts.adapter): no sign-up, no
# matching by an unverified email, no tokens kept.
SSO_PROVIDERS = providers_from_env(os.environ.get("EQUALEX_SSO_PROVIDERS", ""))
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(SSO_PROVIDERS)
SOCIALACCOUNT_ADAPTER = "accounts.adapter.StaffSingleSignOnAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
# The adapter matches by verified email itself: allauth's own email authentication would
# also wipe the password of an account whose address allauth never saw verified.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "equalex"
# Production turns this on: roles that can see named pupils must enrol MFA.
EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = env_bool("EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS", False)
INVITATION_VALID_DAYS = 7
# Where links in emails point (invitations, consent requests, reminders sent by tasks).
SITE_URL = os.environ.get("EQUALEX_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long before an employer's insurance runs out its hub lead and staff are reminded.
VETTING_REMINDER_DAYS = int(os.environ.get("EQUALEX_VETTING_REMINDER_DAYS", "30"))
# Finished runs kept per report (kind and scope) besides formal-date readings and each
# hub's national reading; older ones are pruned nightly (reports.pruning).
REPORT_RUNS_KEPT = int(os.environ.get("EQUALEX_REPORT_RUNS_KEPT", "10"))

# How long personal data is kept: the one place the periods are set. privacy.retention
# applies them nightly (beat: apply-retention) and the privacy page (/privacy/) states
# them, so the page cannot promise one period while the task applies another.
# Parental consent: the parent's name, note and address, counted from the placement's end
# date; the yes/no answer and when it was given stay with the pupil's record.
RETAIN_CONSENT_DETAILS_DAYS = int(os.environ.get("EQUALEX_RETAIN_CONSENT_DETAILS_DAYS", "30"))
# Employers' vetting documents, counted from the insurance expiry or from being replaced.
RETAIN_VETTING_DOCUMENTS_DAYS = int(os.environ.get("EQUALEX_RETAIN_VETTING_DOCUMENTS_DAYS", "365"))
# API tokens, counted from their last use (or creation if never used, or revocation).
RETAIN_UNUSED_TOKEN_DAYS = int(os.environ.get("EQUALEX_RETAIN_UNUSED_TOKEN_DAYS", "365"))
# Invitations, counted from their expiry (or acceptance): the inviter still sees for a
# while that one lapsed, then the invitee's address goes.
RETAIN_INVITATION_DAYS = int(os.environ.get("EQUALEX_RETAIN_INVITATION_DAYS", "30"))
# Audit events (who read or changed pupil data): six years, as school record-keeping
# guidance suggests for such records.
RETAIN_AUDIT_YEARS = int(os.environ.get("EQUALEX_RETAIN_AUDIT_YEARS", "6"))
# Leavers' records, in academic years after leaving, before they are pseudonymised. The
# default of a new hub's own setting (Hub.leavers_kept_academic_years), which is applied.
RETAIN_LEAVERS_ACADEMIC_YEARS = int(os.environ.get("EQUALEX_RETAIN_LEAVERS_ACADEMIC_YEARS", "3"))
# The key of the keyed hash that replaces a pseudonymised leaver's UPN (privacy.leavers):
# the same UPN always gives the same pseudonym, so a re-import is still found as a
# duplicate, but without the key nobody can test a UPN against it. Changing it breaks that
# link for every pupil pseudonymised before, so set it once, apart from SECRET_KEY if
# SECRET_KEY may be rotated.
PSEUDONYM_KEY = os.environ.get("EQUALEX_PSEUDONYM_KEY", "") or SECRET_KEY

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "equalex <no-reply@equalex.localhost>")

# Celery: Redis when REDIS_URL (or CELERY_BROKER_URL) is set, else kombu's filesystem
# transport, which needs no server yet is consumed by a real worker process.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or "")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = CELERY_RESULT_BACKEND or f"file://{BROKER_DIR / 'results'}"
else:
    # Longer than the longest task, so acks_late tasks are not redelivered mid-run.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 4 * 3600))
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
_SYSTEM = {"actor": {"system": "scheduled reports"}}
CELERY_BEAT_SCHEDULE = {
    # Nightly; on 31 Dec, 31 Mar and 31 Jul it also snapshots every school's Compass answers.
    "refresh-hub-dashboards": {
        "task": "reports.tasks.refresh_hub_dashboards",
        "schedule": crontab(hour=1, minute=30),
        "kwargs": _SYSTEM,
    },
    # Each morning: insurance about to expire, and feedback owed on finished opportunities.
    "employer-reminders": {
        "task": "employers.tasks.send_employer_reminders",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"actor": {"system": "employer reminders"}},
    },
    # After the nightly refresh; it keeps anything finished within the last day anyway.
    "prune-report-runs": {
        "task": "reports.tasks.prune_report_runs",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": _SYSTEM,
    },
    # The progress ledger (learners.ledger): experiences starting today begin to count...
    "roll-ledger-forward": {
        "task": "learners.tasks.roll_ledger_forward",
        "schedule": crontab(hour=0, minute=5),
        "kwargs": {"actor": {"system": "progress ledger"}},
    },
    # ...and sampled schools are recounted from raw, any drift repaired and recorded.
    "reconcile-ledger": {
        "task": "learners.tasks.reconcile_ledger",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"actor": {"system": "progress ledger"}},
    },
    # Personal data past its retention period is deleted (privacy.retention).
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=0),
        "kwargs": {"actor": {"system": "retention"}},
    },
    "requeue-stuck-reports": {
        "task": "reports.tasks.requeue_stuck_reports",
        "schedule": crontab(minute="*/15"),
        "kwargs": _SYSTEM,
    },
    # Subject access exports whose message was lost (privacy.sar), as for reports.
    "requeue-stuck-exports": {
        "task": "privacy.tasks.requeue_stuck_exports",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"actor": {"system": "subject access exports"}},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated request is told to send a bearer token (401).
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ActorCan"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.SyncCursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "api.errors.ApiExceptionHandler",
    "ERROR_SCHEMAS": {"400": "api.errors.BadRequestResponseSerializer"},
}
# Requests per token (or signed-in person) per period: DRF's "number/period".
EQUALEX_API_RATE = os.environ.get("EQUALEX_API_RATE", "5000/hour")
_ERROR_ENUMS = ["ValidationErrorEnum", "ClientErrorEnum", "ServerErrorEnum"] + [
    f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)
]
SPECTACULAR_SETTINGS = {
    "TITLE": "equalex API",
    "DESCRIPTION": "Pupils, experiences, ten-day progress, organisations and reports for "
    "Careers Hubs, their schools and employers. Every request acts as one person in one "
    "organisation and sees only what they may.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "DEFAULT_GENERATOR_CLASS": "api.schema.ScopedSchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    # No badge from validator.swagger.io: it would send the schema's address to a third
    # party, and the CSP refuses its image anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices" for name in _ERROR_ENUMS
    }
    | {
        "ExperienceKindEnum": "learners.models.Experience.Kind",
        "ReportKindEnum": "reports.models.ReportRun.Kind",
        "ReportStatusEnum": "reports.models.ReportRun.Status",
        "OpportunityStatusEnum": "employers.models.Opportunity.Status",
        "NominationStatusEnum": "employers.models.Nomination.Status",
        "YearGroupEnum": "api.serializers.YEAR_GROUP_CHOICES",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "strict-origin-when-cross-origin": our URLs carry pupil ids and parents'
# consent tokens (/consent/<token>/), and no other site needs even our origin.
SECURE_REFERRER_POLICY = "same-origin"
# django-csp. No 'unsafe-inline' anywhere: every script and style is a file under static/
# (tests/test_security_headers.py fails on an inline script, handler or style in templates/).
# SVG charts use presentation attributes (fill=), which CSP allows. htmx's own indicator
# <style> is switched off by <meta name="htmx-config"> in base.html; its CSS is in equalex.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for allauth's TOTP QR code
        "object-src": [NONE],
        "base-uri": [SELF],
        # The sign-in form's redirect to a single sign-on provider counts as its action.
        "form-action": [SELF, *form_action_origins(SSO_PROVIDERS)],
        "frame-ancestors": [NONE],  # as X_FRAME_OPTIONS = "DENY", for current browsers
    }
}
# Powerful browser features the platform never uses, refused for it and anything it embeds
# (equalex.middleware). browsing-topics is the Topics API, FLoC's (interest-cohort) successor.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
