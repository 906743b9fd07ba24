"""API token actions (issue 2 item 7): one code path for ``manage.py create_api_token`` and the
profile page. Each runs in a savepoint inside its caller's transaction."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from apps.api.models import ApiToken
from apps.api.queries import active_tokens
from apps.core.errors import DomainError


class TokenError(DomainError, ValueError):
    """Bad input for a token action; the message is Chinese and shown as is."""


MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def issue_token(user: Any, *, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the raw value (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("请填写令牌用途，例如“微信小程序”。")
    if len(name) > 100:
        raise TokenError("令牌用途不能超过100个字。")
    if not getattr(user, "is_active", False):
        raise TokenError("停用的账户不能创建令牌。")
    if active_tokens(user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"有效令牌已达 {MAX_ACTIVE_TOKENS} 个，请先吊销不用的令牌。")
    return ApiToken.issue(user, name=name, now=now)


@transaction.atomic
def revoke_token(user: Any, token_id: int, *, now: dt.datetime) -> ApiToken:
    """Revoke one of ``user``'s own tokens (idempotent: revoking twice keeps the first time)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise TokenError("令牌不存在。", code="not_found", status=404)
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    return token
