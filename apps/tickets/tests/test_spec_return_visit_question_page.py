"""R-M4-10 on the ticket page: a question the owner raised at the return visit that could not be answered
on the spot is recorded with the promised answer time, shown on the ticket, and answered later from a panel."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import ReturnVisit
from apps.tickets.tests.helpers import receive, to_verified
from linli import clock

pytestmark = pytest.mark.django_db


def _desk(cast: Any) -> Client:
    c = Client()
    c.force_login(cast.front_desk)
    return c


def _local(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def test_r_m4_10_question_recorded_shown_and_answered_from_the_page(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    desk = _desk(cast)
    visit_url = reverse("tickets:action", args=[t.pk, "return_visit"])
    base = {"method": "phone", "reached": "yes", "satisfaction": "satisfied", "owner_words": "满意",
            "open_question": "明年外墙清洗什么时候安排？"}
    r = desk.post(visit_url, base)  # no promised time
    assert r.status_code == 422 and "未能当场答复的问题须约定答复时间" in r.content.decode()
    assert not ReturnVisit.objects.filter(ticket=t).exists()
    due = frozen_now + dt.timedelta(days=2)
    assert desk.post(visit_url, {**base, "answer_due_at": _local(due)}).status_code == 302
    visit = ReturnVisit.objects.get(ticket=t)
    assert visit.open_question == "明年外墙清洗什么时候安排？" and visit.answer_due_at == due
    detail = reverse("tickets:detail", args=[t.pk])
    html = desk.get(detail).content.decode()
    assert "待答复的问题：明年外墙清洗什么时候安排？" in html and 'data-testid="action-answer_question"' in html
    answer_url = reverse("tickets:action", args=[t.pk, "answer_question"])
    r = desk.post(answer_url, {"visit": visit.pk, "answer": ""})
    assert r.status_code == 422
    visit.refresh_from_db()
    assert visit.answered_at is None
    assert desk.post(answer_url, {"visit": visit.pk, "answer": "已排入明年三月计划"}).status_code == 302
    visit.refresh_from_db()
    assert visit.answer == "已排入明年三月计划" and visit.answered_at == frozen_now
    html = desk.get(detail).content.decode()
    assert "已答复：已排入明年三月计划" in html and 'data-testid="action-answer_question"' not in html


def test_r_m4_10_answer_to_a_visit_of_another_ticket_is_refused(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets import actions

    a = to_verified(cast, receive(cast), frozen_now)
    actions.record_return_visit(ticket=a, method="phone", reached=True, owner_words="已解决", satisfaction="satisfied",
                                open_question="电梯年检时间？", answer_due_at=frozen_now + dt.timedelta(days=1),
                                acting_user=cast.front_desk, now=frozen_now)
    b = to_verified(cast, receive(cast, content="另一件"), frozen_now)
    actions.record_return_visit(ticket=b, method="phone", reached=True, owner_words="已解决", satisfaction="satisfied",
                                open_question="门禁卡补办？", answer_due_at=frozen_now + dt.timedelta(days=1),
                                acting_user=cast.front_desk, now=frozen_now)
    other = ReturnVisit.objects.get(ticket=b)
    r = _desk(cast).post(reverse("tickets:action", args=[a.pk, "answer_question"]),
                         {"visit": other.pk, "answer": "答复"})
    assert r.status_code == 422  # not one of this ticket's questions
    other.refresh_from_db()
    assert other.answered_at is None
