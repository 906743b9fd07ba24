"""/healthz (issue 14 item 1, F7): the database, the cache, the static manifest and a recent beat
heartbeat; JSON with each check; 503 when one fails; plain-HTTP probes are not redirected."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings

from apps.core import health, tasks
from linli import clock

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
WITH_WORKERS = {"REDIS_URL": "redis://127.0.0.1:6379/15", "CELERY_TASK_ALWAYS_EAGER": False}


@pytest.fixture(autouse=True)
def _no_heartbeat():
    from django.core.cache import cache

    cache.delete(health.HEARTBEAT_KEY)
    yield
    cache.delete(health.HEARTBEAT_KEY)


def test_embedded_healthz_checks_database_and_static(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "static"}  # no worker or beat in the embedded default
    assert r["Cache-Control"].startswith("max-age=0")


@override_settings(**WITH_WORKERS)
def test_healthz_needs_a_fresh_beat_heartbeat_when_workers_run(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["beat"]["ok"] is False
    assert r.json()["checks"]["cache"]["ok"] is True
    assert client.get("/healthz?scope=web").status_code == 200  # the load balancer's probe

    t0 = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    with clock.frozen(t0):
        tasks.heartbeat()  # what beat sends every 30 s
        r = client.get("/healthz")
    assert r.status_code == 200, r.json()
    assert r.json()["checks"]["beat"]["age_seconds"] == 0

    with clock.frozen(t0 + dt.timedelta(minutes=6)):
        r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["beat"] == {"ok": False, "last": t0.isoformat(), "age_seconds": 360,
                                          "max_age_seconds": 300, "error": "heartbeat is stale"}


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch) -> None:
    class Broken:
        vendor = "broken"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["database"] == {"ok": False, "error": "OperationalError: connection refused"}


def test_healthz_answers_503_without_the_static_manifest(client, tmp_path) -> None:
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["static"]["ok"] is False


def test_plain_http_probe_is_not_redirected_in_production(client) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(LINLI_MODE="production", LINLI_SECRET_KEY="k" * 25 + "abcdefghijklmnopqrstuvwxyz",
               LINLI_ALLOWED_HOSTS="testserver", LINLI_DATABASE_URL="postgres://u@127.0.0.1/x",
               LINLI_REDIS_URL="redis://127.0.0.1:6379/15", LINLI_SMS_BACKEND="none")
    out = subprocess.run([sys.executable, "-c", "import json, linli.settings as s; "
                          "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT]))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    redirect, exempt = json.loads(out.stdout)
    assert redirect is True
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/healthz").status_code == 200
        assert client.get("/login/").status_code == 301
