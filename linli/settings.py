"""Settings for Linli, read from the environment.

Two modes:
- embedded (default): SQLite in ``var/``, DEBUG on, no Redis, Celery tasks run eagerly;
- production (``LINLI_MODE=production``): PostgreSQL from ``LINLI_DATABASE_URL``, Redis from
  ``LINLI_REDIS_URL``, ``LINLI_SECRET_KEY`` and ``LINLI_ALLOWED_HOSTS`` required, DEBUG off, HTTPS
  hardening on (``manage.py check --deploy`` is clean).

Business rules (limits, thresholds, quiet hours) are rows in the database, not settings.
"""
from __future__ import annotations

import os
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

DEBUG = envbool("LINLI_DEBUG", not PRODUCTION)
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
    "apps.api",
]

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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Login lockout (issue 2 item 8): this many failures within the window lock the account+address.
LINLI_LOGIN_MAX_FAILURES = envint("LINLI_LOGIN_MAX_FAILURES", 5)
LINLI_LOGIN_LOCK_MINUTES = envint("LINLI_LOGIN_LOCK_MINUTES", 15)
# Failures from one client address (any usernames) that lock the address; default 4 × the above.
LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS = envint("LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS", 4 * LINLI_LOGIN_MAX_FAILURES)
# Behind our own reverse proxy the client address is the last X-Forwarded-For entry it appends.
LINLI_BEHIND_PROXY = envbool("LINLI_BEHIND_PROXY", PRODUCTION)

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
    # login attempts past their retention (manage.py purge_login_attempts)
    "daily-purge-login-attempts": {"task": "core.purge_login_attempts", "schedule": 86400.0},
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get(
    "LINLI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("LINLI_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("LINLI_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("LINLI_FROM_EMAIL", "linli@localhost")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("LINLI_SSL_REDIRECT", True)
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINLI_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
