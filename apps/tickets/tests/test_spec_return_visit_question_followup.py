"""R-M4-10: the time promised at a return visit for a question not answered on the spot is a follow-up due
time: the ticket stays on the front desk's 待回访 list until the answer is given, it cannot close with the
answer outstanding (page and API), the visitor and the receiver are reminded once when the time has passed
(the tickets sweep), and the answer is recorded through the API as on the page."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.notify.models import Notification
from apps.tickets import sweeps
from apps.tickets.models import ReturnVisit, Ticket
from apps.tickets.tests.helpers import receive, reply_to_manager, to_verified

pytestmark = pytest.mark.django_db


def test_r_m4_10_promised_answer_is_followed_up_and_holds_the_close(
        cast: Any, frozen_now: dt.datetime, api: Any, django_capture_on_commit_callbacks: Any) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    desk = api(cast.front_desk)
    due = frozen_now + dt.timedelta(days=1)
    r = desk.post(f"/api/v1/tickets/{t.pk}/return-visits", {
        "method": "visit", "reached": True, "satisfaction": "satisfied", "owner_words": "灯修好了，满意",
        "open_question": "楼道声控灯能否改为常亮？", "answer_due_at": due.isoformat()})
    assert r.status_code == 200, r.content
    reply_to_manager(cast, t, frozen_now)
    page = Client()
    page.force_login(cast.front_desk)
    assert t.number in page.get("/tickets/queue/return-visit/").content.decode()
    r = desk.post(f"/api/v1/tickets/{t.pk}/close", {})
    assert r.status_code in (409, 422) and "answer_question" in r.json()["error"].get("fields", {}), r.content
    assert Ticket.objects.get(pk=t.pk).status == "return_visited"

    assert sweeps.run(due - dt.timedelta(minutes=1)).question_reminders == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(due + dt.timedelta(hours=1)).question_reminders == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(due + dt.timedelta(hours=2)).question_reminders == 0  # once only
    notes = Notification.objects.filter(kind="ticket_question_answer_due", recipient=cast.front_desk)
    assert notes.count() == 1 and "楼道声控灯" in notes.get().body

    visit = ReturnVisit.objects.get(ticket=t)
    r = desk.post(f"/api/v1/tickets/{t.pk}/return-visit-answers", {"visit": visit.pk, "answer": "已改为夜间常亮"})
    assert r.status_code == 200, r.content
    assert t.number not in page.get("/tickets/queue/return-visit/").content.decode()
    r = desk.post(f"/api/v1/tickets/{t.pk}/close", {})
    assert r.status_code == 200, r.content
