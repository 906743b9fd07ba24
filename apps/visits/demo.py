"""Demo visits for ``make run``: about a year of 业主走访/回访 in the residential projects of the demo
company, recorded through the real actions (filed with the 客服部, problems settled or found
impossible to solve), so the archive, the problem list and the year-end statistics (R-M5-12) have
something true to show. Deterministic for a seed and a "now"."""
from __future__ import annotations

import datetime as dt
import random

from apps.estates.models import Person
from apps.org.models import Company, DepartmentKind, Membership, Project, User
from apps.org.roles import Role
from apps.tickets.models import Category
from apps.visits import actions, cycles
from apps.visits.models import ProblemStatus, VisitCategory, VisitMethod
from linli import clock

COMMUNICATED = [
    "介绍了管理处近期的主要工作：外墙清洗、地下车库照明改造；说明了对电梯问题采取的措施。",
    "自我介绍并说明来意，告知本月消防演练安排和装修管理规定。",
    "回访上月投诉的处理结果，说明整改情况。",
    "回访维修工单的完成质量和服务态度。",
]
OPINIONS = ["对保安服务满意，希望夜间加强巡逻。", "总体满意，无其他意见。", "希望小区增加儿童游乐设施。",
            "对保洁质量有意见，楼道有时不够干净。", "希望物业费收支更透明。"]
# (text, category code, department kind, outcome): outcome "on_spot" / "solved" / "cannot" / "open"
PROBLEMS = [
    ("楼道灯不亮", "engineering", DepartmentKind.ENGINEERING, "solved"),
    ("垃圾清运不及时", "cleaning", DepartmentKind.ENVIRONMENT, "solved"),
    ("询问车位月租价格", "charges", DepartmentKind.CUSTOMER_SERVICE, "on_spot"),
    ("交房时承诺的儿童游乐设施没有建", "developer_legacy", DepartmentKind.CUSTOMER_SERVICE, "cannot"),
    ("夜间外来车辆进出管理不严", "security", DepartmentKind.SECURITY, "open"),
    ("楼下树木遮挡采光", "greening", DepartmentKind.ENVIRONMENT, "open"),
]


def load_demo_visits(company: Company, *, seed: int = 2026, now: dt.datetime | None = None,
                     per_project: int = 30) -> int:
    """About ``per_project`` visits in each residential project from 1 January of this year up to
    ``now``. Returns how many visits were recorded."""
    now = now or clock.now()
    rng = random.Random(seed + 7)
    categories = {c.code: c for c in Category.objects.filter(company=None)}
    count = 0
    for project in Project.objects.filter(company=company, kind="residential").order_by("code"):
        staff = {m.role: m.user for m in Membership.objects.filter(project=project).select_related("user")}
        depts = {d.kind: d for d in project.departments.all()}
        butler, supervisor = staff.get(Role.BUTLER), staff.get(Role.CS_SUPERVISOR)
        if butler is None or supervisor is None or DepartmentKind.CUSTOMER_SERVICE not in depts:
            continue
        people = list(Person.objects.filter(project=project, kind="owner").select_related("household")
                      .order_by("pk")[:300])
        start = dt.datetime(now.astimezone(project.tz).year, 1, 5, 10, 0, tzinfo=project.tz)
        span = (now - start).total_seconds()
        if span <= 0 or not people:
            continue
        for i in range(per_project):
            moment = start + dt.timedelta(seconds=span * (i + rng.random() * 0.5) / (per_project + 1))
            local = moment.astimezone(project.tz)
            # working hours outside the default quiet hours (R-M17-01): a phone visit is never at lunch
            moment = local.replace(hour=(9, 10, 11, 14, 15, 16, 17, 18, 19)[rng.randrange(9)], minute=rng.randrange(60))
            if moment >= now:
                continue
            person = people[rng.randrange(len(people))]
            problems = []
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                text, code, dept_kind, outcome = PROBLEMS[rng.randrange(len(PROBLEMS))]
                problems.append({"description": text, "category": categories.get(code),
                                 "department": depts.get(dept_kind),
                                 "status": ProblemStatus.ON_SPOT if outcome == "on_spot" else ProblemStatus.OPEN,
                                 "answer": "已当场告知业主" if outcome == "on_spot" else "", "_outcome": outcome})
            with clock.frozen(moment + dt.timedelta(hours=1)):
                visit = actions.record_visit(
                    project=project, household=person.household, person=person,
                    category=rng.choice(VisitCategory.values), method=rng.choice(VisitMethod.values),
                    visitor=butler, visited_at=moment, communicated=COMMUNICATED[i % len(COMMUNICATED)],
                    opinions=OPINIONS[rng.randrange(len(OPINIONS))],
                    problems=[{k: v for k, v in p.items() if k != "_outcome"} for p in problems],
                    acting_user=butler, now=clock.now())
            count += 1
            later = min(moment + dt.timedelta(days=3), now)
            for problem, plan in zip(visit.problems.order_by("pk"), problems, strict=True):
                with clock.frozen(later):
                    if plan["_outcome"] == "solved":
                        actions.settle_problem(problem=problem, outcome=ProblemStatus.SOLVED,
                                               text="已安排责任部门整改，回访业主满意", acting_user=supervisor,
                                               now=clock.now())
                    elif plan["_outcome"] == "cannot":
                        actions.settle_problem(problem=problem, outcome=ProblemStatus.CANNOT_SOLVE,
                                               text="属地产遗留问题，已转地产客户服务中心，物业无法自行解决",
                                               acting_user=supervisor, now=clock.now())
    return count


def load_demo_programme(company: Company, *, now: dt.datetime | None = None) -> int:
    """The visit programme of each residential project: the cycle counted from 1 January (so households
    not visited since are overdue), this month's plan approved by the 物业总经理, next month's plan
    awaiting approval, last month's round summary signed by the 客服部主管 (the 经理 and 物业总经理 still
    to sign). Returns the number of plans."""
    now = now or clock.now()
    gm = Membership.objects.filter(company=company, role=Role.GENERAL_MANAGER).select_related("user").first()
    plans = 0
    for project in Project.objects.filter(company=company, kind="residential").order_by("code"):
        staff = {m.role: m.user for m in Membership.objects.filter(project=project).select_related("user")}
        supervisor, pm, butler = staff.get(Role.CS_SUPERVISOR), staff.get(Role.PROJECT_MANAGER), staff.get(Role.BUTLER)
        if supervisor is None or pm is None or butler is None or gm is None:
            continue
        today = now.astimezone(project.tz).date()
        with clock.frozen(now):
            actions.save_programme_settings(project=project, acting_user=pm, now=now, cycle_mode="calendar_quarter",
                                            cycle_months=3, new_owner_days=3, elderly_interval_days=30, warn_days=7,
                                            starts_on=dt.date(today.year, 1, 1))
        households = list(project.households.filter(status="occupied").order_by("label")
                          .values_list("pk", flat=True)[:40])
        month = today.replace(day=1)
        first = dt.datetime.combine(month, dt.time(9), tzinfo=project.tz)
        with clock.frozen(min(first, now)):
            plan = actions.draw_up_plan(project=project, month=month, requirements="本月入户走访：了解业主需求，"
                                        "介绍近期重点工作；空巢老人重点关注", household_ids=households[:20], visitor=butler,
                                        acting_user=supervisor, now=clock.now())
            actions.submit_plan(plan=plan, acting_user=supervisor, now=clock.now())
            actions.decide_plan(plan=plan, approve=True, note="同意", acting_user=gm.user, now=clock.now())
        nxt = actions.draw_up_plan(project=project, month=cycles.add_months(month, 1),
                                   requirements="下月入户走访：重点走访本季度尚未走访的房屋", household_ids=households[20:40],
                                   visitor=butler, acting_user=supervisor, now=now)
        actions.submit_plan(plan=nxt, acting_user=supervisor, now=now)
        plans += 2
        last = cycles.add_months(month, -1)
        if last.year == today.year:
            summary = actions.prepare_round_summary(project=project, month=last, acting_user=butler, now=now,
                                                    summary="上月走访汇总：业主主要关注夜间巡逻和楼道清洁，已转责任部门整改。")
            actions.sign_round_summary(summary=summary, stage="supervisor", acting_user=supervisor, now=now)
        load_demo_early_occupancy(project, butler, now=now)
        director = Membership.objects.filter(company=company, role=Role.OFFICE_DIRECTOR).select_related("user").first()
        load_demo_annual_plan(project, director.user if director is not None else pm, gm.user, now=now)
    return plans


ANNUAL_DUTIES = ("住户回访纳入办公室主任职责和本年度工作计划：主任每年亲自上门走访1–2次；物业管理员按片区每季度回访一次；"
                 "投诉、维修工单完成后全部回访；每半年召开一次住户座谈会。回访时虚心听取批评，采纳合理化建议，做好回访记录，"
                 "年终对照目标总结。")


def load_demo_annual_plan(project: Project, director: User, gm: User, *, now: dt.datetime) -> None:
    """R-M9-13: this year's annual return-visit plan, drawn up by the office director in early January
    and approved by the 物业总经理; its page shows the year-to-date progress against the targets."""
    year = now.astimezone(project.tz).year
    households = project.households.filter(status="occupied").count()
    per_quarter = max(10, households // 4)
    targets = [{"measure": "ticket_return_visits", "quarter": 0, "value": 120},
               {"measure": "ticket_return_rate", "quarter": 0, "value": 100},
               {"measure": "resident_visits", "quarter": 0, "value": per_quarter * 4},
               {"measure": "household_coverage", "quarter": 0, "value": 90}]
    targets += [{"measure": "resident_visits", "quarter": q, "value": per_quarter} for q in (1, 2, 3, 4)]
    targets += [{"measure": "ticket_return_visits", "quarter": q, "value": 30} for q in (1, 2, 3, 4)]
    moment = min(dt.datetime(year, 1, 4, 9, 30, tzinfo=project.tz), now)
    with clock.frozen(moment):
        plan = actions.draw_up_annual_plan(project=project, year=year, duties=ANNUAL_DUTIES, targets=targets,
                                           acting_user=director, now=moment)
        actions.submit_annual_plan(plan=plan, acting_user=director, now=moment)
        actions.decide_annual_plan(plan=plan, approve=True, note="同意，按季度跟进完成情况", acting_user=gm,
                                   now=moment)


NOT_MOVED_IN_REASONS = ["在外地工作，预计明年春节后装修入住", "房屋用于投资，暂未出租", "等孩子学位落实后再搬",
                        "装修方案还在和设计师商量"]


def load_demo_early_occupancy(project: Project, butler: User, *, now: dt.datetime) -> int:
    """Running-in care (R-M9-16) and calls to owners not yet moved in (R-M9-17) in one project: an
    interview whose feedback is followed up, one still awaiting follow-up, a home-alarm activation, a
    gate handout and an on-site desk; two calls per household not moved in (the first unanswered).
    Returns the number of rows written."""
    today = now.astimezone(project.tz).date()
    moved = list(project.households.filter(status="occupied", move_in_date__isnull=False)
                 .order_by("-move_in_date", "label")[:3])
    rows = 0
    base = dt.datetime.combine(today - dt.timedelta(days=6), dt.time(10), tzinfo=project.tz)
    if moved:
        care = [("interview", moved[0], "祝贺入住，介绍服务范围和联系方式", "希望尽快办理车位月卡", None),
                ("interview", moved[-1], "磨合期访谈：了解入住后的居住体验", "楼下夜间有施工噪音", None),
                ("alarm", moved[0], "上门协助开通居家报警系统并测试", "", None),
                ("gate_cards", None, "早高峰在南门派发便民服务卡", "", 86),
                ("onsite_desk", None, "入住现场办公：集中办理入伙手续和咨询", "", 23)]
        made = []
        for i, (kind, hh, note, feedback, served) in enumerate(care):
            with clock.frozen(now):
                made.append(actions.record_early_care(
                    project=project, kind=kind, household=hh, held_at=base + dt.timedelta(days=i), note=note,
                    feedback=feedback, served=served, place="南门" if kind == "gate_cards" else "",
                    acting_user=butler, now=now))
        actions.follow_up_early_care(care=made[0], text="已办理车位月卡并电话告知业主", acting_user=butler, now=now)
        rows += len(made)
    empty = list(project.households.filter(status="not_moved_in").order_by("label")[:4])
    for i, hh in enumerate(empty):
        actions.record_not_moved_in_call(household=hh, called_at=base, reached=False, note="无人接听",
                                         acting_user=butler, now=now)
        actions.record_not_moved_in_call(household=hh, called_at=base + dt.timedelta(days=2), acting_user=butler,
                                         reason=NOT_MOVED_IN_REASONS[i % len(NOT_MOVED_IN_REASONS)],
                                         note="已告知近期社区活动，欢迎参加", now=now)
        rows += 2
    return rows
