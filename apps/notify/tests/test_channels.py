"""Each channel backend with a fake transport (or a local HTTP server) — no network."""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import io
import json
import threading
import urllib.parse

import pytest
from django.core import mail

from apps.notify import channels
from apps.notify.channels import DeliveryError, HttpResult, OutgoingMessage


def msg(**kw) -> OutgoingMessage:
    kw.setdefault("channel", "sms")
    kw.setdefault("address", "13812345678")
    kw.setdefault("body", "您好，明日9:00-12:00停水")
    return OutgoingMessage(**kw)


def test_email_backend_uses_djangos_mail(settings) -> None:
    settings.LINLI_SITE_URL = "https://linli.example.cn"
    channels.EmailBackend().send(msg(channel="email", address="a@example.cn", subject="通知", link="/notify/",
                                     reference="linli-7"))
    m = mail.outbox[0]
    assert (m.to, m.subject, m.extra_headers["X-Linli-Reference"]) == (["a@example.cn"], "通知", "linli-7")
    assert m.body.endswith("https://linli.example.cn/notify/")
    with pytest.raises(DeliveryError) as err:
        channels.EmailBackend().send(msg(channel="email", address="nobody"))
    assert err.value.permanent


def test_email_backend_failure_is_retryable(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    with pytest.raises(DeliveryError) as err:
        channels.EmailBackend().send(msg(channel="email", address="a@example.cn"))
    assert not err.value.permanent and "邮件发送失败" in str(err.value)


def test_console_and_file_sms(tmp_path) -> None:
    out = io.StringIO()
    assert channels.ConsoleSMSBackend(stream=out).send(msg(reference="linli-1")) == "console:linli-1"
    assert out.getvalue() == "[SMS → 13812345678] 您好，明日9:00-12:00停水\n"
    path = tmp_path / "sub" / "sms.jsonl"
    channels.FileSMSBackend(path=path).send(msg(kind="notice"))
    channels.FileSMSBackend(path=path).send(msg(address="+86 139 0000 0000"))
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["to"] for x in lines] == ["13812345678", "+8613900000000"] and lines[0]["kind"] == "notice"
    with pytest.raises(DeliveryError) as err:
        channels.ConsoleSMSBackend(stream=out).send(msg(address="12"))
    assert err.value.permanent


def test_http_sms_gateway_statuses(settings, transport) -> None:
    backend = channels.HttpSMSBackend()
    with pytest.raises(DeliveryError, match="未配置") as err:
        backend.send(msg())
    assert err.value.permanent
    settings.LINLI_SMS_HTTP = {"url": "https://sms.example.cn/send", "api_key": "k", "sign_name": "万家物业"}
    transport.answers = [HttpResult(200, {"ok": True, "id": "abc"}), HttpResult(503, None),
                         HttpResult(400, {"ok": False}, "bad phone"), HttpResult(200, {"ok": False, "message": "余额不足"}),
                         DeliveryError("连接失败：timed out")]
    assert backend.send(msg(reference="linli-3")) == "abc"
    call = transport.calls[0]
    assert call["url"] == "https://sms.example.cn/send" and call["headers"] == {"Authorization": "Bearer k"}
    assert call["payload"] == {"phone": "13812345678", "content": "您好，明日9:00-12:00停水", "sign_name": "万家物业",
                               "reference": "linli-3"}
    outcomes = []
    for _ in range(4):
        with pytest.raises(DeliveryError) as err:
            backend.send(msg())
        outcomes.append(err.value.permanent)
    assert outcomes == [False, True, False, False]


def test_wecom_robot_payload_and_errors(transport) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
    b = channels.WeComWebhookBackend()
    b.send(msg(channel="wecom", address="群", subject="已超时", body="YG-001 回复时限已过", link="/tickets/1/",
               webhook_url=url))
    assert transport.calls[0]["url"] == url
    assert transport.calls[0]["payload"] == {"msgtype": "text", "text": {"content": "已超时\nYG-001 回复时限已过\n/tickets/1/"}}
    transport.answers = [HttpResult(200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
                         HttpResult(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), HttpResult(502, None)]
    permanence = []
    for _ in range(3):
        with pytest.raises(DeliveryError) as err:
            b.send(msg(channel="wecom", webhook_url=url))
        permanence.append(err.value.permanent)
    assert permanence == [True, False, False]
    with pytest.raises(DeliveryError, match="未配置"):
        b.send(msg(channel="wecom"))


def test_dingtalk_robot_signs_the_url(transport, monkeypatch) -> None:
    monkeypatch.setattr(channels.time, "time", lambda: 1764000000.123)
    robot = "https://oapi.dingtalk.com/robot/send?access_token=T"
    channels.DingTalkWebhookBackend().send(msg(channel="dingtalk", webhook_url=robot, secret="SEC123"))
    url = transport.calls[0]["url"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    expected = base64.b64encode(hmac.new(b"SEC123", b"1764000000123\nSEC123", hashlib.sha256).digest()).decode()
    assert query["timestamp"] == ["1764000000123"] and query["sign"] == [expected]
    assert query["access_token"] == ["T"]
    transport.answers = [HttpResult(200, {"errcode": 310000, "errmsg": "sign not match"})]
    with pytest.raises(DeliveryError) as err:
        channels.DingTalkWebhookBackend().send(msg(channel="dingtalk", webhook_url="https://x/robot"))
    assert err.value.permanent and "310000" in str(err.value)


class _Robot(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Robot.received.append((self.path, json.loads(body)))
        answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


def test_post_json_against_a_local_robot_server() -> None:
    """The real urllib transport against a local fake robot (127.0.0.1), and a refused connection."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Robot)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=K"
        channels.WeComWebhookBackend().send(msg(channel="wecom", webhook_url=url, body="测试"))
    finally:
        server.shutdown()
        server.server_close()
    assert _Robot.received == [("/cgi-bin/webhook/send?key=K", {"msgtype": "text", "text": {"content": "测试"}})]
    with pytest.raises(DeliveryError, match="连接失败") as err:
        channels.post_json(f"http://127.0.0.1:{server.server_port}/", {}, timeout=1)
    assert not err.value.permanent


def test_backend_choice_settings_and_company_config(settings) -> None:
    from types import SimpleNamespace

    assert isinstance(channels.get_backend("sms"), channels.ConsoleSMSBackend)  # embedded default
    settings.LINLI_NOTIFY_BACKENDS = {"sms": "apps.notify.channels.HttpSMSBackend"}
    assert isinstance(channels.get_backend("sms"), channels.HttpSMSBackend)
    conf = SimpleNamespace(backend="apps.notify.channels.FileSMSBackend")
    assert isinstance(channels.get_backend("sms", conf), channels.FileSMSBackend)  # the company's choice wins
    with pytest.raises(ValueError, match="找不到"):
        channels.load_backend_class("apps.notify.channels.Nope")
    with pytest.raises(ValueError, match="不是通知后端"):
        channels.load_backend_class("apps.notify.channels.OutgoingMessage")
    with pytest.raises(ValueError):
        channels.get_backend("fax")
