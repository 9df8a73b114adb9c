"""Settings of tinhso, one module for every environment.

Safe by default: without `TINHSO_ENV=development` the platform runs as production (DEBUG off,
secure cookies, HSTS, the secret key required from the environment). `make run` sets the
development mode; the test suite sets `TINHSO_ENV=test`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tinhso.config.env import env_bool, env_choice, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent  # src/tinhso
BASE_DIR = SRC_DIR.parent.parent  # the repository
VAR_DIR = Path(env_str("TINHSO_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

ENVIRONMENT = env_choice("TINHSO_ENV", "production", {"production", "development", "test"})
IS_PRODUCTION = ENVIRONMENT == "production"
IS_TEST = ENVIRONMENT == "test"

DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must stay off in production (TINHSO_ENV=production).")

_secret = env_str("SECRET_KEY")
if not _secret:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment in production "
            "(or set TINHSO_ENV=development for a local trial)."
        )
    _secret = "tinhso-insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huey.contrib.djhuey",
    "tinhso.web",
    "tinhso.audit",
    "tinhso.organizations",
    "tinhso.accounts",
    "tinhso.workcalendar",
    "tinhso.files",
    "tinhso.notifications",
    "tinhso.procedures",
    "tinhso.dossiers",
    "tinhso.signatures",
    "tinhso.documents",
    "tinhso.exchange",
    "tinhso.hub",
    "tinhso.api",
]

MIDDLEWARE = [
    "tinhso.web.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tinhso.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# One codebase, two deployments: an installation (the platform of a province) or the
# interconnection hub (trục liên thông), which runs on its own with its own database and answers
# only the hub's calls and its operator pages (docs/decisions/0005-interconnection.md).
TINHSO_ROLE = env_choice("TINHSO_ROLE", "installation", {"installation", "hub"})
ROOT_URLCONF = "tinhso.config.urls_hub" if TINHSO_ROLE == "hub" else "tinhso.config.urls"
if TINHSO_ROLE == "hub":
    # The nodes' signed calls (/hub/v1/) skip sessions, sign-in, OTP, lockout and CSRF, which they
    # never use; the operator pages keep the whole chain (tinhso.hub.api.fastpath).
    MIDDLEWARE = ["tinhso.hub.api.fastpath.HubApiFastPathMiddleware", *MIDDLEWARE]
else:
    # Calls to /api/v1/ with a bearer token skip the browser's middleware (sessions, CSRF,
    # sign-in, OTP, messages, htmx, axes); the rest keeps the whole chain (tinhso.api.fastpath).
    MIDDLEWARE = ["tinhso.api.fastpath.BearerApiFastPathMiddleware", *MIDDLEWARE]
WSGI_APPLICATION = "tinhso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.web.context_processors.platform",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# The embedded default is SQLite under var/; DATABASE_URL switches to PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE transactions take the write lock
    # at BEGIN, so two writers queue on busy_timeout instead of failing to upgrade a lock.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # Django's backend, whose health check of a kept connection asks the socket before it
    # sends SELECT 1 (tinhso.postgresql.base).
    DATABASES["default"]["ENGINE"] = "tinhso.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments that depend only on code, role set, language and path (the sidebar):
# in each process's memory, since a deploy restarts the processes that hold them.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tinhso-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# --- Background work (Huey) ---------------------------------------------------------------
# The queue only wakes workers; durable business state lives in our own tables.
HUEY_IMMEDIATE = env_bool("TINHSO_HUEY_IMMEDIATE", IS_TEST)
if REDIS_URL and not HUEY_IMMEDIATE:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "tinhso",
        "immediate": False,
        "connection": {"url": REDIS_URL},
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the queue's SQLite file lives there
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tinhso",
        "immediate": HUEY_IMMEDIATE,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "consumer": {"workers": env_int("HUEY_WORKERS", 1), "worker_type": "thread"},
    }

# --- Mail (notifications outbox) ---------------------------------------------------------------
# Outbox rows are sent after commit with retries (tinhso.notifications). Without an SMTP host,
# development prints mail to the console; production sends to EMAIL_HOST (default localhost:25).
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "tinhso <khong-tra-loi@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TINHSO_NOTIFICATION_MAX_ATTEMPTS = env_int("TINHSO_NOTIFICATION_MAX_ATTEMPTS", 6)
if ENVIRONMENT == "development" and not env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Uploads and the one-stop shop -------------------------------------------------------------
TINHSO_UPLOAD_MAX_BYTES = env_int("TINHSO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Where the public tracking links printed on receipts (QR code) and sent in mail point.
TINHSO_PUBLIC_BASE_URL = env_str("TINHSO_PUBLIC_BASE_URL") or ""
TINHSO_PUBLIC_TRACKING_PER_MINUTE = env_int("TINHSO_PUBLIC_TRACKING_PER_MINUTE", 60)
# Received after this local time: transferred at the start of the next working day.
TINHSO_DOSSIER_TRANSFER_CUTOFF = env_str("TINHSO_DOSSIER_TRANSFER_CUTOFF") or "15:00"

# --- Digital signatures -----------------------------------------------------------------------
# The PKCS#11 module that reaches the keys: SoftHSM2 (Debian) in tests and the demo, the vendor's
# module of a real HSM or USB token in production. Same code path for both.
TINHSO_PKCS11_MODULE = env_str("TINHSO_PKCS11_MODULE") or "/usr/lib/softhsm/libsofthsm2.so"
# The demo/test PKI (`manage.py signatures_pki`) and its SoftHSM2 token directory live here.
TINHSO_PKI_DIR = Path(env_str("TINHSO_PKI_DIR") or VAR_DIR / "pki")
# SoftHSM2's configuration file (its token directory); empty = the demo PKI's, when built.
TINHSO_SOFTHSM2_CONF = env_str("TINHSO_SOFTHSM2_CONF") or ""
# RFC 3161 timestamp authority used for PAdES B-T and above; empty = the local demo TSA at
# /pki/tsa when the demo PKI exists (production: the Government CA's TSA address).
TINHSO_TSA_URL = env_str("TINHSO_TSA_URL") or ""
# Default PAdES level for new signatures: B-T; records kept long term use B-LT or B-LTA.
TINHSO_SIGNATURE_LEVEL = env_choice(
    "TINHSO_SIGNATURE_LEVEL", "B-T", {"B-B", "B-T", "B-LT", "B-LTA"}
)
# Validation of a received PDF runs in a separate process with these limits.
TINHSO_SIGNATURE_VALIDATION_SECONDS = env_int("TINHSO_SIGNATURE_VALIDATION_SECONDS", 20)
TINHSO_SIGNATURE_VALIDATION_MEMORY_MB = env_int("TINHSO_SIGNATURE_VALIDATION_MEMORY_MB", 1024)

# --- Interconnection: edXML packages (QCVN 102:2016) and the hub -----------------------------
# Limits on a received package and on each attachment in it (after base64 decoding, and again
# after unzipping): a package past them is refused before it is parsed further.
TINHSO_EDXML_MAX_PACKAGE_BYTES = env_int("TINHSO_EDXML_MAX_PACKAGE_MB", 60) * 1024 * 1024
TINHSO_EDXML_MAX_ATTACHMENT_BYTES = env_int("TINHSO_EDXML_MAX_ATTACHMENT_MB", 40) * 1024 * 1024
# XML signatures made with SHA-1 are not valid unless a province decides otherwise for a partner
# that still sends them (the vendor samples use rsa-sha1).
TINHSO_EDXML_ACCEPT_SHA1 = env_bool("TINHSO_EDXML_ACCEPT_SHA1", False)
# What SteeringType and DocumentType/Type mean is not settled in the sources
# (../shared/spec/vn-eoffice.md §2.2): the mappings are configuration (JSON objects).
TINHSO_EDXML_STEERING_TYPE = env_str("TINHSO_EDXML_STEERING_TYPE") or '{"default": 0}'
TINHSO_EDXML_DOCUMENT_TYPE = env_str("TINHSO_EDXML_DOCUMENT_TYPE") or '{"default": 1}'

# The node side: where the hub is and who this installation is to it. Requests to the hub are
# signed with the node key (PEM); the hub knows the node by its certificate.
TINHSO_HUB_URL = env_str("TINHSO_HUB_URL") or ""
TINHSO_HUB_NODE_CODE = env_str("TINHSO_HUB_NODE_CODE") or ""
TINHSO_HUB_KEY_FILE = env_str("TINHSO_HUB_KEY_FILE") or ""
TINHSO_HUB_CERT_FILE = env_str("TINHSO_HUB_CERT_FILE") or ""
TINHSO_HUB_TIMEOUT_SECONDS = env_int("TINHSO_HUB_TIMEOUT_SECONDS", 15)
# Sending a package is retried this many times (with growing pauses) before it is marked failed.
TINHSO_EXCHANGE_MAX_ATTEMPTS = env_int("TINHSO_EXCHANGE_MAX_ATTEMPTS", 12)
TINHSO_EXCHANGE_PULL_BATCH = env_int("TINHSO_EXCHANGE_PULL_BATCH", 50)
# Another hub client (a dotted path to a class with `from_settings()` implementing
# tinhso.exchange.client.HubClient), e.g. an adapter for the national axis; empty = our hub.
TINHSO_HUB_CLIENT = env_str("TINHSO_HUB_CLIENT") or ""
# Check the PAdES signatures of the PDFs of every received package (Nghị định 30, Điều 21.2;
# vn-eoffice.md §5). Only a benchmark of the exchange layer alone turns it off.
TINHSO_EXCHANGE_VERIFY_PDF = env_bool("TINHSO_EXCHANGE_VERIFY_PDF", True)

# The hub side (TINHSO_ROLE=hub).
HUB_CLOCK_SKEW_SECONDS = env_int("TINHSO_HUB_CLOCK_SKEW_SECONDS", 300)
# A package fetched but not acknowledged is offered again after this lease.
HUB_LEASE_SECONDS = env_int("TINHSO_HUB_LEASE_SECONDS", 300)
# Deliveries (fetches without an acknowledgement, or pushes) attempted at most this many times,
# then parked as dead for the operator (DHX §7.7: retries finite and configurable).
HUB_MAX_ATTEMPTS = env_int("TINHSO_HUB_MAX_ATTEMPTS", 10)
HUB_PUSH_BACKOFF_SECONDS = env_list("TINHSO_HUB_PUSH_BACKOFF_SECONDS", ["10", "60", "600", "3600"])
# Packages whose deliveries are all finished are purged (the body) after this many days; the
# receipts stay.
HUB_PURGE_DAYS = env_int("TINHSO_HUB_PURGE_DAYS", 30)
HUB_REQUIRE_SIGNATURE = env_bool("TINHSO_HUB_REQUIRE_SIGNATURE", True)
# Where nginx terminates mutual TLS in front of the hub: the request header holding the verified
# client certificate (nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`, and
# the proxy drops what a client sends under that name). Empty: every call must be signed.
HUB_MTLS_HEADER = env_str("TINHSO_HUB_MTLS_HEADER") or ""
# Nodes, agencies and trust anchors kept per hub process; a change made by the operator's command
# is seen by the other processes within this many seconds.
HUB_REGISTRY_RECHECK_SECONDS = 0 if IS_TEST else env_int("TINHSO_HUB_REGISTRY_RECHECK_SECONDS", 5)
# The hub's own key and certificate (PEM), with which it signs pushes to nodes.
HUB_KEY_FILE = env_str("TINHSO_HUB_KEY_FILE") or ""
HUB_CERT_FILE = env_str("TINHSO_HUB_CERT_FILE") or ""

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tinhso.accounts.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if IS_TEST:
    # Argon2 is slow on purpose; the suite creates thousands of users. Production keeps Argon2.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *PASSWORD_HASHERS,
    ]
# Django's checks with our own Vietnamese wording (no dependence on Django's vi catalogue, whose
# "too short" msgid lags Django 5.2), comparing also with the full name, phone and CCCD.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tinhso.accounts.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "tinhso.accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "tinhso.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "tinhso.accounts.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("TINHSO_SESSION_AGE", 8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock an account+address after repeated failures.
AXES_FAILURE_LIMIT = env_int("TINHSO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TINHSO_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The lockout answer: the template above for pages, problem+json (429) for the API.
AXES_LOCKOUT_CALLABLE = "tinhso.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# API bearer tokens.
API_TOKEN_TTL_HOURS = env_int("TINHSO_API_TOKEN_TTL_HOURS", 12)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["tinhso.formats"]
LANGUAGE_COOKIE_NAME = "tinhso_language"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or IS_TEST)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Security -------------------------------------------------------------------------------
TLS = env_bool("TINHSO_TLS", IS_PRODUCTION)
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_HSTS_SECONDS = env_int("TINHSO_HSTS_SECONDS", 31536000) if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_SSL_REDIRECT = env_bool("TINHSO_SSL_REDIRECT", False)
if TLS:
    # Behind nginx, which terminates TLS and sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TINHSO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tinhso.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tinhso.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tinhso.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "tinhso.api.renderers.ProblemJSONRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tinhso API",
    "DESCRIPTION": "API của nền tảng chính quyền số cấp tỉnh tinhso.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- The platform ---------------------------------------------------------------------------
TINHSO_PROVINCE_NAME = env_str("TINHSO_PROVINCE_NAME", "Thành phố Huế")
TINHSO_DEMO_PASSWORD = env_str("TINHSO_DEMO_PASSWORD", "tinhso-demo-2026")
# How long a process trusts its cached working calendar before re-reading its revision.
TINHSO_CALENDAR_RECHECK_SECONDS = 0.0 if IS_TEST else env_int("TINHSO_CALENDAR_RECHECK_SECONDS", 2)
# A published procedure's data (steps, components, fees) and the agencies, kept per process for
# the receipt; a publication is seen at once by the process that saves it, by others within this.
TINHSO_CATALOGUE_RECHECK_SECONDS = (
    0.0 if IS_TEST else env_int("TINHSO_CATALOGUE_RECHECK_SECONDS", 2)
)
# The trust list, the agencies and the exchange account, kept per process by the exchange worker.
TINHSO_EXCHANGE_RECHECK_SECONDS = 0.0 if IS_TEST else env_int("TINHSO_EXCHANGE_RECHECK_SECONDS", 5)
# An API token, its user and memberships — and a signed-in session's user and memberships
# (tinhso.accounts.backends) — kept per process; a revocation, deactivation, new password or
# changed membership is seen at once by the process that makes it, by the others within this
# many seconds.
TINHSO_API_TOKEN_RECHECK_SECONDS = (
    0.0 if IS_TEST else env_int("TINHSO_API_TOKEN_RECHECK_SECONDS", 2)
)

# --- Logging: JSON lines with the request id -----------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING" if IS_TEST else "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tinhso.web.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "huey": {"level": "INFO" if not IS_TEST else "WARNING"},
    },
}
