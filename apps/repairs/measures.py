"""Repair measures (issue 6 item 6; SPEC R-M8-03, R-M8-04, R-M8-07, R-M8-13): on-time arrival,
on-time completion (target 零修/急修及时率 99%), quality pass (100%) and return-visit rate (100%),
per month, department and worker. The definitions below are shown next to the figures.

Population: repair tickets (kind ``repair``, voided ones excluded) received in the period; the
month is the month of ``received_at`` in the project's time zone. Department = the ticket's
responsible department; worker = the work order's worker (else the ticket's handler).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.tickets.choices import Kind, ReturnVisitOutcome, Stage, TicketStatus as S

MEASURES: tuple[str, ...] = ("arrival", "completion", "quality", "return_visit")
TARGETS: dict[str, Decimal] = {"arrival": Decimal("0.99"), "completion": Decimal("0.99"),
                               "quality": Decimal("1"), "return_visit": Decimal("1")}
LABELS = {"arrival": _("到场及时率"), "completion": _("完成及时率（零修/急修及时率）"),
          "quality": _("维修合格率"), "return_visit": _("回访率")}
DEFINITIONS = {
    "arrival": _("按时到场的报修 ÷ 已判定的报修。已判定 = 已登记到场，或到场时限已过仍未到场（算超时）；"
                 "尚未到期的、没有到场时限的不计入。时限取受理时的到场时限（P-14）。"),
    "completion": _("按时完工的报修 ÷ 已判定的报修，判定方法同上，时限取受理时的完成时限（P-15）。目标 99%。"),
    "quality": _("一次合格的报修 ÷ 已完工的报修。一次合格 = 业主未拒签、验收未判不合格、且未因回访不满意返工。目标 100%。"),
    "return_visit": _("已回访（含多次联系不上后结束）的报修 ÷ 已完工的报修；按政策免回访的不计入。目标 100%（R-M8-07）。"),
}
DONE_STATUSES = frozenset({S.HANDLED, S.REPLIED, S.VERIFIED, S.RETURN_VISITED, S.CLOSED, S.UNRESOLVED})


@dataclass
class Rate:
    hit: int = 0
    total: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.hit) / Decimal(self.total)).quantize(Decimal("0.0001"))

    def add(self, ok: bool | None) -> None:
        if ok is None:
            return
        self.total += 1
        self.hit += int(ok)


@dataclass
class Row:
    key: tuple[Any, ...]
    labels: dict[str, str]
    count: int = 0
    rates: dict[str, Rate] = field(default_factory=lambda: {m: Rate() for m in MEASURES})

    def as_dict(self) -> dict[str, Any]:
        return {**self.labels, "count": self.count,
                **{m: {"hit": r.hit, "total": r.total, "rate": r.rate, "target": TARGETS[m],
                       "meets_target": None if r.rate is None else r.rate >= TARGETS[m]}
                   for m, r in self.rates.items()}}


def _deadline_verdict(d: dict[str, Any] | None, as_of: dt.datetime) -> bool | None:
    """True on time, False late (met late, or past due and not met), None not decided yet."""
    if d is None or d["due_at"] is None:
        return None
    if d["met_at"] is not None:
        return bool(d["met_in_time"])
    if d["met_in_time"] is False:
        return False
    if d["due_at"] < as_of:
        return False
    return None


def repair_measures(*, projects: Iterable[Any], start: dt.date, end: dt.date, as_of: dt.datetime,
                    group_by: Sequence[str] = ("month",)) -> list[dict[str, Any]]:
    """The four measures for repairs received on local dates ``start`` ≤ day < ``end``, grouped by
    any of ``month``, ``department``, ``worker`` (and ``project``); the last row is the total
    (key ``("total",)``)."""
    from apps.repairs.models import RepairOrder
    from apps.tickets.models import Deadline, ReturnVisit, Ticket

    project_list = list(projects)
    if not project_list:
        return [Row(("total",), {"label": "合计"}).as_dict()]
    tz_by_project = {p.pk: p.tz for p in project_list}
    names = {p.pk: p.name for p in project_list}
    lo = min(dt.datetime.combine(start, dt.time(), tzinfo=tz) for tz in tz_by_project.values())
    hi = max(dt.datetime.combine(end, dt.time(), tzinfo=tz) for tz in tz_by_project.values())
    tickets = list(
        Ticket.objects.filter(project__in=project_list, kind=Kind.REPAIR, received_at__gte=lo, received_at__lt=hi)
        .exclude(status=S.VOIDED)
        .values("pk", "project_id", "received_at", "status", "reopen_count", "department_id", "department__name",
                "handler_id", "handler__display_name", "handler__username", "return_visit_exemption")
    )
    tickets = [t for t in tickets
               if start <= t["received_at"].astimezone(tz_by_project[t["project_id"]]).date() < end]
    ids = [t["pk"] for t in tickets]
    deadlines: dict[tuple[int, str], dict[str, Any]] = {}
    orders: dict[int, dict[str, Any]] = {}
    visited: set[int] = set()
    for chunk in _chunks(ids, 2000):
        for d in Deadline.objects.filter(ticket_id__in=chunk, cycle=0, stage__in=[Stage.ARRIVE, Stage.COMPLETE]).values(
                "ticket_id", "stage", "due_at", "met_at", "met_in_time"):
            deadlines[(d["ticket_id"], d["stage"])] = d
        for o in RepairOrder.objects.filter(ticket_id__in=chunk).values(
                "ticket_id", "worker_id", "worker__display_name", "worker__username", "quality_ok", "refused_at",
                "rework_count"):
            orders[o["ticket_id"]] = o
        visited.update(ReturnVisit.objects.filter(
            ticket_id__in=chunk, cycle=0, outcome__in=[ReturnVisitOutcome.DONE, ReturnVisitOutcome.UNREACHABLE])
            .values_list("ticket_id", flat=True))
    rows: dict[tuple[Any, ...], Row] = {}
    total = Row(("total",), {"label": "合计"})
    for t in tickets:
        o = orders.get(t["pk"], {})
        worker_id = o.get("worker_id") or t["handler_id"]
        worker = (o.get("worker__display_name") or o.get("worker__username") if o.get("worker_id")
                  else t["handler__display_name"] or t["handler__username"]) or "—"
        month = t["received_at"].astimezone(tz_by_project[t["project_id"]]).strftime("%Y-%m")
        parts = {"month": (month, month), "department": (t["department_id"], t["department__name"] or "—"),
                 "worker": (worker_id, worker), "project": (t["project_id"], names[t["project_id"]])}
        key = tuple(parts[g][0] for g in group_by)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(key, {g: parts[g][1] for g in group_by} | {f"{g}_id": parts[g][0] for g in group_by})
        done = t["status"] in DONE_STATUSES or t["reopen_count"] > 0
        verdicts = {
            "arrival": _deadline_verdict(deadlines.get((t["pk"], Stage.ARRIVE)), as_of),
            "completion": _deadline_verdict(deadlines.get((t["pk"], Stage.COMPLETE)), as_of),
            "quality": (t["reopen_count"] == 0 and o.get("quality_ok") is not False and o.get("refused_at") is None
                        and not o.get("rework_count")) if done else None,
            "return_visit": (t["pk"] in visited) if done and not t["return_visit_exemption"] else None,
        }
        for r in (row, total):
            r.count += 1
            for m, v in verdicts.items():
                r.rates[m].add(v)
    ordered = sorted(rows.values(), key=lambda r: tuple(str(k) for k in r.key))
    return [r.as_dict() for r in ordered] + [total.as_dict()]


def _chunks(seq: list[int], n: int) -> Iterable[list[int]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
