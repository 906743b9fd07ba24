"""Demo fixed reports and complaint cases for ``make run`` (issue 23 item 3): the demo opens with the
reports of the recent past already handled, the reports now due as drafts, one report waiting for its
approver, and a few anonymised cases in the library — all through the real actions
(``generate_draft`` → ``update_draft`` → ``submit_for_review`` → ``approve_report``, then the sweep
``generate_due`` and ``create_case``). Separation of duties holds: the 客服经理 (or 品质管理部 for the
company-wide analysis) drafts and submits, the 管理处经理 (or 总经理) approves.

Time-relative to ``linli.clock`` and deterministic: the same "now" gives the same reports. The
project reports of the last two months and the last quarter are handed in on the day before they are
due; the latest 投诉公布 of 翠湖苑 and the latest 月底投诉汇总表 of 阳光花园 are left *submitted*
(awaiting approval), and the 投诉公布 of 市民服务中心 approved but not yet on the notice board —
``apps.portal.demo`` pushes the other approved ones to the owners' board.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from apps.org.models import Company, Membership, Project, ProjectKind, User
from apps.org.roles import Role
from apps.reports import actions
from apps.reports import schedule as s
from apps.reports.models import Report, ReportStatus, StairwayLightCount
from apps.reports.queries import SOURCE_DUTY, due_at_for, facts_of, settings_for
from apps.tickets.choices import Kind, TicketStatus
from apps.tickets.models import Ticket
from linli import clock

# Written by the 客服经理 before submitting (R-M5-01: causes, lessons, measures are required for the
# monthly statistics; the other reports get the same paragraphs as their written analysis).
SECTIONS = {
    "causes": "本月投诉主要集中在公共设施维修不及时（楼道灯、电梯）和环境卫生（垃圾清运）两方面；"
              "夜间保安巡逻与门岗值守也有业主反映。原因是维修派工后跟进不足、垃圾清运班次在节假日未调整。",
    "lessons": "公共设施报修须当日派工、次日回访；节假日前须提前调整保洁与清运班次；"
               "门岗交接班须有记录，巡逻轨迹每班抽查。",
    "measures": "1. 工程部每周一巡查各栋楼道灯与电梯，问题当日处理；2. 环境部增加周末清运一次；"
                "3. 安管部完善门岗交接班登记，主管每晚抽查一次；4. 客服部对本月投诉业主逐一回访。",
}

# Cases for the library (R-M6-01): what happened, how it was handled, what the company learnt.
CASES = [
    ("hot", "电梯频繁停运引发同栋多户投诉", "工程类",
     "同一栋楼的多户业主在一周内先后来电投诉电梯频繁停运，老人和带小孩的业主上下楼困难，情绪较大。",
     "客服部当日将同类投诉合并为热点投诉并上报；工程部联系电梯维保单位到场检修，更换了门机控制板；"
     "管理处在电梯厅张贴维修进度，维修完成后客服逐户回访，业主均表示满意。",
     "同一设施的重复投诉要尽早合并、统一回复，避免业主多次催促；维修进度要主动公示。",
     "电梯维保单位每月提交故障分析；同一电梯一个月内故障两次即启动专项检修。", "电梯,热点投诉,回访"),
    ("typical", "垃圾清运不及时引起异味投诉", "环境类",
     "节假日期间，某栋楼下垃圾桶满溢两天无人清运，业主投诉异味严重、影响出行。",
     "环境部接单后两小时内完成清运并对垃圾桶周边消杀；客服部当天回复业主并致歉；"
     "环境主管调整了节假日清运班次。",
     "节假日前要提前排班，垃圾清运不能因人员休假中断。", "节假日清运班次纳入月度工作计划，由环境主管每日检查。",
     "保洁,节假日"),
    ("typical", "前台电话无人接听的服务态度投诉", "客户服务类",
     "业主反映多次拨打客服前台电话无人接听，到前台后工作人员解释不耐心，对服务态度不满。",
     "客服主管当天约见业主当面致歉，核实为午间交接班时电话无人值守；前台调整了午间轮岗，"
     "并对当班人员进行服务礼仪培训。",
     "交接班时段是服务空档，电话必须有人接；解释问题先倾听再说明。",
     "前台电话设置无人接听自动转接管家；每月抽听录音两次。", "服务态度,前台"),
    ("important", "地下车库消防通道被长期占用", "安全类",
     "业主投诉地下车库有车辆长期占用消防通道，多次反映无人处理，担心发生火灾时无法通行。",
     "安管部张贴移车通知并联系车主，三天内车辆移走；在消防通道加装隔离桩和警示标识，夜间巡逻增加车库巡查。",
     "消防通道问题涉及安全，须当日处理，不能等业主多次投诉。", "车库每班巡查一次消防通道，发现占用立即处理并登记。",
     "消防通道,车库"),
]


@dataclass
class DemoReports:
    approved: list[Report] = field(default_factory=list)
    in_review: list[Report] = field(default_factory=list)
    drafts: int = 0
    cases: int = 0


def _member(company: Company, role: str, project: Project | None) -> User | None:
    rows = Membership.objects.filter(company=company, role=role, user__is_active=True)
    rows = rows.filter(project=project) if project is not None else rows.filter(project__isnull=True)
    m = rows.select_related("user").order_by("pk").first()
    return m.user if m else None


def _hand_in(duty: s.Duty, period: s.Period, project: Project | None, company: Company, *, author: User,
             approver: User | None, now: dt.datetime) -> Report | None:
    """Generate the draft three days before it is due, write the analysis, submit it the day before it
    is due and — when an approver is given — approve it the same afternoon. A report whose steps would
    fall after ``now`` is left to the sweep."""
    due_day = clock.local(due_at_for(duty, period, project, company)).date()
    first = period.end + dt.timedelta(days=1) if duty.rule is s.DueRule.NEXT_PERIOD_DAY else period.start

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(max(day, first), dt.time(hour, minute), tzinfo=clock.SHANGHAI)

    drafted = at(due_day - dt.timedelta(days=3), 9)
    submitted = max(at(due_day - dt.timedelta(days=1), 10, 30), drafted + dt.timedelta(hours=1))
    approved = submitted + dt.timedelta(hours=5)
    if (approved if approver is not None else submitted) > now - dt.timedelta(minutes=30):
        return None  # not yet handed in at this moment: the sweep makes its draft
    report, created = actions.generate_draft(duty=duty, period=period, project=project, company=company,
                                             acting_user=author, now=drafted)
    if not created:
        return None
    sections = {**report.sections, **SECTIONS}
    report = actions.update_draft(report, sections=sections, acting_user=author, now=drafted)
    report = actions.submit_for_review(report, acting_user=author, now=submitted)
    if approver is None:
        return report
    if duty.code in actions.LEADER_APPROVED:
        # R-M5-08 / R-M5-09: the project's manager reviews (管理服务报告), the 分管领导 approves
        leader = _member(company, Role.LEADERSHIP, None)
        if leader is None:
            return report
        if duty.code in actions.REVIEWED_FIRST:
            report = actions.review_report(report, acting_user=approver, now=submitted + dt.timedelta(hours=2))
        report = actions.approve_report(report, acting_user=leader, now=approved)
        if duty.code in actions.REVIEWED_FIRST:
            # posted on the intranet and noticed to owners before the 18th / 20th
            for milestone, later in (("intranet", 1), ("notice", 3)):
                if approved + dt.timedelta(days=later) <= now:
                    report = actions.record_posting(report, milestone=milestone, acting_user=author,
                                                    now=approved + dt.timedelta(days=later))
        elif duty.code == s.WORK_BRIEF.code:
            report = actions.record_publication(report, where="委托方", acting_user=author,
                                                now=approved + dt.timedelta(hours=1))
        return report
    return actions.approve_report(report, acting_user=approver, now=approved)


def load_demo_reports(company: Company, *, now: dt.datetime | None = None) -> DemoReports:
    now = now or clock.now()
    out = DemoReports()
    today = clock.local(now).date()
    cfg = settings_for(company)
    legacy = s.Cadence(cfg.legacy_cadence)
    this_month = s.period_containing(s.Cadence.MONTHLY, today)
    months = [s.previous_period(s.previous_period(this_month)), s.previous_period(this_month)]
    quarter = s.previous_period(s.period_containing(s.Cadence.QUARTERLY, today))
    for project in Project.objects.filter(company=company, active=True).order_by("code"):
        author = _member(company, Role.CS_MANAGER, project)
        approver = _member(company, Role.PROJECT_MANAGER, project)
        if author is None or approver is None:
            continue
        facts = facts_of(project)
        for period in [*months, quarter]:
            latest = period == months[-1]
            for duty in s.project_duties(facts, period, legacy_cadence=legacy):
                if duty.code in SOURCE_DUTY:
                    continue  # R-M5-08: postings of the 管理服务报告, recorded on it
                # left for the approver: the latest 月底投诉汇总表 of 阳光花园 and 投诉公布 of 翠湖苑
                waiting = latest and ((project.code, duty.code) in {("YG", s.MONTHLY_SUMMARY.code),
                                                                     ("CH", s.MONTHLY_BULLETIN.code)})
                report = _hand_in(duty, period, project, company, author=author,
                                  approver=None if waiting else approver, now=now)
                if report is not None:
                    (out.in_review if waiting else out.approved).append(report)
    quality = _member(company, Role.QUALITY, None)
    leader = _member(company, Role.GENERAL_MANAGER, None) or _member(company, Role.LEADERSHIP, None)
    if quality is not None and leader is not None:
        duty = s.company_duty(s.Cadence(cfg.company_analysis_cadence))
        period = s.previous_period(s.period_containing(duty.cadence, today))
        report = _hand_in(duty, period, None, company, author=quality, approver=leader, now=now)
        if report is not None:
            out.approved.append(report)
    # this month's 投诉公布 of each residential project is being drafted by its 客服经理
    for project in Project.objects.filter(company=company, active=True, kind=ProjectKind.RESIDENTIAL).order_by("code"):
        author = _member(company, Role.CS_MANAGER, project)
        if author is not None:
            _report, created = actions.generate_draft(duty=s.MONTHLY_BULLETIN, period=this_month, project=project,
                                                      company=company, acting_user=author,
                                                      now=now - dt.timedelta(hours=2))
            out.drafts += int(created)
    # the sweep of today: drafts of the reports now due, reminders to the people who write them
    out.drafts += len(actions.generate_due(company, now).created)
    out.cases = _cases(company, quality, now)
    _stairway_lights(company, today, now)
    return out


def _stairway_lights(company: Company, today: dt.date, now: dt.datetime) -> None:
    """R-M5-13: the 管理处经理 of each project counted the stairway lights in the last three months (the latest one
    below the 90 % target, being fixed)."""
    first = today.replace(day=1)
    months = [first]
    for _i in range(2):
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    for project in Project.objects.filter(company=company, active=True).order_by("code"):
        manager = _member(company, Role.PROJECT_MANAGER, project)
        if manager is None or StairwayLightCount.objects.filter(project=project).exists():
            continue
        for month, working, note in zip(months, (118, 116, 104), ("", "", "3栋、5栋楼道灯线路老化，工程部本周更换"),
                                        strict=True):
            actions.record_stairway_lights(project=project, month=month, lights_total=120, lights_working=working,
                                           note=note, acting_user=manager, now=now)


def _cases(company: Company, author: User | None, now: dt.datetime) -> int:
    if author is None:
        return 0
    closed = list(Ticket.objects.filter(project__company=company, kind=Kind.COMPLAINT, status=TicketStatus.CLOSED)
                  .select_related("project").order_by("received_at", "pk")[: len(CASES)])
    projects = list(Project.objects.filter(company=company, active=True).order_by("code"))
    for i, (kind, title, category, background, handling, lessons, measures, tags) in enumerate(CASES):
        source = closed[i] if i < len(closed) else None
        project = source.project if source is not None else projects[i % len(projects)] if projects else None
        actions.create_case(company=company, project=project, kind=kind, title=title, background=background,
                            handling=handling, lessons=lessons, corrective_measures=measures, category=category,
                            tags=tags, source_ticket_number=source.number if source else "",
                            acting_user=author, now=now - dt.timedelta(days=20 - 4 * i))
    return len(CASES)


def approved_bulletins(company: Company) -> list[Report]:
    """The approved reports the owners' notice board can carry (for ``apps.portal.demo``)."""
    return list(Report.objects.filter(company=company, status=ReportStatus.APPROVED, project__isnull=False,
                                      duty_code__in=(s.MONTHLY_BULLETIN.code, s.SERVICE_REPORT_REVIEW.code))
                .select_related("project").order_by("period_start", "project__code", "duty_code"))
