"""Snowball settings: one module, configured by environment variables (see README)."""

from __future__ import annotations

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# pytest-django reads these settings before any conftest can run, so the test run is detected here.
TESTING = env.bool("SNOWBALL_TESTING", default="pytest" in sys.modules)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No DATABASE_URL means a developer's machine running the embedded services; production sets it.
EMBEDDED_SERVICES = not env.str("DATABASE_URL", default="")
DEVELOPMENT = DEBUG or TESTING or EMBEDDED_SERVICES

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="insecure-development-key-change-me" if DEVELOPMENT else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
# Marketing picks. Sellers share Snowball's short link (SITE_URL/r/<code>/<team>/, which counts
# clicks) only where SITE_URL is reachable by their LinkedIn readers; else the pick's own link.
PICK_SHORT_LINKS = env.bool("PICK_SHORT_LINKS", default=False)
# The preview fetch refuses private, loopback and link-local addresses (SSRF). Tests switch
# this on with pytest-django's `settings` fixture to reach a local HTTP server; deliberately
# not read from the environment.
PICK_PREVIEW_ALLOW_PRIVATE_ADDRESSES = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on per organisation (#18): each organisation's provider is a SocialApp that
    # identity.sso.services creates; identity.sso.adapter decides who it may sign in.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "csp",
    "django_guid",
    "django_htmx",
    "template_partials",
    "django_bootstrap5",
    "ninja",  # serves its Swagger UI files locally
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 files served locally
    "programme",
    "kickoff",
    "showcase",
    "metrics",
    "goals",  # after metrics: its demo seeder needs the demo's rollups
    "identity",  # SSO and SCIM provisioning (#18)
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # a request id in every log line and response
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "identity.sso.middleware.SsoFormActionMiddleware",  # a provider button's form-action (#18)
    "identity.sso.middleware.SamlHostRequiredMiddleware",  # SAML without Host: 400, not 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "programme.i18n.PersonLocaleMiddleware",  # the reader's language (after authentication)
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "programme.tenancy.OrganisationTimeZoneMiddleware",  # the organisation's zone per request
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programme.context_processors.tenancy",
            ],
        },
    },
]

# --- Database and Redis: real servers, embedded ones when no URL is given -----------------------
if not (env.str("DATABASE_URL", default="") and env.str("REDIS_URL", default="")):
    from config import embedded

    try:
        # Until this process exits, a `make run` or test run ending meanwhile leaves them up.
        embedded.hold()
    except embedded.EmbeddedServicesError as exc:
        sys.exit(f"Embedded services: {exc}")
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from config import embedded

    try:
        DATABASES = {"default": embedded.postgres_settings()}
    except embedded.EmbeddedServicesError as exc:  # a full disk, say: words, not a traceback
        sys.exit(f"Embedded services: {exc}")
# Tests run servers and workers in threads: persistent connections would outlive them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE", default=0 if TESTING else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Parallel test processes never share a database. pytest-xdist's workers (gw0, gw1, ...) get
# pytest-django's own suffixed test databases and, here, Redis databases 1-7; a separate run
# from another clone using the same embedded servers sets SNOWBALL_TEST_RUN=1..6 and gets
# its own test database and Redis databases 9-14.
_TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw")
_TEST_RUN = env.int("SNOWBALL_TEST_RUN", default=0) % 7
_TEST_REDIS_DB = (8 + _TEST_RUN) if _TEST_RUN else 1 + int(_TEST_WORKER or 0) % 7
if _TEST_RUN:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_run{_TEST_RUN}"}
if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
else:
    from config import embedded

    # Tests use their own Redis database so a running `make run` worker never takes their tasks.
    try:
        REDIS_URL = embedded.redis_url(db=_TEST_REDIS_DB if TESTING else 0)
    except embedded.EmbeddedServicesError as exc:
        sys.exit(f"Embedded services: {exc}")


def _celery_url(redis_url: str) -> str:
    """redis-py spells a Unix socket unix:///path?db=N; kombu wants redis+socket://...virtual_host=N."""
    if redis_url.startswith("unix://"):
        path, _, query = redis_url.removeprefix("unix://").partition("?")
        db = query.removeprefix("db=") or "0"
        return f"redis+socket://{path}?virtual_host={db}"
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "config.redis_cache.ReusedClientRedisCache",  # Django's, one client per pool
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "snowball-test" if TESTING else "snowball",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_celery_url(REDIS_URL))
CELERY_TASK_IGNORE_RESULT = True  # progress lives in database rows the pages poll
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Redis hands an unacknowledged task to another worker after this many seconds: it must exceed
# the longest task's hard time limit (the full rollup's 3,300 s), or a long task would run twice
# at once. A worker killed mid-task therefore has its task redone within the hour.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_DEFAULT_QUEUE = "snowball"
CELERY_TIMEZONE = "UTC"

# --- Auth (django-allauth: e-mail login, no usernames) -------------------------------------------
AUTH_USER_MODEL = "programme.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "programme.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Snowball] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Open sign-up is off: people join an organisation through its roster and an invitation.
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=False)
# Behind the TLS proxy every request comes from the proxy's address: the client's is taken from
# X-Forwarded-For, trusting this many proxies in front of Snowball (the last N addresses; the
# README's compose stack with one proxy: 1). 0 = Snowball faces the clients directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# A password reset asked for an address Snowball does not know sends nothing (and says the same
# as for a known one, so the page does not tell who has an account).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_FORMS = {"login": "programme.forms_auth.LoginForm"}
# --- Single sign-on (#18, identity/sso, docs/sso.md) ---
# A provider never creates access by itself: identity.sso.adapter matches the asserted, verified
# e-mail to an active membership of the provider's own organisation (or, where its admin allows
# it, creates a seller there) and refuses everything else with a page saying why. allauth's own
# sign-up and e-mail matching stay off so no other path can link or create an account.
SOCIALACCOUNT_ADAPTER = "identity.sso.adapter.SsoAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
# The provider has verified the address (OIDC email_verified; SAML: the IdP of its domains).
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False  # Snowball calls no provider API after sign-in
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider buttons are POST forms (CSRF)
# An OIDC provider's discovery and token endpoints answer within this many seconds.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=10)

# allauth's rate limits stay on (they live in the Redis cache, shared by every web process):
# failed logins are limited to 10 a minute per IP and 5 per 5 minutes per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{env.int('LOGIN_ATTEMPTS_LIMIT', default=5)}/300s/key",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=30)
EMAIL_BATCH_SIZE = env.int("EMAIL_BATCH_SIZE", default=200)
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=10 * 1024 * 1024)
ACTIVITY_UPLOAD_MAX_BYTES = env.int("ACTIVITY_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
# Retention (README "Privacy"): beat prunes nightly. In-app notifications (and the daily
# digests that carried them) go after this many days.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=180)
# Finished imports (activity files, rosters) keep their counts; their file names and per-row
# messages go after this many days. The uploaded files themselves go when the import ends.
IMPORT_DETAILS_RETENTION_DAYS = env.int("IMPORT_DETAILS_RETENTION_DAYS", default=90)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files stream to disk past 10 MB
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_MAX_BYTES + 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # Development: one log line per e-mail; the messages themselves under .data/mail/.
    EMAIL_BACKEND = "config.mail.DevelopmentEmailBackend"
    EMAIL_FILE_PATH = env.str(
        "EMAIL_FILE_PATH",
        default=str(Path(env.str("SNOWBALL_DATA_DIR", default=str(BASE_DIR / ".data"))) / "mail"),
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Snowball <snowball@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------------
# English (the source) and four translations, kept in locale/<code>/LC_MESSAGES/django.po with the
# glossary in locale/GLOSSARY.md. A person's language: their choice in their preferences, else the
# sign-in page's switcher (cookie), else the browser's Accept-Language, else the organisation's.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("cs", "Čeština"),
    ("sv", "Svenska"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are written with Django's named formats (DATE_FORMAT, MONTH_DAY_FORMAT, ...) so each
# language orders them its own way; config/formats adjusts British English to Snowball's style.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "snowball_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = DEVELOPMENT
if DEVELOPMENT:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

BOOTSTRAP5 = {
    "css_url": {"url": "/static/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/static/bootstrap/js/bootstrap.bundle.min.js"},
    "field_renderers": {"default": "config.bootstrap.ErrorsOnlyFieldRenderer"},
}

# --- Security (production behind a TLS-terminating proxy) ----------------------------------------
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEVELOPMENT else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after a week, or when the browser closes unless "remember me" was ticked.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)

# Content-Security-Policy: scripts only from this site, never inline (the two small behaviours
# that were inline handlers live in static/js/snowball.js). Styles allow inline: the charts are
# inline SVG whose pygal <style> blocks and a few progress-bar widths are inline, and a style
# cannot run code.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# MFA (allauth): time-based codes and recovery codes. The Django admin asks for staff with MFA.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Snowball"

# --- Logs: one line per event, JSON in production, each with the request id ----------------------
from django_guid.integrations import CeleryIntegration  # noqa: E402

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",  # taken from the proxy when it sends one, else made here
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEVELOPMENT else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "task_id": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(celery_parent_id)s"
            " %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "task_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
    },
}

# --- Benchmarks: server-side CPU per request (config/cpu_timing.py), only when a bench asks -----
if env.str("SNOWBALL_CPU_LOG", default=""):
    MIDDLEWARE = ["config.cpu_timing.CpuTimingMiddleware", *MIDDLEWARE]
