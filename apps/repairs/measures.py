"""Repair measures (issue 6 item 6; SPEC R-M8-03, R-M8-04, R-M8-07, R-M8-13): on-time arrival,
on-time completion (target 零修/急修及时率 99%), quality pass (100%) and return-visit rate (100%),
per month, department and worker. The definitions below are shown next to the figures.

Population: repair and paid-service tickets (kinds ``repair`` and ``paid_service``, R-M8-15 (7); voided
ones excluded) received in the period; the
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

from django.db.models import BooleanField, Case, Count, FilteredRelation, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from apps.org.models import Department, User
from apps.tickets.choices import Kind, ReturnVisitOutcome, Stage
from apps.tickets.choices import TicketStatus as S
from apps.tickets.models import Ticket

MEASURES: tuple[str, ...] = ("arrival", "completion", "quality", "return_visit")
TARGETS: dict[str, Decimal] = {"arrival": Decimal("0.99"), "completion": Decimal("0.99"),
                               "quality": Decimal("1"), "return_visit": Decimal("1")}
LABELS = {"arrival": _("到场及时率"), "completion": _("完成及时率（零修/急修及时率）"),
          "quality": _("维修合格率"), "return_visit": _("回访率")}
DEFINITIONS = {
    "arrival": _("按时到场的报修 ÷ 已判定的报修。已判定 = 已登记到场，或到场时限已过仍未到场（算超时）；"
                 "尚未到期的、没有到场时限的不计入。时限取受理时的到场时限。"),
    "completion": _("按时完工的报修 ÷ 已判定的报修，判定方法同上，时限取受理时的完成时限。"
                    "目标见报修设置（默认 99%）。"),
    "quality": _("一次合格的报修 ÷ 已完工的报修。一次合格 = 业主签名验收合格（未签名的不算合格）、且未因回访不满意返工。"
                 "目标 100%。"),
    "return_visit": _("已回访（含多次联系不上后结束）的报修 ÷ 已完工的报修；按政策免回访的不计入。"
                      "目标 100%。"),
}
GROUPS: dict[str, tuple[str, ...]] = {"month": ("month",), "department": ("month", "department"),
                                      "worker": ("month", "department", "worker")}
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
    targets: dict[str, Decimal] = field(default_factory=lambda: dict(TARGETS))

    def as_dict(self) -> dict[str, Any]:
        return {**self.labels, "count": self.count,
                **{m: {"hit": r.hit, "total": r.total, "rate": r.rate, "target": self.targets[m],
                       "meets_target": None if r.rate is None else r.rate >= self.targets[m]}
                   for m, r in self.rates.items()}}


def targets_from(settings: Any) -> dict[str, Decimal]:
    """The targets (fractions) of a company's 报修设置 (R-M5-13, POLICY P-30; defaults = TARGETS)."""
    hundred = Decimal(100)
    return {"arrival": settings.arrival_target_pct / hundred, "completion": settings.completion_target_pct / hundred,
            "quality": settings.quality_target_pct / hundred,
            "return_visit": settings.return_visit_target_pct / hundred}


def _rate_filters(as_of: dt.datetime) -> dict[str, tuple[Q, Q]]:
    """(decided, hit) conditions per measure on a ticket row joined to its cycle-0 arrive/complete
    deadlines (``arr``, ``cmp``), its cycle-0 return visit (``rv``) and its work order."""
    out: dict[str, tuple[Q, Q]] = {}
    for name, rel in (("arrival", "arr"), ("completion", "cmp")):
        has_limit = Q(**{f"{rel}__due_at__isnull": False})
        decided = has_limit & (Q(**{f"{rel}__met_at__isnull": False}) | Q(**{f"{rel}__met_in_time": False})
                               | Q(**{f"{rel}__due_at__lt": as_of}))
        hit = has_limit & Q(**{f"{rel}__met_at__isnull": False, f"{rel}__met_in_time": True})
        out[name] = (decided, hit)
    done = Q(status__in=DONE_STATUSES) | Q(reopen_count__gt=0)
    out["quality"] = (done, done & Q(reopen_count=0, q_ok=True, q_refused=False, q_rework=0))
    visit_due = done & Q(return_visit_exemption="")
    out["return_visit"] = (visit_due, visit_due & Q(rv__outcome__in=[ReturnVisitOutcome.DONE,
                                                                       ReturnVisitOutcome.UNREACHABLE]))
    return out


def repair_measures(*, projects: Iterable[Any], start: dt.date, end: dt.date, as_of: dt.datetime,
                    group_by: Sequence[str] = ("month",), targets: dict[str, Decimal] | None = None,
                    ) -> list[dict[str, Any]]:
    """The four measures for repairs received on local dates ``start`` ≤ day < ``end``, grouped by
    any of ``month``, ``department``, ``worker`` (and ``project``); the last row is the total
    (key ``("total",)``). One aggregate query per project time zone (counting happens in the
    database; see DEFINITIONS)."""
    project_list = list(projects)
    names = {p.pk: p.name for p in project_list}
    by_tz: dict[str, list[Any]] = defaultdict(list)
    for p in project_list:
        by_tz[p.timezone].append(p)
    filters = _rate_filters(as_of)
    fields = {"month": "month", "department": "department_id", "worker": "worker_id", "project": "project_id"}
    aggregates: dict[tuple[Any, ...], dict[str, int]] = {}
    for members in by_tz.values():
        tz = members[0].tz
        lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(), tzinfo=tz)
        qs = (Ticket.objects.filter(project__in=members, kind__in=(Kind.REPAIR, Kind.PAID_SERVICE), received_at__gte=lo, received_at__lt=hi)
              .exclude(status=S.VOIDED)
              .annotate(arr=FilteredRelation("deadlines", condition=Q(deadlines__stage=Stage.ARRIVE,
                                                                      deadlines__cycle=0)),
                        cmp=FilteredRelation("deadlines", condition=Q(deadlines__stage=Stage.COMPLETE,
                                                                      deadlines__cycle=0)),
                        rv=FilteredRelation("return_visits", condition=Q(return_visits__cycle=0)),
                        month=TruncMonth("received_at", tzinfo=tz),
                        worker_id=Coalesce("repair_order__worker_id", "handler_id"),
                        # R-M8-13: function restored and, for cosmetic work, no colour difference
                        q_ok=Case(When(Q(repair_order__quality_ok=True)
                                       & (Q(repair_order__cosmetic_ok__isnull=True) | Q(repair_order__cosmetic_ok=True)),
                                       then=Value(True)), default=Value(False), output_field=BooleanField()),
                        q_refused=Case(When(repair_order__refused_at__isnull=False, then=Value(True)),
                                       default=Value(False), output_field=BooleanField()),
                        q_rework=Coalesce("repair_order__rework_count", Value(0))))
        counts = {"count": Count("pk")}
        for m, (decided, hit) in filters.items():
            counts[f"{m}_total"] = Count("pk", filter=decided)
            counts[f"{m}_hit"] = Count("pk", filter=hit)
        keys = [fields[g] for g in group_by]
        for row in qs.values(*keys).annotate(**counts).order_by(*keys):
            key = tuple(row[k].astimezone(tz).strftime("%Y-%m") if k == "month" else row[k] for k in keys)
            acc = aggregates.setdefault(key, defaultdict(int))
            for name, value in row.items():
                if name not in keys:
                    acc[name] += value
    dept_names = dict(Department.objects.filter(pk__in={k[group_by.index("department")] for k in aggregates}
                                                if "department" in group_by else []).values_list("pk", "name"))
    worker_names = {u.pk: str(u) for u in User.objects.filter(
        pk__in={k[group_by.index("worker")] for k in aggregates} if "worker" in group_by else [])}
    label = {"month": lambda v: v, "department": lambda v: dept_names.get(v, "—"),
             "worker": lambda v: worker_names.get(v, "—"), "project": lambda v: names.get(v, "—")}
    rows: list[Row] = []
    goal = dict(targets or TARGETS)
    total = Row(("total",), {"label": "合计"}, targets=goal)
    for key, acc in sorted(aggregates.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        pairs = list(zip(group_by, key, strict=True))
        labels = {g: label[g](v) for g, v in pairs} | {f"{g}_id": v for g, v in pairs}
        row = Row(key, labels, count=acc["count"], targets=goal)
        for m in MEASURES:
            row.rates[m] = Rate(hit=acc[f"{m}_hit"], total=acc[f"{m}_total"])
        rows.append(row)
        total.count += row.count
        for m in MEASURES:
            total.rates[m].hit += row.rates[m].hit
            total.rates[m].total += row.rates[m].total
    return [r.as_dict() for r in rows] + [total.as_dict()]
