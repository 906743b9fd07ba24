"""One error contract for the whole API (issue 14 item 7): whatever refuses a request under /api/ —
a view, ninja's parser, Django's routing or a server error — answers {"error": {code, message, fields}}."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.core.validation import EdgeError, check_date, check_past_moment, check_planned_moment, check_text, safe_local
from linli import clock

pytestmark = pytest.mark.django_db


def shaped(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    error = r.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def staff(django_user_model: Any) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_user("edge_staff", password="x"))
    return client


def test_error_contract_unauthenticated_is_401() -> None:
    shaped(Client().get("/api/v1/tickets"), 401, "unauthenticated")


def test_error_contract_unknown_path_under_api_is_404(staff: Client) -> None:
    shaped(staff.get("/api/v1/no-such-thing"), 404, "not_found")
    shaped(staff.get(f"/api/v1/tickets/{10**25}"), 404, "not_found")


def test_error_contract_wrong_method_is_405(staff: Client) -> None:
    error = shaped(staff.delete("/api/v1/tickets"), 405, "method_not_allowed")
    assert error["fields"] == {}


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b'{"content": NaN}', b"[" * 5000])
def test_error_contract_malformed_json_is_400_not_detail(staff: Client, raw: bytes) -> None:
    r = staff.post("/api/v1/tickets", raw, content_type="application/json")
    shaped(r, 400, "malformed_json")
    assert "detail" not in r.json()


def test_error_contract_huge_number_in_body_is_422(staff: Client) -> None:
    r = staff.post("/api/v1/tickets", {"project": 10**30, "content": "x"}, content_type="application/json")
    assert "project" in shaped(r, 422, "invalid")["fields"]


def test_error_contract_openapi_declares_the_error_responses(staff: Client) -> None:
    doc = staff.get("/api/openapi.json").json()
    responses = doc["paths"]["/api/v1/tickets"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "405", "409", "422", "429"):
        assert status in responses


def test_edge_checks() -> None:
    now = clock.parse_moment("2026-11-23T10:00+08:00")
    with pytest.raises(EdgeError):
        check_past_moment(clock.parse_moment("1999-12-31T23:59"), now)
    with pytest.raises(EdgeError):
        check_past_moment(clock.parse_moment("2026-11-23T10:11"), now)
    assert check_past_moment(clock.parse_moment("2026-11-23T10:09"), now)
    with pytest.raises(EdgeError):
        check_planned_moment(clock.parse_moment("2030-01-01T00:00"), now)
    assert check_planned_moment(clock.parse_moment("2029-06-01T00:00"), now)
    with pytest.raises(EdgeError):
        check_date(clock.parse_moment("2101-01-01").date())
    for bad in ("\x00", "a\x07b", "\x7f", "\x85"):
        with pytest.raises(EdgeError):
            check_text(bad)
    assert check_text("行一\n行二\t\r") == "行一\n行二\t\r"


def test_edge_stored_extreme_moments_show_as_iso() -> None:
    import datetime as dt

    for moment in (dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(1900, 6, 1, tzinfo=dt.UTC),
                   dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)):
        shown = safe_local(moment)
        assert shown is not None and shown == moment
        dt.datetime.fromisoformat(shown.isoformat())
        assert shown.utcoffset() is not None and shown.utcoffset().seconds % 60 == 0  # type: ignore[union-attr]
