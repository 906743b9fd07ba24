"""API tokens and idempotent requests (issue 2 item 7, issue 4 item 9)."""
from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """An integration token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, default="integration")
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("已吊销"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: object, *, name: str, now: object) -> tuple[ApiToken, str]:
        raw = "lnl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:12], digest=hash_token(raw), created_at=now)
        return token, raw


class IdempotentRequest(models.Model):
    """A POST carrying ``Idempotency-Key``: a retry returns the stored result, never a second record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    cached_result = models.JSONField(null=True)
    created_at = models.DateTimeField(db_index=True)  # expiry: apps.api.idempotency.ttl

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.key} ({self.endpoint})"
