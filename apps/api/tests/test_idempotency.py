"""The idempotency middleware (issue 4 item 9): one submission, one record, for the API's
``Idempotency-Key`` header and the pages' one-time ``submission_key`` field."""
from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.test import Client, override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from apps.api import tasks
from apps.api.actions import issue_token
from apps.api.idempotency import request_digest
from apps.api.models import ApiToken, IdempotentRequest
from linli import clock

CALLS: list[Any] = []


class Crash(RuntimeError):
    """The process dies after the view's write (a kill -9 seen from the database: nothing commits)."""


@csrf_exempt
def _api_echo(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body or b"{}")
    if body.get("fail"):
        return JsonResponse({"error": {"code": "invalid", "message": "bad", "fields": {}}}, status=422)
    CALLS.append(body)
    return JsonResponse({"n": len(CALLS), "echo": body}, status=201)


@csrf_exempt
def _page(request: HttpRequest) -> HttpResponse:
    if request.POST.get("fail"):
        return HttpResponse("form again", status=422)
    CALLS.append(dict(request.POST))
    return redirect(f"/done/{len(CALLS)}/")


@csrf_exempt
def _api_write(request: HttpRequest) -> HttpResponse:
    """Writes a row (an API token), then crashes when the body says so."""
    body = json.loads(request.body or b"{}")
    token, _raw = issue_token(request.user, name=body.get("name", "t"), now=clock.now())
    if body.get("crash"):
        raise Crash("killed mid-request")
    return JsonResponse({"token": token.pk}, status=201)


urlpatterns = [path("api/echo/", _api_echo), path("page/", _page), path("api/write/", _api_write)]

pytestmark = pytest.mark.urls("apps.api.tests.test_idempotency")


@pytest.fixture(autouse=True)
def _calls() -> Any:
    CALLS.clear()
    yield
    CALLS.clear()


def _post(client: Any, body: dict[str, Any], key: str = "", **extra: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/echo/", json.dumps(body), content_type="application/json", **headers, **extra)


def test_api_retry_replays_and_other_body_is_refused(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    first = _post(client, {"a": 1}, key="k-1")
    again = client.post("/api/echo/", '{ "a" : 1 }', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json() and len(CALLS) == 1
    other = _post(client, {"a": 2}, key="k-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert _post(client, {"a": 1}, key="k-2").status_code == 201 and len(CALLS) == 2
    assert _post(client, {"a": 1}).json()["n"] == 3  # no key: no idempotency


def test_api_failure_frees_the_key_and_long_key_is_422(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    assert _post(client, {"fail": True}, key="k-9").status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert _post(client, {"a": 1}, key="k-9").status_code == 201
    long = _post(client, {"a": 1}, key="x" * 201)
    assert long.status_code == 422 and "Idempotency-Key" in long.json()["error"]["fields"]


def test_api_in_progress_is_409(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    IdempotentRequest.objects.create(user=cast.front_desk, key="busy", endpoint="POST /api/echo/",
                                     request_hash=_digest({"a": 1}), created_at=clock.now())
    r = _post(client, {"a": 1}, key="busy")
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_in_progress" and not CALLS


def _digest(body: Any) -> str:
    return request_digest("POST /api/echo/", body)


def test_api_key_belongs_to_the_bearer_tokens_user(cast: Any, client: Any) -> None:
    _token, raw = issue_token(cast.front_desk, name="t", now=clock.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert _post(client, {"a": 1}, key="same", **auth).status_code == 201
    assert _post(client, {"a": 1}, key="same", **auth).json()["n"] == 1
    assert IdempotentRequest.objects.get().user == cast.front_desk
    # another user's same key is their own
    client.force_login(cast.supervisor)
    assert _post(client, {"a": 1}, key="same").json()["n"] == 2


def test_page_submission_key_replays_the_redirect(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    data = {"content": "漏水", "submission_key": "f" * 32, "csrfmiddlewaretoken": "x"}
    first = client.post("/page/", data)
    again = client.post("/page/", {**data, "csrfmiddlewaretoken": "y"})
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"] == "/done/1/"
    assert len(CALLS) == 1
    other = client.post("/page/", {**data, "content": "另一件事"})  # the same key for another form
    assert other.status_code == 303 and other["Location"] == "/page/" and len(CALLS) == 1


def test_page_that_does_not_redirect_frees_the_key(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    data = {"content": "漏水", "submission_key": "e" * 32}
    assert client.post("/page/", {**data, "fail": "1"}).status_code == 422
    assert client.post("/page/", data).status_code == 302 and len(CALLS) == 1


@override_settings(ROOT_URLCONF="linli.urls")
def test_profile_token_form_double_submit_issues_one_token(cast: Any, client: Any) -> None:
    """The profile page's token form through the real URLs: a re-sent form with one key issues one token."""
    client.force_login(cast.front_desk)
    data = {"name": "小程序", "submission_key": "a" * 32}
    assert client.post("/profile/tokens/", data).status_code == 302
    assert client.post("/profile/tokens/", data).status_code == 302
    assert ApiToken.objects.filter(user=cast.front_desk).count() == 1


# ------------------------------------------------------------------ issue 14 item 6: atomic and expiring


def test_the_write_failed_so_the_key_is_free_and_the_retry_succeeds_once(cast: Any) -> None:
    """The key row is in the view's transaction: a crash after the write leaves neither the key nor the
    write, and the retry with the same key writes once; a third send replays."""
    client = Client(raise_request_exception=False)
    client.force_login(cast.front_desk)
    crashed = client.post("/api/write/", json.dumps({"crash": True}), content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="intake-1")
    assert crashed.status_code == 500
    assert not IdempotentRequest.objects.exists() and not ApiToken.objects.exists()
    # the client retries with the same key (the body may differ: nothing was stored)
    retry = client.post("/api/write/", json.dumps({}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="intake-1")
    again = client.post("/api/write/", json.dumps({}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="intake-1")
    assert retry.status_code == again.status_code == 201 and retry.json() == again.json()
    assert ApiToken.objects.count() == 1
    row = IdempotentRequest.objects.get()
    assert row.status_code == 201 and row.cached_result == retry.json()


def test_expired_key_is_treated_as_new(cast: Any, client: Any, frozen_now: Any) -> None:
    client.force_login(cast.front_desk)
    assert _post(client, {"a": 1}, key="old").status_code == 201
    IdempotentRequest.objects.update(created_at=clock.now() - dt.timedelta(hours=24, seconds=1))
    fresh = _post(client, {"a": 2}, key="old")  # another body: no 409, the old answer has expired
    assert fresh.status_code == 201 and fresh.json()["n"] == 2
    row = IdempotentRequest.objects.get()
    assert row.created_at == clock.now() and row.cached_result == fresh.json()
    assert _post(client, {"a": 2}, key="old").json()["n"] == 2  # within the TTL: replayed


@override_settings(LINLI_IDEMPOTENCY_TTL_HOURS=1)
def test_ttl_is_a_setting(cast: Any, client: Any, frozen_now: Any) -> None:
    client.force_login(cast.front_desk)
    assert _post(client, {"a": 1}, key="k").status_code == 201
    IdempotentRequest.objects.update(created_at=clock.now() - dt.timedelta(minutes=59))
    assert _post(client, {"a": 1}, key="k").json()["n"] == 1
    IdempotentRequest.objects.update(created_at=clock.now() - dt.timedelta(minutes=61))
    assert _post(client, {"a": 1}, key="k").json()["n"] == 2


def _row(user: Any, key: str, age: dt.timedelta) -> IdempotentRequest:
    return IdempotentRequest.objects.create(user=user, key=key, endpoint="POST /api/echo/", request_hash="x",
                                            status_code=201, cached_result={}, created_at=clock.now() - age)


def test_purge_command_and_task_delete_only_expired_keys(cast: Any, frozen_now: Any) -> None:
    _row(cast.front_desk, "old", dt.timedelta(hours=30))
    _row(cast.front_desk, "edge", dt.timedelta(hours=24))
    _row(cast.front_desk, "new", dt.timedelta(hours=23))
    out = io.StringIO()
    call_command("purge_idempotency_keys", now=clock.now().isoformat(), stdout=out)
    assert "deleted 2" in out.getvalue()
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    # the same command replayed a day later; the periodic task purges with the real clock
    call_command("purge_idempotency_keys", now=(clock.now() + dt.timedelta(hours=2)).isoformat(), stdout=out)
    assert not IdempotentRequest.objects.exists()
    _row(cast.front_desk, "older", dt.timedelta(days=3))
    assert tasks.purge_idempotency_keys() == 1 and not IdempotentRequest.objects.exists()
