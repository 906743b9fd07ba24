"""Issue 19 item 9: the owners' own API under /api/v1/me/ — owner tokens from the same SMS sign-in,
the same actions as the pages (submit as the online channel R-M1-03, follow, add information or a
photo, confirm a repair R-M8-08 e, rate = online return visit R-M4-07/R-M4-09); privacy: another
household's record answers 404; staff and owner credentials never cross."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.core.tests import samples
from apps.owners.models import OwnerPhoto, OwnerToken
from apps.owners.tests.conftest import OTHER, OWNER, last_code
from apps.owners.tests.test_confirm import completed_repair
from apps.repairs.models import RepairOrder
from apps.tickets.models import ReturnVisit, Ticket
from apps.tickets.tests.helpers import to_verified
from linli import clock

pytestmark = pytest.mark.django_db
BASE = "/api/v1/me"


def post(c: Client, url: str, body: Any, token: str | None = None) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return c.post(BASE + url, json.dumps(body), content_type="application/json", **headers)


def get(c: Client, url: str, token: str) -> Any:
    return c.get(BASE + url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_sign_in_issues_owner_token(api_token: Any, homes: Any) -> None:
    token = api_token(OWNER)
    assert OwnerToken.objects.count() == 1 and token not in OwnerToken.objects.get().digest
    r = get(Client(), "/households", token)
    assert r.status_code == 200
    assert {h["label"] for h in r.json()} == {"5栋2单元1502", "8栋0301"}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"phone": "12345"}, 422, "bad_phone"),
    ({"phone": "13600000000"}, 404, "unknown_phone"),
])
def test_api_bad_phone_refused(homes: Any, frozen_now: Any, body: Any, status: int, code: str) -> None:
    r = post(Client(), "/sign-in/code", body)
    assert r.status_code == status and r.json()["error"]["code"] == code


def test_api_wrong_code_refused_no_token(homes: Any, frozen_now: Any) -> None:
    c = Client()
    post(c, "/sign-in/code", {"phone": OTHER})
    wrong = "000000" if last_code(OTHER) != "000000" else "111111"
    r = post(c, "/sign-in", {"phone": OTHER, "code": wrong})
    assert r.status_code == 400 and r.json()["error"]["message"] == "验证码不正确"
    assert not OwnerToken.objects.exists()


def test_api_needs_owner_token_staff_credentials_refused(cast: Any, homes: Any) -> None:
    from apps.api.models import ApiToken

    _row, staff_raw = ApiToken.issue(cast.front_desk, name="t", now=clock.now())
    assert get(Client(), "/households", staff_raw).status_code == 401
    staff = Client()
    staff.force_login(cast.front_desk)
    assert staff.get(BASE + "/households").status_code == 401
    assert Client().get(BASE + "/households").status_code == 401


def test_owner_token_never_reaches_staff_api(api_token: Any) -> None:
    token = api_token()
    assert Client().get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_api_sign_out_revokes(api_token: Any) -> None:
    token = api_token()
    assert post(Client(), "/sign-out", {}, token).status_code == 204
    assert get(Client(), "/households", token).status_code == 401


def test_r_m1_03_api_submit_follow_add_information(api_token: Any, homes: Any) -> None:
    token = api_token()
    c = Client()
    r = post(c, f"/households/{homes['0801'].pk}/tickets", {"kind": "complaint", "content": "楼道灯不亮"}, token)
    assert r.status_code == 201, r.content
    data = r.json()
    ticket = Ticket.objects.get()
    assert ticket.channel == "online" and data["number"] == ticket.number and data["promised"]
    assert [row["number"] for row in get(c, f"/households/{homes['0801'].pk}/tickets", token).json()] == [ticket.number]
    r = post(c, f"/tickets/{ticket.pk}/information", {"text": "晚上八点后才亮"}, token)
    assert r.status_code == 200
    photo = SimpleUploadedFile("a.jpg", samples.jpeg(), content_type="image/jpeg")
    r = c.post(f"{BASE}/tickets/{ticket.pk}/photos", {"photo": photo}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["photo_count"] == 1
    fake = SimpleUploadedFile("x.jpg", b"MZ not an image", content_type="image/jpeg")
    r = c.post(f"{BASE}/tickets/{ticket.pk}/photos", {"photo": fake}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422 and r.json()["error"]["fields"]["photos"]
    assert OwnerPhoto.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "complaint", "content": ""}, "content"),
    ({"kind": "nonsense", "content": "x"}, "kind"),
])
def test_api_bad_submission_refused_nothing_written(api_token: Any, homes: Any, body: Any, field: str) -> None:
    token = api_token()
    r = post(Client(), f"/households/{homes['0801'].pk}/tickets", body, token)
    assert r.status_code == 422 and field in r.json()["error"]["fields"]
    assert not Ticket.objects.exists()


def test_api_other_households_records_are_404(api_token: Any, homes: Any, owner_client: Any) -> None:
    mine = api_token(OWNER)
    other = api_token(OTHER)
    c = Client()
    post(c, f"/households/{homes['0801'].pk}/tickets", {"kind": "complaint", "content": "噪音"}, other)
    ticket = Ticket.objects.get()
    assert get(c, f"/tickets/{ticket.pk}", mine).status_code == 404
    assert get(c, f"/households/{homes['0801'].pk}/tickets", mine).status_code == 404
    assert post(c, f"/households/{homes['0801'].pk}/tickets", {"kind": "complaint", "content": "x"},
                mine).status_code == 404
    for url, body in ((f"/tickets/{ticket.pk}/information", {"text": "x"}),
                      (f"/tickets/{ticket.pk}/confirmation", {"fixed": True}),
                      (f"/tickets/{ticket.pk}/rating", {"satisfaction": "satisfied"})):
        assert post(c, url, body, mine).status_code == 404
    assert Ticket.objects.count() == 1


def test_r_m8_08_api_confirm_repair(api_token: Any, homes: Any, cast: Any, owner_client: Any) -> None:
    ticket, order = completed_repair(cast, owner_client(OTHER))
    token = api_token()
    c = Client()
    assert get(c, f"/tickets/{ticket.pk}", token).json()["may_confirm"] is True
    r = post(c, f"/tickets/{ticket.pk}/confirmation", {"fixed": False, "reason": ""}, token)
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = post(c, f"/tickets/{ticket.pk}/confirmation", {"fixed": True}, token)
    # accepted, but the rating waits until the result is replied and verified (R-M4-01)
    assert r.status_code == 200 and r.json()["confirmed_at"] and r.json()["may_rate"] is False
    assert RepairOrder.objects.get().signed_at is not None
    r = post(c, f"/tickets/{ticket.pk}/confirmation", {"fixed": True}, token)
    assert r.status_code == 409


def test_r_m4_07_api_rating_is_the_return_visit(api_token: Any, homes: Any, cast: Any) -> None:
    token = api_token()
    c = Client()
    post(c, f"/households/{homes['0801'].pk}/tickets", {"kind": "complaint", "content": "楼道灯不亮"}, token)
    ticket = Ticket.objects.get()
    r = post(c, f"/tickets/{ticket.pk}/rating", {"satisfaction": "satisfied"}, token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_ready"
    to_verified(cast, ticket, clock.now())
    r = post(c, f"/tickets/{ticket.pk}/rating", {"satisfaction": "unsatisfied", "words": "灯还是不亮"}, token)
    assert r.status_code == 200, r.content
    visit = ReturnVisit.objects.get(ticket=ticket, completed_at__isnull=False)
    assert visit.method == "online" and visit.satisfaction == "unsatisfied"
    ticket.refresh_from_db()
    assert ticket.status == "reopened"  # R-M4-09


def test_api_ticket_list_query_count_does_not_grow(api_token: Any, homes: Any, django_assert_max_num_queries: Any) -> None:
    token = api_token()
    c = Client()
    url = f"/households/{homes['0801'].pk}/tickets"
    post(c, url, {"kind": "complaint", "content": "一"}, token)
    with django_assert_max_num_queries(8) as one:
        assert get(c, url, token).status_code == 200
    first = len(one)
    assert first > 0
    for i in range(4):
        post(c, url, {"kind": "complaint", "content": f"第{i}条"}, token)
    with django_assert_max_num_queries(first):
        r = get(c, url, token)
    assert len(r.json()) == 5


def test_openapi_documents_me_routes() -> None:
    doc = Client().get("/api/openapi.json").json()
    assert "/api/v1/me/tickets/{ticket_id}/confirmation" in doc["paths"]
    param = next(p for p in doc["paths"]["/api/v1/me/tickets/{ticket_id}"]["get"]["parameters"]
                 if p["name"] == "ticket_id")
    assert param["schema"]["maximum"] == 2**31 - 1
