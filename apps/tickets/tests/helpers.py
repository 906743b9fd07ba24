"""Helpers of the tickets-core tests: tickets built through the actions (never by setting status)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets import deadlines as dl
from apps.tickets.models import Ticket
from linli import clock

SH = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A moment in Asia/Shanghai: at(2025, 9, 30, 10, 0)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def receive(cast: Any, *, now: dt.datetime | None = None, **kw: Any) -> Ticket:
    now = now or clock.now()
    args: dict[str, Any] = dict(
        project=cast.project, kind="complaint", channel="phone", content="楼道灯不亮",
        complainant_surname="王", phone="13800138888", agreed_feedback_at=now + dt.timedelta(hours=6),
        acting_user=cast.front_desk, now=now,
    )
    args.update(kw)
    return actions.receive_ticket(**args)


def to_replied(cast: Any, ticket: Ticket, now: dt.datetime) -> Ticket:
    """Dispatch → accept → done → result reply agreed."""
    d = actions.dispatch_ticket(ticket=ticket, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=now)
    actions.record_handling(ticket=ticket, investigation="灯管坏", measures="更换灯管", result="已更换灯管", done=True,
                            acting_user=cast.worker, now=now)
    answer_by_phone(cast, ticket, now)
    ticket.refresh_from_db()
    return ticket


def answer_by_phone(cast: Any, ticket: Ticket, now: dt.datetime, *, content: str = "已为您更换灯管") -> Any:
    """The result told by phone, with the owner's agreement. A written, email or online complaint's answer
    first passes the reviews its reply class needs (R-M2-08): 品质管理部, and 办公室 for written ones."""
    reply = actions.give_reply(ticket=ticket, kind="result", channel="phone", content=content,
                               owner_response="agree", acting_user=cast.front_desk, now=now)
    if reply.sent_at is None:
        for department in sorted(actions.reviews_for(ticket, channel="phone", kind="result")):
            actions.review_reply(reply=reply, department=department, approved=True, **actions.CHECKLIST_OK,
                                 acting_user=cast.quality_inspector if department == "quality" else office_clerk(cast),
                                 now=now)
        actions.send_reply(reply=reply, owner_response="agree", acting_user=cast.front_desk, now=now)
    return reply


def office_clerk(cast: Any) -> Any:
    """A member of the company's 办公室 (reviews written replies, R-M2-08 / POLICY P-09)."""
    from apps.org.models import Department, DepartmentKind
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    office, _ = Department.objects.get_or_create(company=cast.company, project=None, kind=DepartmentKind.OFFICE,
                                                 defaults={"name": "办公室"})
    clerk = UserFactory(username="office", display_name="冯文员")
    if not clerk.memberships.exists():
        member(clerk, Role.WORKER, company=cast.company, project=cast.project, department=office)
    return clerk


def to_verified(cast: Any, ticket: Ticket, now: dt.datetime) -> Ticket:
    to_replied(cast, ticket, now)
    actions.verify_ticket(ticket=ticket, passed=True, notes="已落实", acting_user=cast.supervisor, now=now)
    ticket.refresh_from_db()
    return ticket


def reply_to_manager(cast: Any, ticket: Ticket, now: dt.datetime, *, acting_user: Any = None) -> Ticket:
    """R-M2-21: the handling result replied to the 管理处主任 as well (needed to close complaints/repairs)."""
    actions.record_reply(ticket=ticket, kind="result", channel="in_person", recipient="project_manager",
                         content="已向主任汇报处理结果", acting_user=acting_user or cast.front_desk, now=now)
    ticket.refresh_from_db()
    return ticket


def to_closed(cast: Any, ticket: Ticket, now: dt.datetime) -> Ticket:
    """Verified → return visit (satisfied) → result replied to the 管理处主任 too (R-M2-21) → closed."""
    to_verified(cast, ticket, now)
    actions.record_return_visit(ticket=ticket, method="phone", reached=True, satisfaction="satisfied",
                                owner_words="很好", acting_user=cast.front_desk, now=now)
    reply_to_manager(cast, ticket, now)
    actions.close_ticket(ticket=ticket, acting_user=cast.front_desk, now=now)
    ticket.refresh_from_db()
    return ticket


@dataclasses.dataclass(frozen=True)
class Stamped:
    stage: str
    due_at: dt.datetime | None
    provisional: bool
    rule: str
    policy_id: int | None


class FakePolicies:
    """Stand-in with the contract's shape: respond +1 day, reply +2 days, return_visit +48 h,
    acknowledge as a "立即" item (due None)."""

    provisional = False

    def __call__(self, ticket: Any, *, start: dt.datetime, stages: Any) -> list[Stamped]:
        table: dict[str, dt.timedelta | None] = {"acknowledge": None, "respond": dt.timedelta(days=1), "reply": dt.timedelta(days=2),
                 "return_visit": dt.timedelta(hours=48)}
        out = []
        for s in stages:
            if s in table:
                limit = table[s]
                out.append(Stamped(s, None if limit is None else start + limit, self.provisional, f"test {s}", 7))
        return out


@pytest.fixture
def policies(monkeypatch: pytest.MonkeyPatch) -> FakePolicies:
    fake = FakePolicies()
    monkeypatch.setattr(dl, "_policy_deadlines", fake)
    return fake
