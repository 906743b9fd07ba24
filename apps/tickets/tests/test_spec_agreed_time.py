"""R-M2-06 (AS-43): the time agreed with the owner, and a later time the customer asked for recorded as
an agreed extension with its reason — at intake on the page, and after intake on the ticket page and
through the API."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org.middleware import SESSION_KEY
from apps.tickets.choices import Stage
from apps.tickets.models import Deadline, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"
LIMIT = "2026-11-25T23:59:59+08:00"  # email received Mon 2026-11-23 10:00: 2 working days


def _page(user: Any, project: Any) -> Client:
    c = Client()
    c.force_login(user)
    session = c.session
    session[SESSION_KEY] = project.pk
    session.save()
    return c


def _reply(ticket: Ticket) -> Deadline:
    return Deadline.objects.get(ticket=ticket, stage=Stage.REPLY, cycle=ticket.cycle)


def _email(api: Any, cast: Any, agreed: str) -> int:
    r = api(cast.front_desk).post(URL, {"project": cast.project.pk, "kind": "complaint", "channel": "email",
                                        "content": "电梯经常停运", "complainant_surname": "钱", "phone": "13500002222",
                                        "agreed_feedback_at": agreed})
    assert r.status_code == 201, r.content
    return int(r.json()["id"])


def test_R_M2_06_intake_page_records_the_customers_later_time_with_its_reason(cast: Any,
                                                                              frozen_now: Any) -> None:
    client = _page(cast.front_desk, cast.project)
    page = client.get(reverse("tickets:intake")).content.decode()
    assert 'name="agreed_extension_reason"' in page
    r = client.post(reverse("tickets:intake"), {
        "complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "email",
        "source": "project", "urgency": "normal", "content": "邮件投诉：电梯停运", "people_count": "1",
        "agreed_feedback_at": "2026-11-27T10:00", "agreed_extension_reason": "业主出差，周五回来再听答复"})
    assert r.status_code == 302, r.content.decode()[:1500]
    t = Ticket.objects.get()
    d = _reply(t)
    assert d.agreed and d.due_at is not None and d.due_at.isoformat() == "2026-11-27T02:00:00+00:00"
    assert d.limit_due_at is not None and d.limit_due_at.isoformat() == "2026-11-25T15:59:59+00:00"


def test_R_M2_06_ticket_page_changes_the_agreed_time_after_intake(cast: Any, api: Any,
                                                                  frozen_now: Any) -> None:
    t = Ticket.objects.get(pk=_email(api, cast, "2026-11-24T12:00:00+08:00"))
    client = _page(cast.front_desk, cast.project)
    page = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "约定反馈时间" in page and 'name="agreed_extension_reason"' in page
    url = reverse("tickets:action", args=[t.pk, "agreed_time"])
    r = client.post(url, {"agreed_feedback_at": "2026-11-27T10:00"})
    assert r.status_code == 302
    t.refresh_from_db()
    d = _reply(t)
    assert not d.agreed and d.due_at == d.limit_due_at  # later, no customer request: the channel limit stays
    assert t.events.filter(message__contains="仍按渠道时限回复").exists()
    r = client.post(url, {"agreed_feedback_at": "2026-11-27T10:00", "agreed_extension_reason": "业主要求周五再答复"})
    assert r.status_code == 302
    d = _reply(t)
    assert d.agreed and d.due_at is not None and d.due_at.isoformat() == "2026-11-27T02:00:00+00:00"
    r = client.post(url, {"agreed_feedback_at": "2026-11-20T10:00"})
    assert r.status_code == 422 and "errorlist" in r.content.decode()


def test_R_M2_06_agreed_time_through_the_api(cast: Any, api: Any, frozen_now: Any) -> None:
    tid = _email(api, cast, "2026-11-24T12:00:00+08:00")
    desk = api(cast.front_desk)
    r = desk.post(f"{URL}/{tid}/agreed-time", {"agreed_feedback_at": "2026-11-27T10:00:00+08:00"})
    assert r.status_code == 200
    reply = next(d for d in r.json()["deadlines"] if d["stage"] == "reply")
    assert reply["due_at"] == LIMIT and reply["agreed"] is False
    r = desk.post(f"{URL}/{tid}/agreed-time", {"agreed_feedback_at": "2026-11-27T10:00:00+08:00",
                                                "agreed_extension_reason": "业主要求周五再答复"})
    reply = next(d for d in r.json()["deadlines"] if d["stage"] == "reply")
    assert reply["due_at"] == "2026-11-27T10:00:00+08:00" and reply["agreed"] is True
    assert r.json()["agreed_feedback_at"] == "2026-11-27T10:00:00+08:00"
    assert api(cast.nobody).post(f"{URL}/{tid}/agreed-time", {
        "agreed_feedback_at": "2026-11-27T10:00:00+08:00"}).status_code in (403, 404)
