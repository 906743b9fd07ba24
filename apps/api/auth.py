"""API authentication: ``Authorization: Bearer <token>`` for integrations, or the browser session."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from apps.api.models import ApiToken, hash_token
from linli import clock


def _active_token(token: str) -> ApiToken | None:
    return (ApiToken.objects.select_related("user")
            .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True).first())


def user_for_token(token: str) -> Any:
    """The active user of a raw bearer token, or None (read-only: the idempotency middleware)."""
    row = _active_token(token)
    return row.user if row is not None else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = _active_token(token)
        if row is None:
            return None
        now = clock.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
