"""Writes of the reports app: report lifecycle, case library, utility statistics and the reporting
sweep (issue 7 items 3 and 5).

draft → in review → approved (frozen). Figures are a snapshot taken when the draft is generated or
refreshed; approval freezes them. ``reissue_report`` opens a new version (a copy as draft); when the
new version is approved the old one becomes ``superseded`` — it still exists, unchanged.
:func:`generate_due` (task ``apps.reports.tasks.generate_reports`` / ``manage.py generate_reports``)
creates due drafts, refreshes untouched drafts and sends reminders through
:func:`apps.notify.actions.notify_staff` (a direct call, mechanism (a)).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q

from apps.core.errors import DomainError
from apps.escalation.models import EscalationReport, ReportKind
from apps.estates.models import Person
from apps.notify.actions import notify_staff
from apps.org import access
from apps.org.models import Company, Membership, Project, User
from apps.org.roles import Cap, Role
from apps.reports import generators
from apps.reports.anonymise import anonymise
from apps.reports.models import (
    CaseKind,
    CaseLibraryEntry,
    Report,
    ReportStatus,
    StairwayLightCount,
    UtilityStatistics,
)
from apps.reports.queries import (
    SOURCE_DUTY,
    configured_duty,
    due_at_for,
    duty_statuses,
    reminder_key,
    responsible_users,
    settings_for,
    should_exist,
)
from apps.reports.schedule import Duty, Period, duty_for, half_year_period, period_of
from apps.tickets.models import Ticket
from linli import clock


class ReportError(DomainError):
    """A report action that is not allowed now; the message is shown to the user."""


def _company_of(project: Project | None, company: Company | None) -> Company:
    if project is not None:
        return project.company
    if company is None:
        raise ReportError("公司级报告须指定公司")
    return company


@transaction.atomic
def create_draft(*, duty: Duty, period: Period, project: Project | None, company: Company | None = None,
                 figures: dict[str, Any], sections: dict[str, str] | None = None, acting_user: User,
                 now: dt.datetime) -> Report:
    """Generate a draft for ``duty`` over ``period`` (version 1, or the next version after a frozen one)."""
    if project is not None and not access.has_cap(acting_user, Cap.VIEW_REPORTS, project):
        raise ReportError("没有权限为该项目生成报告")
    company_obj = _company_of(project, company)
    existing = Report.objects.select_for_update().filter(
        company=company_obj, project=project, duty_code=duty.code, period_start=period.start
    ).order_by("-version").first()
    if existing is not None and not existing.frozen:
        raise ReportError("该期报告已有未批准的草稿，请在草稿上修改")
    return Report.objects.create(
        company=company_obj, project=project, duty_code=duty.code,
        title=f"{project.name if project else company_obj.name} {period.label} {duty.name}",
        cadence=duty.cadence.value, period_start=period.start, period_end=period.end,
        version=(existing.version + 1) if existing else 1,
        due_at=due_at_for(duty, period, project, company_obj), rule_id=duty.rule_id,
        recipients=duty.recipients, figures=figures, sections=sections or {},
        created_by=acting_user, created_at=now, supersedes=existing,
    )


def _editable(report: Report) -> None:
    if report.frozen:
        raise ReportError("报告已批准冻结，不能修改；如需更正请发布新版本")


@transaction.atomic
def update_draft(report: Report, *, sections: dict[str, str] | None = None, figures: dict[str, Any] | None = None,
                 acting_user: User, now: dt.datetime) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    fields = []
    if sections is not None:
        report.sections = sections
        fields.append("sections")
    if figures is not None:
        report.figures = figures
        fields.append("figures")
    if report.status == ReportStatus.IN_REVIEW:
        report.status = ReportStatus.DRAFT  # an edit sends it back to draft
        fields.append("status")
    report.save(update_fields=fields)
    return report


# Sections a report must have written before it is submitted (R-M5-01: causes, lessons, measures).
REQUIRED_SECTIONS: dict[str, dict[str, str]] = {
    "monthly_statistics": {"causes": "投诉原因分析", "lessons": "经验教训", "measures": "纠正措施"},
}


@transaction.atomic
def submit_for_review(report: Report, *, acting_user: User, now: dt.datetime) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if report.status != ReportStatus.DRAFT:
        raise ReportError("只有草稿可以提交审核")
    missing = [label for key, label in REQUIRED_SECTIONS.get(report.duty_code, {}).items()
               if not str((report.sections or {}).get(key, "")).strip()]
    if missing:
        raise ReportError(f"请先填写：{'、'.join(missing)}")
    report.status = ReportStatus.IN_REVIEW
    report.submitted_at = now
    report.submitted_by = acting_user
    report.save(update_fields=["status", "submitted_at", "submitted_by"])
    return report


def report_text(report: Report) -> str:
    """The written text of a report (all its sections), as the approver reads it."""
    return "\n".join(str(v) for v in (report.sections or {}).values() if str(v or "").strip())


_NUMBER = r"\s*[：:为是达]?\s*(-?\d+(?:\.\d+)?)"


def _written_figures(figures: dict[str, Any]) -> list[tuple[str, list[str], float]]:
    """(label, phrases that introduce it in the text, frozen value) for every figure a text may quote:
    each KPI by its label (the total received also by the generators' wording) and, for the
    投诉公布, each public-matter group by its category."""
    out: list[tuple[str, list[str], float]] = []
    for row in figures.get("kpis", []) or []:
        label, value = str(row.get("label", "")), row.get("value")
        if row.get("code") == "received":
            total = (row.get("counts") or {}).get("all", value)
            if isinstance(total, (int, float)):
                out.append((label or "受理", [label, "共受理诉求", "投诉与建议"], float(total)))
            continue
        if label and isinstance(value, (int, float)):
            out.append((label, [label], float(value)))
    for item in figures.get("items", []) or []:
        if isinstance(item.get("count"), (int, float)) and item.get("category"):
            out.append((str(item["category"]), [str(item["category"])], float(item["count"])))
    return out


def figure_mismatches(report: Report) -> list[dict[str, str]]:
    """Figures the text quotes that differ from the report's (frozen) figures (issue 23 item 4): for each
    figure, every number written right after its label in the text is compared with the figure,
    rounded as the text writes it. Returns [{label, written, frozen}], empty when the text agrees."""
    text = report_text(report)
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for label, phrases, value in _written_figures(report.figures or {}):
        for phrase in phrases:
            if not phrase:
                continue
            for m in re.finditer(re.escape(phrase) + _NUMBER, text):
                written = m.group(1)
                decimals = len(written.split(".")[1]) if "." in written else 0
                if abs(float(written) - round(value, decimals)) < 10 ** -(decimals + 1) * 5:
                    continue
                key = (label, written)
                if key not in seen:
                    seen.add(key)
                    found.append({"label": label, "written": written, "frozen": f"{value:g}"})
    return found


# R-M5-08 / R-M5-09: reports approved by the 分管领导 (not the project's own manager); those that a
# department head reviews first.
LEADER_APPROVED = frozenset({"service_report", "work_brief"})
REVIEWED_FIRST = frozenset({"service_report"})
REVIEWER_ROLES = (Role.DEPT_HEAD, Role.CS_MANAGER, Role.PROJECT_MANAGER)


def _holds(user: User, roles: tuple[str, ...], report: Report) -> bool:
    """``user`` holds one of ``roles`` for the report's project (or company-wide in its company)."""
    rows = Membership.objects.filter(user=user, role__in=roles, company=report.company)
    if report.project_id is not None:
        rows = rows.filter(Q(project_id=report.project_id) | Q(project__isnull=True))
    return user.is_active and rows.exists()


def may_review(user: User, report: Report) -> bool:
    return (report.duty_code in REVIEWED_FIRST and report.status == ReportStatus.IN_REVIEW
            and report.reviewed_at is None and report.submitted_by_id != user.pk
            and _holds(user, REVIEWER_ROLES, report))


def may_approve(user: User, report: Report) -> bool:
    if report.submitted_by_id == user.pk:
        return False
    if report.duty_code in LEADER_APPROVED:
        return _holds(user, (Role.LEADERSHIP,), report)
    return access.has_cap(user, Cap.APPROVE_REPORTS, report.project)


@transaction.atomic
def review_report(report: Report, *, acting_user: User, now: dt.datetime) -> Report:
    """部门负责人审核 (R-M5-08): the department head reviews the submitted 管理服务报告 before the
    分管领导 approves it; the submitter never reviews their own report."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.duty_code not in REVIEWED_FIRST:
        raise ReportError("该报告不需要部门负责人审核")
    if report.status != ReportStatus.IN_REVIEW:
        raise ReportError("只有待审核的报告可以审核")
    if report.reviewed_at is not None:
        raise ReportError("已审核")
    if report.submitted_by_id == acting_user.pk:
        raise ReportError("提交人不能审核自己的报告")
    if not _holds(acting_user, REVIEWER_ROLES, report):
        raise ReportError("只有部门负责人可以审核该报告")
    report.reviewed_at = now
    report.reviewed_by = acting_user
    report.save(update_fields=["reviewed_at", "reviewed_by"])
    return report


@transaction.atomic
def approve_report(report: Report, *, acting_user: User, now: dt.datetime,
                   acknowledge_mismatches: bool = False) -> Report:
    """Approve and freeze; a previous version it corrects becomes superseded.

    Separation of duties and content checks (issue 23 item 4): the submitter never approves; a report
    without any written text is refused; when the text quotes figures that differ from the frozen
    figures, approval needs the approver to acknowledge them, and the acknowledged list is kept on
    the report (``approval_flags``)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.IN_REVIEW:
        raise ReportError("只有待审核的报告可以批准")
    if report.submitted_by_id == acting_user.pk:
        raise ReportError("提交人不能批准自己的报告")
    if report.duty_code in REVIEWED_FIRST and report.reviewed_at is None:
        raise ReportError("须先经部门负责人审核，再由分管领导批准")
    if report.duty_code in LEADER_APPROVED and not _holds(acting_user, (Role.LEADERSHIP,), report):
        raise ReportError("该报告须由分管领导批准")
    if not may_approve(acting_user, report):
        raise ReportError("没有批准报告的权限")
    if not report_text(report).strip():
        raise ReportError("报告正文为空，不能批准；请退回起草人补写正文")
    mismatches = figure_mismatches(report)
    if mismatches and not acknowledge_mismatches:
        listed = "；".join(f"{m['label']}：正文写 {m['written']}，数据为 {m['frozen']}" for m in mismatches)
        raise ReportError(f"正文中的数字与报告数据不一致（{listed}），请核对并勾选确认后再批准")
    report.status = ReportStatus.APPROVED
    report.approved_at = now
    report.approved_by = acting_user
    report.approval_flags = mismatches
    report.save(update_fields=["status", "approved_at", "approved_by", "approval_flags"])
    if report.supersedes_id:
        old = Report.objects.select_for_update().filter(pk=report.supersedes_id, status=ReportStatus.APPROVED).first()
        if old is not None:
            old.status = ReportStatus.SUPERSEDED
            old.save(update_fields=["status"])
    return report


POSTINGS = {"intranet": "intranet_posted_at", "notice": "notice_posted_at"}


@transaction.atomic
def record_posting(report: Report, *, milestone: str, acting_user: User, now: dt.datetime) -> Report:
    """R-M5-08: the approved 管理服务报告 posted on the company intranet (``intranet``, before the 18th),
    then the notice inviting customers to read it (``notice``, before the 20th, which publishes it)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if milestone not in POSTINGS:
        raise ReportError("未知的公布环节")
    if report.duty_code not in REVIEWED_FIRST:
        raise ReportError("只有管理服务报告需要内网公布和业主告示")
    if report.status != ReportStatus.APPROVED:
        raise ReportError("报告经分管领导批准后才能公布")
    if not access.has_cap(acting_user, Cap.VIEW_REPORTS, report.project):
        raise ReportError("没有权限")
    if milestone == "notice" and report.intranet_posted_at is None:
        raise ReportError("请先在公司内网公布，再张贴告示")
    field_name = POSTINGS[milestone]
    if getattr(report, field_name) is not None:
        raise ReportError("已登记")
    setattr(report, field_name, now)
    fields = [field_name]
    if milestone == "notice":
        report.published_at = report.published_at or now
        report.published_where = report.published_where or "业主告示"
        fields += ["published_at", "published_where"]
    report.save(update_fields=fields)
    return report


@transaction.atomic
def record_publication(report: Report, *, where: str, acting_user: User, now: dt.datetime,
                       add: bool = False) -> Report:
    """Record when and where an approved report was published/submitted (R-M5-07, R-M5-08, R-M5-18).
    ``add``: one more place (e.g. the owner portal, R-M17-12) — a report already published keeps its
    first publication time and the place is appended to ``published_where``."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.APPROVED:
        raise ReportError("报告批准后才能公布或报送")
    where = where.strip()
    if not where:
        raise ReportError("请填写公布位置或报送对象")
    if add and report.published_at is not None:
        places = [p for p in report.published_where.split("；") if p]
        if where not in places:
            places.append(where)
        where = "；".join(places)
    else:
        report.published_at = now
    report.published_where = where[:200]
    report.save(update_fields=["published_at", "published_where"])
    return report


def complainant_names(*, company: Company, project: Project | None, texts: Iterable[str] = (),
                      ticket: Ticket | None = None) -> list[str]:
    """The names a case must never show (R-M6-01, R-M7-01): the source ticket's complainant and the
    people of their household, and every resident of the project (or company) whose full name appears
    in ``texts`` — so a name the author forgot to list is masked all the same."""
    names: set[str] = set()
    if ticket is not None:
        if ticket.person is not None:
            names.add(ticket.person.name)
        if ticket.household_id:
            names.update(Person.objects.filter(household_id=ticket.household_id).values_list("name", flat=True))
    joined = "\n".join(t for t in texts if t)
    if joined:
        people = Person.objects.filter(project=project) if project is not None else \
            Person.objects.filter(project__company=company)
        names.update(n for n in people.values_list("name", flat=True).distinct().iterator()
                     if n and len(n.strip()) >= 2 and n.strip() in joined)
    return sorted(n.strip() for n in names if n and n.strip())


def _source_ticket(company: Company, number: str) -> Ticket | None:
    number = (number or "").strip()
    if not number:
        return None
    return Ticket.objects.filter(project__company=company, number=number).select_related("person").first()


CASE_TEXTS = ("title", "category", "background", "handling", "lessons", "corrective_measures", "tags")
_CASE_LIMITS = {"title": 200, "category": 100, "tags": 200}


def _anonymised(*, company: Company, project: Project | None, ticket: Ticket | None, personal_names: Iterable[str],
                **texts: str) -> dict[str, str]:
    """The case's text fields with personal data removed (R-M6-01)."""
    names = [*personal_names, *complainant_names(company=company, project=project, texts=texts.values(),
                                                 ticket=ticket)]
    out = {}
    for name, value in texts.items():
        clean = anonymise((value or "").strip(), names=names)
        out[name] = clean[:_CASE_LIMITS[name]] if name in _CASE_LIMITS else clean
    return out


@transaction.atomic
def create_case(*, company: Company, project: Project | None, kind: str, title: str, background: str,
                handling: str, lessons: str = "", corrective_measures: str = "", category: str = "",
                tags: str = "", source_ticket_number: str = "", personal_names: list[str] | None = None,
                acting_user: User, now: dt.datetime, source_ticket: Ticket | None = None) -> CaseLibraryEntry:
    """Write a case for the library; every text field is anonymised (R-M6-01): the names given, the
    source ticket's complainant and household, and any resident's full name found in the text."""
    if kind not in CaseKind.values:
        raise ReportError("案例类型不正确", field="kind")
    if not title.strip() or not background.strip() or not handling.strip():
        raise ReportError("标题、事件经过和处理过程必填")
    ticket = source_ticket or _source_ticket(company, source_ticket_number)
    texts = _anonymised(company=company, project=project, ticket=ticket, personal_names=personal_names or [],
                        title=title, category=category, background=background, handling=handling,
                        lessons=lessons, corrective_measures=corrective_measures, tags=tags)
    return CaseLibraryEntry.objects.create(
        company=company, project=project, kind=kind, **texts,
        source_ticket_number=(ticket.number if ticket else source_ticket_number.strip())[:40],
        source_ticket=source_ticket, created_by=acting_user, created_at=now, updated_at=now,
    )


@transaction.atomic
def case_from_closeout_report(report: EscalationReport, *, now: dt.datetime) -> CaseLibraryEntry | None:
    """R-M3-07 / R-M3-10 → R-M6-01: a sent 专题案例报告 (hot) or 专题报告 (major) becomes the ticket's
    case in the company library, anonymised. One case per ticket: the major complaint's 专题报告, which
    adds why the matter got worse and the corrective measures, replaces the text of its case report.
    Safe to repeat (the job may be retried)."""
    if report.sent_at is None or report.kind not in (ReportKind.HOT_CASE_REPORT, ReportKind.MAJOR_SPECIAL_REPORT):
        return None
    ticket = Ticket.objects.select_related("project__company", "category", "person").get(pk=report.ticket_id)
    existing = CaseLibraryEntry.objects.select_for_update().filter(source_ticket=ticket).first()
    if existing is not None and report.kind == ReportKind.HOT_CASE_REPORT and EscalationReport.objects.filter(
            ticket=ticket, kind=ReportKind.MAJOR_SPECIAL_REPORT).exclude(sent_at=None).exists():
        return existing  # the 专题报告 already wrote the case
    kind = CaseKind.MAJOR if ticket.escalation_level == "major" else CaseKind.HOT
    background = "\n".join(x for x in (report.content, f"原因分析：{report.cause_analysis}"
                                         if report.cause_analysis else "") if x)
    handling = "\n".join(x for x in (report.handling_result, f"事态扩大原因：{report.why_worsened}"
                                       if report.why_worsened else "") if x)
    first_line = ((report.content or ticket.content).strip().splitlines() or [""])[0]
    title = f"{CaseKind(kind).label}：{first_line[:60]}"
    company, project = ticket.project.company, ticket.project
    category = ticket.category.name if ticket.category is not None else ""
    fields: dict[str, str] = dict(title=title, category=category, background=background, handling=handling,
                                  lessons=report.lessons, corrective_measures=report.corrective_measures)
    if existing is None:
        return create_case(company=company, project=project, kind=kind, title=title, category=category,
                           background=background, handling=handling, lessons=report.lessons,
                           corrective_measures=report.corrective_measures,
                           acting_user=report.sent_by or ticket.receiver, now=now, source_ticket=ticket)
    texts = _anonymised(company=company, project=project, ticket=ticket, personal_names=[], tags=existing.tags,
                        **fields)
    for name, value in texts.items():
        setattr(existing, name, value)
    existing.kind, existing.updated_at = kind, now
    existing.save()
    return existing


def generate_draft(*, duty: Duty, period: Period, project: Project | None, company: Company | None = None,
                   acting_user: User, now: dt.datetime) -> tuple[Report, bool]:
    """Create the draft of ``duty`` for ``period`` with generated figures and sections, unless a report
    (any version, any status) already exists for it — then return that one. Idempotent: running
    the generation twice creates one draft. Returns (report, created)."""
    company_obj = _company_of(project, company)
    existing = Report.objects.filter(company=company_obj, project=project, duty_code=duty.code,
                                     period_start=period.start).order_by("-version").first()
    if existing is not None:
        return existing, False
    generated = generators.generate(duty, period, project=project, company=company_obj, now=now)
    try:
        with transaction.atomic():
            report = create_draft(duty=duty, period=period, project=project, company=company_obj,
                                  figures=generated.figures, sections=generated.sections, acting_user=acting_user,
                                  now=now)
    except IntegrityError:  # a concurrent run created it first
        winner = Report.objects.filter(company=company_obj, project=project, duty_code=duty.code,
                                       period_start=period.start).order_by("-version").first()
        if winner is None:
            raise
        return winner, False
    return report, True


def refresh_figures(report: Report, *, acting_user: User, now: dt.datetime) -> Report:
    """Recompute the figures of a draft from today's data (sections are left as written).
    A frozen report never changes: correct it with :func:`reissue_report`."""
    _editable(report)
    if report.status != ReportStatus.DRAFT:
        raise ReportError("报告正在审核，不能刷新数据")
    duty = duty_for(report.duty_code, report.cadence)
    generated = generators.generate(duty, period_of(report.cadence, report.period_start), project=report.project,
                                    company=report.company, now=now)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _editable(locked)
        locked.figures = generated.figures
        locked.save(update_fields=["figures"])
    return locked


def reissue_report(report: Report, *, acting_user: User, now: dt.datetime) -> Report:
    """A new version of an approved report, regenerated from today's data (the old one stays frozen
    until the new one is approved, then it becomes superseded)."""
    if not report.frozen:
        raise ReportError("报告尚未批准，请直接修改草稿")
    if report.status == ReportStatus.SUPERSEDED:
        raise ReportError("该版本已被取代，请在最新版本上操作")

    duty = configured_duty(report.company, report.duty_code, report.cadence)
    period = period_of(report.cadence, report.period_start)
    generated = generators.generate(duty, period, project=report.project, company=report.company, now=now)
    sections = dict(report.sections)
    return create_draft(duty=duty, period=period, project=report.project, company=report.company,
                        figures=generated.figures, sections=sections, acting_user=acting_user, now=now)


# ---------------------------------------------------------------- half-yearly utility statistics (R-M5-17)


def _amount(value: Any, label: str) -> Any:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ReportError(f"{label}须为数字") from None
    if not amount.is_finite() or amount < 0:
        raise ReportError(f"{label}不能为负数")
    return amount


@transaction.atomic
def record_utility_statistics(*, project: Project, year: int, half: int, water_m3: Any, water_target_m3: Any,
                              electricity_kwh: Any, electricity_target_kwh: Any, analysis: str, acting_user: User,
                              now: dt.datetime) -> Any:
    """半年度水电统计 (R-M5-17): water and electricity against the targets for one finished half-year,
    with the written analysis, reported once per project and half-year."""
    if not access.has_cap(acting_user, Cap.VIEW_REPORTS, project):
        raise ReportError("没有上报水电统计的权限")
    try:
        period = half_year_period(int(year), int(half))
    except (TypeError, ValueError):
        raise ReportError("半年度应为 1（上半年）或 2（下半年）") from None
    if clock.local(now).date() <= period.end:
        raise ReportError(f"{period.label}尚未结束，不能上报")
    if not analysis.strip():
        raise ReportError("请填写水电数据分析")
    if UtilityStatistics.objects.filter(project=project, period_start=period.start).exists():
        raise ReportError(f"{project.name}{period.label}水电统计已上报")
    return UtilityStatistics.objects.create(
        project=project, period_start=period.start, period_end=period.end,
        water_m3=_amount(water_m3, "用水量"), water_target_m3=_amount(water_target_m3, "用水指标"),
        electricity_kwh=_amount(electricity_kwh, "用电量"),
        electricity_target_kwh=_amount(electricity_target_kwh, "用电指标"),
        analysis=analysis.strip(), reported_at=now, reported_by=acting_user)


@transaction.atomic
def record_stairway_lights(*, project: Project, month: dt.date, lights_total: int, lights_working: int,
                           note: str = "", acting_user: User, now: dt.datetime) -> StairwayLightCount:
    """楼道灯完好情况 (R-M5-13, R-M8-06): the 管理处's monthly count of stairway lights and working ones, once per
    project and month (a month that has begun, at most 12 months back). The rate is measured against the
    company's target (P-30, default ≥ 90 %)."""
    if not access.has_cap(acting_user, Cap.VIEW_REPORTS, project):
        raise ReportError("没有登记楼道灯完好情况的权限", code="forbidden", status=403)
    first = month.replace(day=1)
    today = clock.local(now).date()
    if first > today:
        raise ReportError("统计月份尚未开始", field="month")
    if (today.year - first.year) * 12 + today.month - first.month > 12:
        raise ReportError("只能登记最近 12 个月的情况", field="month")
    if lights_total < 1:
        raise ReportError("楼道灯总数至少为 1", field="lights_total")
    if lights_working < 0 or lights_working > lights_total:
        raise ReportError("完好的楼道灯不能多于总数", field="lights_working")
    if StairwayLightCount.objects.filter(project=project, month=first).exists():
        raise ReportError(f"{project.name}{first:%Y年%m月}的楼道灯完好情况已登记", code="duplicate", status=409,
                          field="month")
    return StairwayLightCount.objects.create(project=project, month=first, lights_total=lights_total,
                                             lights_working=lights_working, note=note.strip()[:500],
                                             recorded_at=now, recorded_by=acting_user)


def utility_variance(row: Any) -> dict[str, Any]:
    """Actual against target in % (positive = over the target) for water and electricity."""
    def pct(actual: Any, target: Any) -> float | None:
        return round(float((actual - target) * 100 / target), 1) if target else None

    return {"water": pct(row.water_m3, row.water_target_m3),
            "electricity": pct(row.electricity_kwh, row.electricity_target_kwh)}


# ---------------------------------------------------------------- the reporting sweep (generation and reminders)


@dataclass
class RunResult:
    created: list[Report]
    refreshed: list[Report]
    reminded: int
    skipped: list[str]


def generate_due(company: Company, now: dt.datetime, *, refresh: bool = True) -> RunResult:
    """Create the drafts that are due (idempotent), refresh the figures of untouched drafts, remind."""
    projects = list(Project.objects.filter(company=company, active=True).order_by("pk"))
    remind = settings_for(company).remind_days_before
    result = RunResult([], [], 0, [])
    for d in duty_statuses(company, projects, now):
        if d.duty.code in SOURCE_DUTY:
            continue  # R-M5-08: a posting of the 管理服务报告, not a report of its own
        if d.report is None and should_exist(d, now, remind):
            users = responsible_users(company, d.project)
            if not users:
                result.skipped.append(f"{d.project or company} {d.duty.name}：没有负责人")
                continue
            report, created = generate_draft(duty=d.duty, period=d.period, project=d.project,
                                                     company=company, acting_user=users[0], now=now)
            if created:
                result.created.append(report)
        elif refresh and d.report is not None and d.report.status == ReportStatus.DRAFT:
            result.refreshed.append(refresh_figures(d.report, acting_user=d.report.created_by, now=now))
    result.reminded = send_reminders(company, projects, now)
    return result




def send_reminders(company: Company, projects: list[Project], now: dt.datetime) -> int:
    """Before each due date (``remind_days_before``) and once a duty is late: a notice to the
    responsible people, deduplicated per duty and period (a repeat run sends nothing new)."""
    remind = settings_for(company).remind_days_before
    sent = 0
    for d in duty_statuses(company, projects, now):
        if d.done:
            continue
        if d.late(now):
            kind, subject = "report_late", f"报告已逾期：{d.duty.name}（{d.period.label}）"
        elif d.due_soon(now, remind):
            kind, subject = "report_due", f"报告即将到期：{d.duty.name}（{d.period.label}）"
        else:
            continue
        where = d.project.name if d.project else company.name
        body = (f"{where} {d.period.label}《{d.duty.name}》应于 "
                f"{d.due_at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M} 前提交（"
                f"报送：{d.duty.recipients}）。")
        link = f"/reports/{d.report.pk}/" if d.report else "/reports/"
        sent += len(notify_staff(responsible_users(company, d.project), kind=kind, subject=subject, body=body, link=link,
                            project=d.project, dedupe_key=reminder_key(kind, company, d), now=now))
    return sent
