"""``Idempotency-Key`` for POST endpoints (issue 4 item 9; STYLE §10, Zulip's IdempotentRequest).

The key is unique per (user, key). The row is written *before* the action runs, so two concurrent
retries cannot both create a ticket: the second finds the row (or hits the unique constraint) and
gets 409 "in progress" until the first stores its result; later retries get the stored response.
A retry with the same key and a different body (or another endpoint) is refused with 409.
If the action fails, the row is removed so the client may correct the body and retry.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from apps.api.models import IdempotentRequest
from apps.core.api_errors import ApiError
from linli import clock

HEADER = "Idempotency-Key"
MAX_KEY = 200


def request_digest(endpoint: str, payload: Any) -> str:
    body = json.dumps({"endpoint": endpoint, "body": payload}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(row: IdempotentRequest, *, endpoint: str, digest: str) -> tuple[int, Any]:
    if row.endpoint != endpoint or row.request_hash != digest:
        raise ApiError(409, "idempotency_key_reused", "该 Idempotency-Key 已用于另一请求，请换一个键",
                       {HEADER: ["键已被不同内容的请求使用"]})
    if row.status_code is None:
        raise ApiError(409, "idempotency_in_progress", "相同 Idempotency-Key 的请求正在处理，请稍后重试")
    return row.status_code, row.cached_result


def run_idempotent(request: HttpRequest, *, endpoint: str, payload: Any, status: int,
                   produce: Callable[[], Any]) -> tuple[int, Any]:
    """Run ``produce`` (which returns a JSON-ready result) once per Idempotency-Key."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return status, produce()
    if len(key) > MAX_KEY:
        raise ApiError(422, "invalid", "输入有误", {HEADER: [f"不能超过 {MAX_KEY} 个字符"]})
    return run_once(request.user, key, endpoint=endpoint, payload=payload, status=status, produce=produce)


def run_once(user: Any, key: str, *, endpoint: str, payload: Any, status: int,
             produce: Callable[[], Any]) -> tuple[int, Any]:
    """The same guarantee for any caller with a key (the intake page sends a one-time form key, so a
    double-clicked or re-sent form files one ticket)."""
    digest = request_digest(endpoint, payload)
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is not None:
        return _replay(row, endpoint=endpoint, digest=digest)
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(user=user, key=key, endpoint=endpoint, request_hash=digest,
                                                   created_at=clock.now())
    except IntegrityError:
        row = IdempotentRequest.objects.get(user=user, key=key)
        return _replay(row, endpoint=endpoint, digest=digest)
    try:
        result = produce()
    except BaseException:
        IdempotentRequest.objects.filter(pk=row.pk).delete()
        raise
    IdempotentRequest.objects.filter(pk=row.pk).update(status_code=status, cached_result=result)
    return status, result
