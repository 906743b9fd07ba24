"""One submission, one record: the ``Idempotency-Key`` header on API POSTs and the pages' one-time
``submission_key`` form field (issue 4 item 9; issue 14 item 6; STYLE §10, Zulip's IdempotentRequest).

:class:`IdempotencyMiddleware` (in ``settings.MIDDLEWARE``, after the CSRF and authentication
middleware) wraps every POST that carries a key, so no app imports it:

- ``POST /api/...`` with the ``Idempotency-Key`` header (the user from the bearer token or the
  session); a key longer than 200 characters → 422;
- a page POST with a non-empty ``submission_key`` field (a signed-in user): a double-clicked or
  re-sent form files one record.

The key is unique per (user, key). The middleware runs the view inside one ``transaction.atomic()``
together with the key row: the row is inserted first, the view writes, the answer is stored, and all
of it commits at once. A process killed mid-request therefore leaves neither the key nor the write,
and the client's retry with the same key runs as new. A concurrent retry blocks on the key's unique
index until the first commits and then gets the stored answer (an API's JSON body and status, a
page's redirect). A retry with the same key and another body or another path is refused with 409.
If the view fails (an exception, an API status ≥ 300, a page that does not redirect), the key row is
not kept, so the client may correct the body and retry with the same key.

Keys expire after ``settings.LINLI_IDEMPOTENCY_TTL_HOURS`` (24 by default): an expired key is
treated as new, and :func:`purge_expired` (the task ``api.purge_idempotency_keys`` and
``manage.py purge_idempotency_keys``) deletes the old rows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
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
DEFAULT_TTL_HOURS = 24


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def ttl() -> dt.timedelta:
    """How long a key holds its answer (``LINLI_IDEMPOTENCY_TTL_HOURS``, 24 h by default)."""
    hours = getattr(settings, "LINLI_IDEMPOTENCY_TTL_HOURS", DEFAULT_TTL_HOURS)
    return dt.timedelta(hours=max(float(hours), 0.0))


def expired_before(now: dt.datetime) -> dt.datetime:
    """Keys created at or before this moment have expired."""
    return now - ttl()


def purge_expired(*, now: dt.datetime) -> int:
    """Delete the keys past their time to live; returns how many (the periodic purge)."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lte=expired_before(now)).delete()
    return deleted


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
    if row.status_code is None:  # only a row written before issue 14 (not atomic) can be left unanswered
        raise Refusal(409, "idempotency_in_progress", "相同 Idempotency-Key 的请求正在处理，请稍后重试")
    if api:
        return JsonResponse(row.cached_result, status=row.status_code, safe=False)
    return HttpResponseRedirect((row.cached_result or {}).get("location", "/"), status=row.status_code)


def claim(user: Any, key: str, *, endpoint: str, digest: str, api: bool,
          now: dt.datetime) -> IdempotentRequest | HttpResponse:
    """Reserve ``key`` for this request inside the caller's transaction, or answer with the stored
    response (Refusal: 409). An expired key is deleted and reserved anew."""
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is not None and row.created_at <= expired_before(now):
        row.delete()
        row = None
    if row is not None:
        return _replay(row, endpoint=endpoint, digest=digest, api=api)
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert of the same key waits here
            return IdempotentRequest.objects.create(user=user, key=key, endpoint=endpoint, request_hash=digest,
                                                    created_at=now)
    except IntegrityError:  # a concurrent request with the same key committed first
        row = IdempotentRequest.objects.get(user=user, key=key)
        return _replay(row, endpoint=endpoint, digest=digest, api=api)


def _stored_answer(api: bool, response: HttpResponse) -> tuple[bool, Any]:
    """(success, what to replay) for ``response``; not a success frees the key."""
    if getattr(response, "streaming", False):
        return False, None
    if api:
        if not 200 <= response.status_code < 300:
            return False, None
        render = getattr(response, "render", None)
        if render is not None and not getattr(response, "is_rendered", True):
            render()
        return True, (json.loads(response.content) if response.content else None)
    if response.status_code in (301, 302, 303, 307, 308) and response.get("Location"):
        return True, {"location": response["Location"]}
    return False, None


def run_once(request: HttpRequest, view: Callable[[], HttpResponse], *, user: Any, key: str, endpoint: str,
             digest: str, api: bool) -> HttpResponse:
    """Run ``view`` once per (user, key): the key row, the view's writes and the stored answer in one
    transaction. An exception rolls all of it back; an unsuccessful answer drops the key row."""
    with transaction.atomic():
        outcome = claim(user, key, endpoint=endpoint, digest=digest, api=api, now=clock.now())
        if isinstance(outcome, HttpResponse):
            return outcome
        response = view()
        ok, answer = _stored_answer(api, response)
        if ok:
            IdempotentRequest.objects.filter(pk=outcome.pk).update(status_code=response.status_code,
                                                                   cached_result=answer)
        else:
            IdempotentRequest.objects.filter(pk=outcome.pk).delete()
    return response


class IdempotencyMiddleware:
    """Runs a keyed POST once per (user, key); see the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> HttpResponse | None:
        if request.method != "POST":
            return None
        api = request.path.startswith(API_PREFIX)
        try:
            keyed = self._api(request) if api else self._page(request)
            if keyed is None:
                return None
            user, key, digest = keyed
            return run_once(request, lambda: view_func(request, *view_args, **view_kwargs), user=user, key=key,
                            endpoint=_endpoint(request), digest=digest, api=api)
        except Refusal as exc:
            if api:
                return JsonResponse({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}},
                                    status=exc.status)
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path(), status=303)

    def _api(self, request: HttpRequest) -> tuple[Any, str, str] | None:
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return None
        if len(key) > MAX_KEY:
            raise Refusal(422, "invalid", "输入有误", {HEADER: [f"不能超过 {MAX_KEY} 个字符"]})
        user = _api_user(request)
        if user is None:  # the API answers 401 itself
            return None
        return user, key, request_digest(_endpoint(request), _api_payload(request))

    def _page(self, request: HttpRequest) -> tuple[Any, str, str] | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not (request.content_type or "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return None
        key = (request.POST.get(FORM_FIELD) or "").strip()
        if not key or len(key) > MAX_KEY - len(PAGE_KEY_PREFIX):
            return None
        return user, PAGE_KEY_PREFIX + key, request_digest(_endpoint(request), _page_payload(request))


def _endpoint(request: HttpRequest) -> str:
    return f"POST {request.path}"[:200]
