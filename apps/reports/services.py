"""Which reports are due, done or late right now (issue 7 item 3: reminders and the late list)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apps.org.models import Company, Project, ProjectKind
from apps.reports import schedule as s
from apps.reports.models import Report, ReportSettings, ReportStatus


@dataclass(frozen=True)
class DutyStatus:
    project: Project | None
    duty: s.Duty
    period: s.Period
    due_at: dt.datetime
    report: Report | None

    @property
    def done(self) -> bool:
        """Submitted for review or approved on time counts as done (R-M5-18: submitted-at is the evidence)."""
        return self.report is not None and self.report.status != ReportStatus.DRAFT

    def late(self, now: dt.datetime) -> bool:
        if self.report is None or self.report.status == ReportStatus.DRAFT:
            return now > self.due_at
        return self.report.submitted_at is not None and self.report.submitted_at > self.due_at

    def due_soon(self, now: dt.datetime, days: int) -> bool:
        return not self.done and now <= self.due_at <= now + dt.timedelta(days=days)


def settings_for(company: Company) -> ReportSettings:
    row, _created = ReportSettings.objects.get_or_create(company=company)
    return row


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
    latest = _latest_reports(company, projects)
    out: list[DutyStatus] = []
    window = dt.timedelta(days=horizon_days)
    for project in projects:
        tz = project.tz
        today = now.astimezone(tz).date()
        facts = facts_of(project)
        for cadence in (s.Cadence.MONTHLY, s.Cadence.QUARTERLY):
            for period in _recent_periods(cadence, today):
                for duty in s.project_duties(facts, period, legacy_cadence=legacy):
                    due = duty.due_at(period, tz)
                    if abs(due - now) <= window:
                        out.append(DutyStatus(project, duty, period, due,
                                              latest.get((project.pk, duty.code, period.start))))
    company_duty = s.company_duty(s.Cadence(cfg.company_analysis_cadence))
    tz = ZoneInfo("Asia/Shanghai")
    for period in _recent_periods(company_duty.cadence, now.astimezone(tz).date()):
        due = company_duty.due_at(period, tz)
        if abs(due - now) <= dt.timedelta(days=max(horizon_days, 100)):
            out.append(DutyStatus(None, company_duty, period, due, latest.get((None, company_duty.code, period.start))))
    out.sort(key=lambda d: d.due_at)
    return out


def late_duties(company: Company, projects: list[Project], now: dt.datetime) -> list[DutyStatus]:
    return [d for d in duty_statuses(company, projects, now) if d.late(now)]
