"""A hand-built month of tickets with known KPI answers (issue 7 item 6), built through the actions.

Project 阳光花园, November 2026 (no holidays; working hours 09:00–18:00, lunch 12:00–13:30),
"now" = 2026-11-25 10:00 Asia/Shanghai. Deadlines come from the tickets tests' stand-in policy:
respond +1 day, reply = the agreed feedback time (intake + 6 h unless given), return visit +48 h.

| # | kind | received | what happens | household / category |
| T1 | complaint, valid | 11-02 09:00 | closed 11-03 14:00 (respond and reply late) | H1 / 工程 |
| T2 | complaint, not valid | 11-10 10:00 | verified 11-10 11:00, never return-visited | H1 / 工程 (repeat of T1) |
| T3 | complaint, hot | 11-20 09:00 | nothing (respond and reply overdue) | H2 / 环境 |
| T4 | repair | 11-05 17:00 | closed 11-06 10:00 (agreed reply 11-06 17:00) | H2 / 工程 |
| T5 | suggestion | 11-06 09:00 | voided — never counted | — |
| T6 | complaint | 10-31 09:00 | outside the period | H1 / 工程 |
| T7 | complaint, major | 11-12 10:00 | verified, return visit 不满意 → reopened | — / 环境 |
| T8 | complaint | 11-16 10:00 (Monday) | closed 11-16 11:00 (everything on time) | — |
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from apps.estates.models import Building, Household
from apps.reports import kpis
from apps.tickets import actions
from apps.tickets.models import Category, Ticket
from apps.tickets.tests.helpers import at, receive, to_closed, to_verified

NOW = at(2026, 11, 25, 10, 0)


@dataclass
class Dataset:
    t: dict[str, Ticket]
    h1: Household
    h2: Household
    eng: Category
    env: Category
    b5: Building
    b6: Building

    def scope(self, cast: Any, **kw: Any) -> kpis.Scope:
        return kpis.Scope.for_dates([cast.project.pk], dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=NOW, **kw)


def _escalate(ticket: Ticket, now: dt.datetime) -> None:
    from apps.escalation import actions as esc

    esc.evaluate(ticket, now=now)


def build(cast: Any) -> Dataset:
    b5 = Building.objects.create(project=cast.project, name="5栋")
    b6 = Building.objects.create(project=cast.project, name="6栋")
    h1 = Household.objects.create(project=cast.project, building=b5, room_no="1502", label="5栋1502")
    h2 = Household.objects.create(project=cast.project, building=b6, room_no="0301", label="6栋0301")
    eng = Category.objects.create(company=cast.company, code="rpt-eng", name="工程维修")
    env = Category.objects.create(company=cast.company, code="rpt-env", name="环境卫生")
    t: dict[str, Ticket] = {}

    t["T6"] = receive(cast, now=at(2026, 10, 31, 9, 0), household=h1, category=eng)

    t["T1"] = receive(cast, now=at(2026, 11, 2, 9, 0), household=h1, category=eng, valid_complaint=True,
                      department=cast.eng_dept)
    to_closed(cast, t["T1"], at(2026, 11, 3, 14, 0))

    t["T2"] = receive(cast, now=at(2026, 11, 10, 10, 0), household=h1, category=eng, valid_complaint=False,
                      department=cast.eng_dept)
    to_verified(cast, t["T2"], at(2026, 11, 10, 11, 0))

    t["T3"] = receive(cast, now=at(2026, 11, 20, 9, 0), household=h2, category=env, media_or_litigation_risk=True,
                      department=cast.cs_dept)
    _escalate(t["T3"], at(2026, 11, 20, 9, 0))

    t["T4"] = receive(cast, now=at(2026, 11, 5, 17, 0), kind="repair", household=h2, category=eng,
                      agreed_feedback_at=at(2026, 11, 6, 17, 0), department=cast.eng_dept)
    to_closed(cast, t["T4"], at(2026, 11, 6, 10, 0))

    t["T5"] = receive(cast, now=at(2026, 11, 6, 9, 0), kind="suggestion")
    actions.void_ticket(ticket=t["T5"], reason="重复录入", acting_user=cast.supervisor, now=at(2026, 11, 6, 9, 30))

    t["T7"] = receive(cast, now=at(2026, 11, 12, 10, 0), category=env, litigation=True, department=cast.cs_dept)
    _escalate(t["T7"], at(2026, 11, 12, 10, 0))
    to_verified(cast, t["T7"], at(2026, 11, 12, 11, 0))
    actions.record_return_visit(ticket=t["T7"], method="phone", reached=True, satisfaction="unsatisfied",
                                owner_words="还是不行", acting_user=cast.front_desk, now=at(2026, 11, 12, 12, 0),
                                emergency_reason="业主约定午间回电")  # inside the quiet hours (R-M4-14)

    t["T8"] = receive(cast, now=at(2026, 11, 16, 10, 0))
    to_closed(cast, t["T8"], at(2026, 11, 16, 11, 0))
    for ticket in t.values():
        ticket.refresh_from_db()
    return Dataset(t, h1, h2, eng, env, b5, b6)
