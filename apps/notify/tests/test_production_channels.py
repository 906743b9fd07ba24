"""Production channels (issue 14 item 1, F3/F5/F6): a message is "sent" only when a real backend
accepted it; a company's HTTP SMS gateway set in the admin works; settings come from the environment."""
from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest

from apps.notify import actions, channels
from apps.notify.models import Channel, ChannelConfig, Delivery, DeliveryStatus
from apps.notify.tests.conftest import sh

T0 = sh(2026, 11, 2, 10)
ROOT = Path(__file__).resolve().parents[3]


class _Gateway(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, dict[str, Any]]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append((self.path, self.headers.get("Authorization", ""), body))
        out = json.dumps({"ok": True, "id": "gw-1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.django_db(transaction=True)
def test_company_http_sms_gateway_from_the_admin_row_sends(cast, owner) -> None:
    """F3: a ChannelConfig naming HttpSMSBackend with its gateway URL and key (no settings) delivers —
    it used to fail with 短信网关未配置 because the row's URL never reached the backend."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Gateway.received = []
    try:
        ChannelConfig.objects.create(company=cast.company, channel=Channel.SMS,
                                     backend="apps.notify.channels.HttpSMSBackend",
                                     webhook_url=f"http://127.0.0.1:{server.server_port}/sms/send", secret="K-123")
        actions.notify_owner(owner, project=cast.project, kind="n", body="您好", now=T0)
        actions.deliver_due(T0)
    finally:
        server.shutdown()
        server.server_close()
    d = Delivery.objects.get(channel=Channel.SMS)
    assert d.status == DeliveryStatus.SENT, d.last_error
    assert d.provider_ref == "gw-1"
    path, auth, body = _Gateway.received[0]
    assert (path, auth, body["phone"]) == ("/sms/send", "Bearer K-123", "13812345678")


@pytest.mark.django_db(transaction=True)
def test_production_without_a_gateway_records_sms_as_failed(cast, owner, settings) -> None:
    settings.PRODUCTION = True
    settings.LINLI_NOTIFY_BACKENDS = {}
    assert isinstance(channels.get_backend("sms"), channels.DisabledSMSBackend)
    actions.notify_owner(owner, project=cast.project, kind="n", body="您好", now=T0)
    actions.deliver_due(T0)
    d = Delivery.objects.get(channel=Channel.SMS)
    assert d.status == DeliveryStatus.FAILED
    assert "未配置短信网关" in d.last_error


@pytest.mark.django_db(transaction=True)
def test_production_console_sms_chosen_in_the_admin_is_not_marked_sent(cast, owner, settings) -> None:
    settings.PRODUCTION = True
    ChannelConfig.objects.create(company=cast.company, channel=Channel.SMS,
                                 backend="apps.notify.channels.ConsoleSMSBackend")
    actions.notify_owner(owner, project=cast.project, kind="n", body="您好", now=T0)
    actions.deliver_due(T0)
    d = Delivery.objects.get(channel=Channel.SMS)
    assert d.status == DeliveryStatus.FAILED
    assert "生产模式不使用开发用的" in d.last_error


def test_production_refuses_development_backends_at_start_up(settings) -> None:
    from django.core import checks

    settings.PRODUCTION = True
    settings.LINLI_NOTIFY_BACKENDS = {"sms": "apps.notify.channels.ConsoleSMSBackend"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    problems = channels.check_backends()
    assert any("ConsoleSMSBackend" in p for p in problems)
    assert any("LINLI_EMAIL_BACKEND" in p for p in problems)
    errors = [m for m in checks.run_checks(tags=["linli"]) if m.id == "notify.E001"]
    assert len(errors) == 2
    settings.LINLI_NOTIFY_BACKENDS = {"sms": "apps.notify.channels.HttpSMSBackend"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert channels.check_backends() == []
    settings.PRODUCTION = False
    settings.LINLI_NOTIFY_BACKENDS = {}
    assert isinstance(channels.get_backend("sms"), channels.ConsoleSMSBackend)  # embedded stays as it was


def test_links_are_absolute_with_the_site_url(settings) -> None:
    settings.LINLI_SITE_URL = "https://linli.example.com"
    msg = channels.OutgoingMessage(channel="email", address="a@b.c", body="正文", link="/reports/2/")
    assert channels._email_body(msg).endswith("\n\nhttps://linli.example.com/reports/2/")
    assert channels.absolute_link("https://x.example/a") == "https://x.example/a"


def _settings_from_env(env: dict[str, str], expr: str) -> Any:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    clean.update(env)
    out = subprocess.run([sys.executable, "-c", f"import json, linli.settings as s; print(json.dumps({expr}))"],
                         cwd=ROOT, env=clean, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_mail_sms_and_celery_settings_come_from_the_environment() -> None:
    got = _settings_from_env({
        "LINLI_EMAIL_HOST": "smtp.exmail.qq.com", "LINLI_EMAIL_PORT": "465", "LINLI_EMAIL_USER": "linli@x.cn",
        "LINLI_EMAIL_PASSWORD": "pw", "LINLI_EMAIL_USE_SSL": "true", "LINLI_EMAIL_TIMEOUT": "7",
        "LINLI_SMS_BACKEND": "http", "LINLI_SMS_HTTP_URL": "https://gw.example/send", "LINLI_SMS_HTTP_API_KEY": "k",
        "LINLI_SITE_URL": "https://linli.example.com/", "LINLI_NOTIFY_URGENT_KINDS": "a,b",
        "LINLI_TASK_TIME_LIMIT": "120", "LINLI_TASK_SOFT_TIME_LIMIT": "100",
    }, "[s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_SSL, s.EMAIL_USE_TLS,"
       " s.EMAIL_TIMEOUT, s.LINLI_NOTIFY_BACKENDS, s.LINLI_SMS_HTTP['url'], s.LINLI_SMS_HTTP['api_key'],"
       " s.LINLI_SITE_URL, s.LINLI_NOTIFY_URGENT_KINDS, s.CELERY_TASK_TIME_LIMIT, s.CELERY_TASK_SOFT_TIME_LIMIT]")
    assert got == ["smtp.exmail.qq.com", 465, "linli@x.cn", "pw", True, False, 7,
                   {"sms": "apps.notify.channels.HttpSMSBackend"}, "https://gw.example/send", "k",
                   "https://linli.example.com", ["a", "b"], 120, 100]
    defaults = _settings_from_env({}, "[s.EMAIL_TIMEOUT, s.CELERY_TASK_TIME_LIMIT]")
    assert defaults[0] == 10 and defaults[1] > 0
