"""Reads of the workdays engine as other apps see it (cross-app contracts 1 and 2).

- :func:`calendar_for` (contract 2): the project's :class:`~apps.workdays.calendar.WorkCalendar` —
  ``chinesecalendar`` days, then global override rows, then the company's own rows (P-25), the
  project's working hours and time zone (T-14). :func:`company_calendar`: the same days for a
  company without a project (company-wide reports).
- :func:`deadlines_for` (contract 1): the limit of each requested stage under the project's rule
  sets and settings, as :class:`DeadlineItem` values. Callers stamp them; changing a policy later
  never touches stamped rows. :func:`compute`: one limit of any clock type.
- :func:`month_grid` / :func:`policy_table`: the calendar page and API.

Calendars and policy tables are cached per process and invalidated by
:class:`~apps.workdays.models.DataVersion` (one primary-key read per call; pass ``version=`` to
read it once for many calls). Working time in SQL lives in :mod:`apps.workdays.workhours`.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chinese_calendar import constants as package_constants
from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import translation

from apps.workdays import calendar as wc
from apps.workdays import policies as pol
from apps.workdays.keys import DEFAULT_REPLY_CLASS, DEFAULT_WRITTEN_REVIEWERS, WRITTEN_REVIEWERS
from apps.workdays.models import (
    CalendarDay,
    DataVersion,
    DayKind,
    DeadlineSettings,
    LimitPolicy,
    OfficialYear,
    ReplyPolicy,
    RuleSet,
    RuleSetChoice,
    YearStatus,
)

PACKAGE_NAME = "chinesecalendar"


@dataclass(frozen=True)
class DeadlineItem:
    """One stage's limit (contract 1)."""

    stage: str
    due_at: dt.datetime | None
    provisional: bool
    rule: str
    policy_id: int | None
    clock: str = ""
    amount: Decimal = Decimal(0)


# ---------------------------------------------------------------------- caches
_lock = threading.Lock()
_cache: dict[Any, tuple[int, Any]] = {}


def _cached(key: Any, version: int, build: Any) -> Any:
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = build()
    with _lock:
        if len(_cache) > 2000:
            _cache.clear()
        _cache[key] = (version, value)
    return value


def clear_caches() -> None:
    with _lock:
        _cache.clear()


# ---------------------------------------------------------------------- calendar
def package_days() -> tuple[dict[dt.date, str], dict[dt.date, str], frozenset[int]]:
    """(holidays, adjusted working days, years covered) from chinesecalendar."""
    years = frozenset(d.year for d in package_constants.holidays)
    return dict(package_constants.holidays), dict(package_constants.workdays), years


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class CalendarData:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    covered: frozenset[int]
    names: dict[dt.date, str]
    overridden: frozenset[dt.date]  # dates changed by an override row (global or company)


def calendar_data(company_id: int | None, version: int | None = None) -> CalendarData:
    version = DataVersion.current() if version is None else version
    return _cached(("data", company_id), version, lambda: _build_data(company_id))


def _build_data(company_id: int | None) -> CalendarData:
    pkg_h, pkg_w, pkg_years = package_days()
    hol, wrk = set(pkg_h), set(pkg_w)
    names = {d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in {**pkg_h, **pkg_w}.items()}
    overridden: set[dt.date] = set()
    rows = list(CalendarDay.objects.filter(Q(company=None) | Q(company_id=company_id)))
    # global rows first, then the company's own (a company row beats a global row)
    for row in [r for r in rows if r.company_id is None] + [r for r in rows if r.company_id is not None]:
        overridden.add(row.date)
        if row.kind == DayKind.HOLIDAY:
            hol.add(row.date)
            wrk.discard(row.date)
        else:
            wrk.add(row.date)
            hol.discard(row.date)
        if row.name:
            names[row.date] = row.name
    statuses = dict(OfficialYear.objects.values_list("year", "status"))
    covered = {y for y in pkg_years if statuses.get(y) != YearStatus.PROVISIONAL}
    covered |= {y for y, s in statuses.items() if s == YearStatus.OFFICIAL}
    return CalendarData(frozenset(hol), frozenset(wrk), frozenset(covered), names, frozenset(overridden))


def working_hours(project: Any) -> wc.WorkingHours:
    return wc.WorkingHours(start=project.work_start, end=project.work_end, lunch_start=project.lunch_start,
                           lunch_end=project.lunch_end)


def calendar_for(project: Any, *, version: int | None = None) -> wc.WorkCalendar:
    """Contract 2: the working-day calendar of ``project`` (its company's overrides, its hours, its tz)."""
    version = DataVersion.current() if version is None else version
    key = ("cal", project.company_id, project.timezone, project.work_start, project.work_end, project.lunch_start,
           project.lunch_end)

    def build() -> wc.WorkCalendar:
        data = calendar_data(project.company_id, version)
        return wc.WorkCalendar(holidays=data.holidays, workdays=data.workdays, covered_years=data.covered,
                               hours=working_hours(project), tz=ZoneInfo(project.timezone))

    return _cached(key, version, build)


def company_calendar(company_id: int | None, *, tz: dt.tzinfo = wc.SHANGHAI,
                     version: int | None = None) -> wc.WorkCalendar:
    """The working days of a company (its overrides; default working hours) — for company-wide
    reports and the working-day index of a company without a project at hand."""
    version = DataVersion.current() if version is None else version

    def build() -> wc.WorkCalendar:
        data = calendar_data(company_id, version)
        return wc.WorkCalendar(holidays=data.holidays, workdays=data.workdays, covered_years=data.covered, tz=tz)

    return _cached(("company-cal", company_id, str(tz)), version, build)


def uncovered_years(years: Iterable[int], version: int | None = None) -> list[int]:
    """The given years that have no official schedule (the admin warning, P-25)."""
    covered = calendar_data(None, version).covered
    return sorted(y for y in set(years) if y not in covered)


# ---------------------------------------------------------------------- policies
def settings_for(project: Any, *, version: int | None = None) -> pol.Settings:
    version = DataVersion.current() if version is None else version

    def build() -> pol.Settings:
        rows = {r.project_id: r for r in DeadlineSettings.objects.filter(company_id=project.company_id)
                .filter(Q(project=None) | Q(project_id=project.pk))}
        row = rows.get(project.pk) or rows.get(None)
        return row.as_settings() if row else pol.Settings()

    return _cached(("settings", project.pk, project.company_id), version, build)


def rule_sets_for(project: Any, *, version: int | None = None) -> dict[str, RuleSet]:
    """The rule set per concern: project choice > company choice > system default."""
    version = DataVersion.current() if version is None else version

    def build() -> dict[str, RuleSet]:
        chosen: dict[str, RuleSet] = {r.concern: r for r in RuleSet.objects.filter(is_default=True)}
        choices = list(RuleSetChoice.objects.filter(company_id=project.company_id)
                       .filter(Q(project=None) | Q(project_id=project.pk)).select_related("rule_set"))
        for c in sorted(choices, key=lambda c: c.project_id is not None):
            chosen[c.concern] = c.rule_set
        return chosen

    return _cached(("sets", project.pk, project.company_id), version, build)


@dataclass(frozen=True)
class _Candidate:
    row: pol.Row
    policy_id: int | None
    concern_rank: int
    concern: str


def policy_rows_for(project: Any, *, version: int | None = None) -> list[_Candidate]:
    version = DataVersion.current() if version is None else version

    def build() -> list[_Candidate]:
        sets = rule_sets_for(project, version=version)
        rank = {c: i for i, c in enumerate(pol.CONCERN_ORDER)}
        if not sets:
            # no policy rows at all (e.g. a flushed test database): the SPEC defaults in code apply
            return [_Candidate(r, None, rank[s.concern], s.concern)
                    for s in pol.DEFAULT_RULE_SETS if s.is_default for r in s.rows]
        by_id = {rs.pk: concern for concern, rs in sets.items()}
        rows = LimitPolicy.objects.filter(rule_set_id__in=list(by_id))
        return [_Candidate(r.as_row(), r.pk, rank.get(by_id[r.rule_set_id], 99), by_id[r.rule_set_id]) for r in rows]

    return _cached(("rows", project.pk, project.company_id), version, build)


def _rows_by_stage(project: Any, version: int) -> dict[str, list[_Candidate]]:
    def build() -> dict[str, list[_Candidate]]:
        out: dict[str, list[_Candidate]] = {}
        for c in policy_rows_for(project, version=version):
            out.setdefault(c.row.stage, []).append(c)
        return out

    return _cached(("by_stage", project.pk, project.company_id), version, build)


@dataclass(frozen=True)
class ReplyRules:
    """答复口径 in force for a project: the reply class of each intake method (R-M1-04, P-22) and the
    review departments of a written answer (R-M2-08, P-09)."""

    classes: dict[str, str]
    written_reviewers: tuple[str, ...]


def reply_rules_for(project: Any, *, version: int | None = None) -> ReplyRules:
    """The project's :class:`~apps.workdays.models.ReplyPolicy` row, else the company's, else the SPEC
    defaults (cached like the other policy tables)."""
    if project is None:
        return ReplyRules(dict(DEFAULT_REPLY_CLASS), WRITTEN_REVIEWERS[DEFAULT_WRITTEN_REVIEWERS])
    version = DataVersion.current() if version is None else version

    def build() -> ReplyRules:
        rows = {r.project_id: r for r in ReplyPolicy.objects.filter(company_id=project.company_id)
                .filter(Q(project=None) | Q(project_id=project.pk))}
        row = rows.get(project.pk) or rows.get(None)
        if row is None:
            return ReplyRules(dict(DEFAULT_REPLY_CLASS), WRITTEN_REVIEWERS[DEFAULT_WRITTEN_REVIEWERS])
        return ReplyRules(row.reply_classes(), WRITTEN_REVIEWERS.get(row.written_reviewers,
                                                                     WRITTEN_REVIEWERS[DEFAULT_WRITTEN_REVIEWERS]))

    return _cached(("reply_rules", project.pk, project.company_id), version, build)


def reply_class_of(channel: str, project: Any = None, *, version: int | None = None) -> str:
    """R-M1-04 / P-22: the reply class ``channel`` maps to in ``project`` (its company's 答复口径;
    without a project the SPEC default)."""
    return reply_rules_for(project, version=version).classes.get(channel, "")


def choose(candidates: list[_Candidate], *, kind: str, channel: str, urgency: str, category: str | None,
           stage: str, settings: pol.Settings, reply_class: str | None = None) -> _Candidate | None:
    rc = reply_class_of(channel) if reply_class is None else reply_class
    best: _Candidate | None = None
    best_key: tuple[int, int] | None = None
    for c in candidates:
        if not pol.matches(c.row, kind=kind, channel=channel, reply_class=rc, urgency=urgency, category=category,
                           stage=stage):
            continue
        if stage == pol.RESPOND and c.concern == pol.GENERAL_CONCERN and not settings.response_on:
            continue  # P-03 off
        key = (pol.specificity(c.row), -c.concern_rank)
        if best_key is None or key > best_key:
            best, best_key = c, key
    return best


def _rule_text(c: _Candidate, settings: pol.Settings, provisional: bool, due: dt.datetime | None) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):  # a stored text: in the site's language
        stage = str(pol.STAGES.get(c.row.stage, c.row.stage))
    text = c.row.rule or f"{stage} {pol.describe(c.row.clock, c.row.amount)}"
    notes = []
    if c.row.clock == pol.WORKING_DAYS and settings.start_day_counts and Decimal(c.row.amount) >= 1:
        notes.append("当日计入")
    if c.row.clock == pol.WORKING_DAYS and settings.end_of == wc.WORK_END and Decimal(c.row.amount) >= 1:
        notes.append("下班时截止")
    if c.row.clock == pol.SAME_DAY and settings.same_day_mode == wc.ROLLOVER:
        notes.append("顺延")
    if c.row.clock in (pol.CALENDAR_DAYS, pol.MONTH_END) and settings.roll_rest_days:
        notes.append("遇休息日顺延")
    if c.row.clock == pol.NONE and due is not None:
        notes.append(f"软目标{Decimal(settings.soft_target_hours or 0).normalize():f}小时")
    if provisional:
        notes.append("暂定日历")
    return text + (f"（{'，'.join(notes)}）" if notes else "")


def deadlines_for(project: Any, *, kind: str, channel: str, urgency: str, start: dt.datetime, stages: list[str],
                  category: str | None = None, reply_class: str | None = None) -> list[DeadlineItem]:
    """Contract 1: the limit of each of ``stages`` for a ticket of ``project`` starting at ``start``.
    Stages no policy covers are absent; a T-13 item has ``due_at=None``. ``reply_class``: the class the
    ticket was received with (default: what ``channel`` maps to now in the project, P-22)."""
    if start.tzinfo is None:
        raise ValueError("start 须为带时区的时间")
    version = DataVersion.current()
    cal = calendar_for(project, version=version)
    settings = settings_for(project, version=version)
    by_stage = _rows_by_stage(project, version)
    if reply_class is None:
        reply_class = reply_class_of(channel, project, version=version)
    items: list[DeadlineItem] = []
    for stage in stages:
        c = choose(by_stage.get(stage, []), kind=kind, channel=channel, urgency=urgency or "", category=category, stage=stage,
                   settings=settings, reply_class=reply_class)
        if c is None:
            continue
        due, provisional = pol.evaluate(c.row.clock, c.row.amount, start, cal, settings)
        items.append(DeadlineItem(stage=stage, due_at=due, provisional=provisional,
                                  rule=_rule_text(c, settings, provisional, due), policy_id=c.policy_id,
                                  clock=c.row.clock, amount=Decimal(str(c.row.amount))))
    return items


def deadlines_for_many(project: Any, *, kind: str, channel: str, urgency: str, starts: list[dt.datetime],
                       stages: list[str], category: str | None = None,
                       reply_class: str | None = None) -> list[list[DeadlineItem]]:
    """:func:`deadlines_for` for many tickets of one kind at once (issue 15: sweeps, bulk intake,
    recomputing after a policy change): one list of items per start, each equal to
    ``deadlines_for(…, start=that start, …)``. The settings and policies are read once and the
    policy chosen once per stage; a stage of N working days is computed for every start in one
    :func:`~apps.workdays.calendar.add_working_days_batch` call (vectorised over the calendar).
    ``reply_class``: as for :func:`deadlines_for` (default: what ``channel`` maps to now in the
    project, P-22)."""
    if any(s.tzinfo is None for s in starts):
        raise ValueError("start 须为带时区的时间")
    version = DataVersion.current()
    cal = calendar_for(project, version=version)
    settings = settings_for(project, version=version)
    by_stage = _rows_by_stage(project, version)
    if reply_class is None:
        reply_class = reply_class_of(channel, project, version=version)
    out: list[list[DeadlineItem]] = [[] for _ in starts]
    for stage in stages:
        c = choose(by_stage.get(stage, []), kind=kind, channel=channel, urgency=urgency or "", category=category,
                   stage=stage, settings=settings, reply_class=reply_class)
        if c is None:
            continue
        amount = Decimal(str(c.row.amount))
        if c.row.clock == pol.WORKING_DAYS and amount == amount.to_integral_value():
            dues, flags = wc.add_working_days_batch(starts, int(amount), cal,
                                                    start_day_counts=settings.start_day_counts,
                                                    end_of=settings.end_of)
            results: list[tuple[dt.datetime | None, bool]] = list(zip(dues, flags, strict=True))
        else:
            results = [pol.evaluate(c.row.clock, c.row.amount, s, cal, settings) for s in starts]
        texts: dict[tuple[bool, bool], str] = {}
        for items, (due, provisional) in zip(out, results, strict=True):
            key = (provisional, due is None)
            if key not in texts:
                texts[key] = _rule_text(c, settings, provisional, due)
            items.append(DeadlineItem(stage=stage, due_at=due, provisional=provisional, rule=texts[key],
                                      policy_id=c.policy_id, clock=c.row.clock, amount=amount))
    return out


def compute(project: Any, *, clock: str, amount: Decimal | int | float = 0,
            start: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """One limit of any clock type (``apps.workdays.policies.CLOCKS``) with the project's calendar and
    settings, for modules whose limits are not ticket stages (e.g. "3天内" visits, survey windows):
    ``(due, provisional)``."""
    if start.tzinfo is None:
        raise ValueError("start 须为带时区的时间")
    version = DataVersion.current()
    return pol.evaluate(clock, amount, start, calendar_for(project, version=version),
                        settings_for(project, version=version))


# ---------------------------------------------------------------------- month view
@dataclass(frozen=True)
class DayCell:
    date: dt.date
    in_month: bool
    working: bool
    kind: str  # workday | weekend | holiday | adjusted
    name: str
    overridden: bool


def month_grid(project: Any, year: int, month: int) -> tuple[list[list[DayCell]], bool]:
    """Weeks (Monday first) of the month for the calendar page, and whether the month is provisional."""
    version = DataVersion.current()
    cal = calendar_for(project, version=version)
    data = calendar_data(project.company_id, version)
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=first.weekday())
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    weeks: list[list[DayCell]] = []
    d = start
    while d <= last:
        week = []
        for _ in range(7):
            working = cal.is_working_day(d)
            weekend = d.weekday() >= 5
            if working and weekend:
                kind = "adjusted"
            elif working:
                kind = "workday"
            elif not weekend or d in data.holidays:
                kind = "holiday"
            else:
                kind = "weekend"
            week.append(DayCell(d, d.month == month, working, kind, data.names.get(d, "") if kind in (
                "holiday", "adjusted") or d in data.overridden else "", d in data.overridden))
            d += dt.timedelta(days=1)
        weeks.append(week)
    return weeks, year not in data.covered


def policy_table(project: Any) -> list[dict[str, Any]]:
    """The rule sets in force for ``project`` with their rows (read-only page/API)."""
    sets = rule_sets_for(project)
    out = []
    for concern in pol.CONCERN_ORDER:
        rs = sets.get(concern)
        if rs is None:
            continue
        out.append({"concern": concern, "concern_label": pol.CONCERNS[concern], "rule_set": rs,
                    "rows": list(LimitPolicy.objects.filter(rule_set=rs).order_by("stage", "kind", "category", "pk"))})
    return out
