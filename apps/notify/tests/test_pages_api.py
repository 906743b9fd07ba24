"""Inbox pages (htmx), the nav badge, the delivery log, quiet-hours page, call list, and the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.notify import actions
from apps.notify.models import Delivery, DeliveryStatus, Notification, QuietHoursPolicy
from apps.notify.tests.conftest import sh
from linli import clock

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 23, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def notes(cast):
    a, = actions.notify_staff([cast.front_desk], kind="ticket_dispatched", subject="新派工单 YG-001", body="门禁坏了",
                               link="/tickets/1/", project=cast.project, dedupe_key="a", now=NOW)
    b, = actions.notify_staff([cast.front_desk], kind="deadline_breach", subject="已超时：YG-002", body="",
                               link="https://evil.example.com/", project=cast.project, dedupe_key="b",
                               now=NOW + dt.timedelta(minutes=5))
    c, = actions.notify_staff([cast.supervisor], kind="x", subject="主管的通知", body="", now=NOW, dedupe_key="c")
    return a, b, c


def test_inbox_lists_my_notices_with_unread_badge(client, cast, notes) -> None:
    client.force_login(cast.front_desk)
    html = client.get(reverse("notify:inbox")).content.decode()
    assert "新派工单 YG-001" in html and "已超时：YG-002" in html and "主管的通知" not in html
    assert 'data-testid="unread-badge"' in html and ">2</span>" in html  # nav badge
    assert html.index("已超时：YG-002") < html.index("新派工单 YG-001")  # newest first
    assert reverse("notify:calls") in html and reverse("notify:deliveries") not in html  # desk: no log


def test_mark_read_htmx_returns_the_row_and_refreshes_the_badge(client, cast, notes) -> None:
    a, _, c = notes
    client.force_login(cast.front_desk)
    r = client.post(reverse("notify:read", args=[a.pk]), **HTMX)
    assert r.status_code == 200 and r["HX-Trigger"] == "notify-changed"
    assert f'id="n-{a.pk}"' in r.content.decode() and "标为已读" not in r.content.decode()
    a.refresh_from_db()
    assert a.read_at is not None
    assert client.get(reverse("notify:badge")).content.decode().count("unread-badge") == 1
    assert client.post(reverse("notify:read", args=[c.pk])).status_code == 404  # someone else's
    assert client.get(reverse("notify:read", args=[a.pk])).status_code == 405


def test_unread_filter_and_mark_all(client, cast, notes) -> None:
    a, b, c = notes
    client.force_login(cast.front_desk)
    actions.mark_read(cast.front_desk, a.pk, now=NOW)
    html = client.get(reverse("notify:inbox") + "?unread=1").content.decode()
    assert "已超时：YG-002" in html and "新派工单 YG-001" not in html
    r = client.post(reverse("notify:read_all") + "?unread=1", HTTP_HX_TARGET="inbox-list", **HTMX)
    assert "没有未读通知" in r.content.decode()
    assert Notification.objects.filter(recipient=cast.front_desk, read_at=None).count() == 0
    assert Notification.objects.get(pk=c.pk).read_at is None
    r = client.post(reverse("notify:read_all"), follow=True)
    assert "已将 0 条通知标为已读" in r.content.decode()


def test_open_follows_internal_links_only(client, cast, notes) -> None:
    a, b, _ = notes
    client.force_login(cast.front_desk)
    r = client.get(reverse("notify:open", args=[a.pk]))
    assert r.status_code == 302 and r["Location"] == "/tickets/1/"
    r = client.get(reverse("notify:open", args=[b.pk]))
    assert r["Location"] == reverse("notify:inbox")  # an outside link is not followed
    assert Notification.objects.filter(pk__in=[a.pk, b.pk], read_at=None).count() == 0


def test_pages_need_login(client) -> None:
    r = client.get(reverse("notify:inbox"))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_delivery_log_for_managers_only_and_masks_owner_phones(client, cast, owner) -> None:
    actions.notify_owner(owner, project=cast.project, kind="notice", body="明日停水", now=NOW)
    Delivery.objects.create(channel="sms", audience="owner", address="13700000000", project=cast.other_project,
                            kind="notice", body="翠湖苑的消息", created_at=NOW, next_attempt_at=NOW)
    client.force_login(cast.front_desk)
    assert client.get(reverse("notify:deliveries")).status_code == 404
    client.force_login(cast.project_manager)
    html = client.get(reverse("notify:deliveries")).content.decode()
    assert "明日停水" in html and "138****5678" in html and "13812345678" not in html
    assert "翠湖苑的消息" not in html  # another project
    r = client.get(reverse("notify:deliveries") + "?status=sent", HTTP_HX_TARGET="delivery-rows", **HTMX)
    assert "暂无发送记录" in r.content.decode() and "<table" not in r.content.decode()
    client.force_login(cast.quality_inspector)  # company level sees every project
    assert "翠湖苑的消息" in client.get(reverse("notify:deliveries")).content.decode()


def test_failed_delivery_can_be_requeued_from_the_log(client, cast) -> None:
    d = Delivery.objects.create(channel="email", audience="staff", address="x@example.cn", project=cast.project,
                                kind="k", body="b", created_at=NOW, status=DeliveryStatus.FAILED, attempts=5,
                                last_error="SMTP 550")
    client.force_login(cast.project_manager)
    html = client.get(reverse("notify:deliveries") + "?status=failed").content.decode()
    assert "SMTP 550" in html and reverse("notify:retry", args=[d.pk]) in html
    with clock.frozen(NOW):
        client.post(reverse("notify:retry", args=[d.pk]))
    d.refresh_from_db()
    assert (d.status, d.next_attempt_at) == (DeliveryStatus.QUEUED, NOW)
    client.force_login(cast.outsider)
    assert client.post(reverse("notify:retry", args=[d.pk])).status_code == 404


def test_r_m17_01_quiet_hours_page_shows_each_projects_windows(client, cast) -> None:
    QuietHoursPolicy.objects.create(project=cast.project, windows=[["12:30", "14:00"], ["21:00", "07:30"]],
                                    applies_to_sms=True)
    client.force_login(cast.quality_inspector)
    with clock.frozen(sh(2026, 11, 23, 13)):
        html = client.get(reverse("notify:quiet_hours")).content.decode()
    assert "12:30–14:00" in html and "21:00–次日07:30" in html and "短信" in html
    assert "12:00–14:00" in html  # 翠湖苑 keeps the P-21 defaults
    assert html.count("免打扰中") == 2 and "11-23 14:00" in html


def test_r_m4_14_call_list_page_orders_return_visits(client, cast, monkeypatch) -> None:
    """R-M4-14: the return-visit call list shows when each call may be made."""
    from types import SimpleNamespace

    from apps.tickets import queries as adapters

    t1 = SimpleNamespace(pk=1, number="YG-20261123-001", project=cast.project, household=None, content="门禁")
    monkeypatch.setattr(adapters, "return_visit_queue", lambda qs: _FakeQS([t1]))
    client.force_login(cast.butler)
    with clock.frozen(sh(2026, 11, 23, 12, 15)):
        html = client.get(reverse("notify:calls")).content.decode()
    assert "YG-20261123-001" in html and "11-23 14:00" in html
    client.force_login(cast.worker)
    assert client.get(reverse("notify:calls")).status_code == 404


class _FakeQS(list):
    def select_related(self, *a):
        return self

    def order_by(self, *a):
        return self


# ---------------------------------------------------------------- API


def test_api_lists_my_notifications_with_unread_filter(client, cast, notes) -> None:
    a, b, _ = notes
    client.force_login(cast.front_desk)
    body = client.get("/api/v1/notifications").json()
    assert (body["count"], body["unread_count"]) == (2, 2)
    assert [i["id"] for i in body["items"]] == [b.pk, a.pk] and body["items"][1]["link"] == "/tickets/1/"
    client.post(f"/api/v1/notifications/{a.pk}/read")
    body = client.get("/api/v1/notifications?unread=true").json()
    assert [i["id"] for i in body["items"]] == [b.pk] and body["unread_count"] == 1
    assert client.get("/api/v1/notifications?limit=1&offset=1").json()["items"][0]["id"] == a.pk


def test_api_mark_read_errors(client, cast, notes) -> None:
    a, _, c = notes
    client.force_login(cast.front_desk)
    with clock.frozen(NOW):
        r = client.post(f"/api/v1/notifications/{a.pk}/read")
    assert r.status_code == 200 and r.json()["read_at"].startswith("2026-11-23T02:00") and r.json()["unread"] is False
    r = client.post(f"/api/v1/notifications/{c.pk}/read")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/notifications?limit=0")
    assert r.status_code == 422 and "limit" in r.json()["error"]["fields"]
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    client.logout()
    assert client.get("/api/v1/notifications").status_code == 401


def test_api_schema_documents_errors(client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    ops = [paths["/api/v1/notifications"]["get"], paths["/api/v1/notifications/{notification_id}/read"]["post"]]
    for op in ops:
        assert {"401", "404", "422"} <= set(op["responses"])
