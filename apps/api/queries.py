"""Reads of the API app: a user's active tokens."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.api.models import ApiToken


def active_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-id")
