"""Reads of the visit programme (SPEC M9): each household's next visit due date, the overdue list and
coverage per building and butler — set-based: one query answers every household of a project (no
per-household loop), so 300,000 households stay one statement each (``bench/visits_programme_bench.py``).

The rules (settings: :class:`apps.visits.models.VisitProgrammeSettings`, SPEC defaults without a row):
- P-17 periodic cycle (R-M9-12): only periodic visits (定期走访) count; a household that has never had
  one is treated as last visited the day before the programme's start (default: this quarter's first
  day), so it falls due at the end of the start quarter (or N months after the start).
- P-18 first visit of a new owner (R-M9-14): a household moved in within the last 365 days without a
  home visit since moving in is due N calendar days after moving in (T-07), instead of the cycle.
- R-M9-18 the elderly living alone: also due ``elderly_interval_days`` after their last visit of any kind.
- Only occupied households (已入住) are in the cycle; owners not yet moved in are called instead (R-M9-17).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from apps.estates.models import Household, OccupancyStatus
from apps.org.models import Project
from apps.visits import cycles
from apps.visits.models import (
    CycleMode,
    EarlyCare,
    NotMovedInCall,
    PlanStatus,
    Visit,
    VisitCategory,
    VisitMethod,
    VisitPlan,
    VisitPlanItem,
    VisitProgrammeSettings,
)

NEW_OWNER_WINDOW_DAYS = 365  # "新业主": moved in within the last year (interpretation)


@dataclass(frozen=True)
class Programme:
    cycle_mode: str = CycleMode.QUARTER
    cycle_months: int = 3
    new_owner_days: int = 3
    elderly_interval_days: int = 30
    warn_days: int = 7
    starts_on: dt.date | None = None

    def start(self, today: dt.date) -> dt.date:
        return self.starts_on or cycles.quarter_start(cycles.quarter_index(today))


DEFAULTS = Programme()


def settings_row(project: Project) -> VisitProgrammeSettings | None:
    """The project's own row, else the company's, else None (SPEC defaults)."""
    rows = {r.project_id: r for r in VisitProgrammeSettings.objects.filter(
        Q(project=project) | Q(project=None), company_id=project.company_id)}
    return rows.get(project.pk) or rows.get(None)


def settings_for(project: Project) -> Programme:
    row = settings_row(project)
    if row is None:
        return DEFAULTS
    return Programme(row.cycle_mode, row.cycle_months, row.new_owner_days, row.elderly_interval_days,
                     row.warn_days, row.starts_on)


def _last(category: str | None = None) -> Subquery:
    qs = Visit.objects.filter(household=OuterRef("pk"), voided_at=None)
    if category:
        qs = qs.filter(category=category)
    return Subquery(qs.order_by("-visited_on").values("visited_on")[:1], output_field=DateField())


def households_due(project: Project, today: dt.date, prog: Programme | None = None) -> QuerySet[Any]:
    """Occupied households of ``project`` annotated with ``last_periodic``, ``last_any``, ``new_owner``
    (first home visit still owed, P-18) and ``overdue`` (any rule past due on ``today``) — one query."""
    prog = prog or settings_for(project)
    start_ref = prog.start(today) - dt.timedelta(days=1)
    threshold = cycles.cycle_overdue_before(today, mode=prog.cycle_mode, months=prog.cycle_months)
    first_home = Visit.objects.filter(household=OuterRef("pk"), voided_at=None, method=VisitMethod.FACE_TO_FACE,
                                      visited_on__gte=OuterRef("move_in_date"))
    new_owner = (Q(move_in_date__isnull=False, move_in_date__gte=today - dt.timedelta(days=NEW_OWNER_WINDOW_DAYS))
                 & Q(first_home_done=False))
    overdue = ((new_owner & Q(move_in_date__lt=today - dt.timedelta(days=prog.new_owner_days)))
               | (~new_owner & Q(cycle_ref__lt=threshold))
               | Q(elderly_alone=True, elderly_ref__lt=today - dt.timedelta(days=prog.elderly_interval_days)))
    return (Household.objects.filter(project=project, status=OccupancyStatus.OCCUPIED)
            .annotate(last_periodic=_last(VisitCategory.PERIODIC), last_any=_last(),
                      first_home_done=Exists(first_home))
            .annotate(cycle_ref=Coalesce(F("last_periodic"), Value(start_ref), output_field=DateField()),
                      elderly_ref=Coalesce(F("last_any"), Value(start_ref), output_field=DateField()))
            .annotate(new_owner=Case(When(new_owner, then=Value(True)), default=Value(False),
                                     output_field=BooleanField()),
                      overdue=Case(When(overdue, then=Value(True)), default=Value(False),
                                   output_field=BooleanField())))


def due_date(hh: Any, prog: Programme) -> tuple[dt.date, str]:
    """The next visit's due date of one annotated household (from :func:`households_due`) and why."""
    if hh.new_owner:
        return cycles.first_visit_due(hh.move_in_date, prog.new_owner_days), "新业主首次走访"
    due = cycles.cycle_due(hh.cycle_ref, mode=prog.cycle_mode, months=prog.cycle_months)
    reason = "定期走访"
    if hh.elderly_alone:
        elderly = hh.elderly_ref + dt.timedelta(days=prog.elderly_interval_days)
        if elderly < due:
            due, reason = elderly, "空巢老人走访"
    return due, reason


def coverage_period(today: dt.date, prog: Programme) -> tuple[dt.date, dt.date]:
    """The period whose visits count as coverage: this calendar quarter, or the last N months."""
    if prog.cycle_mode == CycleMode.MONTHS:
        return cycles.add_months(today, -prog.cycle_months) + dt.timedelta(days=1), today
    q = cycles.quarter_index(today)
    return cycles.quarter_start(q), cycles.quarter_end(q)


def coverage(project: Project, start: dt.date, end: dt.date, *, by: str = "building") -> list[dict[str, Any]]:
    """Occupied households and those with a periodic visit in [start, end], per building or per butler
    (the building's steward) — one grouped query."""
    visited = Exists(Visit.objects.filter(household=OuterRef("pk"), voided_at=None, category=VisitCategory.PERIODIC,
                                          visited_on__gte=start, visited_on__lte=end))
    keys = (["building_id", "building__name", "building__sort_key"] if by == "building"
            else ["building__steward_id", "building__steward__display_name"])
    rows = (Household.objects.filter(project=project, status=OccupancyStatus.OCCUPIED).values(*keys)
            .annotate(total=Count("pk"), visited=Count("pk", filter=visited)).order_by(*keys))
    out = []
    for r in rows:
        label = (r["building__name"] if by == "building"
                 else (r["building__steward__display_name"] or gettext("（未指定管家）")))
        out.append({"key": r[keys[0]], "label": label, "total": r["total"], "visited": r["visited"],
                    "rate": round(100 * r["visited"] / r["total"], 1) if r["total"] else 0.0})
    return out


def plan_compliance(project: Project, month: dt.date) -> list[dict[str, Any]]:
    """R-M9-09 / R-M14-04: per planned visitor, households planned in the month's approved plan and
    those visited (any non-voided visit) in that month — what the staff assessment reads."""
    start, end = cycles.month_start(month), cycles.month_end(month)
    done = Exists(Visit.objects.filter(household=OuterRef("household"), voided_at=None, visited_on__gte=start,
                                       visited_on__lte=end))
    rows = (VisitPlanItem.objects.filter(plan__project=project, plan__month=start, plan__status=PlanStatus.APPROVED)
            .values("visitor_id", "visitor__display_name")
            .annotate(planned=Count("pk"), done=Count("pk", filter=done)).order_by("visitor__display_name"))
    return [{"visitor_id": r["visitor_id"], "visitor": r["visitor__display_name"] or "（未指定）",
             "planned": r["planned"], "done": r["done"]} for r in rows]


def plan_for(project: Project, month: dt.date) -> VisitPlan | None:
    return VisitPlan.objects.filter(project=project, month=cycles.month_start(month)).first()


# ---------------------------------------------------------------- early occupancy (R-M9-16, R-M9-17)


def early_care_rows(project: Project, *, awaiting: bool = False) -> QuerySet[EarlyCare]:
    """磨合期关怀 of a project, newest first; ``awaiting``: interviews whose feedback is not yet followed up."""
    qs = EarlyCare.objects.filter(project=project).select_related("household", "recorded_by", "followed_up_by")
    if awaiting:
        qs = qs.exclude(feedback="").filter(followed_up_at=None)
    return qs.order_by("-held_at", "-pk")


def not_moved_in(project: Project) -> QuerySet[Any]:
    """入住动态表 (R-M7-07, R-M9-17): households not yet moved in, with their last call and how many calls
    — one query."""
    last = NotMovedInCall.objects.filter(household=OuterRef("pk")).order_by("-called_at", "-pk")
    return (Household.objects.filter(project=project, status=OccupancyStatus.NOT_MOVED_IN)
            .select_related("building")
            .annotate(last_call_at=Subquery(last.values("called_at")[:1]),
                      last_call_reached=Subquery(last.values("reached")[:1]),
                      calls=Count("not_moved_in_calls"))
            .order_by("label"))
