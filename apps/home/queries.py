"""Staff home page per role (issue 2 item 8): the business queries behind each panel.

Each ``*_panel`` function returns a :class:`Panel` (figures, a short work list, links) for one
role group; :func:`home_panels` picks the panels for the roles the user holds. The queries read
the ticket pipeline (``apps.tickets``), escalation levels, the quality module's reports, the
workdays calendar and the login lockout (``apps.core``); "overdue" is a query on stored
deadlines (ARCHITECTURE "Time"), never a flag. Links are built by URL name only when that name
exists, since the pages of other apps come and go independently (:func:`url_or_none`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from apps.core import lockout
from apps.core.models import LoginAttempt
from apps.fees import queries as fee_queries
from apps.org import access
from apps.org.models import DepartmentKind, Membership, Project, User
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.quality.models import NcrStatus, NonconformityReport
from apps.reports.models import Report, ReportStatus
from apps.reports.queries import PROJECT_RESPONSIBLE_ROLES
from apps.surveys import queries as survey_queries
from apps.tickets import measures
from apps.tickets import queries as ticket_queries
from apps.tickets.actions.replies import reviews_for
from apps.tickets.choices import (
    OPEN_STATUSES,
    EscalationLevel,
    ReplyRecipient,
    ReviewDepartment,
    Stage,
    TicketStatus,
)
from apps.tickets.models import Deadline, DeadlineQuerySet, Dispatch, Reply, Ticket
from apps.workdays.queries import uncovered_years
from linli import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

ROW_LIMIT = 10
DUE_FIRST = (F("due_at").asc(nulls_last=True),)  # items without a due time last (SQLite and PostgreSQL)


# ---------------------------------------------------------------- links


def url_or_none(name: str, *args: Any, query: str = "") -> str | None:
    """``reverse(name)`` or None when the page does not exist (yet)."""
    try:
        url = reverse(name, args=args or None)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def ticket_url(ticket: Ticket | int) -> str | None:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return url_or_none("tickets:detail", pk)


# ---------------------------------------------------------------- panel shapes


@dataclass
class Stat:
    label: str
    value: int
    url: str | None = None
    tone: str = ""  # "", "warn", "alert"


@dataclass
class Row:
    title: str
    detail: str = ""
    when: dt.datetime | None = None
    url: str | None = None
    overdue: bool = False
    badge: str = ""


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Panel:
    key: str
    title: str
    stats: list[Stat] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    rows_title: str = ""
    empty: str = ""
    links: list[Link] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)  # per-project figures (company view)


def _links(*pairs: tuple[str, str | None]) -> list[Link]:
    return [Link(label, url) for label, url in pairs if url]


# ---------------------------------------------------------------- queries


def day_bounds(now: dt.datetime, tz: dt.tzinfo = clock.SHANGHAI) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local calendar day containing ``now`` (T-01, T-05)."""
    day = now.astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _project_tz(projects: Iterable[Project]) -> dt.tzinfo:
    """One project's own time zone; several projects: Asia/Shanghai (T-01)."""
    items = list(projects)
    return items[0].tz if len(items) == 1 else clock.SHANGHAI


def intake_today(projects: list[Project], now: dt.datetime) -> QuerySet[Ticket]:
    """Tickets recorded today (not voided)."""
    start, end = day_bounds(now, _project_tz(projects))
    return Ticket.objects.filter(project__in=projects, recorded_at__gte=start, recorded_at__lt=end).exclude(
        status=TicketStatus.VOIDED)


def open_tickets(projects: list[Project]) -> QuerySet[Ticket]:
    return Ticket.objects.filter(measures.open_q(), project__in=projects)


def overdue_tickets(projects: list[Project], now: dt.datetime) -> QuerySet[Ticket]:
    """已超时 (issue 23 item 2): counted per ticket, as the ticket list and the reports count it."""
    return Ticket.objects.filter(measures.overdue_q(now), project__in=projects)


def due_soon_tickets(projects: list[Project], now: dt.datetime) -> QuerySet[Ticket]:
    """今日到期 (issue 23 item 2): open, not overdue, a running deadline due before the end of today."""
    return Ticket.objects.filter(measures.due_soon_q(now), project__in=projects)


def open_deadlines(projects: list[Project]) -> DeadlineQuerySet:
    return (Deadline.objects.open().filter(ticket__project__in=projects, ticket__status__in=OPEN_STATUSES)
            .select_related("ticket", "ticket__project"))


def due_today(projects: list[Project], now: dt.datetime) -> QuerySet[Deadline]:
    """Open deadlines falling due from now to the end of today (the rows behind "due soon"; those
    already past are overdue)."""
    return open_deadlines(projects).filter(due_at__gte=now, due_at__lt=measures.due_soon_until(now)).order_by(
        "due_at", "id")


def overdue(projects: list[Project], now: dt.datetime) -> QuerySet[Deadline]:
    return open_deadlines(projects).overdue(now).order_by("due_at")


def verification_queue(projects: list[Project], user: Any = None) -> QuerySet[Ticket]:
    """待验证 (R-M4-01): the one definition of the ticket queue (:func:`apps.tickets.queries.verification_queue`,
    also ``/tickets/queue/verification/`` and ``GET /api/v1/tickets?queue=verification``) on ``projects``:
    replied tickets of the verified kinds, and for 品质管理部 also the company-level complaints waiting
    for its own verification (R-M4-03, POLICY P-13)."""
    return ticket_queries.verification_queue(Ticket.objects.filter(project__in=projects), user).order_by("received_at")


def return_visits_due(projects: list[Project]) -> QuerySet[Deadline]:
    """待回访 (R-M4-04): open return-visit deadlines, earliest first (no due time last)."""
    return open_deadlines(projects).filter(stage=Stage.RETURN_VISIT).order_by(*DUE_FIRST, "id")


def awaiting_return_visit(projects: list[Project]) -> QuerySet[Ticket]:
    return open_tickets(projects).filter(status=TicketStatus.VERIFIED)


def hot_and_major(projects: list[Project]) -> QuerySet[Ticket]:
    return open_tickets(projects).filter(
        escalation_level__in=[EscalationLevel.HOT, EscalationLevel.MAJOR]).select_related("project")


def _open_dispatches(condition: Q) -> QuerySet[Dispatch]:
    return (Dispatch.objects.filter(condition, active=True, completed_at__isnull=True, ticket__status__in=OPEN_STATUSES)
            .select_related("ticket", "department", "assignee").order_by(*DUE_FIRST, "dispatched_at"))


def department_dispatches(department_ids: Iterable[int]) -> QuerySet[Dispatch]:
    """Current 派工单 of the departments that are not completed yet (earliest required time first)."""
    return _open_dispatches(Q(department_id__in=list(department_ids)))


def my_dispatches(user: User, department_ids: Iterable[int]) -> QuerySet[Dispatch]:
    """A worker's queue: dispatches assigned to them (any department), and unassigned ones of their
    departments."""
    ids = list(department_ids)
    mine = Q(assignee=user)
    if ids:
        mine |= Q(assignee__isnull=True, department_id__in=ids)
    return _open_dispatches(mine)


def figures_by_project(projects: list[Project], now: dt.datetime) -> list[dict[str, Any]]:
    """Company view: per project open tickets, overdue deadlines, hot and major complaints.
    Two grouped queries (served by the (project, status) index and the open-deadline index)."""
    rows = {p.pk: {"project": p, "open": 0, "hot": 0, "major": 0, "overdue": 0}
            for p in sorted(projects, key=lambda p: p.code)}
    grouped = (Ticket.objects.filter(project__in=list(rows), status__in=OPEN_STATUSES).order_by()
               .values_list("project_id", "escalation_level").annotate(n=Count("id")))
    for project_id, level, n in grouped:
        row = rows[project_id]
        row["open"] += n
        if level in (EscalationLevel.HOT, EscalationLevel.MAJOR):
            row[level] += n
    late = (Ticket.objects.filter(measures.overdue_q(now), project__in=list(rows)).order_by()
            .values_list("project_id").annotate(n=Count("id")))
    for project_id, n in late:
        rows[project_id]["overdue"] = n
    return list(rows.values())


def calendar_warnings(now: dt.datetime) -> list[str]:
    """T-03 / P-25: warn when this or next year has no official holiday schedule yet (the workdays
    app's year table: package years plus imported ones)."""
    year = now.astimezone(clock.SHANGHAI).year
    missing = uncovered_years([year, year + 1])
    return [_("%(year)s 年的法定节假日和调休安排尚未确认：该年的时限为暂定，请在日历中录入。") % {"year": y}
            for y in missing]


def expired_certificates(projects: list[Project], today: dt.date) -> QuerySet[User]:
    """R-M19-10: staff of these projects whose certificate has expired."""
    return (User.objects.filter(is_active=True, certificate_valid_until__lt=today)
            .filter(Q(memberships__project__in=projects) | Q(memberships__project__isnull=True)).distinct()
            .order_by("certificate_valid_until"))


def locked_logins(now: dt.datetime) -> int:
    """Usernames currently locked by the login lockout."""
    names = set(LoginAttempt.objects.filter(succeeded=False, cleared=False, at__gte=now - lockout.window())
                .values_list("username", flat=True))
    return sum(1 for n in names if lockout.lock_for(n, None, now=now) is not None)


# ---------------------------------------------------------------- rows


def _deadline_row(d: Deadline, now: dt.datetime) -> Row:
    t = d.ticket
    return Row(title=f"{t.number} · {d.get_stage_display()}", detail=t.content[:40], when=d.due_at,
               url=ticket_url(t.pk), overdue=d.is_overdue(now), badge=t.project.name)


def _ticket_row(t: Ticket, now: dt.datetime) -> Row:
    return Row(title=t.number, detail=t.content[:40], when=t.received_at, url=ticket_url(t.pk),
               badge=t.get_escalation_level_display() if t.escalation_level != EscalationLevel.NONE else "")


def _dispatch_row(d: Dispatch, now: dt.datetime) -> Row:
    who = str(d.assignee) if d.assignee_id else _("未指派")
    return Row(title=f"{d.ticket.number} · {d.department.name}", detail=f"{who} · {d.ticket.content[:30]}",
               when=d.due_at, url=ticket_url(d.ticket_id), overdue=bool(d.due_at and d.due_at < now),
               badge=_("待接单") if d.accepted_at is None else _("处理中"))


# ---------------------------------------------------------------- panels


def front_desk_panel(project: Project, now: dt.datetime) -> Panel:
    ps = [project]
    due = due_today(ps, now)
    return Panel(
        key="desk", title=_("前台"),
        stats=[
            Stat(_("今日受理"), intake_today(ps, now).count(), url_or_none("tickets:inventory")),
            Stat(_("未结工单"), open_tickets(ps).count(), url_or_none("tickets:list", query="state=open")),
            Stat(_("今日到期"), due_soon_tickets(ps, now).count(), url_or_none("tickets:list", query="overdue=soon"),
                 "warn"),
            Stat(_("已超时"), overdue_tickets(ps, now).count(), url_or_none("tickets:list", query="overdue=yes"),
                 "alert"),
            Stat(_("待回访"), awaiting_return_visit(ps).count(), url_or_none("tickets:queue_return_visit")),
        ],
        rows=[_deadline_row(d, now) for d in due[:ROW_LIMIT]], rows_title=_("今日到期"),
        empty=_("今天没有到期的事项。"),
        links=_links((_("受理登记"), url_or_none("tickets:intake")), (_("日盘点"), url_or_none("tickets:inventory")),
                     (_("工单列表"), url_or_none("tickets:list")),
                     (_("投诉渠道公布"), url_or_none("tickets:channel_publications")),
                     (_("业主档案"), url_or_none("estates:search") or url_or_none("estates:index"))),
    )


def butler_panel(project: Project, now: dt.datetime) -> Panel:
    ps = [project]
    due = return_visits_due(ps)
    return Panel(
        key="butler", title=_("回访"),
        stats=[
            Stat(_("待回访"), awaiting_return_visit(ps).count(), url_or_none("tickets:queue_return_visit")),
            Stat(_("回访时限已超"), due.filter(due_at__lt=now).count(), None, "alert"),
            Stat(_("今日到期"), due.filter(due_at__gte=day_bounds(now, project.tz)[0],
                                           due_at__lt=day_bounds(now, project.tz)[1]).count(), None, "warn"),
        ],
        rows=[_deadline_row(d, now) for d in due[:ROW_LIMIT]], rows_title=_("待回访（按到期时间）"),
        empty=_("没有待回访的工单。"),
        links=_links((_("回访队列"), url_or_none("tickets:queue_return_visit"))),
    )


def department_panel(user: User, project: Project, now: dt.datetime) -> Panel:
    dept_ids = access.departments_headed(user)
    qs = department_dispatches(dept_ids).filter(ticket__project=project)
    return Panel(
        key="dept", title=_("本部门派工单"),
        stats=[
            Stat(_("待接单"), qs.filter(accepted_at__isnull=True).count(), url_or_none("tickets:queue_department"),
                 "warn"),
            Stat(_("处理中"), qs.filter(accepted_at__isnull=False).count(), url_or_none("tickets:queue_department")),
            Stat(_("已超时"), qs.filter(due_at__lt=now).count(), None, "alert"),
        ],
        rows=[_dispatch_row(d, now) for d in qs[:ROW_LIMIT]], rows_title=_("本部门待办"),
        empty=_("本部门没有未完成的派工单。"),
        links=_links((_("部门待办"), url_or_none("tickets:queue_department"))),
    )


def worker_panel(user: User, project: Project, now: dt.datetime) -> Panel:
    qs = my_dispatches(user, access.departments_of(user)).filter(ticket__project=project)
    return Panel(
        key="worker", title=_("我的派工单"),
        stats=[
            Stat(_("派给我的"), qs.filter(assignee=user).count(), url_or_none("tickets:queue_department")),
            Stat(_("部门未指派"), qs.filter(assignee__isnull=True).count(), url_or_none("tickets:queue_department")),
            Stat(_("已超时"), qs.filter(due_at__lt=now).count(), None, "alert"),
        ],
        rows=[_dispatch_row(d, now) for d in qs[:ROW_LIMIT]], rows_title=_("待处理（按要求完成时间）"),
        empty=_("没有待处理的派工单。"),
        links=_links((_("部门待办"), url_or_none("tickets:queue_department"))),
    )


def supervision_panel(project: Project, now: dt.datetime) -> Panel:
    ps = [project]
    late = overdue(ps, now)
    hm = hot_and_major(ps)
    return Panel(
        key="supervision", title=_("时限与验证"),
        stats=[
            Stat(_("超时未办"), overdue_tickets(ps, now).count(), url_or_none("tickets:list", query="overdue=yes"),
                 "alert"),
            Stat(_("待验证"), verification_queue(ps).count(), url_or_none("tickets:queue_verification"), "warn"),
            Stat(_("热点投诉"), hm.filter(escalation_level=EscalationLevel.HOT).count(),
                 url_or_none("escalation:overview"), "warn"),
            Stat(_("重大投诉"), hm.filter(escalation_level=EscalationLevel.MAJOR).count(),
                 url_or_none("escalation:overview"), "alert"),
        ],
        rows=[_deadline_row(d, now) for d in late[:ROW_LIMIT]], rows_title=_("超时事项（最早到期在前）"),
        empty=_("没有超时事项。"),
        links=_links((_("待验证"), url_or_none("tickets:queue_verification")),
                     (_("热点/重大投诉"), url_or_none("escalation:overview")),
                     (_("工单列表"), url_or_none("tickets:list")), (_("报告"), url_or_none("reports:list"))),
    )


def company_panel(projects: list[Project], now: dt.datetime, user: Any = None) -> Panel:
    """``user`` given (品质管理部): the panel counts its 待验证 queue too — the same tickets as the queue."""
    table = figures_by_project(projects, now)
    hm = hot_and_major(projects).order_by("-escalation_level", "received_at")
    verification = ([Stat(_("待验证"), verification_queue(projects, user).count(),
                          url_or_none("tickets:queue_verification"), "warn")] if user is not None else [])
    return Panel(
        key="company", title=_("全公司"),
        stats=[*verification,
            Stat(_("超时未办"), sum(r["overdue"] for r in table), url_or_none("tickets:list", query="overdue=yes"),
                 "alert"),
            Stat(_("热点投诉"), sum(r["hot"] for r in table), url_or_none("escalation:overview"), "warn"),
            Stat(_("重大投诉"), sum(r["major"] for r in table), url_or_none("escalation:overview"), "alert"),
            Stat(_("未结工单"), sum(r["open"] for r in table), url_or_none("tickets:list", query="state=open")),
        ],
        rows=[_ticket_row(t, now) for t in hm[:ROW_LIMIT]], rows_title=_("热点/重大投诉"),
        empty=_("目前没有热点或重大投诉。"), table=table,
        links=_links((_("热点/重大投诉"), url_or_none("escalation:overview")), (_("报告"), url_or_none("reports:list")),
                     (_("案例库"), url_or_none("reports:cases"))),
    )


def sysadmin_panel(projects: list[Project], now: dt.datetime) -> Panel:
    warnings = calendar_warnings(now)
    expired = expired_certificates(projects, clock.today())
    return Panel(
        key="sysadmin", title=_("系统管理"),
        stats=[
            Stat(_("日历提醒"), len(warnings), url_or_none("workdays:month"),
                 "warn" if warnings else ""),
            Stat(_("证书过期员工"), expired.count(), url_or_none("admin:org_user_changelist"), "warn"),
            Stat(_("被锁定的账户"), locked_logins(now), url_or_none("admin:core_loginattempt_changelist"), "alert"),
        ],
        rows=[Row(title=w) for w in warnings]
        + [Row(title=str(u), detail=_("证书有效期至 %(d)s") % {"d": u.certificate_valid_until},
               url=url_or_none("admin:org_user_change", u.pk), overdue=True) for u in expired[:ROW_LIMIT]],
        rows_title=_("需要处理"), empty=_("日历和证书都正常。"),
        links=_links((_("项目"), url_or_none("admin:org_project_changelist")),
                     (_("部门"), url_or_none("admin:org_department_changelist")),
                     (_("员工与岗位"), url_or_none("admin:org_user_changelist")),
                     (_("工作日历"), url_or_none("workdays:month")),
                     (_("登录记录"), url_or_none("admin:core_loginattempt_changelist")),
                     (_("管理后台"), url_or_none("admin:index"))),
    )


def management_rep_panel(projects: list[Project], now: dt.datetime) -> Panel:
    """管理者代表 (R-M19-08): the 《不合格/纠正、预防措施报告》 waiting for their signature (R-M2-04)."""
    reports = NonconformityReport.objects.filter(project__in=projects)
    waiting = (reports.filter(status=NcrStatus.AWAITING_SIGNATURE).select_related("project", "ticket")
               .order_by("raised_at", "id"))
    return Panel(
        key="management_rep", title=_("管理者代表"),
        stats=[
            Stat(_("待签发"), waiting.count(), url_or_none("quality:ncr_list", query="status=awaiting_signature"),
                 "alert"),
            Stat(_("退回补充"), reports.filter(status=NcrStatus.RETURNED).count(),
                 url_or_none("quality:ncr_list", query="status=returned")),
            Stat(_("已签发待验证"), reports.filter(status=NcrStatus.SIGNED).count(),
                 url_or_none("quality:ncr_list", query="status=signed"), "warn"),
        ],
        rows=[Row(title=f"{r.number} · {r.project.name}", detail=r.nonconformity[:60], when=r.raised_at,
                  url=url_or_none("quality:ncr_detail", r.pk)) for r in waiting[:ROW_LIMIT]],
        rows_title=_("待签发的不合格报告"), empty=_("没有待签发的报告。"),
        links=_links((_("不合格报告"), url_or_none("quality:ncr_list")),
                     (_("热点/重大投诉"), url_or_none("escalation:overview"))),
    )


# ---------------------------------------------------------------- satisfaction surveys (issue 18)


def surveys_panel(projects: list[Project], now: dt.datetime) -> Panel:
    """满意度调查 (R-M10-01, R-M10-02): projects below the satisfaction target in their latest survey
    (AS-27), projects not meeting the survey frequency this year (AS-28), overdue survey stages."""
    flags = survey_queries.dashboard_flags(projects, now, _project_tz(projects))
    rows = [Row(title=f"{ps.project.name} · {ps.campaign.title}", detail=why, url=url_or_none("surveys:detail", ps.pk),
                badge=_("低于目标")) for ps, _rate, why in flags.below_target]
    rows += [Row(title=c.project.name, detail=c.reason, url=url_or_none("surveys:index"), badge=_("频次不合规"))
             for c in flags.non_compliant]
    rows += [Row(title=f"{d.survey.project.name} · {d.get_stage_display()}", detail=d.rule, when=d.due_at,
                 overdue=True, url=url_or_none("surveys:detail", d.survey_id)) for d in flags.overdue]
    return Panel(
        key="surveys", title=_("满意度调查"),
        stats=[Stat(_("满意率低于目标"), len(flags.below_target), url_or_none("surveys:index"), "alert"),
               Stat(_("调查频次不合规"), len(flags.non_compliant), url_or_none("surveys:index"), "warn"),
               Stat(_("调查环节超时"), len(flags.overdue), url_or_none("surveys:index"), "alert")],
        rows=rows[:ROW_LIMIT], rows_title=_("需要关注"), empty=_("满意度调查没有需要关注的事项。"),
        links=_links((_("满意度调查"), url_or_none("surveys:index")),
                     (_("满意度提升计划"), url_or_none("improvement:index"))),
    )


# ---------------------------------------------------------------- fixed reports and fees (issue 23 item 3)

OWNER_BOARD_DUTIES = ("monthly_bulletin", "service_report", "service_report_notice")  # the reports the owners' board carries


def reports_panel(user: User, projects: list[Project], now: dt.datetime) -> Panel:
    """报告待办: reports waiting for this user's approval (never their own: the submitter does not
    approve), drafts this user prepares (管理处经理、客服经理 of the project; 品质管理部 the company-wide
    ones), approved bulletins not yet published, and — for readers without those duties — the reports
    approved in the last month. Four queries whatever the number of reports."""
    approve_in = [p for p in projects if access.has_cap(user, Cap.APPROVE_REPORTS, p)]
    prepare_in = [p for p in projects if access.roles_in(user, p) & set(PROJECT_RESPONSIBLE_ROLES)]
    company_level = any(Cap.APPROVE_REPORTS in ROLE_INFO[r].caps for r in access.roles_in(user, None))
    base = Report.objects.select_related("project")
    awaiting = base.filter(status=ReportStatus.IN_REVIEW).exclude(submitted_by=user).filter(
        Q(project__in=approve_in) | Q(project__isnull=True, company__in={p.company_id for p in projects})
        if company_level else Q(project__in=approve_in)).order_by("due_at", "pk")
    drafts_q = Q(project__in=prepare_in)
    if Role.QUALITY in access.roles_in(user, None):
        drafts_q |= Q(project__isnull=True, company__in={p.company_id for p in projects})
    drafts = base.filter(drafts_q, status=ReportStatus.DRAFT).order_by("due_at", "pk")
    publish_in = [p for p in projects if access.has_cap(user, Cap.PUBLISH_PORTAL, p)]
    unpublished = base.filter(project__in=publish_in, status=ReportStatus.APPROVED, published_at=None,
                              duty_code__in=OWNER_BOARD_DUTIES).order_by("due_at", "pk")

    def row(r: Report, badge: str, *, late: bool = False) -> Row:
        return Row(title=r.title, badge=badge, when=r.due_at, overdue=late, url=url_or_none("reports:detail", r.pk))

    rows = [row(r, _("待批准")) for r in awaiting[:ROW_LIMIT]]
    rows += [row(r, _("草稿待提交"), late=r.due_at < now) for r in drafts[:ROW_LIMIT]]
    rows += [row(r, _("待公布")) for r in unpublished[:ROW_LIMIT]]
    recent = base.none()
    if not rows:
        recent = base.filter(Q(project__in=projects) | Q(project__isnull=True, company__in={p.company_id for p in projects}),
                             status=ReportStatus.APPROVED, approved_at__gte=now - dt.timedelta(days=31)
                             ).order_by("-approved_at", "pk")
        rows = [Row(title=r.title, badge=_("待阅"), detail=_("已批准"), url=url_or_none("reports:detail", r.pk))
                for r in recent[:ROW_LIMIT]]
    return Panel(
        key="reports", title=_("报告"),
        stats=[Stat(_("待批准"), awaiting.count(), url_or_none("reports:list"), "warn"),
               Stat(_("草稿待提交"), drafts.count(), url_or_none("reports:list")),
               Stat(_("已批准待公布"), unpublished.count(), url_or_none("portal:manage"), "warn")],
        rows=rows[:ROW_LIMIT], rows_title=_("报告待办"), empty=_("没有待办的报告。"),
        links=_links((_("报告"), url_or_none("reports:list")), (_("案例库"), url_or_none("reports:cases")),
                     (_("业主公告栏"), url_or_none("portal:manage"))),
    )


def cashier_panel(project: Project, now: dt.datetime) -> Panel:
    """收银员: the households owing the most overdue fees of the project (R-M16-09), to remind first."""
    today = clock.local(now).date()
    ageing = fee_queries.arrears_ageing([project], today)
    owing = fee_queries.arrears_by_household([project], today)[:ROW_LIMIT]
    return Panel(
        key="cashier", title=_("收费"),
        stats=[Stat(_("欠费户数"), int(ageing.get("households") or 0), url_or_none("fees:arrears"), "warn"),
               Stat(_("欠费金额（元）"), round(ageing.get("total") or 0), url_or_none("fees:arrears"), "alert")],
        rows=[Row(title=r["household__label"], badge=_("欠费"), detail=_("欠 %(amount)s 元，最早 %(due)s 到期") % {
                  "amount": r["total"], "due": r["oldest_due"]}, overdue=True,
                  url=url_or_none("fees:account", r["household_id"])) for r in owing],
        rows_title=_("逾期欠费（金额大的在前）"), empty=_("没有逾期欠费。"),
        links=_links((_("收费"), url_or_none("fees:home")), (_("账单"), url_or_none("fees:bills")),
                     (_("欠费"), url_or_none("fees:arrears"))),
    )


def in_office(user: User) -> bool:
    """Is ``user`` a member of a company's 办公室 (who reviews written replies with 品质管理部, R-M2-08)?"""
    return Membership.objects.filter(user=user, department__kind=DepartmentKind.OFFICE).exists()


def replies_awaiting_office(projects: list[Project]) -> list[Reply]:
    """Draft replies to owners of open tickets that need the 办公室's review (R-M2-08, POLICY P-09: a letter
    or fax, or the answer to a written complaint) and have no approving 办公室 review yet, oldest first."""
    drafts = (Reply.objects.filter(ticket__project__in=projects, ticket__status__in=OPEN_STATUSES,
                                   sent_at__isnull=True, recipient=ReplyRecipient.OWNER)
              .select_related("ticket__project").prefetch_related("reviews").order_by("created_at", "id"))
    waiting = []
    for reply in drafts:
        if ReviewDepartment.OFFICE not in reviews_for(reply.ticket, channel=reply.channel, kind=reply.kind,
                                                      recipient=reply.recipient):
            continue
        last = max((r for r in reply.reviews.all() if r.department == ReviewDepartment.OFFICE),
                   key=lambda r: (r.reviewed_at, r.pk), default=None)
        if last is None or not last.approved:
            waiting.append(reply)
    return waiting


def office_review_panel(projects: list[Project], now: dt.datetime) -> Panel:
    """办公室 clerk (issue 23 item 3): the written replies waiting for the 办公室's review (R-M2-08)."""
    waiting = replies_awaiting_office(projects)
    rows = [Row(title=f"{r.ticket.number} · {r.get_channel_display()}", detail=r.content[:40], when=r.created_at,
                url=ticket_url(r.ticket_id), badge=r.ticket.project.name) for r in waiting[:ROW_LIMIT]]
    return Panel(
        key="office", title=_("书面回复审核"),
        stats=[Stat(_("待办公室审核"), len(waiting), None, "warn")],
        rows=rows, rows_title=_("待审核的书面回复（先登记的在前）"), empty=_("没有待审核的书面回复。"),
        links=_links((_("工单列表"), url_or_none("tickets:list"))),
    )


# ---------------------------------------------------------------- the home page


SUPERVISION_ROLES = {Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.PROJECT_MANAGER}
COMPANY_ROLES = {Role.QUALITY, Role.LEADERSHIP}
# issue 23 item 3: who prepares, approves, publishes or reads the fixed reports
REPORT_ROLES = {Role.CS_MANAGER, Role.PROJECT_MANAGER, Role.QUALITY, Role.LEADERSHIP, Role.GENERAL_MANAGER,
                Role.OFFICE_DIRECTOR}
COMPANY_REPORT_ROLES = {Role.QUALITY, Role.LEADERSHIP, Role.GENERAL_MANAGER, Role.OFFICE_DIRECTOR}
SURVEY_ROLES = {Role.QUALITY, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.PROJECT_MANAGER, Role.GENERAL_MANAGER,
                Role.MANAGEMENT_REP, Role.LEADERSHIP}  # issue 18: the surveys panel


def home_panels(user: User | AnonymousUser, project: Project | None, *, now: dt.datetime | None = None) -> list[Panel]:
    """The panels for every role ``user`` holds in ``project`` (company-level roles: all projects)."""
    now = now or clock.now()
    roles = access.roles_in(user, project)
    is_super = bool(getattr(user, "is_superuser", False))
    panels: list[Panel] = []
    if project is not None:
        if Role.FRONT_DESK in roles:
            panels.append(front_desk_panel(project, now))
        if roles & SUPERVISION_ROLES:
            panels.append(supervision_panel(project, now))
        if roles & {Role.BUTLER, Role.BUILDING_STEWARD}:  # the steward calls back owners too (R-M19-04)
            panels.append(butler_panel(project, now))
        if Role.DEPT_HEAD in roles:
            panels.append(department_panel(user, project, now))  # type: ignore[arg-type]
        if Role.WORKER in roles:
            panels.append(worker_panel(user, project, now))  # type: ignore[arg-type]
        if Role.CASHIER in roles:
            panels.append(cashier_panel(project, now))
    visible = list(access.visible_projects(user).order_by("code"))
    if (roles & COMPANY_ROLES or is_super) and visible:
        quality = Role.QUALITY in roles or is_super  # R-M4-03: 品质管理部 verifies company-level complaints
        panels.append(company_panel(visible, now, user if quality else None))
    if Role.MANAGEMENT_REP in roles and visible:
        panels.append(management_rep_panel(visible, now))
    if Role.SYSADMIN in roles or is_super:
        panels.append(sysadmin_panel(visible, now))
    if visible and roles & REPORT_ROLES and isinstance(user, User):
        panels.append(reports_panel(user, [project] if project is not None and not roles & COMPANY_REPORT_ROLES
                                    else visible, now))  # issue 23 item 3
    if visible and (roles & SURVEY_ROLES or is_super):
        panels.append(surveys_panel(visible, now))  # issue 18
    if visible and isinstance(user, User) and in_office(user):
        panels.append(office_review_panel(visible, now))  # issue 23 item 3: the 办公室 clerk's reviews
    return panels

