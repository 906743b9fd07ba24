"""Settings for Linli, read from the environment.

Two modes:
- embedded (default): SQLite in ``var/``, no Redis, Celery tasks run eagerly; DEBUG off like production
  (friendly error pages, static files served by WhiteNoise) unless a developer sets ``LINLI_DEBUG=1``;
- production (``LINLI_MODE=production``): PostgreSQL from ``LINLI_DATABASE_URL``, Redis from
  ``LINLI_REDIS_URL``, ``LINLI_SECRET_KEY`` and ``LINLI_ALLOWED_HOSTS`` required, DEBUG off, HTTPS
  hardening on (``manage.py check --deploy`` is clean).

Business rules (limits, thresholds, quiet hours) are rows in the database, not settings.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))


def envstr(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """``postgres://user:pass@host:5432/name`` or ``sqlite:///path`` → Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "linli",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("LINLI_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": os.environ.get("LINLI_TEST_DATABASE_NAME") or None},
        }
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///"):] or str(VAR_DIR / "linli.sqlite3")
        return sqlite_database(Path(path))
    raise ImproperlyConfigured(f"LINLI_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def sqlite_database(path: Path) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at the
        # start of a transaction so two writers queue instead of failing half-way.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


MODE = os.environ.get("LINLI_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"LINLI_MODE must be embedded or production, not {MODE!r}")
PRODUCTION = MODE == "production"

# Off unless a developer asks (issue 23 item 9): `make run` must look like the product, with the friendly
# 404/500 pages, never Django's debug pages. `make run DEBUG=1` turns it on.
DEBUG = envbool("LINLI_DEBUG", False)
if PRODUCTION:
    SECRET_KEY = os.environ.get("LINLI_SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "LINLI_SECRET_KEY is required when LINLI_MODE=production: set it to 50+ random characters, e.g. "
            "python -c \"import secrets; print(secrets.token_urlsafe(50))\" (生产模式必须设置 LINLI_SECRET_KEY)"
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("LINLI_SECRET_KEY must be at least 50 random characters")
    ALLOWED_HOSTS = envlist("LINLI_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("LINLI_ALLOWED_HOSTS is required in production")
else:
    SECRET_KEY = os.environ.get(
        "LINLI_SECRET_KEY", "embedded-only-insecure-key-4f8a2c9e1b7d6053a8e2f1c4b9d7e6a5c3b2a1f0"
    )
    ALLOWED_HOSTS = envlist("LINLI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("LINLI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "simple_history",
    "apps.core",
    "apps.org",
    "apps.estates",
    "apps.workdays",
    "apps.tickets",
    "apps.escalation",
    "apps.notify",
    "apps.repairs",
    "apps.reports",
    "apps.portal",
    "apps.home",
    "apps.visits",
    "apps.quality",
    "apps.surveys",  # issue 18: satisfaction surveys (M10)
    "apps.owners",  # issue 19: owners' own Linli (/me/)
    "apps.improvement",  # issue 18: improvement plans (M15)
    "apps.audits",
    "apps.assessments",
    "apps.staffrecords",  # issue 20: M19 staff records
    # issue 21: IC cards and door codes (M11), fees (M16), front desk and building (M20)
    "apps.cards",
    "apps.fees",
    "apps.inspections",  # issue 22
    "apps.activities",  # issue 22
    "apps.desk",
    "apps.api",
    "django.forms",  # its widget templates, after apps.core (which overrides django/forms/div.html and p.html)
]

# Form rendering through the project's template settings, so that apps.core's django/forms/div.html and
# p.html put an error summary at the top of every form rendered with as_div/as_p (issue 23 item 1).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.api_errors.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.throttle.PostThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.org.middleware.CurrentProjectMiddleware",
    "apps.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

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
                "django.template.context_processors.i18n",
                "apps.org.context_processors.linli",
                "apps.home.navigation.nav",  # issue 23: the menu shows only the modules the user may open
            ],
        },
    }
]

if os.environ.get("LINLI_DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["LINLI_DATABASE_URL"])}
elif PRODUCTION:
    raise ImproperlyConfigured("LINLI_DATABASE_URL is required in production (postgres://…)")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(VAR_DIR / "linli.sqlite3")}
# The same-complaint gram index carries INCLUDE columns on PostgreSQL (a covering index); SQLite keeps the
# index without them, which is what Django's warning W040 says on every command. Nothing to act on there.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3") else []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Chinese first, English second (T-01: times shown in Asia/Shanghai).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the language choice survives closing the browser
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("LINLI_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("LINLI_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files (attachments, photos, signatures) are private: stored here, never served by the web
# server, only through the record's view (apps/core/files.py, issue 14 item 3). Back it up with the database.
LINLI_PRIVATE_ROOT = Path(os.environ.get("LINLI_PRIVATE_ROOT", VAR_DIR / "private"))
LINLI_UPLOAD_MAX_BYTES = int(os.environ.get("LINLI_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
LINLI_UPLOAD_MAX_FILES = int(os.environ.get("LINLI_UPLOAD_MAX_FILES", "10"))
# issue 19: owners' sign-in by SMS code (apps/owners/policy.py)
LINLI_OWNER_CODE_TTL_MINUTES = int(os.environ.get("LINLI_OWNER_CODE_TTL_MINUTES", "5"))
LINLI_OWNER_CODE_INTERVAL_SECONDS = int(os.environ.get("LINLI_OWNER_CODE_INTERVAL_SECONDS", "60"))
LINLI_OWNER_CODES_PER_PHONE_HOUR = int(os.environ.get("LINLI_OWNER_CODES_PER_PHONE_HOUR", "5"))
LINLI_OWNER_CODES_PER_IP_HOUR = int(os.environ.get("LINLI_OWNER_CODES_PER_IP_HOUR", "20"))
LINLI_OWNER_WRONG_CODES_LOCKOUT = int(os.environ.get("LINLI_OWNER_WRONG_CODES_LOCKOUT", "5"))
LINLI_OWNER_LOCKOUT_MINUTES = int(os.environ.get("LINLI_OWNER_LOCKOUT_MINUTES", "30"))
LINLI_IMAGE_MAX_PIXELS = int(os.environ.get("LINLI_IMAGE_MAX_PIXELS", "40000000"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The embedded default serves static files straight from the apps (no collectstatic step), through WhiteNoise
# as production does; production serves the collected, hashed and compressed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Login lockout (issue 2 item 8): this many failures within the window lock the account+address.
LINLI_LOGIN_MAX_FAILURES = envint("LINLI_LOGIN_MAX_FAILURES", 5)
LINLI_LOGIN_LOCK_MINUTES = envint("LINLI_LOGIN_LOCK_MINUTES", 15)
# Failures from one client address (any usernames) that lock the address; default 4 × the above.
LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS = envint("LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS", 4 * LINLI_LOGIN_MAX_FAILURES)
# Behind our own reverse proxy the client address is the last X-Forwarded-For entry it appends.
LINLI_BEHIND_PROXY = envbool("LINLI_BEHIND_PROXY", PRODUCTION)

# API rate limits (apps.api.throttling): requests per API token / signed-in user and per client address,
# "<count>/<s|m|h|d>"; "off" switches a limit off. Too many answer 429 with Retry-After.
LINLI_API_THROTTLE_USER = os.environ.get("LINLI_API_THROTTLE_USER", "1200/m")
LINLI_API_THROTTLE_IP = os.environ.get("LINLI_API_THROTTLE_IP", "3000/m")
# Page POST rate limits (apps.core.throttle): form submissions per signed-in user, per address without a
# signed-in user (login, owners' code request) and per address overall; past them 429 with a Chinese page.
LINLI_POST_THROTTLE_USER = os.environ.get("LINLI_POST_THROTTLE_USER", "120/m")
LINLI_POST_THROTTLE_ANON = os.environ.get("LINLI_POST_THROTTLE_ANON", "30/m")
LINLI_POST_THROTTLE_IP = os.environ.get("LINLI_POST_THROTTLE_IP", "600/m")
for _name, _rate in (("LINLI_API_THROTTLE_USER", LINLI_API_THROTTLE_USER), ("LINLI_API_THROTTLE_IP", LINLI_API_THROTTLE_IP),
                     ("LINLI_POST_THROTTLE_USER", LINLI_POST_THROTTLE_USER),
                     ("LINLI_POST_THROTTLE_ANON", LINLI_POST_THROTTLE_ANON),
                     ("LINLI_POST_THROTTLE_IP", LINLI_POST_THROTTLE_IP)):
    if _rate.strip().lower() not in ("", "off") and not re.fullmatch(r"\d+/\d*(s|m|h|d)", _rate.strip().lower()):
        raise ImproperlyConfigured(f"{_name} must look like 600/m (count/s|m|h|d) or off, not {_rate!r}")

# Background work: Celery on Redis in production; in the embedded default tasks run in-process.
REDIS_URL = os.environ.get("LINLI_REDIS_URL", "")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("LINLI_REDIS_URL is required in production (redis://…)")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = "Asia/Shanghai"
# Durable jobs (apps.core.jobs): run inline after the commit in the embedded default, as Celery tasks when
# a broker is configured.
LINLI_JOBS_INLINE = envbool("LINLI_JOBS_INLINE", not REDIS_URL)

# All periodic work, in one place (times in UTC; every task is idempotent and safe to run twice). Each
# task has a management command with ``--now`` for the embedded default and for replaying a day.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # the beat heartbeat /healthz reads: a worker ran a beat task recently (no command)
    "every-30s-heartbeat": {"task": "core.heartbeat", "schedule": 30.0},
    # durable jobs whose retry is due (manage.py run_jobs)
    "every-minute-run-pending-jobs": {"task": "core.run_pending_jobs", "schedule": 60.0},
    # time-based escalations, deadline warnings and breaches (manage.py run_sweeps)
    "every-minute-run-escalation-sweeps": {"task": "apps.escalation.tasks.run_sweeps", "schedule": 60.0},
    # queued e-mail / SMS / WeCom / DingTalk messages, quiet hours released (manage.py notify_deliver)
    "every-30s-notify-deliver-due": {"task": "apps.notify.tasks.deliver_due", "schedule": 30.0},
    # reminders before deadlines (manage.py notify_reminders)
    "every-5min-notify-queue-reminders": {"task": "apps.notify.tasks.queue_reminders", "schedule": 300.0},
    # daily inventory reminders, 日盘点 (manage.py tickets_sweep)
    "every-15min-tickets-sweep": {"task": "apps.tickets.tasks.tickets_sweep", "schedule": 900.0},
    # fixed reports that are due, reminders before and after the due date (manage.py generate_reports)
    "hourly-generate-reports": {"task": "apps.reports.tasks.generate_reports", "schedule": 3600.0},
    # idempotency keys past LINLI_IDEMPOTENCY_TTL_HOURS (manage.py purge_idempotency_keys)
    "hourly-purge-idempotency-keys": {"task": "api.purge_idempotency_keys", "schedule": 3600.0},
    # login attempts past their retention (manage.py purge_login_attempts)
    "daily-purge-login-attempts": {"task": "core.purge_login_attempts", "schedule": 86400.0},
    # survey deadline warnings and breach notices (manage.py surveys_sweep)
    "every-15min-surveys-sweep": {"task": "apps.surveys.tasks.surveys_sweep", "schedule": 900.0},
    # issue 21: monthly and arrears fee reminders (manage.py fees_reminders)
    "hourly-fees-reminders": {"task": "apps.fees.tasks.send_reminders", "schedule": 3600.0},
    # card-retrieval tasks for staff transferred or gone (manage.py cards_sweep)
    "hourly-cards-sweep": {"task": "apps.cards.tasks.sweep", "schedule": 3600.0},
    # issue 22: planned work (inspections, visits, activities) due soon or overdue (manage.py plans_sweep)
    "hourly-plans-sweep": {"task": "apps.visits.tasks.plans_sweep", "schedule": 3600.0},
}

# Cache (healthz heartbeat, rate limits): its own Redis database when LINLI_CACHE_URL is set — Django's
# cache.clear() is FLUSHDB, which would also drop queued Celery tasks sharing the broker's database.
CACHE_URL = os.environ.get("LINLI_CACHE_URL", "") or REDIS_URL
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery limits: a task past the soft limit gets SoftTimeLimitExceeded, past the hard limit its pool
# process is killed and replaced — so a hung SMTP or SMS call never blocks the worker, and a warm
# shutdown (SIGTERM) ends at the latest after the hard limit (docs/deploy.md).
CELERY_TASK_SOFT_TIME_LIMIT = envint("LINLI_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = envint("LINLI_TASK_TIME_LIMIT", 300)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A beat heartbeat (core.heartbeat) older than this makes /healthz answer 503.
LINLI_HEARTBEAT_MAX_AGE_SECONDS = envint("LINLI_HEARTBEAT_MAX_AGE_SECONDS", 300)

# Outgoing e-mail: SMTP in production (with login and TLS/SSL for company mail services such as
# smtp.exmail.qq.com:465), console when embedded. A socket timeout keeps a silent relay from hanging a worker.
EMAIL_BACKEND = os.environ.get(
    "LINLI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("LINLI_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("LINLI_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("LINLI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LINLI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("LINLI_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("LINLI_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("LINLI_EMAIL_USE_TLS and LINLI_EMAIL_USE_SSL cannot both be on (port 587: TLS, 465: SSL)")
EMAIL_TIMEOUT = envint("LINLI_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("LINLI_FROM_EMAIL", "linli@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def envjson(name: str, default: object) -> object:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be JSON, not {raw!r}") from None


# Notification channels (apps/notify/README.md). Base address for links in e-mails, SMS and robots.
LINLI_SITE_URL = os.environ.get("LINLI_SITE_URL", "").rstrip("/")
# Backend per channel, e.g. {"sms": "apps.notify.channels.HttpSMSBackend"}; LINLI_SMS_BACKEND is the
# short form for SMS: "http", "none", "console", "file" or a dotted path.
LINLI_NOTIFY_BACKENDS = envjson("LINLI_NOTIFY_BACKENDS", {})
if not isinstance(LINLI_NOTIFY_BACKENDS, dict):
    raise ImproperlyConfigured("LINLI_NOTIFY_BACKENDS must be a JSON object such as {\"sms\": \"dotted.path\"}")
_SMS_SHORT = {
    "http": "apps.notify.channels.HttpSMSBackend",
    "none": "apps.notify.channels.DisabledSMSBackend",
    "console": "apps.notify.channels.ConsoleSMSBackend",
    "file": "apps.notify.channels.FileSMSBackend",
}
if os.environ.get("LINLI_SMS_BACKEND"):
    LINLI_NOTIFY_BACKENDS["sms"] = _SMS_SHORT.get(os.environ["LINLI_SMS_BACKEND"], os.environ["LINLI_SMS_BACKEND"])
# The HTTP SMS gateway (HttpSMSBackend); a company's gateway can also be set in the admin (ChannelConfig).
LINLI_SMS_HTTP = {
    "url": os.environ.get("LINLI_SMS_HTTP_URL", ""),
    "api_key": os.environ.get("LINLI_SMS_HTTP_API_KEY", ""),
    "sign_name": os.environ.get("LINLI_SMS_HTTP_SIGN_NAME", ""),
    "timeout": envint("LINLI_SMS_HTTP_TIMEOUT", 10),
}
LINLI_SMS_FILE_PATH = os.environ.get("LINLI_SMS_FILE_PATH", "")
LINLI_NOTIFY_MAX_ATTEMPTS = envint("LINLI_NOTIFY_MAX_ATTEMPTS", 5)
LINLI_NOTIFY_RETRY_BASE_SECONDS = envint("LINLI_NOTIFY_RETRY_BASE_SECONDS", 60)
LINLI_NOTIFY_RETRY_MAX_SECONDS = envint("LINLI_NOTIFY_RETRY_MAX_SECONDS", 3600)
if os.environ.get("LINLI_NOTIFY_URGENT_KINDS"):
    LINLI_NOTIFY_URGENT_KINDS = envlist("LINLI_NOTIFY_URGENT_KINDS")
LINLI_MAIL_NOTIFY_TIME = os.environ.get("LINLI_MAIL_NOTIFY_TIME", "10:00")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("LINLI_SSL_REDIRECT", True)
    # load-balancer probes speak plain HTTP to the backend
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("LINLI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("LINLI_SESSION_SECONDS", 12 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "linli.logfilters.NoTracebackBelow500"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINLI_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# ---------------------------------------------------------------- hardening (issue 14 items 6 and 10)
# Idempotency-Key / submission_key rows answer retries for this long, then are purged
# (apps.api.idempotency; task api.purge_idempotency_keys, manage.py purge_idempotency_keys).
LINLI_IDEMPOTENCY_TTL_HOURS = envint("LINLI_IDEMPOTENCY_TTL_HOURS", 24)

# Content-Security-Policy (django-csp): everything from this origin only; scripts are static files
# (htmx, echarts, signature_pad are vendored; behaviours in apps/core/static/linli/linli.js) or carry
# the request's nonce; no eval (htmx allowEval off). Styles keep 'unsafe-inline': the print and PDF
# pages carry their own <style> blocks, htmx injects its indicator styles, echarts and swagger-ui
# style their elements, and an injected style cannot run code — the script policy is the XSS barrier.
# Images from this origin and data: URLs (signature pads, echarts' export).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
