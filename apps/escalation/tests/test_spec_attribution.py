"""R-M3-05 责任归属: ours / developer / municipal / customer / other, "ours" until someone who may
escalate (主管及以上, 品质管理部) determines otherwise with a reason; the time criteria count only while
it is ours. Walked through the escalation page of a complaint and the REST API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
API = "/api/v1/escalation/tickets"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_R_M3_05_supervisor_determines_the_attribution_on_the_page_with_a_reason(cast, complaint, outbox) -> None:
    t = complaint("小区门口市政道路积水", T0)
    sup = _client(cast.supervisor)
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        page = sup.get(f"/escalation/tickets/{t.pk}/").content.decode()
        assert "我方原因" in page and "默认，未经认定" in page and 'name="attribution"' in page
        form = {"people_count": 1, "attribution": "municipal", "reason": ""}
        sup.post(f"/escalation/tickets/{t.pk}/flags/", form, follow=True)
        t.refresh_from_db()
        assert t.attribution == "ours" and t.our_side is True  # no reason: refused
        r = sup.post(f"/escalation/tickets/{t.pk}/flags/", {**form, "reason": "市政排水管网堵塞，已报市政部门"},
                     follow=True)
    t.refresh_from_db()
    assert (t.attribution, t.our_side, t.attribution_by_id) == ("municipal", False, cast.supervisor.pk)
    assert t.attribution_reason == "市政排水管网堵塞，已报市政部门"
    body = r.content.decode()
    assert "市政原因" in body and str(cast.supervisor) in body and "市政排水管网堵塞" in body
    assert t.events.filter(message__contains="责任归属：我方原因 → 市政原因").exists()


def test_R_M3_05_attribution_through_the_api_five_values_reason_and_roles(cast, complaint, outbox) -> None:
    t = complaint("业主家中墙面空鼓", T0)
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        q = _client(cast.quality_inspector)
        r = q.post(f"{API}/{t.pk}/flags", {"attribution": "customer"}, content_type="application/json")
        assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
        r = q.post(f"{API}/{t.pk}/flags", {"attribution": "landlord", "reason": "不是有效值"},
                   content_type="application/json")
        assert r.status_code == 422
        r = _client(cast.front_desk).post(f"{API}/{t.pk}/flags", {"attribution": "customer", "reason": "业主自行装修所致"},
                                          content_type="application/json")
        assert r.status_code == 403
        r = q.post(f"{API}/{t.pk}/flags", {"attribution": "customer", "reason": "业主自行装修所致"},
                   content_type="application/json")
    assert r.status_code == 200
    out = r.json()["attribution"]
    assert out["value"] == "customer" and out["label"] == "顾客原因" and out["reason"] == "业主自行装修所致"
    assert out["by"] == str(cast.quality_inspector) and out["at"] is not None
    t.refresh_from_db()
    assert t.our_side is False
    got = _client(cast.supervisor).get(f"{API}/{t.pk}").json()["attribution"]
    assert got["value"] == "customer"


def test_R_M3_05_time_criterion_counts_only_while_ours(cast, complaint, outbox) -> None:
    """Unresolved eight days: not hot while the developer is responsible; hot as soon as it is ours again."""
    t = complaint("地下室渗水，开发商维修", T0)
    sup = _client(cast.supervisor)
    with clock.frozen(T0 + dt.timedelta(days=1)):
        r = sup.post(f"{API}/{t.pk}/flags", {"attribution": "developer", "reason": "属开发商保修范围"},
                     content_type="application/json")
        assert r.status_code == 200 and r.json()["level"] == "none"
    with clock.frozen(T0 + dt.timedelta(days=8)):
        r = sup.post(f"{API}/{t.pk}/flags", {"people_count": 1}, content_type="application/json")
        assert r.json()["level"] == "none"
        r = sup.post(f"{API}/{t.pk}/flags", {"attribution": "ours", "reason": "开发商已移交，由我方维修"},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["level"] == "hot"


def test_R_M3_05_transfer_to_the_developer_sets_the_developer_attribution(cast, complaint, outbox) -> None:
    from apps.tickets.actions import transfer_to_developer

    t = complaint("交付房屋门窗变形", T0)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        transfer_to_developer(ticket=t, content="请地产客服中心处理门窗变形", document_no="ZF-01",
                              acting_user=cast.cs_manager, now=T0 + dt.timedelta(hours=1))
    t.refresh_from_db()
    assert (t.attribution, t.our_side) == ("developer", False)
