"""API rate limits (issue 14 items 7 and hardening): past the per-token/per-user or per-address rate the
API answers 429 in the documented error shape with ``Retry-After``; rates come from the settings."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps.api.actions import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_buckets() -> Any:
    cache.clear()
    yield
    cache.clear()


def _bearer(raw: str, address: str = "10.0.0.1") -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "REMOTE_ADDR": address}


def test_a_token_past_its_rate_gets_429_in_the_error_shape(cast: Any, frozen_now: Any, settings: Any) -> None:
    settings.LINLI_API_THROTTLE_USER, settings.LINLI_API_THROTTLE_IP = "3/m", "off"
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    _t2, other = issue_token(cast.supervisor, name="集成2", now=frozen_now)
    api = Client()
    assert [api.get("/api/v1/org/me", **_bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/org/me", **_bearer(raw))
    assert refused.status_code == 429
    assert refused.json() == {"error": {"code": "too_many_requests", "message": "请求过于频繁，请稍后再试",
                                        "fields": {}}}
    assert int(refused["Retry-After"]) >= 1
    # a POST is refused the same way, before its body is read
    assert api.post("/api/v1/tickets", data="{}", content_type="application/json",
                    **_bearer(raw)).status_code == 429
    assert api.get("/api/v1/org/me", **_bearer(other)).status_code == 200  # another token: its own bucket


def test_one_address_is_limited_across_tokens(cast: Any, frozen_now: Any, settings: Any) -> None:
    settings.LINLI_API_THROTTLE_USER, settings.LINLI_API_THROTTLE_IP = "off", "4/m"
    raws = [issue_token(u, name="集成", now=frozen_now)[1] for u in (cast.front_desk, cast.supervisor)]
    api = Client()
    codes = [api.get("/api/v1/org/me", **_bearer(raws[i % 2])).status_code for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert api.get("/api/v1/org/me", **_bearer(raws[0], address="10.0.0.2")).status_code == 200


def test_the_signed_in_browser_user_is_limited_too(cast: Any, settings: Any) -> None:
    settings.LINLI_API_THROTTLE_USER, settings.LINLI_API_THROTTLE_IP = "2/m", "off"
    browser = Client()
    browser.force_login(cast.front_desk)
    assert [browser.get("/api/v1/org/me").status_code for _ in range(3)] == [200, 200, 429]


def test_off_means_no_limit_and_unauthenticated_calls_answer_401(cast: Any, frozen_now: Any,
                                                                 settings: Any) -> None:
    settings.LINLI_API_THROTTLE_USER, settings.LINLI_API_THROTTLE_IP = "off", "off"
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    api = Client()
    assert {api.get("/api/v1/org/me", **_bearer(raw)).status_code for _ in range(30)} == {200}
    settings.LINLI_API_THROTTLE_USER = "1/m"
    assert api.get("/api/v1/org/me", **_bearer("not-a-token")).status_code == 401
    assert api.get("/api/v1/org/me", **_bearer("not-a-token")).status_code == 401


def test_a_malformed_rate_stops_the_start_up() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "LINLI_API_THROTTLE_USER": "lots", "DJANGO_SETTINGS_MODULE": "linli.settings"}
    env.pop("LINLI_MODE", None)
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, check=False)
    assert out.returncode != 0 and "LINLI_API_THROTTLE_USER must look like 600/m" in out.stderr
