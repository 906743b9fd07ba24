"""Outgoing channels behind one adapter interface (issue 5 item 6).

A backend turns an :class:`OutgoingMessage` into a send and returns the provider's reference, or
raises :class:`DeliveryError` (``permanent=True`` when retrying cannot help). Which backend serves a
channel is configuration: ``settings.LINLI_NOTIFY_BACKENDS`` (``{"sms": "dotted.path", …}``), or a
company's :class:`~apps.notify.models.ChannelConfig` row with a ``backend``. Defaults: Django's email
backends for email (console in the embedded mode, per ``EMAIL_BACKEND``), the console SMS backend
when embedded and no SMS at all in production (:class:`DisabledSMSBackend`: every SMS is recorded as
failed until a gateway is configured), and the WeCom/DingTalk group-robot webhooks.

A message is "sent" only when a real backend accepted it: in production the development backends
(console and file SMS; console, locmem, dummy and file e-mail) are refused at start-up
(:func:`check_backends`) and, if a company's ChannelConfig names one, fail the delivery.

HTTP goes through :func:`post_json` (urllib, no extra dependency); tests replace it with a fake or
point a backend at a local server — no network in tests.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import importlib.util
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured


class DeliveryError(Exception):
    """A failed send. ``permanent`` errors are not retried (bad address, rejected by the provider)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class OutgoingMessage:
    channel: str
    address: str
    body: str
    subject: str = ""
    kind: str = ""
    link: str = ""
    webhook_url: str = ""
    secret: str = ""
    reference: str = ""  # our id for the provider (idempotency key where supported)
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        parts = [p for p in (self.subject, self.body) if p]
        if self.link:
            parts.append(absolute_link(self.link))
        return "\n".join(parts)


def absolute_link(link: str) -> str:
    """``/tickets/1/`` → ``https://linli.example.com/tickets/1/`` with ``LINLI_SITE_URL`` set."""
    base = str(getattr(settings, "LINLI_SITE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base and link.startswith("/") else link


@dataclass
class HttpResult:
    status: int
    data: Any
    text: str = ""


def post_json(url: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None,
              timeout: float = 10.0) -> HttpResult:
    """POST ``payload`` as JSON; returns the status and the decoded body (never raises on HTTP
    status; raises DeliveryError on connection problems)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured https URL
            raw = resp.read().decode("utf-8", "replace")
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw = exc.read().decode("utf-8", "replace") if exc.fp else ""
        status = exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"连接失败：{getattr(exc, 'reason', exc)}") from exc
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return HttpResult(status, data, raw[:500])


Transport = Callable[..., HttpResult]


class Backend:
    """One outgoing channel. Subclasses set ``channel`` and implement :meth:`send`."""

    channel: str = ""
    label: str = ""

    def __init__(self, transport: Transport | None = None, **options: Any) -> None:
        self._transport = transport
        self.options = options

    def post(self, url: str, payload: dict[str, Any], **kw: Any) -> HttpResult:
        transport = self._transport or post_json  # looked up at call time so tests can patch it
        return transport(url, payload, **kw)

    def send(self, message: OutgoingMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError


# ---------------------------------------------------------------- email


class EmailBackend(Backend):
    """Email through Django's configured backend (SMTP in production, console when embedded,
    locmem in tests)."""

    channel = "email"
    label = "Django email"

    def send(self, message: OutgoingMessage) -> str:
        if "@" not in message.address:
            raise DeliveryError(f"邮箱地址不正确：{message.address}", permanent=True)
        email = mail.EmailMessage(subject=message.subject or message.kind, body=_email_body(message),
                                  from_email=settings.DEFAULT_FROM_EMAIL, to=[message.address],
                                  headers={"X-Linli-Reference": message.reference} if message.reference else None)
        try:
            sent = email.send(fail_silently=False)
        except Exception as exc:  # smtplib and socket errors vary by backend
            raise DeliveryError(f"邮件发送失败：{exc}") from exc
        if sent != 1:
            raise DeliveryError("邮件后端未发送")
        return ""


def _email_body(message: OutgoingMessage) -> str:
    body = message.body
    if message.link:
        body = f"{body}\n\n{absolute_link(message.link)}"
    return body


# ---------------------------------------------------------------- SMS


def _check_phone(address: str) -> str:
    phone = "".join(ch for ch in address if ch.isdigit() or ch == "+")
    if len(phone.lstrip("+")) < 5:
        raise DeliveryError(f"手机号不正确：{address}", permanent=True)
    return phone


class DevelopmentBackend(Backend):
    """A backend that only prints or files a message: never a real send in production."""

    def refuse_in_production(self) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise DeliveryError(f"生产模式不使用开发用的{self.label}后端，消息未发送；请配置真实的短信网关或邮件服务器",
                                permanent=True)


class DisabledSMSBackend(Backend):
    """No SMS gateway configured (the production default): every SMS fails visibly in the delivery log."""

    channel = "sms"
    label = "none"

    def send(self, message: OutgoingMessage) -> str:
        raise DeliveryError("未配置短信网关（LINLI_SMS_BACKEND），短信未发送", permanent=True)


class ConsoleSMSBackend(DevelopmentBackend):
    """Development SMS: prints the message (the embedded default)."""

    channel = "sms"
    label = "console"

    def __init__(self, stream: TextIO | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.stream = stream

    def send(self, message: OutgoingMessage) -> str:
        self.refuse_in_production()
        phone = _check_phone(message.address)
        out = self.stream or sys.stdout
        out.write(f"[SMS → {phone}] {message.text()}\n")
        out.flush()
        return f"console:{message.reference}"


class FileSMSBackend(DevelopmentBackend):
    """Development SMS: appends one JSON line per message to ``LINLI_SMS_FILE_PATH``
    (default ``var/sms-outbox.jsonl``)."""

    channel = "sms"
    label = "file"

    def __init__(self, path: str | Path | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        default = Path(getattr(settings, "VAR_DIR", ".")) / "sms-outbox.jsonl"
        self.path = Path(path or getattr(settings, "LINLI_SMS_FILE_PATH", "") or default)

    def send(self, message: OutgoingMessage) -> str:
        self.refuse_in_production()
        phone = _check_phone(message.address)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": phone, "text": message.text(), "kind": message.kind, "ref": message.reference},
                          ensure_ascii=False)
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"写入短信文件失败：{exc}") from exc
        return f"file:{message.reference}"


class HttpSMSBackend(Backend):
    """An SMS gateway reached by an HTTP JSON POST — a skeleton for a provider adapter.

    Settings ``LINLI_SMS_HTTP = {"url": …, "api_key": …, "sign_name": …, "timeout": 10}`` (from
    ``LINLI_SMS_HTTP_URL`` etc.); a company's ChannelConfig row overrides the URL (its 群机器人地址 field)
    and the key (its 加签密钥 field). Sends
    ``{"phone", "content", "sign_name", "reference"}`` with ``Authorization: Bearer <api_key>``;
    a 2xx answer whose JSON has no ``"ok": false`` is success (``id`` becomes the provider
    reference). 4xx other than 429 are permanent failures; 429, 5xx and connection errors are
    retried. A provider with another protocol subclasses this and overrides :meth:`payload` and
    :meth:`read_result`.
    """

    channel = "sms"
    label = "HTTP"

    def config(self) -> dict[str, Any]:
        conf = {**(getattr(settings, "LINLI_SMS_HTTP", None) or {}),
                **{k: v for k, v in self.options.items() if v}}
        if not conf.get("url"):
            raise DeliveryError("短信网关未配置（LINLI_SMS_HTTP_URL，或渠道配置的网关地址）", permanent=True)
        return conf

    def payload(self, message: OutgoingMessage, phone: str, conf: dict[str, Any]) -> dict[str, Any]:
        return {"phone": phone, "content": message.text(), "sign_name": conf.get("sign_name", ""),
                "reference": message.reference}

    def read_result(self, result: HttpResult) -> str:
        if result.status == 429 or result.status >= 500:
            raise DeliveryError(f"短信网关暂时不可用（HTTP {result.status}）")
        if result.status >= 400:
            raise DeliveryError(f"短信网关拒绝（HTTP {result.status}）：{result.text[:200]}", permanent=True)
        data = result.data if isinstance(result.data, dict) else {}
        if data.get("ok") is False:
            raise DeliveryError(f"短信网关返回失败：{data.get('message') or data}", permanent=bool(data.get("permanent")))
        return str(data.get("id", ""))

    def send(self, message: OutgoingMessage) -> str:
        phone = _check_phone(message.address)
        conf = self.config()
        headers = {"Authorization": f"Bearer {conf['api_key']}"} if conf.get("api_key") else {}
        result = self.post(conf["url"], self.payload(message, phone, conf), headers=headers,
                           timeout=float(conf.get("timeout", 10)))
        return self.read_result(result)


# ---------------------------------------------------------------- group robots


def _robot_result(result: HttpResult, name: str, permanent_codes: frozenset[int]) -> str:
    if result.status >= 500 or result.status == 429:
        raise DeliveryError(f"{name}暂时不可用（HTTP {result.status}）")
    if result.status >= 400:
        raise DeliveryError(f"{name}拒绝（HTTP {result.status}）", permanent=True)
    data = result.data if isinstance(result.data, dict) else {}
    code = data.get("errcode")
    if code in (0, None) and result.status < 300 and data:
        return str(data.get("msgid", ""))
    if code is None:
        raise DeliveryError(f"{name}返回无法识别：{result.text[:200]}")
    raise DeliveryError(f"{name}返回错误 {code}：{data.get('errmsg', '')}", permanent=code in permanent_codes)


class WeComWebhookBackend(Backend):
    """企业微信群机器人: ``{"msgtype": "text", "text": {"content": …}}`` to the group's webhook URL."""

    channel = "wecom"
    label = "WeCom robot"
    # 93000 invalid webhook url, 40008 invalid message type: retrying cannot help
    PERMANENT = frozenset({93000, 40008, 40058})

    def send(self, message: OutgoingMessage) -> str:
        if not message.webhook_url:
            raise DeliveryError("未配置企业微信群机器人地址", permanent=True)
        payload = {"msgtype": "text", "text": {"content": message.text()[:2000]}}
        return _robot_result(self.post(message.webhook_url, payload), "企业微信", self.PERMANENT)


class DingTalkWebhookBackend(Backend):
    """钉钉群机器人: text message; with a secret the URL is signed (timestamp + HMAC-SHA256)."""

    channel = "dingtalk"
    label = "DingTalk robot"
    PERMANENT = frozenset({300001, 310000, 400101, 400102})

    @staticmethod
    def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
        to_sign = f"{timestamp_ms}\n{secret}".encode()
        digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}timestamp={timestamp_ms}&sign={sign}"

    def send(self, message: OutgoingMessage) -> str:
        if not message.webhook_url:
            raise DeliveryError("未配置钉钉群机器人地址", permanent=True)
        url = message.webhook_url
        if message.secret:
            url = self.signed_url(url, message.secret, int(time.time() * 1000))
        payload = {"msgtype": "text", "text": {"content": message.text()[:2000]}}
        return _robot_result(self.post(url, payload), "钉钉", self.PERMANENT)


# ---------------------------------------------------------------- registry

DEV_EMAIL_BACKENDS = frozenset({
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
})

DEFAULT_BACKENDS: dict[str, str] = {
    "email": "apps.notify.channels.EmailBackend",
    "sms": "apps.notify.channels.ConsoleSMSBackend",
    "wecom": "apps.notify.channels.WeComWebhookBackend",
    "dingtalk": "apps.notify.channels.DingTalkWebhookBackend",
}


class BackendNotFound(ImproperlyConfigured, ValueError):
    """A configured backend path that names no backend class: a configuration error. It is raised
    at start-up for the settings (``manage.py check``, :func:`check_backends`) and at send time for a
    company's ChannelConfig (recorded on the delivery attempt), never ignored."""


def _module_exists(dotted: str) -> bool:
    """Whether every package on the way to ``dotted`` exists (without importing a missing one)."""
    parts = dotted.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            return False
    return True


def load_backend_class(path: str) -> type[Backend]:
    module_path, _dot, name = path.rpartition(".")
    if not module_path or not _module_exists(module_path):
        raise BackendNotFound(f"找不到通知后端：{path}")
    # A backend module that exists but fails to import (a missing optional dependency) raises its own
    # ImportError here: a configuration error the caller sees and records.
    cls = getattr(importlib.import_module(module_path), name, None)
    if cls is None:
        raise BackendNotFound(f"找不到通知后端：{path}")
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise BackendNotFound(f"不是通知后端：{path}")
    return cls


def default_backends() -> dict[str, str]:
    """The backends when the settings name none; production sends no SMS until a gateway is set."""
    defaults = dict(DEFAULT_BACKENDS)
    if getattr(settings, "PRODUCTION", False):
        defaults["sms"] = "apps.notify.channels.DisabledSMSBackend"
    return defaults


def check_backends() -> list[str]:
    """Start-up check (``apps.notify.checks``): every backend the settings name must load, and in
    production none may be a development backend that only prints a message."""
    configured = {**default_backends(), **(getattr(settings, "LINLI_NOTIFY_BACKENDS", {}) or {})}
    production = getattr(settings, "PRODUCTION", False)
    problems = []
    for channel, path in sorted(configured.items()):
        try:
            cls = load_backend_class(path)
        except BackendNotFound as exc:
            problems.append(f"LINLI_NOTIFY_BACKENDS[{channel!r}]: {exc}")
            continue
        if production and issubclass(cls, DevelopmentBackend):
            problems.append(f"LINLI_NOTIFY_BACKENDS[{channel!r}]: 生产模式不能使用开发用的后端 {path}"
                            "（消息只会打印或写入文件）；请设置 LINLI_SMS_BACKEND=http 或 none")
    if production and settings.EMAIL_BACKEND in DEV_EMAIL_BACKENDS:
        problems.append(f"LINLI_EMAIL_BACKEND: 生产模式不能使用开发用的邮件后端 {settings.EMAIL_BACKEND}"
                        "（邮件不会真正发出）")
    return problems


def backend_path(channel: str, config: Any = None) -> str:
    backend: str = getattr(config, "backend", "") if config is not None else ""
    if backend:
        return backend
    configured = getattr(settings, "LINLI_NOTIFY_BACKENDS", {}) or {}
    path = configured.get(channel) or default_backends().get(channel)
    if not path:
        raise ValueError(f"没有渠道 {channel} 的通知后端")
    return path


def get_backend(channel: str, config: Any = None) -> Backend:
    """The backend serving ``channel`` (a company's ChannelConfig ``backend`` wins over settings).

    An HTTP SMS gateway takes its URL and key from the company's ChannelConfig row when it has them
    (the admin's 群机器人地址 / 加签密钥 fields), else from ``LINLI_SMS_HTTP``."""
    cls = load_backend_class(backend_path(channel, config))
    if config is not None and issubclass(cls, HttpSMSBackend):
        return cls(url=getattr(config, "webhook_url", ""), api_key=getattr(config, "secret", ""))
    return cls()
