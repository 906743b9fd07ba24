"""Reads of the cards app shared by pages, API, pre-checks and (later) the owner's own account.

Owner side (issue 19): :func:`door_code_notices_for_household` — the door-code changes and their
notices for the doors of a household (never the code)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.cards.models import (
    CardQuarterlyReview,
    CardRegisterEntry,
    CardSettings,
    CardStatus,
    Door,
    DoorCodeChange,
    DoorCodeNotice,
    ICCard,
    IssuingPasswordChange,
)
from apps.estates.models import Household, Person
from apps.org.models import Project


def settings_of(project: Project) -> CardSettings:
    found = CardSettings.objects.filter(project=project).first()
    return found if found is not None else CardSettings(project=project)


def door_households(door: Door) -> QuerySet[Household]:
    """The households behind a door: a unit door → that unit; a lobby door → the whole building."""
    qs = Household.objects.filter(project=door.project_id, building=door.building_id)
    return qs.filter(unit=door.unit_id) if door.unit_id else qs


def door_persons(door: Door) -> QuerySet[Person]:
    return Person.objects.filter(household__in=door_households(door), active=True).order_by("household_id", "pk")


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarters_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out = []
    y, q = quarter_of(start)
    while quarter_bounds(y, q)[0] <= end:
        out.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def quarter_counts(project: Project, year: int, quarter: int) -> dict[str, int]:
    """The 《IC卡季度整理表》 counts: cards by status now, register entries of the quarter by kind."""
    start, end = quarter_bounds(year, quarter)
    counts: dict[str, int] = {f"status_{r['status']}": r["n"] for r in
                              ICCard.objects.filter(project=project).values("status").annotate(n=Count("id"))}
    for r in (CardRegisterEntry.objects.filter(project=project, at__date__gte=start, at__date__lte=end)
              .values("kind").annotate(n=Count("id"))):
        counts[f"entries_{r['kind']}"] = r["n"]
    counts["total"] = sum(v for k, v in counts.items() if k.startswith("status_"))
    return counts


@dataclass
class DoorQuarter:
    door: Door
    year: int
    quarter: int
    changes: list[DoorCodeChange]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def late(self) -> list[DoorCodeChange]:
        return [c for c in self.changes if c.late_notice or c.first_notice_on is None]

    @property
    def compliant(self) -> bool:
        return self.changed and not self.late


def door_code_quarters(project: Project, start: dt.date, end: dt.date) -> list[DoorQuarter]:
    """R-M11-06 / AS-29: per door and calendar quarter, the changes effective in it (a quarter is
    compliant with at least one change, every change notified in time)."""
    doors = list(Door.objects.filter(project=project, active=True).order_by("name"))
    quarters = quarters_between(start, end)
    if not doors or not quarters:
        return []
    q_start, q_end = quarter_bounds(*quarters[0])[0], quarter_bounds(*quarters[-1])[1]
    by_key: dict[tuple[int, int, int], list[DoorCodeChange]] = {}
    for c in DoorCodeChange.objects.filter(door__in=doors, effective_on__gte=q_start, effective_on__lte=q_end):
        y, q = quarter_of(c.effective_on)
        by_key.setdefault((c.door_id, y, q), []).append(c)
    return [DoorQuarter(d, y, q, by_key.get((d.pk, y, q), [])) for y, q in quarters for d in doors]


def password_quarters(project: Project, start: dt.date, end: dt.date) -> dict[tuple[int, int], list[dt.date]]:
    """R-M11-03: the issuing computer's password changes per quarter."""
    out: dict[tuple[int, int], list[dt.date]] = {yq: [] for yq in quarters_between(start, end)}
    for day in IssuingPasswordChange.objects.filter(project=project, changed_on__gte=start,
                                                    changed_on__lte=end).values_list("changed_on", flat=True):
        out.setdefault(quarter_of(day), []).append(day)
    return out


def missing_reviews(project: Project, today: dt.date, since: dt.date | None = None) -> list[tuple[int, int]]:
    """R-M11-02: ended quarters (since the first card, or ``since``) without a 《IC卡季度整理表》 — flagged."""
    first = since or ICCard.objects.filter(project=project).order_by("issued_at").values_list("issued_at", flat=True).first()
    if first is None:
        return []
    first_day = first.astimezone(project.tz).date() if isinstance(first, dt.datetime) else first
    done = set(CardQuarterlyReview.objects.filter(project=project).values_list("year", "quarter"))
    return [yq for yq in quarters_between(first_day, today) if quarter_bounds(*yq)[1] < today and yq not in done]


def register(projects: Any) -> QuerySet[CardRegisterEntry]:
    """The 《IC卡发放/异常情况登记表》 rows, newest first."""
    return (CardRegisterEntry.objects.filter(project__in=projects)
            .select_related("card", "card__household", "by", "verified_by", "replaces"))


def active_cards(projects: Any) -> QuerySet[ICCard]:
    return ICCard.objects.filter(project__in=projects).exclude(status=CardStatus.CANCELLED)


# ---------------------------------------------------------------- owner side (issue 19)


def door_code_notices_for_household(household_id: int) -> QuerySet[DoorCodeNotice]:
    """The door-code notices of the doors a household uses (its unit door and its building's lobby door),
    newest first — channel, time and effective date; the code is never stored."""
    hh = Household.objects.filter(pk=household_id).values("building_id", "unit_id").first()
    if hh is None:
        return DoorCodeNotice.objects.none()
    doors = Door.objects.filter(building_id=hh["building_id"]).filter(Q(unit__isnull=True) | Q(unit_id=hh["unit_id"]))
    return (DoorCodeNotice.objects.filter(change__door__in=doors).select_related("change", "change__door")
            .order_by("-at"))
