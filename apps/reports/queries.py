"""Reads of the reports app: which reports are due, done or late right now (issue 7 item 3: reminders
and the late list), year compliance (R-M5-03, R-M5-06, R-M5-18, AS-39), who prepares a report.

Due dates follow POLICY P-28 through the workdays calendar (:mod:`apps.workdays.queries`); the
calendar data version is read once per call (not once per project).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from apps.org import access
from apps.org.models import Company, Membership, Project, ProjectKind
from apps.org.roles import Cap
from apps.reports import schedule as s
from apps.reports.models import CaseLibraryEntry, Report, ReportSettings, ReportStatus
from apps.workdays import queries as workdays
from apps.workdays.models import DataVersion, DeadlineSettings

# R-M5-07 / R-M5-08 / R-M5-09: duties that are done when the report reaches its readers, not when a
# draft is submitted — the duty code → the report field that records it.
PUBLICATION_FIELD: dict[str, str] = {
    "monthly_bulletin": "published_at",
    "work_brief": "published_at",
    "service_report_intranet": "intranet_posted_at",
    "service_report_notice": "notice_posted_at",
}
# R-M5-08: the 18th and 20th milestones are postings of the one 管理服务报告, not reports of their own.
SOURCE_DUTY: dict[str, str] = {"service_report_intranet": "service_report", "service_report_notice": "service_report"}


@dataclass(frozen=True)
class DutyStatus:
    project: Project | None
    duty: s.Duty
    period: s.Period
    due_at: dt.datetime
    report: Report | None

    @property
    def evidence_at(self) -> dt.datetime | None:
        """When the duty was done: for a publication duty the posting/submission time (R-M5-07,
        R-M5-08 18th/20th, R-M5-09), otherwise the submission for review (R-M5-18)."""
        if self.report is None:
            return None
        field_name = PUBLICATION_FIELD.get(self.duty.code)
        if field_name is not None:
            return getattr(self.report, field_name)
        return self.report.submitted_at if self.report.status != ReportStatus.DRAFT else None

    @property
    def done(self) -> bool:
        """Done once its evidence exists: published/posted for a publication duty, else submitted."""
        return self.evidence_at is not None

    def late(self, now: dt.datetime) -> bool:
        at = self.evidence_at
        if at is None:
            return now > self.due_at
        return at > self.due_at

    def due_soon(self, now: dt.datetime, days: int) -> bool:
        return not self.done and now <= self.due_at <= now + dt.timedelta(days=days)


def settings_for(company: Company) -> ReportSettings:
    row, _created = ReportSettings.objects.get_or_create(company=company)
    return row


def configured_duty(company: Company, code: str, cadence: str) -> s.Duty:
    """The duty a stored report belongs to, with the company's configured due day where it has one
    (R-M5-12 ``visit_statistics_days_after``)."""
    if code == s.VISIT_STATISTICS.code and cadence == s.Cadence.YEARLY.value:
        return s.visit_statistics_duty(settings_for(company).visit_statistics_days_after)
    return s.duty_for(code, cadence)


def rest_day_roller(project: Project | None, company: Company, *,
                    version: int | None = None) -> Callable[[dt.date], dt.date]:
    """POLICY P-28 for report due dates: with the 时限口径 ``roll_rest_days`` of the project (or, for
    company-wide reports, of the company) a date on a rest day moves to the next working day; by default
    (no roll-over) the date stays (AS-33). ``version``: the workdays data version, when the caller
    already read it (one read for many projects)."""
    version = DataVersion.current() if version is None else version
    if project is not None:
        if not workdays.settings_for(project, version=version).roll_rest_days:
            return lambda day: day
        cal = workdays.calendar_for(project, version=version)
    else:
        row = DeadlineSettings.objects.filter(company=company, project=None).first()
        if not (row and row.roll_rest_days):
            return lambda day: day
        cal = workdays.company_calendar(company.pk, tz=ZoneInfo("Asia/Shanghai"), version=version)
    return cal.next_working_day


def due_at_for(duty: s.Duty, period: s.Period, project: Project | None, company: Company, *,
               roll: Callable[[dt.date], dt.date] | None = None) -> dt.datetime:
    """When ``duty`` over ``period`` is due: 23:59:59 local on the T-10 date, after P-28 (``roll`` is
    :func:`rest_day_roller`, computed here when not given)."""
    roll = roll or rest_day_roller(project, company)
    tz = project.tz if project is not None else ZoneInfo("Asia/Shanghai")
    return s.end_of_date(roll(duty.due_date(period)), tz)


def facts_of(project: Project) -> s.ProjectFacts:
    return s.ProjectFacts(
        public_property=project.kind == ProjectKind.PUBLIC,
        handover_date=project.handover_date,
        phased=project.phased,
        floor_area_m2=float(project.floor_area_m2) if project.floor_area_m2 is not None else None,
    )


def _recent_periods(cadence: s.Cadence, today: dt.date, back: int = 2) -> list[s.Period]:
    current = s.period_containing(cadence, today)
    periods = [current]
    for _ in range(back):
        periods.insert(0, s.previous_period(periods[0]))
    return periods


def _latest_reports(company: Company, projects: list[Project]) -> dict[tuple[int | None, str, dt.date], Report]:
    latest: dict[tuple[int | None, str, dt.date], Report] = {}
    rows = Report.objects.filter(company=company).filter(
        project__in=projects
    ) | Report.objects.filter(company=company, project__isnull=True)
    for r in rows.order_by("version"):
        latest[(r.project_id, r.duty_code, r.period_start)] = r
    return latest


def duty_statuses(company: Company, projects: list[Project], now: dt.datetime, *,
                  horizon_days: int = 40) -> list[DutyStatus]:
    """Duties of ``projects`` (and the company-wide analysis) whose due date lies within the last
    ``horizon_days`` or the next ``horizon_days`` — what the reports page and the reminder sweep show."""
    cfg = settings_for(company)
    legacy = s.Cadence(cfg.legacy_cadence)
    visit_duty = s.visit_statistics_duty(cfg.visit_statistics_days_after)
    latest = _latest_reports(company, projects)
    version = DataVersion.current()
    out: list[DutyStatus] = []
    window = dt.timedelta(days=horizon_days)
    for project in projects:
        tz = project.tz
        today = now.astimezone(tz).date()
        facts = facts_of(project)
        roll = rest_day_roller(project, company, version=version)
        for cadence in (s.Cadence.MONTHLY, s.Cadence.QUARTERLY, s.Cadence.YEARLY):
            for period in _recent_periods(cadence, today):
                for duty in s.project_duties(facts, period, legacy_cadence=legacy, visit_duty=visit_duty):
                    due = due_at_for(duty, period, project, company, roll=roll)
                    if abs(due - now) <= window:
                        source = SOURCE_DUTY.get(duty.code, duty.code)
                        out.append(DutyStatus(project, duty, period, due,
                                              latest.get((project.pk, source, period.start))))
    company_duty = s.company_duty(s.Cadence(cfg.company_analysis_cadence))
    tz = ZoneInfo("Asia/Shanghai")
    roll = rest_day_roller(None, company, version=version)
    for period in _recent_periods(company_duty.cadence, now.astimezone(tz).date()):
        due = due_at_for(company_duty, period, None, company, roll=roll)
        if abs(due - now) <= dt.timedelta(days=max(horizon_days, 100)):
            out.append(DutyStatus(None, company_duty, period, due, latest.get((None, company_duty.code, period.start))))
    out.sort(key=lambda d: d.due_at)
    return out


def late_duties(company: Company, projects: list[Project], now: dt.datetime) -> list[DutyStatus]:
    return [d for d in duty_statuses(company, projects, now) if d.late(now)]


@dataclass(frozen=True)
class YearCompliance:
    """Reports a duty expects over one calendar year and which of them were submitted (AS-39)."""

    duty_code: str
    expected: list[s.Period]
    submitted: list[s.Period]
    duty: s.Duty | None = None
    due: dict[s.Period, dt.datetime] = field(default_factory=dict)  # each expected period's due time (P-28)

    @property
    def missing(self) -> list[s.Period]:
        return [p for p in self.expected if p not in self.submitted]

    @property
    def compliant(self) -> bool:
        return not self.missing

    def overdue(self, now: dt.datetime) -> list[s.Period]:
        """Missing periods whose due time has passed (the others may still be handed in)."""
        return [p for p in self.missing if p in self.due and self.due[p] < now]


def year_overview(company: Company, year: int, project: Project | None = None) -> list[YearCompliance]:
    """R-M5-03 / R-M5-06 / R-M5-18 over ``year``, one row per duty: the periods the company's settings
    (P-04 company analysis cadence, P-05 legacy cadence, the visit-statistics due day) expect a report
    for, their due times (P-28 roll-over) and those with a submitted report (a draft does not count).
    ``project=None``: the company-wide duty. One query for the reports."""
    cfg = settings_for(company)
    expected: dict[str, tuple[s.Duty, list[s.Period]]] = {}
    if project is None:
        duty = s.company_duty(s.Cadence(cfg.company_analysis_cadence))
        expected[duty.code] = (duty, s.periods_in_year(duty.cadence, year))
    else:
        facts = facts_of(project)
        legacy = s.Cadence(cfg.legacy_cadence)
        visit_duty = s.visit_statistics_duty(cfg.visit_statistics_days_after)
        for cadence in (s.Cadence.MONTHLY, s.Cadence.QUARTERLY, s.Cadence.YEARLY):
            for period in s.periods_in_year(cadence, year):
                for d in s.project_duties(facts, period, legacy_cadence=legacy, visit_duty=visit_duty):
                    expected.setdefault(d.code + ":" + d.cadence.value, (d, []))[1].append(period)
    rows = (Report.objects.filter(company=company, project=project, period_start__year=year)
            .exclude(status=ReportStatus.DRAFT)
            .values_list("duty_code", "cadence", "period_start", "published_at", "intranet_posted_at",
                         "notice_posted_at"))
    done: set[tuple[str, str, dt.date]] = set()
    for code, period_cadence, start, published, intranet, notice in rows:
        posted = {"published_at": published, "intranet_posted_at": intranet, "notice_posted_at": notice}
        if code not in PUBLICATION_FIELD or posted[PUBLICATION_FIELD[code]] is not None:
            done.add((code, period_cadence, start))
        for derived, source in SOURCE_DUTY.items():
            if source == code and posted[PUBLICATION_FIELD[derived]] is not None:
                done.add((derived, period_cadence, start))
    roll = rest_day_roller(project, company)
    out = []
    for duty, periods in expected.values():
        submitted = [p for p in periods if (duty.code, p.cadence.value, p.start) in done]
        due = {p: due_at_for(duty, p, project, company, roll=roll) for p in periods}
        out.append(YearCompliance(duty.code, periods, submitted, duty=duty, due=due))
    return out


def year_compliance(company: Company, year: int, duty_code: str, project: Project | None = None) -> YearCompliance:
    """One duty of :func:`year_overview` (all its cadences together)."""
    rows = [r for r in year_overview(company, year, project) if r.duty_code == duty_code]
    if len(rows) == 1:
        return rows[0]
    return YearCompliance(duty_code, [p for r in rows for p in r.expected], [p for r in rows for p in r.submitted],
                          due={p: d for r in rows for p, d in r.due.items()})


# ------------------------------------------------------------------ who prepares a report


PROJECT_RESPONSIBLE_ROLES = ("project_manager", "cs_manager")
COMPANY_RESPONSIBLE_ROLES = ("quality",)


def responsible_users(company: Company, project: Project | None) -> list[Any]:
    """Who prepares a report: the 管理处经理 and 客服经理 of the project; 品质管理部 for company-wide ones."""
    if project is not None:
        rows = Membership.objects.filter(project=project, role__in=PROJECT_RESPONSIBLE_ROLES)
    else:
        rows = Membership.objects.filter(company=company, project__isnull=True, role__in=COMPANY_RESPONSIBLE_ROLES)
    roles = PROJECT_RESPONSIBLE_ROLES if project is not None else COMPANY_RESPONSIBLE_ROLES
    members = sorted(rows.select_related("user"), key=lambda m: (roles.index(m.role), m.pk))
    seen: dict[int, object] = {}
    for m in members:
        if m.user.is_active:
            seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def should_exist(d: DutyStatus, now: dt.datetime, remind_days: int) -> bool:
    """A draft is generated once the period has started and the due date is ``remind_days`` away (or past)."""
    tz = d.project.tz if d.project is not None else ZoneInfo("Asia/Shanghai")
    return d.period.start <= now.astimezone(tz).date() and now >= d.due_at - dt.timedelta(days=remind_days)


def reminder_key(kind: str, company: Company, d: DutyStatus) -> str:
    who = f"p{d.project.pk}" if d.project is not None else f"c{company.pk}"
    return f"reports:{kind}:{who}:{d.duty.code}:{d.period.start.isoformat()}"


def company_cases(user: Any, *, q: str = "", kind: str = "") -> QuerySet[CaseLibraryEntry]:
    """R-M6-01: the case library shared inside the company — every case of the companies whose projects
    ``user`` sees, newest first; ``q`` searches the texts, ``kind`` filters 热点/重大/重要/典型."""
    company_ids = set(access.visible_projects(user).values_list("company_id", flat=True))
    cases = CaseLibraryEntry.objects.filter(company_id__in=company_ids).select_related("project")
    q = (q or "").strip()
    if q:
        cases = cases.filter(Q(title__icontains=q) | Q(background__icontains=q) | Q(handling__icontains=q)
                             | Q(lessons__icontains=q) | Q(tags__icontains=q) | Q(category__icontains=q))
    if kind:
        cases = cases.filter(kind=kind)
    return cases.order_by("-created_at", "-pk")


def may_write_cases(user: Any, project: Project | None = None) -> bool:
    """Who adds cases to the library: supervisors and above and 品质管理部 (VIEW_REPORTS and VERIFY)."""
    return access.has_cap(user, Cap.VIEW_REPORTS, project) and access.has_cap(user, Cap.VERIFY, project)
