"""Settings for Thi Đua: one module, driven by environment variables.

Production differs from development only by the environment (see README).
Typed helpers fail loudly on malformed values instead of guessing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
# Names that reach only this machine (and Django's test client): a server that answers to
# nothing else may run with the development key, which is public (it is in this file).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "testserver"})
# The "django-insecure-" prefix makes `check --deploy` flag the key too (security.W009).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-" + "x" * 40


def is_weak_secret_key(key: str) -> bool:
    """Missing, a development key, or what `check --deploy` calls weak (under 50 characters or
    fewer than 5 distinct ones): anyone who knows the key can forge sessions and signed links."""
    return not key or key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5


SECRET_KEY = env_str("SECRET_KEY")
# Serving other machines with DEBUG off is production, whether or not THIDUA_PRODUCTION says so
# (`make serve-prod HOST=0.0.0.0` does not): refuse to start with a key others can know.
_SERVES_OTHERS = not DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS)
if (_SERVES_OTHERS or env_bool("THIDUA_PRODUCTION", False)) and is_weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value (50 characters or more) when DEBUG is off and "
        f"ALLOWED_HOSTS names a host other than this machine ({', '.join(ALLOWED_HOSTS)}), or when "
        "THIDUA_PRODUCTION=1. Generate one once, keep it secret and set it in the server's environment:\n"
        "    export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\"\n"
        "See README.md, Production."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "axes",
    "csp",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_prose_editor",
    "thidua.core",
    "thidua.accounts",
    "thidua.notifications",
    "thidua.units",
    "thidua.members",
    "thidua.campaigns",
    "thidua.registrations",
    "thidua.monitoring",
    "thidua.inspections",
    "thidua.recognition",
    "thidua.initiatives",
    "thidua.portal",
    "thidua.dashboard",
    "thidua.ops",
    "thidua.demo",
]

MIDDLEWARE = [
    "thidua.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One log line a request (not for static files, which WhiteNoise answers above it).
    "thidua.ops.middleware.RequestLogMiddleware",
    # Below WhiteNoise (static files keep their long cache), above the rest: it sees every other
    # response, the lockout page and CSRF refusals included.
    "thidua.accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "thidua.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes must be last: it inspects the response of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "thidua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thidua.core.context_processors.thidua",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL switches to PostgreSQL.
VAR_DIR = Path(env_str("THIDUA_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Keep connections open: a pool per process (Django 5.1+ with psycopg 3).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})
        if env_bool("THIDUA_DB_POOL", True):
            DATABASES["default"]["OPTIONS"]["pool"] = {
                "min_size": env_int("THIDUA_DB_POOL_MIN", 1),
                "max_size": env_int("THIDUA_DB_POOL_MAX", 10),
                "timeout": 10,
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "thidua.sqlite3"),
            # Tests use a file too (not shared-cache memory, whose table locks ignore the busy
            # timeout), so concurrency tests exercise the same WAL + IMMEDIATE locking as production.
            "TEST": {"NAME": str(VAR_DIR / "test_thidua.sqlite3")},
            # Keep a connection per worker thread: opening one costs ~1 ms (connect + PRAGMAs).
            "CONN_MAX_AGE": env_int("THIDUA_CONN_MAX_AGE", 600),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-20000;"
                ),
            },
        }
    }


def replica_database(url: str) -> dj_database_url.DBConfig:
    """The read replica's DATABASES entry. Persistent connections rather than a pool: a pool
    waits its whole timeout for a replica that is down, a refused connection fails at once.
    In tests it is a mirror of ``default``: Django never creates, flushes or migrates it."""
    replica = dj_database_url.parse(url)
    replica["CONN_MAX_AGE"] = env_int("THIDUA_REPLICA_CONN_MAX_AGE", 300)
    replica["CONN_HEALTH_CHECKS"] = True
    replica["OPTIONS"] = {"connect_timeout": 2}  # seconds; the primary answers while it waits
    replica["TEST"] = {"MIRROR": "default"}
    return replica


# A PostgreSQL streaming replica for read-heavy pages (docs/deploy.md, "Read replica").
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# Replica lag (seconds) above which every read goes to the primary.
THIDUA_REPLICA_MAX_LAG_S = env_int("THIDUA_REPLICA_MAX_LAG_S", 3)
# Seconds after a POST (PUT, PATCH, DELETE) during which that browser reads from the primary.
THIDUA_READ_YOUR_WRITES_S = env_int("THIDUA_READ_YOUR_WRITES_S", 5)
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL for the primary")
    # Lag is measured at most once a second, so a write older than this window is on the replica.
    if THIDUA_READ_YOUR_WRITES_S <= THIDUA_REPLICA_MAX_LAG_S:
        raise ImproperlyConfigured("THIDUA_READ_YOUR_WRITES_S must be greater than THIDUA_REPLICA_MAX_LAG_S")
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL)
    DATABASE_ROUTERS = ["thidua.ops.routers.ReplicaRouter"]
    # Before axes, which must stay last.
    MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "thidua.ops.routers.ReadYourWritesMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and sessions -----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("THIDUA_IDLE_TIMEOUT", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# With Redis, sessions live in the shared cache: every gunicorn node sees them, and the session
# saved on every request (idle timeout) costs no database write. Redis must keep them: no eviction.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CSRF_COOKIE_HTTPONLY = True

# Failed logins are counted per username and address, per address and per username, each with
# its own limit (thidua/accounts/throttling.py says why these three and these numbers).
AXES_HANDLER = "thidua.accounts.throttling.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env_int("THIDUA_LOGIN_FAILURE_LIMIT", 5)  # one username from one address
THIDUA_LOGIN_ADDRESS_LIMIT = env_int("THIDUA_LOGIN_ADDRESS_LIMIT", 20)  # one address, any usernames
THIDUA_LOGIN_USERNAME_LIMIT = env_int("THIDUA_LOGIN_USERNAME_LIMIT", 10)  # one username, any addresses
# The address behind THIDUA_PROXY_COUNT proxies: without it, every client behind nginx is 127.0.0.1.
AXES_CLIENT_IP_CALLABLE = "thidua.accounts.throttling.client_ip_address"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("THIDUA_AXES_ENABLED", True)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "thidua" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("THIDUA_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("THIDUA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("THIDUA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("THIDUA_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("THIDUA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from csp.constants import NONCE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The nonce is sent only on pages that use it (the article editor's import map).
        "script-src": ["'self'", NONCE],
        # The one inline stylesheet the article editor (Tiptap 2/3 base styles) injects, by hash.
        "style-src": ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "thidua@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env_list("THIDUA_ADMINS")]

# --- Logging: every line carries the request id ---------------------------
# Plain lines for people (the default), or one JSON object a line for a log sink
# (THIDUA_LOG_FORMAT=json). Neither carries personal data: docs/deploy.md, "Workers, health and logs".
THIDUA_LOG_FORMAT = env_str("THIDUA_LOG_FORMAT", "plain")
if THIDUA_LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"THIDUA_LOG_FORMAT must be plain or json, got {THIDUA_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "thidua.core.middleware.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "thidua.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": THIDUA_LOG_FORMAT},
        # Server errors to THIDUA_ADMINS (none when empty), without local variables or form values.
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
            "reporter_class": "thidua.ops.logs.ErrorReport",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # The development server's access lines repeat thidua.request's, with the query string.
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}

# --- Workers and /healthz (docs/deploy.md) -----------------------------------
# Workers that must be beating for /healthz to answer 200 (comma-separated command names, e.g.
# send_reminders,flush_views). Empty: none is required, so a server without workers is not failing.
THIDUA_HEALTH_WORKERS = env_list("THIDUA_HEALTH_WORKERS")
# A worker is stale when its last heartbeat or success is older than this (or 3 of its intervals).
THIDUA_HEALTH_WORKER_STALE_S = env_int("THIDUA_HEALTH_WORKER_STALE_S", 120)
THIDUA_HEALTH_REPLICA_MAX_LAG_S = env_int("THIDUA_HEALTH_REPLICA_MAX_LAG_S", 30)
THIDUA_HEALTH_DISK_MIN_FREE_MB = env_int("THIDUA_HEALTH_DISK_MIN_FREE_MB", 1024)

# --- Thi Đua ----------------------------------------------------------------
THIDUA_DEMO_PASSWORD = env_str("THIDUA_DEMO_PASSWORD", "ThiDua@2025")
# Report reminders (manage.py send_reminders): days before the due date, and days after it
# when a missing report is escalated to the officers of the level above.
THIDUA_REMIND_DAYS_BEFORE = env_int("THIDUA_REMIND_DAYS_BEFORE", 3)
THIDUA_ESCALATE_AFTER_DAYS = env_int("THIDUA_ESCALATE_AFTER_DAYS", 5)
MEMBERS_PAGE_SIZE = 50
# The Django admin is for system administrators only (is_staff); keep its path configurable.
ADMIN_URL = env_str("THIDUA_ADMIN_URL", "admin/")
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
# The portal's visitor hash uses the address they saw; never trust the header without them.
# The public portal's name in its header (default: "Tin hoạt động Công đoàn", translated).
THIDUA_PORTAL_NAME = env_str("THIDUA_PORTAL_NAME", "")
# Counted article views per address and day, above which more are ignored (0: no cap). Kept in
# the cache: per process with the default local-memory cache, shared with REDIS_URL.
THIDUA_PORTAL_IP_DAILY_CAP = env_int("THIDUA_PORTAL_IP_DAILY_CAP", 3000)
# Buffer portal views in Redis (one round trip a view; the worker `manage.py flush_views --loop`
# moves them into the database every 5 s; docs/portal.md says what a crash loses). Empty: write
# each view through. Read on first use (thidua/portal/counting/api.py), once per process.
THIDUA_VIEW_BUFFER_URL = env_str("THIDUA_VIEW_BUFFER_URL", "")
THIDUA_VIEW_BUFFER_PREFIX = env_str("THIDUA_VIEW_BUFFER_PREFIX", "thidua:views:")
THIDUA_PROXY_COUNT = int(os.environ.get("THIDUA_PROXY_COUNT", "0"))

# --- JSON API tokens and webhooks (docs/api.md) -------------------------------
# Requests a minute one personal access token may make: a fixed one-minute window counted in the
# cache (per process with the local-memory cache, shared by every process with REDIS_URL). 0: no limit.
THIDUA_API_TOKEN_RATE = env_int("THIDUA_API_TOKEN_RATE", 600)
# Webhooks may be delivered to private, loopback and link-local addresses (an e-office system inside
# the organisation's network). Off: such URLs are refused when registered and again at each delivery.
THIDUA_WEBHOOK_ALLOW_PRIVATE = env_bool("THIDUA_WEBHOOK_ALLOW_PRIVATE", False)
# Seconds a webhook receiver has to answer (connect and read) before the attempt counts as failed.
THIDUA_WEBHOOK_TIMEOUT_S = env_int("THIDUA_WEBHOOK_TIMEOUT_S", 5)
