"""Which fixed reports are due when (SPEC M5, T-09, T-10, P-04, P-05, P-28).

Pure functions: no database, no clock. A *period* is the calendar month, quarter or half-year the
report covers; the *duty* says on which date after (or at the end of) that period it is due.

T-10: "每月28日前" and the like are inclusive — 23:59:59 on that date in the project's time zone;
a day the month does not have clamps to its last day (30 → 28 February); holidays do not move
the date (P-28 default: no roll-over).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_noop


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


@dataclass(frozen=True)
class Period:
    """A calendar period [start, end] (T-09), dates inclusive."""

    cadence: Cadence
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.cadence is Cadence.MONTHLY:
            return f"{self.start.year}年{self.start.month}月"
        if self.cadence is Cadence.QUARTERLY:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.cadence is Cadence.YEARLY:
            return f"{self.start.year}年度"
        return f"{self.start.year}年{'上' if self.start.month == 1 else '下'}半年"

    @property
    def display_label(self) -> str:
        """The label in the reader's language (``label`` is the one written into the reports)."""
        year = self.start.year
        if self.cadence is Cadence.MONTHLY:
            return gettext("%(year)s年%(month)s月") % {"year": year, "month": self.start.month}
        if self.cadence is Cadence.QUARTERLY:
            return gettext("%(year)s年第%(q)s季度") % {"year": year, "q": (self.start.month - 1) // 3 + 1}
        if self.cadence is Cadence.YEARLY:
            return gettext("%(year)s年度") % {"year": year}
        if self.start.month == 1:
            return gettext("%(year)s年上半年") % {"year": year}
        return gettext("%(year)s年下半年") % {"year": year}


def month_period(year: int, month: int) -> Period:
    return Period(Cadence.MONTHLY, dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1–4")
    first = 3 * (quarter - 1) + 1
    return Period(Cadence.QUARTERLY, dt.date(year, first, 1),
                  dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1]))


def half_year_period(year: int, half: int) -> Period:
    if half not in (1, 2):
        raise ValueError("half must be 1 or 2")
    return Period(Cadence.HALF_YEARLY, dt.date(year, 1 if half == 1 else 7, 1),
                  dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31))


def year_period(year: int) -> Period:
    return Period(Cadence.YEARLY, dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_containing(cadence: Cadence, day: dt.date) -> Period:
    if cadence is Cadence.YEARLY:
        return year_period(day.year)
    if cadence is Cadence.MONTHLY:
        return month_period(day.year, day.month)
    if cadence is Cadence.QUARTERLY:
        return quarter_period(day.year, (day.month - 1) // 3 + 1)
    return half_year_period(day.year, 1 if day.month <= 6 else 2)


def periods_in_year(cadence: Cadence, year: int) -> list[Period]:
    """The periods of ``cadence`` that make up calendar year ``year`` (12 months, 4 quarters, 2 halves, 1 year)."""
    periods = [period_containing(cadence, dt.date(year, 1, 1))]
    while periods[-1].end.year == year and periods[-1].end < dt.date(year, 12, 31):
        periods.append(next_period(periods[-1]))
    return periods


def previous_period(period: Period) -> Period:
    return period_containing(period.cadence, period.start - dt.timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_containing(period.cadence, period.end + dt.timedelta(days=1))


def clamp_day(year: int, month: int, day: int) -> dt.date:
    """T-10: the ``day``-th of the month, or its last day when the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def end_of_date(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """23:59:59 local on ``day`` (T-10 inclusive), as an aware datetime in UTC."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.UTC)


class DueRule(StrEnum):
    """When a report on a period is due."""

    WITHIN_PERIOD_DAY = "within_period_day"  # day D of the period's own (last) month: 每月28日前, 每月30日前
    NEXT_PERIOD_DAY = "next_period_day"  # day D of the first month after the period: 每月1日, 每季度首月15日前, 每月3日前


@dataclass(frozen=True)
class Duty:
    """A reporting duty: what, how often, due on which day (SPEC M5)."""

    code: str
    name: str
    cadence: Cadence
    rule: DueRule
    day: int
    rule_id: str
    recipients: str

    @property
    def display_name(self) -> str:
        """The name in the reader's language (``name`` is the one written into the reports)."""
        return gettext(self.name)

    def due_date(self, period: Period) -> dt.date:
        if self.cadence is not period.cadence:
            raise ValueError(f"{self.code} covers {self.cadence.value} periods, not {period.cadence.value}")
        if self.rule is DueRule.WITHIN_PERIOD_DAY:
            return clamp_day(period.end.year, period.end.month, self.day)
        after = period.end + dt.timedelta(days=1)
        return clamp_day(after.year, after.month, self.day)

    def due_at(self, period: Period, tz: ZoneInfo) -> dt.datetime:
        return end_of_date(self.due_date(period), tz)


# The fixed duties of SPEC M5 (defaults; P-04 / P-05 choose cadences — see duties_for()).
MONTHLY_STATISTICS = Duty("monthly_statistics", gettext_noop("月度投诉统计（报品质管理部）"), Cadence.MONTHLY,
                          DueRule.NEXT_PERIOD_DAY, 1, "R-M5-02", "品质管理部")
MONTHLY_SUMMARY = Duty("monthly_summary", gettext_noop("月底投诉汇总表"), Cadence.MONTHLY, DueRule.WITHIN_PERIOD_DAY, 28,
                       "R-M5-04", "分管领导，抄送品质部")
MONTHLY_BULLETIN = Duty("monthly_bulletin", gettext_noop("投诉公布"), Cadence.MONTHLY, DueRule.WITHIN_PERIOD_DAY, 30,
                        "R-M5-07", "全体业主")
QUARTERLY_ANALYSIS = Duty("quarterly_analysis", gettext_noop("季度投诉分析报告"), Cadence.QUARTERLY, DueRule.NEXT_PERIOD_DAY, 15,
                          "R-M5-05", "品质部、分管领导")
SERVICE_REPORT_REVIEW = Duty("service_report", gettext_noop("管理服务报告（部门负责人审核）"), Cadence.QUARTERLY,
                             DueRule.NEXT_PERIOD_DAY, 15, "R-M5-08", "部门负责人 → 分管领导")
SERVICE_REPORT_INTRANET = Duty("service_report_intranet", gettext_noop("管理服务报告（内网公布）"), Cadence.QUARTERLY,
                               DueRule.NEXT_PERIOD_DAY, 18, "R-M5-08", "公司内网")
SERVICE_REPORT_NOTICE = Duty("service_report_notice", gettext_noop("管理服务报告（业主告示）"), Cadence.QUARTERLY,
                             DueRule.NEXT_PERIOD_DAY, 20, "R-M5-08", "全体业主")
WORK_BRIEF = Duty("work_brief", gettext_noop("物业管理工作简报"), Cadence.MONTHLY, DueRule.NEXT_PERIOD_DAY, 3, "R-M5-09", "委托方")
LEGACY_STATISTICS_MONTHLY = Duty("legacy_statistics", gettext_noop("地产遗留问题统计"), Cadence.MONTHLY, DueRule.NEXT_PERIOD_DAY,
                                 1, "R-M5-06", "品质管理部、地产客户服务中心")
LEGACY_STATISTICS_QUARTERLY = Duty("legacy_statistics", gettext_noop("地产遗留问题统计"), Cadence.QUARTERLY,
                                   DueRule.NEXT_PERIOD_DAY, 15, "R-M5-06", "品质管理部")
COMPANY_ANALYSIS_QUARTERLY = Duty("company_analysis", gettext_noop("公司投诉统计分析报告"), Cadence.QUARTERLY,
                                  DueRule.NEXT_PERIOD_DAY, 15, "R-M5-03", "公司领导")
COMPANY_ANALYSIS_HALF_YEARLY = Duty("company_analysis", gettext_noop("公司投诉统计分析报告"), Cadence.HALF_YEARLY,
                                    DueRule.NEXT_PERIOD_DAY, 15, "R-M5-03", "公司领导")

# R-M5-12: the year-end visit statistics of the CS department for the 物业总经理. "At year end" gives no
# date (interpretation): by default due on 15 January for the year before; ReportSettings
# .visit_statistics_days_after chooses N (次年1月N日前) or 0 (当年12月31日前).
VISIT_STATISTICS_DEFAULT_DAYS_AFTER = 15


def visit_statistics_duty(days_after: int = VISIT_STATISTICS_DEFAULT_DAYS_AFTER) -> Duty:
    if days_after <= 0:
        return Duty("visit_statistics", gettext_noop("年度走访统计"), Cadence.YEARLY, DueRule.WITHIN_PERIOD_DAY, 31, "R-M5-12",
                    "物业总经理")
    return Duty("visit_statistics", gettext_noop("年度走访统计"), Cadence.YEARLY, DueRule.NEXT_PERIOD_DAY, days_after, "R-M5-12",
                "物业总经理")


VISIT_STATISTICS = visit_statistics_duty()


@dataclass(frozen=True)
class ProjectFacts:
    """What decides a project's duties (R-M5-05, R-M5-08/-09)."""

    public_property: bool
    handover_date: dt.date | None
    phased: bool
    floor_area_m2: float | None


LARGE_PROJECT_M2 = 100_000  # R-M5-05: 10万平方米以上 (≥, T-11)


def needs_quarterly_analysis(facts: ProjectFacts, period: Period) -> bool:
    """R-M5-05: within one year after delivery (at any point of the quarter), phased, or ≥ 100,000 m²."""
    if facts.phased:
        return True
    if facts.floor_area_m2 is not None and facts.floor_area_m2 >= LARGE_PROJECT_M2:
        return True
    if facts.handover_date is not None:
        first_anniversary = clamp_day(facts.handover_date.year + 1, facts.handover_date.month, facts.handover_date.day)
        return facts.handover_date <= period.end and period.start < first_anniversary
    return False


def project_duties(facts: ProjectFacts, period: Period, *, legacy_cadence: Cadence = Cadence.MONTHLY,
                   visit_duty: Duty = VISIT_STATISTICS) -> list[Duty]:
    """The project-level duties whose period is ``period`` (P-05 legacy cadence, default monthly;
    ``visit_duty``: the yearly R-M5-12 duty with the company's due day)."""
    duties: list[Duty] = []
    if period.cadence is Cadence.YEARLY:
        return [visit_duty]
    if period.cadence is Cadence.MONTHLY:
        duties += [MONTHLY_STATISTICS, MONTHLY_SUMMARY, MONTHLY_BULLETIN]
        if facts.public_property:
            duties.append(WORK_BRIEF)
        if legacy_cadence is Cadence.MONTHLY:
            duties.append(LEGACY_STATISTICS_MONTHLY)
    elif period.cadence is Cadence.QUARTERLY:
        if needs_quarterly_analysis(facts, period):
            duties.append(QUARTERLY_ANALYSIS)
        if not facts.public_property:
            duties += [SERVICE_REPORT_REVIEW, SERVICE_REPORT_INTRANET, SERVICE_REPORT_NOTICE]
        if legacy_cadence is Cadence.QUARTERLY and needs_quarterly_analysis(
            ProjectFacts(facts.public_property, facts.handover_date, facts.phased, None), period
        ):
            duties.append(LEGACY_STATISTICS_QUARTERLY)
    return duties


def company_duty(cadence: Cadence) -> Duty:
    """P-04: the quality department's company-wide analysis, quarterly (default) or half-yearly."""
    return COMPANY_ANALYSIS_HALF_YEARLY if cadence is Cadence.HALF_YEARLY else COMPANY_ANALYSIS_QUARTERLY


ALL_DUTIES: tuple[Duty, ...] = (
    MONTHLY_STATISTICS, MONTHLY_SUMMARY, MONTHLY_BULLETIN, QUARTERLY_ANALYSIS, SERVICE_REPORT_REVIEW,
    SERVICE_REPORT_INTRANET, SERVICE_REPORT_NOTICE, WORK_BRIEF, LEGACY_STATISTICS_MONTHLY,
    LEGACY_STATISTICS_QUARTERLY, COMPANY_ANALYSIS_QUARTERLY, COMPANY_ANALYSIS_HALF_YEARLY, VISIT_STATISTICS,
)


def duty_for(code: str, cadence: str) -> Duty:
    """The duty a stored report was generated for (code + cadence identify it)."""
    for duty in ALL_DUTIES:
        if duty.code == code and duty.cadence.value == cadence:
            return duty
    raise KeyError(f"{code}/{cadence}")


def period_of(cadence: str, start: dt.date) -> Period:
    return period_containing(Cadence(cadence), start)
