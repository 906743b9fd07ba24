"""One submission, one record: the ``Idempotency-Key`` header on API POSTs and the pages' one-time
``submission_key`` form field (issue 4 item 9; STYLE §10, Zulip's IdempotentRequest).

:class:`IdempotencyMiddleware` (in ``settings.MIDDLEWARE``, after the CSRF and authentication
middleware) wraps every POST that carries a key, so no app imports it:

- ``POST /api/...`` with the ``Idempotency-Key`` header (the user from the bearer token or the
  session); a key longer than 200 characters → 422;
- a page POST with a non-empty ``submission_key`` field (a signed-in user): a double-clicked or
  re-sent form files one record.

The key is unique per (user, key). The row is written *before* the view runs, so two concurrent
retries cannot both create a record: the second finds the row (or hits the unique constraint) and
gets 409 "in progress" until the first stores its answer; later retries get the stored answer (an
API's JSON body and status, a page's redirect). A retry with the same key and another body or
another path is refused with 409. If the view fails (an API status ≥ 300, a page that does not
redirect), the row is removed so the client may correct the body and retry.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from apps.api.auth import user_for_token
from apps.api.models import IdempotentRequest
from linli import clock

HEADER = "Idempotency-Key"
FORM_FIELD = "submission_key"
MAX_KEY = 200
API_PREFIX = "/api/"
PAGE_KEY_PREFIX = "page:"
IGNORED_FORM_FIELDS = frozenset({"csrfmiddlewaretoken"})


@dataclass(frozen=True)
class Claim:
    row_id: int
    api: bool


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def request_digest(endpoint: str, payload: Any) -> str:
    body = json.dumps({"endpoint": endpoint, "body": payload}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _api_payload(request: HttpRequest) -> Any:
    """The JSON body as data (so whitespace and key order do not matter), else the raw bytes' hash."""
    raw = request.body
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:  # not JSON: compare the bytes
        return hashlib.sha256(raw).hexdigest()


def _page_payload(request: HttpRequest) -> Any:
    return {k: request.POST.getlist(k) for k in sorted(request.POST) if k not in IGNORED_FORM_FIELDS}


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, token = (request.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _api_user(request: HttpRequest) -> Any:
    token = _bearer(request)
    if token:
        return user_for_token(token)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _replay(row: IdempotentRequest, *, endpoint: str, digest: str, api: bool) -> HttpResponse:
    if row.endpoint != endpoint or row.request_hash != digest:
        raise Refusal(409, "idempotency_key_reused", "该 Idempotency-Key 已用于另一请求，请换一个键",
                      {HEADER: ["键已被不同内容的请求使用"]})
    if row.status_code is None:
        raise Refusal(409, "idempotency_in_progress", "相同 Idempotency-Key 的请求正在处理，请稍后重试")
    if api:
        return JsonResponse(row.cached_result, status=row.status_code, safe=False)
    return HttpResponseRedirect((row.cached_result or {}).get("location", "/"), status=row.status_code)


def claim(user: Any, key: str, *, endpoint: str, digest: str, api: bool) -> Claim | HttpResponse:
    """Reserve ``key`` for this request, or answer with the stored response (Refusal: 409)."""
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is not None:
        return _replay(row, endpoint=endpoint, digest=digest, api=api)
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(user=user, key=key, endpoint=endpoint, request_hash=digest,
                                                   created_at=clock.now())
    except IntegrityError:  # a concurrent request with the same key won the race
        row = IdempotentRequest.objects.get(user=user, key=key)
        return _replay(row, endpoint=endpoint, digest=digest, api=api)
    return Claim(row_id=row.pk, api=api)


def _stored_answer(claim: Claim, response: HttpResponse) -> tuple[bool, Any]:
    """(success, what to replay) for ``response``; not a success frees the key."""
    if getattr(response, "streaming", False):
        return False, None
    if claim.api:
        if not 200 <= response.status_code < 300:
            return False, None
        return True, (json.loads(response.content) if response.content else None)
    if response.status_code in (301, 302, 303, 307, 308) and response.get("Location"):
        return True, {"location": response["Location"]}
    return False, None


def finish(claim: Claim, response: HttpResponse) -> None:
    ok, answer = _stored_answer(claim, response)
    if not ok:
        IdempotentRequest.objects.filter(pk=claim.row_id).delete()
        return
    IdempotentRequest.objects.filter(pk=claim.row_id).update(status_code=response.status_code, cached_result=answer)


class IdempotencyMiddleware:
    """Runs a keyed POST once per (user, key); see the module docstring."""

    attr = "_linli_idempotency_claim"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        held: Claim | None = getattr(request, self.attr, None)
        if held is not None:
            finish(held, response)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> HttpResponse | None:
        if request.method != "POST":
            return None
        api = request.path.startswith(API_PREFIX)
        try:
            if api:
                return self._api(request)
            return self._page(request)
        except Refusal as exc:
            if api:
                return JsonResponse({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}},
                                    status=exc.status)
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path(), status=303)

    def _hold(self, request: HttpRequest, outcome: Claim | HttpResponse) -> HttpResponse | None:
        if isinstance(outcome, Claim):
            setattr(request, self.attr, outcome)
            return None
        return outcome

    def _api(self, request: HttpRequest) -> HttpResponse | None:
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return None
        if len(key) > MAX_KEY:
            raise Refusal(422, "invalid", "输入有误", {HEADER: [f"不能超过 {MAX_KEY} 个字符"]})
        user = _api_user(request)
        if user is None:  # the API answers 401 itself
            return None
        endpoint = f"POST {request.path}"[:200]
        return self._hold(request, claim(user, key, endpoint=endpoint, api=True,
                                         digest=request_digest(endpoint, _api_payload(request))))

    def _page(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not (request.content_type or "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return None
        key = (request.POST.get(FORM_FIELD) or "").strip()
        if not key or len(key) > MAX_KEY - len(PAGE_KEY_PREFIX):
            return None
        endpoint = f"POST {request.path}"[:200]
        return self._hold(request, claim(user, PAGE_KEY_PREFIX + key, endpoint=endpoint, api=False,
                                         digest=request_digest(endpoint, _page_payload(request))))
