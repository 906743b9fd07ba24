"""Settings (issue 2 item 2): production mode from documented environment variables passes
``manage.py check --deploy`` without a warning; missing secrets fail with a clear message."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "LINLI_MODE": "production",
    "LINLI_SECRET_KEY": "q8Zr2-vN5xK1pL7mW3bT9hY6cJ0sD4fG8aE2uR5iO1nB7kM3zX9wV6tQ0yH4jC",
    "LINLI_ALLOWED_HOSTS": "linli.example.com",
    "LINLI_DATABASE_URL": "postgres://linli:secret@db.internal:5432/linli",
    "LINLI_REDIS_URL": "redis://127.0.0.1:6379/0",
    "LINLI_CSRF_TRUSTED_ORIGINS": "https://linli.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # (browser test modules set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never does)
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("LINLI_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "linli.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warnings():
    r = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout and "WARNINGS" not in r.stdout + r.stderr


def test_production_settings_values():
    r = _manage("shell", "-c", "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, "
                "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LINLI_BEHIND_PROXY)",
                env=PRODUCTION_ENV)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].split() == ["False", "True", "django.db.backends.postgresql", "False", "True"]


@pytest.mark.parametrize("missing", ["LINLI_SECRET_KEY", "LINLI_ALLOWED_HOSTS", "LINLI_DATABASE_URL", "LINLI_REDIS_URL"])
def test_production_without_a_required_variable_fails_clearly(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    r = _manage("check", env=env)
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and missing in r.stderr


def test_weak_secret_key_is_refused():
    r = _manage("check", env={**PRODUCTION_ENV, "LINLI_SECRET_KEY": "short"})
    assert r.returncode != 0 and "at least 50" in r.stderr


def test_embedded_mode_needs_no_environment():
    r = _manage("check", env={"LINLI_VAR_DIR": "/tmp/linli-settings-test"})
    assert r.returncode == 0, r.stderr
