"""Replies to the owner: review gates (R-M2-08, R-M2-10, R-M2-12, AS-01, AS-09), agreement and
negotiation (R-M2-13), unreasonable complaints (R-M2-15)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.org.models import Department, DepartmentKind, Membership
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory
from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def _handled(cast: Any, **kw: Any) -> Any:
    t = receive(cast, **kw)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=kw.get("now") or t.recorded_at)
    actions.record_handling(ticket=t, result="已修复", done=True, acting_user=cast.worker, now=t.recorded_at)
    t.refresh_from_db()
    return t


def _office_user(cast: Any) -> Any:
    office = Department.objects.create(company=cast.company, project=None, kind=DepartmentKind.OFFICE, name="办公室")
    u: Any = UserFactory(username="office", display_name="办公室文员")
    Membership.objects.create(user=u, role=Role.LEADERSHIP, company=cast.company, department=office)
    return u


def test_r_m2_08_as_01_written_reply_needs_quality_and_office(cast: Any, frozen_now: dt.datetime) -> None:
    t = _handled(cast, channel="letter", agreed_feedback_at=None)
    with pytest.raises(TicketError) as exc:
        actions.record_reply(ticket=t, kind="result", channel="letter", content="复函", acting_user=cast.front_desk,
                             now=frozen_now)
    assert exc.value.code == "review_required" and exc.value.status == 409
    reply = actions.draft_reply(ticket=t, kind="result", channel="letter", content="复函：已修复",
                                acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError):
        actions.send_reply(reply=reply, acting_user=cast.front_desk, now=frozen_now)
    actions.review_reply(reply=reply, department="quality", approved=True, acting_user=cast.quality_inspector,
                         now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.send_reply(reply=reply, acting_user=cast.front_desk, now=frozen_now)
    assert "办公室" in exc.value.message
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED and t.replies.filter(sent_at__isnull=False).count() == 0
    with pytest.raises(TicketError) as exc:  # front desk is not the office
        actions.review_reply(reply=reply, department="office", approved=True, acting_user=cast.front_desk,
                             now=frozen_now)
    assert exc.value.status == 403
    actions.review_reply(reply=reply, department="office", approved=True, acting_user=_office_user(cast),
                         now=frozen_now)
    actions.send_reply(reply=reply, owner_response="agree", acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.REPLIED


def test_r_m2_10_as_09_online_reply_needs_quality_approval_with_checklist(cast: Any, frozen_now: dt.datetime) -> None:
    t = _handled(cast, channel="online", agreed_feedback_at=None)
    reply = actions.draft_reply(ticket=t, kind="result", channel="online", content="感谢反馈，已处理",
                                acting_user=cast.front_desk, now=frozen_now)
    actions.review_reply(reply=reply, department="quality", approved=True, all_issues_covered=False,
                         acting_user=cast.quality_inspector, now=frozen_now)
    with pytest.raises(TicketError):
        actions.send_reply(reply=reply, acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED
    actions.review_reply(reply=reply, department="quality", approved=True, all_issues_covered=True,
                         acting_user=cast.quality_inspector, now=frozen_now)
    with pytest.raises(TicketError):  # R-M2-12: the other three checklist items are not confirmed
        actions.send_reply(reply=reply, acting_user=cast.front_desk, now=frozen_now)
    actions.review_reply(reply=reply, department="quality", approved=True, **actions.CHECKLIST_OK,
                         acting_user=cast.quality_inspector, now=frozen_now)
    actions.send_reply(reply=reply, acting_user=cast.front_desk, now=frozen_now)


def test_r_m2_13_disagreement_keeps_ticket_open(cast: Any, frozen_now: dt.datetime) -> None:
    t = _handled(cast)
    actions.record_reply(ticket=t, kind="result", channel="phone", content="方案：更换灯具", owner_response="disagree",
                         owner_words="要求全部更换", acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED
    r = actions.record_reply(ticket=t, kind="result", channel="phone", content="方案：全部更换",
                             acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.REPLIED
    actions.record_owner_response(reply=r, owner_response="disagree", acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED and t.is_open


def test_r_m2_15_unreasonable_explained(cast: Any, frozen_now: dt.datetime) -> None:
    t = _handled(cast)
    actions.record_reply(ticket=t, kind="explanation", channel="in_person", content="按管理规约解释",
                         owner_response="agree", acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.unreasonable and t.status == TicketStatus.REPLIED


def test_reply_refused_on_closed_ticket(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, kind="praise", agreed_feedback_at=None)
    actions.close_ticket(ticket=t, result="已转达", acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.record_reply(ticket=t, kind="progress", channel="phone", content="x", acting_user=cast.front_desk,
                             now=frozen_now)
    assert exc.value.status == 409
