"""前台每月统计 (R-M5-10): each month the front desk compiles the owners' complaint **validity rate**
(投诉有效率) and **timely handling rate** (处理及时率) of its project.

The seeds give no formulas; the company chooses them on the settings page 统计指标目标值
(:class:`apps.reports.models.KpiSettings`):

- validity rate = valid complaints received in the month ÷ the base: all complaints received in the month
  (default, ``validity_base="complaints"``) or all tickets received in the month (``"tickets"``);
- timely handling rate, ``timely_basis="due"`` (default, the SPEC's reading): of the complaints with a reply
  or completion deadline falling due in the month (up to now), those whose every such deadline due in the
  month was met in time; ``"received"``: of the complaints received in the month with a decided deadline,
  those whose every decided deadline was met in time (the dashboard's 处理及时率).

Voided tickets never count; complaints ended 未关闭 do (R-M5-14); internal-staff complaints follow P-08 as
every statistic does (:func:`apps.reports.kpis.tickets`). Pure read side: pages and the API call
:func:`monthly_rates`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from apps.reports import kpis
from apps.reports.models import KpiSettings
from apps.tickets import measures
from apps.tickets.choices import Kind, Stage, TicketStatus
from apps.tickets.models import Deadline, Ticket
from apps.tickets.policies import customer_complaints_q

# the deadlines of "reply and close" (R-M5-10): the reply to the owner and the completion of the handling
TIMELY_STAGES = (Stage.REPLY, Stage.COMPLETE)
VALIDITY_FORMULAS = {
    "complaints": "当月认定的有效投诉 ÷ 当月受理的全部投诉",
    "tickets": "当月认定的有效投诉 ÷ 当月受理的全部诉求（投诉、报修、建议）",
}
TIMELY_FORMULAS = {
    "due": "当月到期的投诉中回复和完成均在时限内的件数 ÷ 当月到期的投诉件数",
    "received": "当月受理的投诉中已到期时限均按时完成的件数 ÷ 当月受理且有已到期时限的投诉件数",
}


@dataclass
class Rate:
    code: str
    label: str
    formula: str
    numerator: int
    denominator: int
    value: float | None
    # the tickets behind the figure: the denominator's, each with whether it is in the numerator
    rows: list[tuple[Ticket, bool]] = field(default_factory=list)


@dataclass
class DeskRates:
    project: Project
    month: dt.date  # the first day of the month
    validity: Rate
    timely: Rate

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def month_bounds(month: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month.replace(day=1), dt.time(0), tzinfo=tz)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, dt.datetime.combine(following, dt.time(0), tzinfo=tz)


def _formulas(company_id: int) -> tuple[str, str]:
    row = KpiSettings.objects.filter(company_id=company_id).only("validity_base", "timely_basis").first()
    return (row.validity_base, row.timely_basis) if row is not None else ("complaints", "due")


def _rate(code: str, label: str, formula: str, base: QuerySet[Ticket], good: Q) -> Rate:
    tickets = list(base.select_related("household").order_by("received_at", "pk"))
    good_ids = set(base.filter(good).values_list("pk", flat=True))
    num, den = len(good_ids), len(tickets)
    value = round(num * 100 / den, 2) if den else None
    return Rate(code, label, formula, num, den, value, [(t, t.pk in good_ids) for t in tickets])


def monthly_rates(project: Project, month: dt.date, *, now: dt.datetime) -> DeskRates:
    """The two rates of ``project`` for the calendar month of ``month`` (project time), as configured."""
    validity_base, timely_basis = _formulas(project.company_id)
    start, end = month_bounds(month, project.tz)
    scope = kpis.Scope(tuple([project.pk]), start, end, now, tz=project.tz)
    received = kpis.tickets(scope)
    complaints = received.filter(kind=Kind.COMPLAINT)
    validity = _rate(
        "validity_rate",
        "投诉有效率",
        VALIDITY_FORMULAS[validity_base],
        complaints if validity_base == "complaints" else received,
        Q(kind=Kind.COMPLAINT, valid_complaint=True),
    )
    base: QuerySet[Ticket]
    if timely_basis == "due":
        due = Deadline.objects.filter(
            ticket=OuterRef("pk"),
            stage__in=TIMELY_STAGES,
            cancelled_at__isnull=True,
            due_at__gte=start,
            due_at__lt=min(end, now),
        )
        base = (
            Ticket.objects.filter(project=project, kind=Kind.COMPLAINT)
            .exclude(status=TicketStatus.VOIDED)
            .filter(customer_complaints_q())
            .filter(Exists(due))
        )
        good = ~Q(Exists(due.filter(measures.late_q(now))))
    else:
        decided = Deadline.objects.filter(ticket=OuterRef("pk"), cancelled_at__isnull=True, due_at__isnull=False)
        base = complaints.filter(Exists(decided.filter(measures.decided_q(now))))
        good = ~Q(Exists(decided.filter(measures.late_q(now))))
    timely = _rate("timely_rate", "处理及时率", TIMELY_FORMULAS[timely_basis], base, good)
    return DeskRates(project, month.replace(day=1), validity, timely)


def may_compile(user: Any, project: Project) -> bool:
    """R-M5-10: the front desk compiles the rates (whoever receives tickets in the project), and whoever reads
    the project's statistics may read them."""
    return access.has_cap(user, Cap.RECEIVE_TICKETS, project) or access.has_cap(user, Cap.VIEW_REPORTS, project)


def projects_for(user: Any) -> list[Project]:
    """The projects whose monthly rates ``user`` may compile or read (R-M5-10)."""
    return [p for p in access.visible_projects(user).select_related("company").order_by("pk") if may_compile(user, p)]


def parse_month(raw: str | None, today: dt.date) -> dt.date | None:
    """``YYYY-MM`` → the first day of that month (2000-01 … next month); None when malformed."""
    if not raw:
        last = today.replace(day=1) - dt.timedelta(days=1)  # the month just ended: the one compiled
        return last.replace(day=1)
    try:
        month = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return None
    if not dt.date(2000, 1, 1) <= month <= (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1):
        return None
    return month
