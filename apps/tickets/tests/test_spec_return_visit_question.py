"""R-M4-10: a question raised at a return visit that cannot be answered on the spot gets a promised
answer time (a follow-up due time), and is answered later."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import FakePolicies, receive, to_verified

pytestmark = pytest.mark.django_db


def _visited(cast: Any, now: dt.datetime, **kw: Any) -> Any:
    t = to_verified(cast, receive(cast), now)
    return actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="satisfied",
                                       owner_words="处理得不错", acting_user=cast.front_desk, now=now, **kw)


def test_r_m4_10_open_question_gets_a_promised_answer_time_and_is_answered_later(
        cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    due = frozen_now + dt.timedelta(days=1)
    visit = _visited(cast, frozen_now, open_question="楼顶防水什么时候整体翻修？", answer_due_at=due)
    assert (visit.open_question, visit.answer_due_at, visit.answered_at) == ("楼顶防水什么时候整体翻修？", due, None)
    assert visit.ticket.events.filter(message__contains="待答复：楼顶防水").exists()  # shown on the timeline
    waiting = actions.unanswered_return_visit_questions(Ticket.objects.all())
    assert list(waiting) == [visit]
    later = frozen_now + dt.timedelta(hours=30)  # after the promised time
    actions.answer_return_visit_question(visit=visit, answer="已列入明年维修计划，三月施工", acting_user=cast.front_desk,
                                         now=later)
    visit.refresh_from_db()
    assert visit.answered_at == later and visit.answer == "已列入明年维修计划，三月施工"
    assert not actions.unanswered_return_visit_questions(Ticket.objects.all()).exists()
    assert visit.ticket.events.filter(message__contains="超过约定时间").exists()


def test_r_m4_10_question_needs_a_future_answer_time_and_nothing_is_written_otherwise(
        cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    for kw in ({"open_question": "什么时候修？"}, {"answer_due_at": frozen_now + dt.timedelta(days=1)},
               {"open_question": "什么时候修？", "answer_due_at": frozen_now - dt.timedelta(hours=1)}):
        with pytest.raises(actions.TicketError):
            actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="satisfied",
                                        owner_words="好", acting_user=cast.front_desk, now=frozen_now, **kw)
    t.refresh_from_db()
    assert t.status == "verified" and not t.return_visits.exists()


def test_r_m4_10_answer_rules(cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    plain = _visited(cast, frozen_now)
    with pytest.raises(actions.TicketError):  # no question was left open
        actions.answer_return_visit_question(visit=plain, answer="好的", acting_user=cast.front_desk, now=frozen_now)
    visit = _visited(cast, frozen_now, open_question="能否加装监控？", answer_due_at=frozen_now + dt.timedelta(days=2))
    with pytest.raises(actions.TicketError):
        actions.answer_return_visit_question(visit=visit, answer="  ", acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(actions.TicketError):  # a worker may not answer the owner
        actions.answer_return_visit_question(visit=visit, answer="可以", acting_user=cast.worker, now=frozen_now)
    actions.answer_return_visit_question(visit=visit, answer="下周安装", acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(actions.TicketError):
        actions.answer_return_visit_question(visit=visit, answer="再答一次", acting_user=cast.front_desk, now=frozen_now)
