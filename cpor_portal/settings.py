"""Settings for the CPOR Portal, read from the environment.

Development needs no configuration at all (embedded PostgreSQL, console e-mail, DEBUG on);
production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL, and then passes
`manage.py check --deploy`.
"""

import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cpor_portal.embedded_db import embedded_database
from cpor_portal.env import check_secret_key, env_bool, env_int, env_list, env_str, origin_of

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (dev default)
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not DEBUG:
    check_secret_key(SECRET_KEY, known=[_DEV_SECRET_KEY])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cpor_portal.admin_site.PortalAdminConfig",  # django.contrib.admin, its ids checked
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # OpClass in index expressions (the reversed-domain index)
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_q",
    "partners",
    "validation",
    "associations",
    "disputes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "cpor_portal",  # last: its seed_demo command stands above every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cpor_portal.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cpor_portal.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpor_portal.middleware.SecurityHeadersMiddleware",
    "cpor_portal.middleware.NotFoundPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partners.mfa.RequireMfaMiddleware",
]

ROOT_URLCONF = "cpor_portal.urls"
WSGI_APPLICATION = "cpor_portal.wsgi.application"

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
                "partners.context_processors.membership",
            ],
        },
    },
]

# Database: DATABASE_URL names a server; without it the embedded PostgreSQL in CPOR_PGDATA
# (default var/pgdata) is started on demand. PostgreSQL only: constraints rely on it.
CPOR_PGDATA = Path(env_str("CPOR_PGDATA", default=str(BASE_DIR / "var" / "pgdata")))
EMBEDDED_DATABASE = not env_str("DATABASE_URL", default="")
if not EMBEDDED_DATABASE:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=60)}
else:
    DATABASES = {"default": embedded_database(CPOR_PGDATA)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
# A server that does not answer fails the connection after 3 s (libpq would wait for the
# operating system, minutes), so an unreachable database gets the 503 page in time, not a
# worker killed by gunicorn's timeout. `?connect_timeout=` in DATABASE_URL overrides it.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by web and worker processes, so /healthz can see the cluster's heartbeat.
REDIS_URL = env_str("REDIS_URL", default="")


def redis_caches(url: str) -> dict:
    """The caches on Redis (tests aim them at a closed port to play an outage). Both answer as
    an empty cache while Redis cannot be reached (cpor_portal/cache.py): pages get slower,
    never an error. Redis answers in a millisecond; one that does not within half a second is
    treated as down."""
    redis = {
        "BACKEND": "cpor_portal.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    return {
        "default": redis,
        "sessions": {**redis, "BACKEND": "cpor_portal.cache.SessionCopyCache", "TIMEOUT": 60},
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cpor_cache",
        }
    }
# Sessions live in the database; with Redis they are read through a copy there (`cached_db`:
# a GET instead of an ORM query on every request; the copy expires within a minute, so one
# missed while Redis was down is never stale for long). Never through the database cache,
# whose entry cap counts the table on every write and culls live sessions (and Django advises
# against it).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_CACHE_ALIAS = "sessions" if REDIS_URL else "default"
# Rendered template fragments, keyed by the very data they show (so never stale): per process,
# as a render costs less than a trip to a shared cache would save.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": 1000},  # at most about 15 MB of HTML per process
}

# django-q2: the ORM broker by default, Redis when REDIS_URL is set. `timeout` stays below
# `retry` so a task is never handed to a second worker while the first still runs it.
# Successful results are not kept (save_limit -1: saving, counting and pruning them tripled
# the queue's cost in the benchmark); failures always are, for the admin.
Q_CLUSTER = {
    "name": "cpor",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    "save_limit": -1,
    "catch_up": False,
    "label": "Background tasks",
    "cache": "default",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.2

# Sign-in is django-allauth (password, reset, rate limits, OpenID Connect, TOTP); the one
# backend is allauth's, extended to read the membership with the user (partners/backends.py).
AUTHENTICATION_BACKENDS = ["partners.backends.MembershipBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "partners.identity.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "partners.identity.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses come from a Global admin or an import
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address sends nothing
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # this session stays; the others end (auth hash)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "CPOR Portal: "
ACCOUNT_USER_DISPLAY = "partners.identity.display_name"
# Failed sign-ins: at most CPOR_LOGIN_ATTEMPTS per account in CPOR_LOGIN_LOCKOUT_SECONDS, and
# CPOR_LOGIN_ATTEMPTS_PER_IP a minute from one address; the limit is checked before the
# password, so the right password inside the window is refused too.
CPOR_LOGIN_ATTEMPTS = env_int("CPOR_LOGIN_ATTEMPTS", 5)
CPOR_LOGIN_LOCKOUT_SECONDS = env_int("CPOR_LOGIN_LOCKOUT_SECONDS", 300)
CPOR_LOGIN_ATTEMPTS_PER_IP = env_int("CPOR_LOGIN_ATTEMPTS_PER_IP", 20)
# Behind N proxies that append X-Forwarded-For (a load balancer: 1), the client's address is
# the Nth from the right; without it every client shares the proxy's address and its limit.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("CPOR_TRUSTED_PROXY_COUNT", 0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{CPOR_LOGIN_ATTEMPTS_PER_IP}/m/ip,{CPOR_LOGIN_ATTEMPTS}/{CPOR_LOGIN_LOCKOUT_SECONDS}s/key"
    ),
}
MFA_ADAPTER = "partners.identity.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CPOR Portal"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
# Single sign-on through one OpenID Connect issuer (Microsoft Entra ID: README). Unset: no button.
CPOR_OIDC_ISSUER = env_str("CPOR_OIDC_ISSUER", default="")


def oidc_app(issuer: str, client_id: str, secret: str) -> dict:
    """allauth's OpenID Connect app for the one issuer (tests aim it at a local provider)."""
    return {
        "provider_id": "entra",
        "name": "Microsoft",
        "client_id": client_id,
        "secret": secret,
        # The ID token carries tid, oid and amr; Entra's userinfo does not.
        "settings": {"server_url": issuer, "fetch_userinfo": False},
    }


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "partners.sso.provider.PortalOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            oidc_app(
                CPOR_OIDC_ISSUER,
                env_str("CPOR_OIDC_CLIENT_ID"),
                env_str("CPOR_OIDC_CLIENT_SECRET", default=""),
            )
        ]
        if CPOR_OIDC_ISSUER
        else [],
    }
}
CPOR_INVITATION_DAYS = env_int("CPOR_INVITATION_DAYS", 7)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cs", _("Czech"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, day first in English too (cpor_portal/formats/).
FORMAT_MODULE_PATH = ["cpor_portal.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the switcher's choice outlives the session
TIME_ZONE = env_str("TIME_ZONE", default="Europe/Prague")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Seconds an SMTP server may take to answer: mails are sent after commit, inside the request.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="CPOR Portal <cpor@localhost>")

# Production hardening: on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (the portal's own in static/); data: for Bootstrap's
# icons and the TOTP QR code; forms may post to the OpenID Connect issuer's sign-in.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *([origin_of(CPOR_OIDC_ISSUER)] if CPOR_OIDC_ISSUER else [])],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# One line per request that went wrong, once: Django's own "django" handler (DEBUG only) is
# dropped so its records reach the root handler alone, a 4xx is logged without the
# traceback of the Http404 or PermissionDenied behind it, and runserver's request line is
# left out for a 4xx, which django.request has told with its reason (cpor_portal/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_refusals": {"()": "cpor_portal.logs.OneLineRefusals"},
        "without_refusals": {"()": "cpor_portal.logs.WithoutRefusals"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "django.request": {"filters": ["one_line_refusals"]},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["without_refusals"],
            "level": "INFO",
            "propagate": False,
        },
        "django-q": {"level": env_str("Q_LOG_LEVEL", default="WARNING")},
        "pgserver": {"level": "WARNING"},  # it logs every start and stop at INFO
        "fontTools": {"level": "WARNING"},  # fpdf2's font subsetting: 40 INFO lines a PDF
        # Reading the proof template's mark is best effort; a malformed PDF is not news.
        "pypdf": {"level": "ERROR"},
    },
}

# Webhooks go to public HTTPS addresses only. CPOR_WEBHOOKS_ALLOW_PRIVATE lets them reach
# loopback and private networks (on with DEBUG, for the demo; the tests turn it on too),
# CPOR_WEBHOOKS_CA_FILE trusts a private certificate authority besides the system's, and
# CPOR_WEBHOOKS_TIMEOUT (seconds) bounds each delivery.
CPOR_WEBHOOKS_ALLOW_PRIVATE = env_bool("CPOR_WEBHOOKS_ALLOW_PRIVATE", DEBUG)
CPOR_WEBHOOKS_CA_FILE = env_str("CPOR_WEBHOOKS_CA_FILE", default="")
CPOR_WEBHOOKS_TIMEOUT = env_int("CPOR_WEBHOOKS_TIMEOUT", 5)

# Business rules that are policy, not code (DESIGN.md section 3).
CPOR_HOLIDAY_COUNTRY = env_str("CPOR_HOLIDAY_COUNTRY", default="CZ")
CPOR_DEADLINES = {
    "review_business_days": 5,
    "information_business_days": 14,
    # The partner is reminded when this much of the information request's time is left.
    "information_reminder_business_days": 5,
    "information_last_reminder_business_days": 1,
    "dispute_window_days": 30,
    "dispute_reminder_days": 5,  # left of the dispute window
    "dispute_answer_business_days": 5,
    "provisioning_recheck_days": 7,
}
# Four eyes: a decision that takes an approved association from its owner, or approves a claim
# after its dispute, needs a second reviewer's confirmation (associations.policy).
CPOR_FOUR_EYES = env_bool("CPOR_FOUR_EYES", default=True)
CPOR_MAX_UPLOAD_BYTES = env_int("CPOR_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Bulk filing (associations/bulk/): the spreadsheet's size, its rows, and what an XLSX may
# unpack to (checked before it is parsed: a small zip can hold gigabytes of XML).
CPOR_BULK_MAX_BYTES = env_int("CPOR_BULK_MAX_BYTES", 5 * 1024 * 1024)
CPOR_BULK_MAX_ROWS = env_int("CPOR_BULK_MAX_ROWS", 5000)
CPOR_BULK_MAX_UNPACKED_BYTES = env_int("CPOR_BULK_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
# Absolute links in e-mails (the customer's decline link) start with this.
CPOR_BASE_URL = env_str("CPOR_BASE_URL", default="http://127.0.0.1:8000")
CPOR_CONSENT_LINK_DAYS = env_int("CPOR_CONSENT_LINK_DAYS", 30)
# Optional: confirm domains the imported directory does not know through the identity
# provider's public OpenID discovery document (validation/resolver.py).
CPOR_OPENID_RESOLVER = env_bool("CPOR_OPENID_RESOLVER", default=False)
CPOR_OPENID_BASE_URL = env_str("CPOR_OPENID_BASE_URL", default="https://login.microsoftonline.com")
CPOR_OPENID_TIMEOUT = env_int("CPOR_OPENID_TIMEOUT", 3)
CPOR_OPENID_CACHE_SECONDS = env_int("CPOR_OPENID_CACHE_SECONDS", 3600)

# The partner API (api/): tokens per organisation, problem details, a rate limit per token.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", default="600/minute")
if not re.fullmatch(r"[0-9]+/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        "API_RATE_LIMIT: calls per second, minute, hour or day, e.g. 600/minute"
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],  # API_RATE_LIMIT
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,  # ?format= chooses the claims export's format
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPOR Portal partner API",
    "DESCRIPTION": "File and follow CPOR claims from the partner's own systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.idempotency_header",
    ],
}
