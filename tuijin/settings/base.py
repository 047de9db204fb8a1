"""Tuijin settings: one file, driven by `TUIJIN_*` / `DATABASE_URL` environment variables (see `.env.example`).

There are no production-only code paths: a deployment differs from `make run` only by its environment.
"""

import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the `tuijin` package
REPO_DIR = BASE_DIR.parent
VAR_DIR = env_path("TUIJIN_VAR_DIR", REPO_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once into var/ (never committed)."""
    key = env_str("TUIJIN_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("TUIJIN_DEBUG", False)
ALLOWED_HOSTS = env_list("TUIJIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("TUIJIN_CSRF_TRUSTED_ORIGINS", [])

# Client address: REMOTE_ADDR unless it is one of these proxies, in which case the right-most
# X-Forwarded-For entry that is not itself a trusted proxy (see tuijin.core.net.client_ip).
TUIJIN_TRUSTED_PROXIES = env_list("TUIJIN_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "tuijin.core",
    "tuijin.org",
    "tuijin.users",
    "tuijin.workdays",
    "tuijin.projects",
    "tuijin.progress",
    "tuijin.notifications",
    "tuijin.tickets",
    "tuijin.facts",
    "tuijin.dispatch",
    "tuijin.investment",
    "tuijin.funds",
    "tuijin.supervision",
    "tuijin.chains",
    "tuijin.benchmarks",
    "tuijin.opendata",
    "tuijin.assessment",
    "tuijin.admin_site.TuijinAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "tuijin.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tuijin.core.bounds.RequestSizeMiddleware",
    "tuijin.core.middleware.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tuijin.core.middleware.DenialAuditMiddleware",
    "tuijin.users.middleware.SessionPolicyMiddleware",
    "tuijin.users.middleware.TwoFactorMiddleware",
    "tuijin.users.middleware.PasswordPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuijin.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "tuijin.urls"
WSGI_APPLICATION = "tuijin.wsgi.application"

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
                "tuijin.core.context_processors.shell",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------------------------
# Database: embedded SQLite (WAL) under var/ by default; PostgreSQL (or any dj-database-url URL) via DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tuijin.sqlite3'}"


def database_config(url: str) -> dict:
    max_age = env_int("TUIJIN_DB_CONN_MAX_AGE", 60, minimum=0)
    config: dict = dj_database_url.parse(url, conn_max_age=max_age)  # type: ignore[assignment]
    if config["ENGINE"] == "django.db.backends.postgresql":
        # JIT compilation costs more than it saves on the dashboard's short analytical queries (make bench).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so
            # concurrent writers queue (busy timeout) instead of failing with "database is locked" mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(url: str) -> dict:
    """TUIJIN_CACHE_URL: "db" (default: the table tuijin_cache in the main database, created by migrate), a Redis URL
    (redis://host:port/db, rediss://…), or "locmem" (one process only: runserver, never several gunicorn workers).
    The cache holds the dashboard figures (tuijin.core.figures_cache) and must be shared by every web worker."""
    # Room for every scope × month × language of dashboards and the list totals of many filter combinations; past
    # it Django culls a third of the entries (the generation stamp among them, which only costs recomputation).
    options = {"MAX_ENTRIES": 10000}
    if url in ("", "db"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tuijin_cache",
            "OPTIONS": options,
        }
    if url == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tuijin", "OPTIONS": options}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "tuijin"}
    raise ImproperlyConfigured(f'TUIJIN_CACHE_URL must be "db", "locmem" or a redis:// URL, got {url!r}')


CACHES = {"default": cache_config(env_str("TUIJIN_CACHE_URL", "db"))}
# Unit filters (project list, bulk reassignment) with more units in scope than this become a search picker.
TUIJIN_UNIT_PICKER_THRESHOLD = env_int("TUIJIN_UNIT_PICKER_THRESHOLD", 200, minimum=0)
# A dashboard whose data changed while another request recomputes it is shown (marked) up to this old.
TUIJIN_FIGURES_MAX_STALE_SECONDS = env_int("TUIJIN_FIGURES_MAX_STALE_SECONDS", 300, minimum=0)

# ---------------------------------------------------------------------------------------------------------------
# Authentication and the password / lockout / session policy (security.md §1.0; all asserted by tests).
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["tuijin.users.backends.RoleBackend"]
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "users:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

TUIJIN_PASSWORD_MIN_LENGTH = env_int("TUIJIN_PASSWORD_MIN_LENGTH", 8, minimum=8)
TUIJIN_PASSWORD_ADMIN_MIN_LENGTH = env_int("TUIJIN_PASSWORD_ADMIN_MIN_LENGTH", 12, minimum=8)
TUIJIN_PASSWORD_MIN_CLASSES = env_int("TUIJIN_PASSWORD_MIN_CLASSES", 3, minimum=1)
TUIJIN_PASSWORD_HISTORY = env_int("TUIJIN_PASSWORD_HISTORY", 5, minimum=0)
TUIJIN_PASSWORD_MAX_AGE_DAYS = env_int("TUIJIN_PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
TUIJIN_PASSWORD_WARN_DAYS = env_int("TUIJIN_PASSWORD_WARN_DAYS", 7, minimum=0)
TUIJIN_LOCKOUT_FAILURES = env_int("TUIJIN_LOCKOUT_FAILURES", 5, minimum=1)  # per account
# Per client address: only a throttle against password spraying, far above one person's typos — behind an office
# NAT the whole office shares one address, and one account's failures must not lock the others out.
TUIJIN_LOCKOUT_IP_FAILURES = env_int("TUIJIN_LOCKOUT_IP_FAILURES", 50, minimum=1)
TUIJIN_LOCKOUT_WINDOW_MINUTES = env_int("TUIJIN_LOCKOUT_WINDOW_MINUTES", 15, minimum=1)
TUIJIN_LOCKOUT_MINUTES = env_int("TUIJIN_LOCKOUT_MINUTES", 30, minimum=1)
TUIJIN_SESSION_IDLE_MINUTES = env_int("TUIJIN_SESSION_IDLE_MINUTES", 30, minimum=1)
TUIJIN_SESSION_IDLE_MINUTES_ADMIN = env_int("TUIJIN_SESSION_IDLE_MINUTES_ADMIN", 15, minimum=1)
TUIJIN_SESSION_ABSOLUTE_HOURS = env_int("TUIJIN_SESSION_ABSOLUTE_HOURS", 12, minimum=1)
# Two-factor authentication (TOTP, users/two_factor.py): accounts holding one of these roles must enrol at their next
# login; anyone else may. Empty (TUIJIN_2FA_REQUIRED_ROLES=) requires it of nobody; enrolled accounts still use it.
TUIJIN_2FA_REQUIRED_ROLES = env_list(
    "TUIJIN_2FA_REQUIRED_ROLES", ["sys_admin", "sec_admin", "audit_admin", "project_office"]
)
OTP_TOTP_ISSUER = env_str("TUIJIN_2FA_ISSUER", "Tuijin")
# Wrong codes count toward the login lockout (users.services), so django-otp's own back-off is off: it would refuse
# a correct code typed within seconds of a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# 催报: a unit is urged at most once per month's report within this many hours (dispatch.services.report_urge).
TUIJIN_URGE_INTERVAL_HOURS = env_int("TUIJIN_URGE_INTERVAL_HOURS", 4, minimum=1)
TUIJIN_AUDIT_RETENTION_DAYS = env_int("TUIJIN_AUDIT_RETENTION_DAYS", 365, minimum=180)
# The HMAC key of the audit seal chain (core/audit_chain.py): its own secret, never SECRET_KEY, and never changed
# once seals exist. Unset in development and tests, where the chain derives a key from SECRET_KEY; the deploy check
# (tuijin.E003/E004) refuses that outside DEBUG.
TUIJIN_AUDIT_MAC_KEY = env_str("TUIJIN_AUDIT_MAC_KEY")
# Accounts unused for this many days are disabled by `tuijin disable_dormant_accounts` (users/dormant.py).
TUIJIN_DORMANT_DAYS = env_int("TUIJIN_DORMANT_DAYS", 90, minimum=30)
TUIJIN_DEMO_PASSWORD = env_str("TUIJIN_DEMO_PASSWORD")
# Outbound channel for notifications (dotted class path); LogChannel only logs.
TUIJIN_NOTIFY_CHANNEL = env_str("TUIJIN_NOTIFY_CHANNEL", "tuijin.notifications.channels.LogChannel")
# The monthly notice: a replacement DOCX template (path), and the portfolio size above which it is generated in the
# background. TUIJIN_CHART_FONT: a CJK font file for the notice charts (default: Debian's Noto Sans CJK).
TUIJIN_NOTICE_TEMPLATE = env_str("TUIJIN_NOTICE_TEMPLATE")
TUIJIN_NOTICE_ASYNC_THRESHOLD = env_int("TUIJIN_NOTICE_ASYNC_THRESHOLD", 2000, minimum=0)
TUIJIN_CHART_FONT = env_str("TUIJIN_CHART_FONT")
# Tickets: first response due in N working days; escalation every N working days overdue; visits per month.
TUIJIN_TICKET_RESPONSE_DAYS = env_int("TUIJIN_TICKET_RESPONSE_DAYS", 1, minimum=1)
TUIJIN_TICKET_ESCALATION_STEP_DAYS = env_int("TUIJIN_TICKET_ESCALATION_STEP_DAYS", 3, minimum=1)
# 督办 (supervision): a task due within this many working days is yellow and its unit is reminded once; overdue
# tasks escalate one level per step; units report progress this often unless the task says otherwise.
TUIJIN_SUPERVISION_YELLOW_WORKDAYS = env_int("TUIJIN_SUPERVISION_YELLOW_WORKDAYS", 3, minimum=1)
TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS = env_int("TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS", 3, minimum=1)
TUIJIN_SUPERVISION_REPORT_EVERY_WORKDAYS = env_int("TUIJIN_SUPERVISION_REPORT_EVERY_WORKDAYS", 5, minimum=1)
TUIJIN_VISIT_MONTHLY_LIMIT = env_int("TUIJIN_VISIT_MONTHLY_LIMIT", 2, minimum=1)
# Monthly reporting window: days of the month after the reported month (e.g. the 1st to the 5th).
TUIJIN_REPORT_WINDOW_OPEN_DAY = env_int("TUIJIN_REPORT_WINDOW_OPEN_DAY", 1, minimum=1)
TUIJIN_REPORT_WINDOW_CLOSE_DAY = env_int("TUIJIN_REPORT_WINDOW_CLOSE_DAY", 5, minimum=1)
if not TUIJIN_REPORT_WINDOW_OPEN_DAY <= TUIJIN_REPORT_WINDOW_CLOSE_DAY <= 28:
    raise ImproperlyConfigured("TUIJIN_REPORT_WINDOW_OPEN_DAY must be ≤ TUIJIN_REPORT_WINDOW_CLOSE_DAY ≤ 28")
# 数据异常 of monthly reports (progress/anomalies.py; flags, never blocking): a month above FACTOR × the median of
# the project's previous months (at least MIN_MONTHS of them); IDENTICAL_MIN projects of one unit with the same amount.
TUIJIN_ANOMALY_PACE_FACTOR = env_int("TUIJIN_ANOMALY_PACE_FACTOR", 3, minimum=2)
TUIJIN_ANOMALY_PACE_MIN_MONTHS = env_int("TUIJIN_ANOMALY_PACE_MIN_MONTHS", 3, minimum=1)
TUIJIN_ANOMALY_IDENTICAL_MIN = env_int("TUIJIN_ANOMALY_IDENTICAL_MIN", 3, minimum=2)
# Plausible input (core/bounds.py): every date typed or imported lies in MIN…MAX (ISO dates); a text without a
# declared max_length holds at most TEXT_MAX_LENGTH characters.
TUIJIN_DATE_MIN = env_str("TUIJIN_DATE_MIN", "1949-10-01")
TUIJIN_DATE_MAX = env_str("TUIJIN_DATE_MAX", "2100-12-31")
TUIJIN_TEXT_MAX_LENGTH = env_int("TUIJIN_TEXT_MAX_LENGTH", 20000, minimum=1000)
# Open data (OC4IDS): the project identifier prefix registered for the publisher ("oc4ids-" and six characters);
# the default is a demonstration value, to be replaced by the registered one before publishing.
TUIJIN_OC4IDS_PREFIX = env_str("TUIJIN_OC4IDS_PREFIX", "oc4ids-demo01")
if not re.fullmatch(r"oc4ids-[a-z0-9]{6}", TUIJIN_OC4IDS_PREFIX):
    raise ImproperlyConfigured('TUIJIN_OC4IDS_PREFIX must be "oc4ids-" and six lower-case letters or digits')

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tuijin.users.validators.LengthValidator"},
    {"NAME": "tuijin.users.validators.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tuijin.users.validators.PasswordHistoryValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = TUIJIN_SESSION_ABSOLUTE_HOURS * 3600
SESSION_SAVE_EVERY_REQUEST = False  # idle time is tracked in the session by SessionPolicyMiddleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS hardening: switched on together for a TLS deployment (TUIJIN_SECURE=1); off for http://127.0.0.1 demos.
TUIJIN_SECURE = env_bool("TUIJIN_SECURE", False)
SESSION_COOKIE_SECURE = TUIJIN_SECURE
CSRF_COOKIE_SECURE = TUIJIN_SECURE
SECURE_SSL_REDIRECT = TUIJIN_SECURE
SECURE_HSTS_SECONDS = 31536000 if TUIJIN_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TUIJIN_SECURE
SECURE_HSTS_PRELOAD = TUIJIN_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TUIJIN_TRUSTED_PROXIES else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts only from our own static files — no inline script
# element, no on*= handler attribute, no eval (page scripts live in tuijin/static/tuijin/; docs/development.md).
# Styles allow 'unsafe-inline' because ECharts writes its tooltips as HTML with style attributes, htmx injects its
# indicator <style>, and templates use style="" attributes; CSS cannot run script. Every asset is vendored: no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# ---------------------------------------------------------------------------------------------------------------
# Internationalisation: Simplified Chinese first, English switchable; all times Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside the static tree and are served only through permission-checked views.
MEDIA_ROOT = env_path("TUIJIN_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = None
TUIJIN_UPLOAD_MAX_MB = env_int("TUIJIN_UPLOAD_MAX_MB", 20, minimum=1)
# Uploaded workbooks (issue 19): at most this many cells over all sheets (and this many shared strings), checked by
# streaming the XML before openpyxl loads anything; a full 20,000-row project file has about 900,000.
TUIJIN_XLSX_MAX_CELLS = env_int("TUIJIN_XLSX_MAX_CELLS", 1_200_000, minimum=1000)
# The background validation and annotated copy of a project import stop after this many seconds (a Chinese error).
TUIJIN_IMPORT_TIME_LIMIT = env_int("TUIJIN_IMPORT_TIME_LIMIT", 600, minimum=10)
# A project import of at most this many cells (a few hundred rows) is validated during the upload; larger ones by
# the worker (`tuijin db_worker`).
TUIJIN_IMPORT_INLINE_CELLS = env_int("TUIJIN_IMPORT_INLINE_CELLS", 20_000, minimum=0)
# A running import whose worker sent no heartbeat for this long (or whose process is gone, on the same machine) is
# marked failed by `tuijin fail_stale_imports` (cron, every 5 minutes).
TUIJIN_IMPORT_LEASE_SECONDS = env_int("TUIJIN_IMPORT_LEASE_SECONDS", 600, minimum=60)
TUIJIN_IMPORT_HEARTBEAT_SECONDS = env_int("TUIJIN_IMPORT_HEARTBEAT_SECONDS", 30, minimum=1)
# Images above this many megapixels are refused before decoding (decompression bombs); utilities/uploads.py
TUIJIN_IMAGE_MAX_MEGAPIXELS = env_int("TUIJIN_IMAGE_MAX_MEGAPIXELS", 40, minimum=1)
# Site-photo evidence flags (progress/photo_evidence.py): shot farther than this from the project's coordinates,
# more than this many days before the reporting month, or a 64-bit dHash within this Hamming distance of a photo of
# another project or month
TUIJIN_PHOTO_FAR_KM = env_int("TUIJIN_PHOTO_FAR_KM", 5, minimum=1)
TUIJIN_PHOTO_EARLY_DAYS = env_int("TUIJIN_PHOTO_EARLY_DAYS", 31, minimum=0)
TUIJIN_PHOTO_HASH_DISTANCE = env_int("TUIJIN_PHOTO_HASH_DISTANCE", 6, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------------------------------------------
# Background work: Django's tasks interface (django-tasks), database backend by default.
TASKS = {"default": {"BACKEND": env_str("TUIJIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# ---------------------------------------------------------------------------------------------------------------
# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tuijin.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tuijin.api.permissions.ScopedModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "tuijin.api.filters.IdFilterBackend",
        "tuijin.api.ordering.NullsLastOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "tuijin.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "tuijin.api.schema.AutoSchema",  # read-only fields keep the model's null/blank
    "EXCEPTION_HANDLER": "tuijin.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tuijin API",
    "DESCRIPTION": "推进 重点项目建设管理平台 API. Every list is scoped to the caller's units.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # the error answers of tuijin/api/exceptions.py on every operation (tuijin/api/schema.py)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tuijin.api.schema.error_responses"],
    # one name per choice set used by several fields
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "tuijin.projects.choices.DatePrecision",
        "LeadStageEnum": "tuijin.investment.choices.LeadStage",
        "LeadReviewStatusEnum": "tuijin.investment.choices.ReviewStatus",
        "ProjectStageEnum": "tuijin.projects.choices.Stage",
        "ReportStatusEnum": "tuijin.progress.choices.ReportStatus",
        "TicketStatusEnum": "tuijin.tickets.choices.TicketStatus",
        "CommitmentStatusEnum": "tuijin.investment.choices.CommitmentStatus",
        "CommitmentCaseStatusEnum": "tuijin.investment.choices.CaseStatus",
        "SigningKindEnum": "tuijin.investment.choices.SigningKind",
        "SigningEventKindEnum": "tuijin.investment.choices.SigningEventKind",
        "MeetingKindEnum": "tuijin.supervision.choices.MeetingKind",
        "ChainResourceKindEnum": "tuijin.chains.choices.ResourceKind",
        "ChainCooperationKindEnum": "tuijin.chains.choices.CooperationKind",
        "ChainGapStatusEnum": "tuijin.chains.choices.GapStatus",
        "BenchmarkIndicatorKindEnum": "tuijin.benchmarks.choices.IndicatorKind",
        "BenchmarkFrequencyEnum": "tuijin.benchmarks.choices.Frequency",
        "BenchmarkPlatformSourceEnum": "tuijin.benchmarks.choices.PlatformSource",
        "FundChannelEnum": "tuijin.funds.choices.Channel",
        "PrepStageEnum": "tuijin.funds.choices.PrepStage",
        "LibraryStatusEnum": "tuijin.funds.choices.LibraryStatus",
        "FundApplicationStatusEnum": "tuijin.funds.choices.ApplicationStatus",
        "SupervisionTaskSourceEnum": "tuijin.supervision.choices.TaskSource",
        "SupervisionTaskStatusEnum": "tuijin.supervision.choices.TaskStatus",
    },
}

# ---------------------------------------------------------------------------------------------------------------
LOG_LEVEL = env_str("TUIJIN_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"TUIJIN_LOG_LEVEL must be a logging level name, got {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tuijin.core.logging.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

TUIJIN_SESSION_IDLE = timedelta(minutes=TUIJIN_SESSION_IDLE_MINUTES)
