"""R-M2-08 / AS-01 through the user's path: the review of a reply keys on the complaint's reply class
(written → 品质管理部 + 办公室, email/online → 品质管理部), not only on the channel the reply goes by."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Reply, Ticket
from apps.tickets.tests.helpers import office_clerk
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"
SH = clock.SHANGHAI


def test_AS_01_R_M2_08_letter_answered_by_phone_needs_both_reviews_api(cast: Any, api: Any) -> None:
    """AS-01: a letter complaint's result given by phone is a draft until 品质管理部 and 办公室 approve;
    the reply deadline is not met before it is sent."""
    moment = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SH)
    clerk = office_clerk(cast)
    with clock.frozen(moment):
        desk, quality, office = api(cast.front_desk), api(cast.quality_inspector), api(clerk)
        r = desk.post(URL, {"project": cast.project.pk, "kind": "complaint", "channel": "letter",
                            "content": "物业费公示不清", "complainant_surname": "赵", "phone": "13600001111"})
        tid = r.json()["id"]
        r = desk.post(f"{URL}/{tid}/replies", {"kind": "result", "channel": "phone", "content": "电话告知已公示明细",
                                               "owner_response": "agree"})
        assert r.status_code == 200, r.content
        reply = Reply.objects.get(ticket_id=tid)
        assert reply.sent_at is None  # a draft waiting for reviews, not a reply already given
        r = desk.post(f"{URL}/{tid}/replies/{reply.pk}/send", {})
        assert r.status_code == 409 and r.json()["error"]["code"] == "review_required"
        assert quality.post(f"{URL}/{tid}/replies/{reply.pk}/reviews",
                            {"department": "quality", "approved": True}).status_code == 200
        assert desk.post(f"{URL}/{tid}/replies/{reply.pk}/send", {}).status_code == 409
        reply_deadline = Ticket.objects.get(pk=tid).deadlines.get(stage="reply", cycle=0)
        assert reply_deadline.met_at is None
        assert office.post(f"{URL}/{tid}/replies/{reply.pk}/reviews",
                           {"department": "office", "approved": True}).status_code == 200
        r = desk.post(f"{URL}/{tid}/replies/{reply.pk}/send", {"owner_response": "agree"})
        assert r.status_code == 200, r.content
        reply_deadline.refresh_from_db()
        assert reply_deadline.met_at == moment


def test_R_M2_08_email_complaint_answered_in_person_needs_quality_review_page(cast: Any, make_ticket: Any,
                                                                               policies: Any) -> None:
    """R-M2-08 on the ticket page: the front desk's in-person answer to an email complaint is saved as a
    draft; only after 品质管理部 approves it on the page can it be sent."""
    t = make_ticket(channel="email", agreed_feedback_at=None)
    desk, quality = Client(), Client()
    desk.force_login(cast.front_desk)
    quality.force_login(cast.quality_inspector)
    step = lambda c, a, d: c.post(reverse("tickets:action", args=[t.pk, a]), d)  # noqa: E731
    assert step(desk, "reply", {"kind": "measures", "channel": "in_person", "content": "当面说明处理措施",
                                "owner_response": "pending"}).status_code == 302
    reply = t.replies.get()
    assert reply.sent_at is None
    r = step(desk, "send", {"reply": reply.pk, "owner_response": "pending"})
    assert r.status_code == 409 and "品质管理部" in r.content.decode()
    assert step(quality, "review", {"reply": reply.pk, "department": "quality", "approved": "yes"}).status_code == 302
    assert step(desk, "send", {"reply": reply.pk, "owner_response": "agree"}).status_code == 302
    reply.refresh_from_db()
    assert reply.sent_at is not None


def test_R_M2_08_phone_complaint_phone_reply_and_courtesy_ack_need_no_review(cast: Any, api: Any, make_ticket: Any,
                                                                            policies: Any) -> None:
    """Oral complaints answered orally, and the courtesy acknowledgement of a letter, go out at once."""
    desk = api(cast.front_desk)
    oral = make_ticket()
    desk.post(f"{URL}/{oral.pk}/replies", {"kind": "result", "channel": "phone", "content": "已处理"})
    assert oral.replies.get().sent_at is not None
    letter = make_ticket(channel="letter", agreed_feedback_at=None)
    desk.post(f"{URL}/{letter.pk}/replies", {"kind": "acknowledge", "channel": "phone", "content": "来信已收到"})
    assert letter.replies.get().sent_at is not None
