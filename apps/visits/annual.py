"""Reads of the annual return-visit plan (R-M9-13): the targets set against the return visits actually
done in the year, per quarter and for the whole year — the year-to-date progress on the plan's page and
the figures of the year-end review.

Set-based: five grouped queries answer every measure and every quarter of one plan (no loop over
tickets, visits or households). The measures:

- 工单回访完成数: completed return visits of the project's tickets (``ReturnVisit`` with the result
  已回访), counted in the quarter of their completion (project time zone).
- 工单回访率: the same definition as the report KPI 回访率 (R-M5-13) — tickets of the kinds that need a
  return visit, verified or later, not exempted, received in the period; those with a completed return
  visit ÷ all of them × 100.
- 住户走访回访次数: visit records (业主回访记录表, R-M9-03) in the period, voided ones left out.
- 住户走访覆盖率: occupied households with at least one visit in the period ÷ the project's occupied
  households × 100 (the year: each household counted once however often visited).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractQuarter
from django.utils.translation import gettext

from apps.estates.models import Household, OccupancyStatus
from apps.org.models import Project
from apps.tickets.choices import RETURN_VISIT_KINDS, ReturnVisitOutcome, TicketStatus
from apps.tickets.models import ReturnVisit, Ticket
from apps.visits.models import RATE_MEASURES, AnnualVisitPlan, ReturnMeasure, Visit

PERIODS: tuple[int, ...] = (0, 1, 2, 3, 4)  # 0 = the whole year
# R-M5-13 (as apps.reports' 回访率): verified or later
AFTER_VERIFICATION = (TicketStatus.VERIFIED, TicketStatus.RETURN_VISITED, TicketStatus.CLOSED, TicketStatus.UNRESOLVED)


def period_label(quarter: int) -> str:
    return gettext("全年") if quarter == 0 else gettext("第%(q)s季度") % {"q": quarter}


def period_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter == 0:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
    return start, end


def _moment(day: dt.date, project: Project) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=project.tz)


def actuals(project: Project, year: int) -> dict[str, dict[int, float]]:
    """Every measure's actual value per period (0 = year, 1–4 = quarters) — five queries."""
    tz = project.tz
    start, end = _moment(dt.date(year, 1, 1), project), _moment(dt.date(year + 1, 1, 1), project)
    out: dict[str, dict[int, float]] = defaultdict(lambda: dict.fromkeys(PERIODS, 0.0))

    done_rows = (
        ReturnVisit.objects.filter(
            ticket__project=project, outcome=ReturnVisitOutcome.DONE, completed_at__gte=start, completed_at__lt=end
        )
        .annotate(q=ExtractQuarter("completed_at", tzinfo=tz))
        .values("q")
        .annotate(n=Count("pk"))
        .order_by("q")
    )
    for r in done_rows:
        out[ReturnMeasure.TICKET_RETURN_VISITS][r["q"]] = float(r["n"])
    out[ReturnMeasure.TICKET_RETURN_VISITS][0] = sum(out[ReturnMeasure.TICKET_RETURN_VISITS][q] for q in PERIODS[1:])

    visited = Exists(ReturnVisit.objects.filter(ticket=OuterRef("pk"), outcome=ReturnVisitOutcome.DONE))
    rate_rows = (
        Ticket.objects.filter(
            project=project,
            received_at__gte=start,
            received_at__lt=end,
            kind__in=RETURN_VISIT_KINDS,
            status__in=AFTER_VERIFICATION,
            return_visit_exemption="",
        )
        .annotate(q=ExtractQuarter("received_at", tzinfo=tz))
        .values("q")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(visited)))
        .order_by("q")
    )
    due_total = done_total = 0
    for row in rate_rows:
        due_total, done_total = due_total + row["due"], done_total + row["done"]
        out[ReturnMeasure.TICKET_RETURN_RATE][row["q"]] = _pct(row["done"], row["due"])
    out[ReturnMeasure.TICKET_RETURN_RATE][0] = _pct(done_total, due_total)

    visits = Visit.objects.filter(project=project, voided_at=None, visited_on__year=year)
    occupied = Household.objects.filter(project=project, status=OccupancyStatus.OCCUPIED).count()
    for vr in (
        visits.annotate(q=ExtractQuarter("visited_on"))
        .values("q")
        .annotate(
            n=Count("pk"), hh=Count("household", distinct=True, filter=Q(household__status=OccupancyStatus.OCCUPIED))
        )
        .order_by("q")
    ):
        out[ReturnMeasure.RESIDENT_VISITS][vr["q"]] = float(vr["n"])
        out[ReturnMeasure.HOUSEHOLD_COVERAGE][vr["q"]] = _pct(vr["hh"], occupied)
    out[ReturnMeasure.RESIDENT_VISITS][0] = sum(out[ReturnMeasure.RESIDENT_VISITS][q] for q in PERIODS[1:])
    year_hh = visits.filter(household__status=OccupancyStatus.OCCUPIED).aggregate(hh=Count("household", distinct=True))[
        "hh"
    ]
    out[ReturnMeasure.HOUSEHOLD_COVERAGE][0] = _pct(year_hh, occupied)
    return {m: dict(out[m]) for m in ReturnMeasure.values}


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _state(target: int | None, actual: float, *, rate: bool, start: dt.date, end: dt.date, today: dt.date) -> str:
    """达成 / 未达成 / 进行中 / 未开始 of one target (a count reached early is 达成 already)."""
    if target is None:
        return ""
    if today < start:
        return "future"
    if actual >= target and (not rate or today > end):
        return "met"
    return "missed" if today > end else "running"


STATE_LABELS = {"met": "已达成", "missed": "未达成", "running": "进行中", "future": "未开始"}


def progress(plan: AnnualVisitPlan, today: dt.date, *, targets: list[Any] | None = None) -> list[dict[str, Any]]:
    """The plan's targets against the actual return visits, per measure and period (JSON-ready)."""
    values = actuals(plan.project, plan.year)
    rows = targets if targets is not None else list(plan.targets.all())
    wanted = {(t.measure, t.quarter): t.value for t in rows}
    out = []
    for measure in ReturnMeasure:
        rate = measure.value in RATE_MEASURES
        periods = []
        for q in PERIODS:
            start, end = period_bounds(plan.year, q)
            target = wanted.get((measure.value, q))
            actual = values[measure.value][q]
            state = _state(target, actual, rate=rate, start=start, end=end, today=today)
            periods.append(
                {
                    "quarter": q,
                    "label": period_label(q),
                    "target": target,
                    "actual": actual if rate else int(actual),
                    "state": state,
                    "state_label": gettext(STATE_LABELS[state]) if state else "",
                    "percent": (min(100, round(100 * actual / target)) if target else (100 if target == 0 else None)),
                }
            )
        out.append(
            {
                "measure": measure.value,
                "label": str(measure.label),
                "rate": rate,
                "has_target": any(p["target"] is not None for p in periods),
                "periods": periods,
            }
        )
    return out


def plans_for(projects: Any) -> QuerySet[AnnualVisitPlan]:
    """Annual plans of ``projects``, newest year first, with what the list shows (targets prefetched)."""
    return (
        AnnualVisitPlan.objects.filter(project__in=projects)
        .select_related("project", "drawn_by", "approved_by")
        .prefetch_related("targets")
        .order_by("-year", "project__code", "pk")
    )
