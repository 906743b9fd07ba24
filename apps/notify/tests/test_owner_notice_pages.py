"""Owner mass notices on a staff page and the API (R-M17-02, R-M17-03, R-M17-06, R-M17-07): the front
desk sends them (no Django admin needed); the action's rules hold on both paths and refusals are
shown beside the field / in the API's error shape. Mail and newspapers (R-M17-09) are on the desk
pages (apps.desk)."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.notify.models import Delivery, NoticeKind, OwnerNotice
from apps.notify.tests.conftest import sh
from apps.notify.tests.test_spec_owner_notices import owners  # noqa: F401 (fixture)
from linli import clock

pytestmark = pytest.mark.django_db
NOW = sh(2026, 11, 23, 10, 0)


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_r_m17_06_r_m17_02_front_desk_sends_from_the_page(cast, owners):  # noqa: F811
    """R-M17-06: a festival greeting from the page reaches every owner; R-M17-02: a door-code notice less
    than 7 days ahead is refused beside the date field and nothing is sent."""
    c = _login(cast.front_desk)
    with clock.frozen(NOW):
        assert c.get("/notify/owner-notices/").status_code == 200
        r = c.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.FESTIVAL,
                                              "body": "阳光花园物业祝您元旦快乐！"})
        assert r.status_code == 302
        r = c.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.DOOR_CODE,
                                              "body": "门禁密码将更换", "event_date": "2026-11-26"})
        assert r.status_code == 200 and "至少提前7天" in r.content.decode()
        page = c.get("/notify/owner-notices/").content.decode()
    assert "元旦快乐" in page
    assert list(OwnerNotice.objects.values_list("kind", flat=True)) == [NoticeKind.FESTIVAL]
    assert Delivery.objects.filter(kind="notice_festival").count() == 2


def test_r_m17_03_activity_needs_approval_through_the_page(cast, owners):  # noqa: F811
    """R-M17-03: an activity notice without its approval is refused; with it, sent."""
    c = _login(cast.front_desk)
    base = {"project": cast.project.pk, "kind": NoticeKind.ACTIVITY, "body": "周六社区义诊", "event_date": "2026-11-28"}
    with clock.frozen(NOW):
        r = c.post("/notify/owner-notices/", base)
        assert "须经审批" in r.content.decode()
        r = c.post("/notify/owner-notices/", {**base, "approval_ref": "经理王某已批", "approved_on": "2026-11-20"})
        assert r.status_code == 302
    assert OwnerNotice.objects.get().approval_ref == "经理王某已批"


def test_r_m17_07_fee_reminder_once_a_month_through_the_api(cast, owners):  # noqa: F811
    """R-M17-07 through the API: the first fee reminder of the month is sent (201), a second is a 409."""
    api = _api(cast.front_desk)
    body = {"project_id": cast.project.pk, "kind": NoticeKind.FEE, "body": "请于月底前缴纳本月物业费"}
    with clock.frozen(NOW):
        r = api.post("/api/v1/notifications/owner-notices", json.dumps(body), content_type="application/json")
        assert r.status_code == 201 and r.json()["recipients"] == 2
        r = api.post("/api/v1/notifications/owner-notices", json.dumps(body), content_type="application/json")
        assert r.status_code == 409 and r.json()["error"]["code"] == "already_sent_this_month"
        r = api.post("/api/v1/notifications/owner-notices",
                     json.dumps({**body, "kind": NoticeKind.DOOR_CODE, "event_date": "2026-11-25"}),
                     content_type="application/json")
        assert r.status_code == 422 and "event_date" in r.json()["error"]["fields"]
        listed = api.get("/api/v1/notifications/owner-notices").json()
    assert [n["kind"] for n in listed] == [NoticeKind.FEE]


def test_owner_notices_are_refused_to_roles_without_the_reply_right(cast):
    assert _login(cast.worker).get("/notify/owner-notices/").status_code == 404
    assert _api(cast.worker).get("/api/v1/notifications/owner-notices").status_code == 403


def test_owner_notice_list_query_count(cast, owners, django_assert_max_num_queries):  # noqa: F811
    c = _login(cast.front_desk)
    with clock.frozen(NOW):
        for kind in (NoticeKind.FESTIVAL, NoticeKind.WEATHER):
            c.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": kind, "body": "提示"})
        with django_assert_max_num_queries(25):
            assert c.get("/notify/owner-notices/").status_code == 200
