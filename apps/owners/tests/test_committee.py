"""Issue 19 item 7, R-M1-13, AS-03: a 业委会 member (an owner who signs in with their phone) forwards
an owner's 业主投诉意见记录表 from their account page or the API; it enters the pipeline as the
业委会书面平台 channel (reply due in 3 working days, rule set B), the member prints a receipt (回执单)
with the ticket number and the due time, follows its status, and reads the project's board. An owner
who is not on the committee, another project's committee and staff never reach these pages."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from apps.owners import actions
from apps.owners.models import CommitteeForward, OwnerAccount
from apps.owners.tests.conftest import OTHER, OWNER, last_code
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive, to_replied
from linli import clock

pytestmark = pytest.mark.django_db

AS03 = dt.datetime(2026, 2, 12, 11, 0, tzinfo=clock.SHANGHAI)  # Thu, before the 2026 Spring Festival
DUE = dt.datetime(2026, 2, 24, 23, 59, 59, tzinfo=clock.SHANGHAI)
FORM = {"kind": "complaint", "complainant_name": "孙丽", "complainant_phone": "13511112222", "room": "5栋2单元1502",
        "filled_on": "2026-02-11", "content": "地下车库B2区照明长期不亮，业主在业委会办公室填表投诉。"}


@pytest.fixture
def as03_now() -> Iterator[dt.datetime]:
    with clock.frozen(AS03):
        yield AS03


@pytest.fixture
def member(homes: Any, cast: Any, as03_now: Any) -> Any:
    """刘芳 (owner of 5栋2单元0801) is on 阳光花园's 业委会."""
    return actions.appoint_committee_member(project=cast.project, phone=OTHER, name="刘芳", title="委员",
                                            acting_user=cast.supervisor, now=as03_now)


def _other_lead(cast: Any) -> Any:
    """翠湖苑's 客服主管 (appoints that project's committee)."""
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    user = UserFactory(username="ch_supervisor", display_name="翠湖苑主管")
    member(user, Role.CS_SUPERVISOR, company=cast.company, project=cast.other_project)
    return user


def sign_in(phone: str) -> Client:
    c = Client()
    assert c.post("/me/sign-in/", {"phone": phone}).status_code == 200
    assert c.post("/me/sign-in/", {"phone": phone, "step": "code", "code": last_code(phone)}).status_code == 302
    return c


def token(phone: str) -> str:
    c = Client()
    assert c.post("/api/v1/me/sign-in/code", json.dumps({"phone": phone}),
                  content_type="application/json").status_code == 202
    r = c.post("/api/v1/me/sign-in", json.dumps({"phone": phone, "code": last_code(phone)}),
               content_type="application/json")
    assert r.status_code == 201
    return str(r.json()["token"])


def test_as_03_committee_member_forwards_a_form_prints_the_receipt_and_follows_it_on_the_page(
        member: Any, cast: Any, homes: Any, as03_now: Any) -> None:
    """AS-03: forwarded Thu 2026-02-12 11:00 → reply due 2026-02-24 23:59:59 (WD1 02-13, WD2 Sat 02-14
    调休, 02-15…02-23 holidays, WD3 02-24); the receipt carries the number; the member sees the status."""
    c = sign_in(OTHER)
    home = c.get("/me/").content.decode()
    assert 'data-testid="committee-tile"' in home
    r = c.post("/me/committee/", FORM)
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert (t.channel, t.source, t.kind) == ("owners_committee", "owners_committee", "complaint")
    assert t.household == homes["1502"] and t.received_at == AS03
    fw = CommitteeForward.objects.get(ticket=t)
    assert fw.member == member and fw.complainant_name == "孙丽" and fw.filled_on == dt.date(2026, 2, 11)
    detail = c.get(r["Location"]).content.decode()
    assert t.number in detail and "2026-02-24 23:59:59" in detail and "已受理" in detail
    receipt = c.get(f"/me/committee/{t.pk}/receipt/")
    page = receipt.content.decode()
    assert receipt.status_code == 200 and "投诉意见记录回执单" in page
    assert t.number in page and "2026-02-24 23:59:59" in page and "孙丽" in page
    assert "R-M" not in page and "owners_committee" not in page
    # the 管理处 handles it: the member follows the status
    to_replied(cast, t, as03_now)
    listing = c.get("/me/committee/").content.decode()
    assert t.number in listing and t.get_status_display() in listing and "2026-02-24 23:59" in listing
    assert "已回复" in c.get(f"/me/committee/{t.pk}/").content.decode()


def test_as_03_committee_member_through_the_api(member: Any, cast: Any, homes: Any, as03_now: Any) -> None:
    tok = token(OTHER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {tok}"}
    c = Client()
    r = c.get("/api/v1/me/committee", **auth)
    assert r.status_code == 200 and r.json() == [{"project_id": cast.project.pk, "project": cast.project.name,
                                                  "name": "刘芳", "title": "委员"}]
    r = c.post(f"/api/v1/me/committee/{cast.project.pk}/tickets", json.dumps(FORM), content_type="application/json",
               **auth)
    assert r.status_code == 201, r.content
    body = r.json()
    assert dt.datetime.fromisoformat(body["reply_due_at"]) == DUE
    assert body["number"] == Ticket.objects.get().number and body["status"] == "received"
    assert body["receipt_url"].startswith(f"/me/committee/{body['id']}/receipt/")
    r = c.get(f"/api/v1/me/committee/{cast.project.pk}/tickets/{body['id']}", **auth)
    assert r.status_code == 200 and r.json()["stages"][0]["label"] == "已受理"
    rows = c.get(f"/api/v1/me/committee/{cast.project.pk}/tickets", **auth).json()
    assert [x["id"] for x in rows] == [body["id"]]
    # bad input: a clear message, nothing written
    r = c.post(f"/api/v1/me/committee/{cast.project.pk}/tickets", json.dumps({**FORM, "content": "  "}),
               content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["message"] == "请填写内容"
    assert Ticket.objects.count() == 1


def test_committee_form_refusals_on_the_page_write_nothing(member: Any, as03_now: Any) -> None:
    c = sign_in(OTHER)
    for bad, msg in [({"complainant_name": ""}, "请填写填表业主姓名"), ({"complainant_phone": ""}, "请填写填表业主的联系电话"),
                     ({"kind": "praise"}, "请选择投诉或意见建议"), ({"filled_on": "2026-02-13"}, "填表日期不能晚于今天"),
                     ({"filled_on": "12/02"}, "日期格式不正确"), ({"content": "长" * 1001}, "内容不能超过1000个字")]:
        r = c.post("/me/committee/", {**FORM, **bad})
        assert r.status_code == 400 and msg in r.content.decode(), bad
    assert not Ticket.objects.exists() and not CommitteeForward.objects.exists()


def test_committee_pages_refuse_owners_not_on_it_other_projects_and_staff(
        member: Any, cast: Any, homes: Any, as03_now: Any, settings: Any) -> None:
    settings.LINLI_OWNER_CODE_INTERVAL_SECONDS = 0  # the clock is frozen: a page and an API sign-in
    t = actions.forward_committee_form(account=_account(OTHER, as03_now), member=member, kind="complaint",
                                       content="电梯异响", complainant_name="孙丽",
                                       complainant_phone="13511112222", now=as03_now)
    owner = sign_in(OWNER)  # an owner, not on the committee
    assert 'committee-tile' not in owner.get("/me/").content.decode()
    for url in ("/me/committee/", f"/me/committee/{t.pk}/", f"/me/committee/{t.pk}/receipt/"):
        assert owner.get(url).status_code == 404
    assert owner.post("/me/committee/", FORM).status_code == 404
    tok = token(OWNER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {tok}"}
    assert Client().get("/api/v1/me/committee", **auth).json() == []
    assert Client().get(f"/api/v1/me/committee/{cast.project.pk}/tickets/{t.pk}", **auth).status_code == 404
    assert Client().post(f"/api/v1/me/committee/{cast.project.pk}/tickets", json.dumps(FORM),
                         content_type="application/json", **auth).status_code == 404
    # another project's committee member does not see 阳光花园's forwards
    actions.appoint_committee_member(project=cast.other_project, phone="13700008888", name="赵六",
                                     acting_user=_other_lead(cast), now=as03_now)
    c = sign_in("13700008888")
    assert c.get(f"/me/committee/{t.pk}/").status_code == 404
    assert t.number not in c.get("/me/committee/").content.decode()
    # an ordinary ticket of the project is not a committee member's to see
    plain = receive(cast, now=as03_now)
    assert sign_in(OTHER).get(f"/me/committee/{plain.pk}/").status_code == 404
    # staff never pass an owner page; no token → 401
    staff = Client()
    staff.force_login(cast.front_desk)
    assert staff.get("/me/committee/").status_code == 403
    assert Client().get("/api/v1/me/committee").status_code == 401
    assert Ticket.objects.filter(channel="owners_committee").count() == 1


def _account(phone: str, now: Any) -> Any:
    return OwnerAccount.objects.get_or_create(phone=phone, defaults={"created_at": now})[0]


def test_committee_list_query_count_does_not_grow(member: Any, as03_now: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    c = sign_in(OTHER)
    acc = _account(OTHER, as03_now)
    actions.forward_committee_form(account=acc, member=member, kind="complaint", content="一", complainant_name="孙丽",
                                   complainant_phone="13511112222", now=as03_now)
    with django_assert_max_num_queries(30) as one:
        assert c.get("/me/committee/").status_code == 200
    for i in range(4):
        actions.forward_committee_form(account=acc, member=member, kind="suggestion", content=f"建议{i}",
                                       complainant_name="孙丽", complainant_phone="13511112222", now=as03_now)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get("/me/committee/").status_code == 200
