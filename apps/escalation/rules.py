"""热点/重大投诉 criteria as pure functions over plain data (SPEC M3, POLICY P-12, P-29).

No ORM and no clock: callers pass the facts of one complaint, the thresholds of its project and
``now``. :func:`findings` says which criteria hold, since when, and which report each one calls for;
:mod:`apps.escalation.actions` turns findings into ``EscalationEvent`` rows (levels only go up).
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apps.workdays.calendar import WorkCalendar, add_working_days
from linli.clock import SHANGHAI

NONE, HOT, MAJOR = "none", "hot", "major"
LEVEL_RANK: dict[str, int] = {NONE: 0, HOT: 1, MAJOR: 2}

ROLLING_MONTH, CALENDAR_MONTH, ROLLING_30_DAYS = "rolling_month", "calendar_month", "rolling_30_days"


@dataclass(frozen=True)
class Thresholds:
    """POLICY P-12 (and P-29 window); the defaults are the SPEC values."""

    hot_distinct_complainants: int = 3  # R-M3-02 (b) "三次以上不同投诉人" ≥ 3 (T-11)
    hot_collective_people: int = 3  # R-M3-02 (c)
    hot_unresolved_days: int = 7  # R-M3-02 (d) 一周 = 7×24 h (T-08)
    hot_report_hours: int = 4  # R-M3-06
    major_collective_people: int = 10  # R-M3-03 (c)
    major_unresolved_months: int = 1  # R-M3-03 (d) 一个月 (T-08)
    major_group_report_hours: int = 4  # R-M3-08 (interpretation: not slower than hot)
    major_quality_report_working_days: int = 1  # R-M3-09 (000)
    progress_interval_days: int = 7  # R-M3-08 periodic progress reports (configurable)
    window: str = ROLLING_MONTH  # P-29
    warn_fraction: float = 0.75  # issue 5 item 5: warn at 75% of the time


@dataclass(frozen=True)
class Facts:
    """What the criteria need of one complaint (filled from a Ticket by the services)."""

    received_at: dt.datetime  # T-02: time runs from intake
    people_count: int = 1
    collective: bool = False
    litigation: bool = False  # 已引起诉讼
    media_exposed: bool = False  # 已被媒体曝光
    media_or_litigation_risk: bool = False  # 可能引起诉讼或媒体曝光 (manual flag)
    our_side: bool = True  # R-M3-05 我方原因 (default ours)
    resolved_at: dt.datetime | None = None  # R-M3-05 "resolved" moment, None while unresolved
    distinct_complainants: int = 1  # of its same-complaint cluster within the window (R-M3-04)
    flagged_at: dt.datetime | None = None  # when a manual flag / count was recorded (else now)


@dataclass(frozen=True)
class ReportDuty:
    kind: str  # "hot_report" | "major_group_report" | "major_quality_report"
    due_at: dt.datetime


@dataclass(frozen=True)
class Finding:
    level: str
    rule_id: str
    reason: str
    met_at: dt.datetime


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """T-08: same day number ``months`` later, clamped to the month's last day, same time of day."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


def window_start(newest: dt.datetime, *, mode: str = ROLLING_MONTH,
                 tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    """R-M3-04 / P-29: start of the "within one month" window ending at ``newest`` (inclusive)."""
    local = _local(newest, tz)
    if mode == CALENDAR_MONTH:
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif mode == ROLLING_30_DAYS:
        start = local - dt.timedelta(days=30)
    else:
        start = add_months(local, -1)
    return start.astimezone(dt.UTC)


@dataclass(frozen=True)
class Complainant:
    """One ticket's complainant, for counting distinct complainants (R-M3-04)."""

    ticket_id: int
    household_id: int | None = None
    person_id: int | None = None
    phone: str = ""
    anonymous: bool = False
    marked_distinct: bool = False  # staff say this anonymous/unknown complainant is a different person
    # R-M1-17, POLICY P-08: an internal staff member whose complaint the company does not count as a
    # customer complaint — never one of the "different complainants" of R-M3-02 (b)
    not_a_customer: bool = False


def complainant_key(c: Complainant) -> str | None:
    """Identity of a complainant: household first (one household counts once), then person, then
    phone; anonymous or unidentifiable complainants count only when staff mark them distinct;
    internal staff not counted as customers (P-08) never count."""
    if c.not_a_customer:
        return None
    if c.household_id is not None:
        return f"household:{c.household_id}"
    if c.person_id is not None:
        return f"person:{c.person_id}"
    digits = "".join(ch for ch in c.phone if ch.isdigit())
    if digits and not c.anonymous:
        return f"phone:{digits}"
    if c.marked_distinct:
        return f"ticket:{c.ticket_id}"
    return None


def distinct_complainants(members: Iterable[Complainant]) -> int:
    """R-M3-04: the same person (or household) complaining three times counts once."""
    return len({k for k in map(complainant_key, members) if k is not None})


def findings(facts: Facts, t: Thresholds, *, now: dt.datetime) -> list[Finding]:
    """All hot/major criteria that hold at ``now`` (R-M3-02, R-M3-03, R-M3-05)."""
    out: list[Finding] = []
    flagged = facts.flagged_at or now
    people = facts.people_count if facts.collective else 0

    def unresolved_since(deadline: dt.datetime) -> bool:
        return facts.our_side and now >= deadline and (facts.resolved_at is None or facts.resolved_at > deadline)

    # 重大 (R-M3-03)
    if facts.litigation:
        out.append(Finding(MAJOR, "R-M3-03a", "已引起诉讼", flagged))
    if facts.media_exposed:
        out.append(Finding(MAJOR, "R-M3-03b", "已被新闻媒体（报纸、外部网站等）曝光", flagged))
    if people >= t.major_collective_people:
        out.append(Finding(MAJOR, "R-M3-03c", f"集体投诉 {people} 人（≥{t.major_collective_people} 人）", flagged))
    month_mark = add_months(facts.received_at, t.major_unresolved_months)
    if unresolved_since(month_mark):
        out.append(Finding(MAJOR, "R-M3-03d",
                           f"投诉产生 {t.major_unresolved_months} 个月后仍未有效解决（我方原因）", month_mark))
    # 热点 (R-M3-02)
    if facts.media_or_litigation_risk:
        out.append(Finding(HOT, "R-M3-02a", "可能引起诉讼或媒体曝光（人工标记）", flagged))
    if facts.distinct_complainants >= t.hot_distinct_complainants:
        out.append(Finding(HOT, "R-M3-02b",
                           f"一个月内 {facts.distinct_complainants} 位不同投诉人的相同投诉（≥{t.hot_distinct_complainants}）",
                           flagged))
    if people >= t.hot_collective_people:
        out.append(Finding(HOT, "R-M3-02c", f"集体投诉 {people} 人（≥{t.hot_collective_people} 人）", flagged))
    week_mark = facts.received_at + dt.timedelta(days=t.hot_unresolved_days)
    if unresolved_since(week_mark):
        out.append(Finding(HOT, "R-M3-02d", f"投诉产生 {t.hot_unresolved_days} 天后仍未解决（我方原因）", week_mark))
    return out


def level_of(found: Iterable[Finding]) -> str:
    """R-M3-01: the highest level whose criteria are met."""
    return max((f.level for f in found), key=LEVEL_RANK.__getitem__, default=NONE)


def raises(current: str, new: str) -> bool:
    """Levels only go up automatically (R-M3-01, Appendix B #20)."""
    return LEVEL_RANK[new] > LEVEL_RANK[current]


def report_duties(level: str, met_at: dt.datetime, t: Thresholds, *,
                  add_working_days: Callable[[dt.datetime, int], dt.datetime]) -> list[ReportDuty]:
    """Reports a newly met level calls for: hot → 4 h report to 集团物业管理部 (R-M3-06); major →
    4 h report to the group (R-M3-08) and 1-working-day report to 品质管理部/分管领导 (R-M3-09).
    A major complaint also carries the hot duties (R-M3-01, "both apply")."""
    duties: list[ReportDuty] = []
    if level in (HOT, MAJOR):
        duties.append(ReportDuty("hot_report", met_at + dt.timedelta(hours=t.hot_report_hours)))
    if level == MAJOR:
        duties.append(ReportDuty("major_group_report", met_at + dt.timedelta(hours=t.major_group_report_hours)))
        duties.append(ReportDuty("major_quality_report", add_working_days(met_at, t.major_quality_report_working_days)))
    return duties


def warn_at(start: dt.datetime, due: dt.datetime, fraction: float) -> dt.datetime:
    """The pre-breach warning moment: ``fraction`` of the way from ``start`` to ``due``."""
    return start + (due - start) * fraction


def weekday_add_working_days(start: dt.datetime, n: int, *, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    """T-04 on a Monday–Friday calendar without holidays (apps.workdays arithmetic): start day not
    counted, deadline 23:59:59 local of the N-th working day."""
    return add_working_days(start, n, WorkCalendar(tz=tz)).astimezone(dt.UTC)
