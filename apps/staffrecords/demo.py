"""Demo staff records: the internal directory's extensions and employee numbers (R-M19-12);
last year's annual appraisal of the repair workers (R-M8-18); the CS department's plan, budget and fixed
assets (R-M19-01/-02);
training sessions with attendance (R-M19-13); owners' service contracts and takeover inspections (R-M19-14);
the stewards' building patrols (R-M19-04);
certificates of each project's staff registered by the 办公室主任 through the real
action — most valid, one expiring within the warning window and one expired per project (R-M19-10)."""
from __future__ import annotations

import datetime as dt

from apps.estates.models import Building, Person, PersonKind
from apps.org import actions as org_actions
from apps.org.models import (
    AnnualAppraisal,
    AppraisalResult,
    Company,
    Department,
    DepartmentKind,
    DepartmentPlan,
    Membership,
    PlanKind,
    Project,
    TrainingSession,
    User,
)
from apps.org.roles import Role
from apps.staffrecords import actions
from apps.staffrecords.models import BuildingPatrol, Certificate, DirectoryChange, ServiceContract
from linli import clock

# role → (kind, name, issuer, number prefix)
CERTS: dict[str, tuple[str, str, str, str]] = {
    Role.PROJECT_MANAGER: ("property_management", "物业管理从业资格证（经理）", "市住房和城乡建设局", "WY"),
    Role.CS_MANAGER: ("property_management", "物业管理从业资格证", "市住房和城乡建设局", "WY"),
    Role.CS_SUPERVISOR: ("post", "客服主管岗位证书", "市物业管理协会", "GW"),
    Role.FRONT_DESK: ("post", "客服员岗位证书", "市物业管理协会", "GW"),
    Role.BUILDING_STEWARD: ("post", "楼宇管理员岗位证书", "市物业管理协会", "GW"),
    Role.WORKER: ("electrician", "低压电工作业证", "市应急管理局", "DG"),
}


def load_demo_staffrecords(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    director = Membership.objects.filter(company=company, role=Role.OFFICE_DIRECTOR).order_by("pk").first()
    if director is None:
        return 0
    count = _directory(company, director.user, now)
    count += _training(company, director.user, now)
    count += _contracts(company, director.user, now)
    count += _patrols(company, now)
    count += _appraisals(company, director.user, now)
    count += _department_records(company, now)
    return count + _certificates(company, director.user, now)


def _contracts(company: Company, director: User, now: dt.datetime) -> int:
    """R-M19-14: a takeover inspection per project (the first accepted, a later one still missing
    documents) and the standard service contract signed with the first owners of each project."""
    if ServiceContract.objects.filter(company=company).exists():
        return 0
    today = clock.local(now).date()
    count = 0
    for p_index, project in enumerate(Project.objects.filter(company=company, active=True).order_by("code")):
        complete = p_index == 0
        actions.add_takeover_inspection(
            acting_user=director, now=now, project=project, inspected_on=today.replace(year=today.year - 3, day=1),
            scope="电梯、消防系统、供配电房、水泵房、外墙与屋面、道路与绿化、监控与门禁",
            findings="" if complete else "2栋屋面防水层局部起鼓；消防联动测试报告缺失",
            documents_complete=complete, accepted=complete, inspected_by="工程部经理、客服经理、开发商代表",
            notes="竣工图纸、设备说明书、保修书已移交" if complete else "待开发商补交资料后复验")
        count += 1
        owners = Person.objects.filter(project=project, kind=PersonKind.OWNER, active=True).order_by("pk")[:12]
        for o_index, owner in enumerate(owners):
            actions.add_service_contract(
                acting_user=director, now=now, owner=owner, number=f"{project.code}-WY-{2023 + o_index % 3}-{owner.pk:05d}",
                signed_on=today.replace(year=today.year - 1 - o_index % 3, day=1),
                valid_until=None if o_index % 2 else today.replace(year=today.year + 2, day=1))
            count += 1
        first = ServiceContract.objects.filter(project=project).order_by("pk").first()
        if first is not None:  # one contract corrected after registration, the correction kept
            actions.update_service_contract(contract=first, acting_user=director, now=now,
                                            reason="签订日期录入错误，以合同原件为准",
                                            signed_on=first.signed_on.replace(day=8))
            count += 1
    return count


def _appraisals(company: Company, director: User, now: dt.datetime) -> int:
    """Last year's annual appraisal of each project's repair workers (R-M8-18): passed, the second
    worker of a project 基本合格 with a refresher course named."""
    if AnnualAppraisal.objects.filter(company=company).exists():
        return 0
    count = 0
    year = clock.local(now).year - 1
    for project in Project.objects.filter(company=company).order_by("code"):
        workers = [m.user for m in Membership.objects.filter(project=project, role=Role.WORKER)
                   .select_related("user").order_by("user__username")]
        for i, worker in enumerate(workers):
            improve = i == 1
            actions.appraise_annually(
                acting_user=director, now=now, staff=worker, project=project, year=year,
                result=AppraisalResult.IMPROVE if improve else AppraisalResult.PASSED,
                comment="全年维修按时完成，回访满意" if not improve else "个别维修超时，业主反映沟通不够",
                training="维修时限与上门服务规范复训" if improve else "")
            count += 1
    return count


def _department_records(company: Company, now: dt.datetime) -> int:
    """The CS department's plan, budget (approved, execution checked) and fixed assets of each project
    (R-M19-01, R-M19-02), written by the 客服主管 and approved by the 客服经理 through the real actions."""
    if DepartmentPlan.objects.filter(company=company).exists():
        return 0
    count = 0
    local = clock.local(now)
    for project in Project.objects.filter(company=company).order_by("code"):
        sup = Membership.objects.filter(project=project, role=Role.CS_SUPERVISOR).select_related("user").first()
        mgr = Membership.objects.filter(project=project, role=Role.CS_MANAGER).select_related("user").first()
        dept = Department.objects.filter(project=project, kind=DepartmentKind.CUSTOMER_SERVICE).order_by("pk").first()
        if sup is None or dept is None:
            continue
        year = local.year + 1
        budget = org_actions.draft_plan(
            acting_user=sup.user, now=now, project=project, department=dept, kind=PlanKind.BUDGET,
            title=f"客服部{year}年度预算", period=f"{year}年度", amount="86000",
            content="员工培训 2.4 万元；半年度满意度调查 1.8 万元；社区活动 3 万元；办公用品及设备 1.4 万元")
        org_actions.draft_plan(acting_user=sup.user, now=now, project=project, department=dept, kind=PlanKind.PLAN,
                               title=f"客服部{year}年度工作计划", period=f"{year}年度",
                               content="全体业主回访；每月走访计划；半年度满意度调查；员工月度考核与培训")
        if mgr is not None:
            org_actions.decide_plan(plan=budget, approve=True, note="同意", acting_user=mgr.user, now=now)
        for i, (name, place, value) in enumerate((("前台电脑", "客服中心前台", "4999.00"),
                                                  ("打印复印一体机", "客服中心", "3200.00"),
                                                  ("对讲机（4台）", "客服中心", "1600.00"))):
            org_actions.register_asset(acting_user=sup.user, now=now, project=project, department=dept,
                                       asset_no=f"{project.code}-KF-{i + 1:03d}", name=name, location=place,
                                       acquired_on=local.date().replace(year=local.year - 1, day=1), value=value)
            count += 1
        count += 2
    return count


def _patrols(company: Company, now: dt.datetime) -> int:
    """R-M19-04 (9): the last five days' building patrols by each building's steward (or the project's
    first steward/butler); one patrol a day finds something — raised as an internal ticket, except a
    cleaning matter handled on the spot."""
    if BuildingPatrol.objects.filter(company=company).exists():
        return 0
    count = 0
    for project in Project.objects.filter(company=company, active=True).order_by("code"):
        walkers = [m.user for m in Membership.objects.filter(
            project=project, role__in=[Role.BUILDING_STEWARD, Role.BUTLER]).select_related("user").order_by("pk")]
        if not walkers:
            continue
        for b_index, building in enumerate(Building.objects.filter(project=project).order_by("name", "pk")[:4]):
            walker = next((u for u in walkers if u.pk == building.steward_id), walkers[b_index % len(walkers)])
            for day in range(5, 0, -1):
                problem = (day + b_index) % 5 == 0
                on_spot = problem and b_index == 3
                findings = ("单元门禁闭门器损坏，门无法自动关闭" if b_index % 2 == 0 else "消防通道指示牌脱落")
                actions.record_patrol(
                    acting_user=walker, now=now, building=building,
                    patrolled_at=now - dt.timedelta(days=day, hours=1 + b_index),
                    signage_ok=not problem or b_index % 2 == 0 or on_spot,
                    facilities_ok=not problem or b_index % 2 == 1 or on_spot, cleaning_ok=not on_spot,
                    findings=("电梯轿厢有宠物粪便，已通知保洁当场清理" if on_spot else findings) if problem else "",
                    needs_action=False if on_spot else None)
                count += 1
    return count


def _training(company: Company, director: User, now: dt.datetime) -> int:
    """R-M19-13: per project a held etiquette session (one absentee) and a planned safety session; one
    company-level certification course."""
    if TrainingSession.objects.filter(company=company).exists():
        return 0
    today = clock.local(now).date()
    count = 0
    for project in Project.objects.filter(company=company, active=True).order_by("code"):
        staff = [m.user for m in Membership.objects.filter(project=project).select_related("user").order_by("pk")]
        if not staff:
            continue
        held = actions.plan_training(acting_user=director, now=now, project=project, title="客服礼仪与首问负责制",
                                     topic="etiquette", planned_on=today - dt.timedelta(days=20), trainer="客服经理",
                                     notes="接待用语、电话礼仪、首问负责", attendees=staff)
        actions.record_training(session=held, acting_user=director, now=now,
                                held_at=now - dt.timedelta(days=20, hours=2),
                                attended=[u.pk for u in staff[1:]], passed=[u.pk for u in staff[1:]])
        actions.plan_training(acting_user=director, now=now, project=project, title="消防安全与应急疏散",
                              topic="safety", planned_on=today + dt.timedelta(days=10), trainer="安管部主管",
                              attendees=staff)
        count += 2
    leads = [m.user for m in Membership.objects.filter(company=company, role__in=[
        Role.PROJECT_MANAGER, Role.CS_MANAGER, Role.CS_SUPERVISOR]).select_related("user").order_by("pk")]
    if leads:
        actions.plan_training(acting_user=director, now=now, project=None, title="物业管理从业资格取证培训",
                              topic="certification", planned_on=today + dt.timedelta(days=30),
                              trainer="市物业管理协会", attendees=list({u.pk: u for u in leads}.values()))
        count += 1
    return count


def _directory(company: Company, director: User, now: dt.datetime) -> int:
    """R-M19-12: the office director fills in the extensions and employee numbers not yet recorded."""
    if DirectoryChange.objects.filter(company=company).exists():
        return 0
    count = 0
    people = User.objects.filter(memberships__company=company, is_active=True).distinct().order_by("pk")
    for i, person in enumerate(people):
        changes = {}
        if not person.extension:
            changes["extension"] = f"{8001 + i}"
        if not person.employee_no:
            changes["employee_no"] = f"LL{2019 + i % 6}{person.pk:04d}"
        if changes:
            actions.update_directory_entry(person=person, acting_user=director, now=now, **changes)
            count += 1
    return count


def _certificates(company: Company, director: User, now: dt.datetime) -> int:
    if Certificate.objects.filter(company=company).exists():
        return 0
    today = clock.local(now).date()
    count = 0
    for p_index, project in enumerate(Project.objects.filter(company=company).order_by("code")):
        members = Membership.objects.filter(project=project, role__in=list(CERTS)).select_related("user").order_by("pk")
        for m_index, m in enumerate(members):
            kind, name, issuer, prefix = CERTS[m.role]
            if m_index == 1:
                valid_until: dt.date | None = today - dt.timedelta(days=12)  # expired: flagged
            elif m_index == 2:
                valid_until = today + dt.timedelta(days=25)  # expiring: warned
            elif kind == "property_management":
                valid_until = None  # long-term
            else:
                valid_until = today.replace(year=today.year + 2, day=1)
            issued_on = (valid_until or today).replace(day=1) - dt.timedelta(days=3 * 365)
            issued_on = min(issued_on, today)
            actions.add_certificate(
                acting_user=director, now=now, holder=m.user, kind=kind, name=name, issuer=issuer,
                number=f"{prefix}-{project.code}-{2020 + m_index:04d}{m.user.pk:04d}", issued_on=issued_on,
                valid_until=valid_until, note="" if p_index else "演示数据")
            count += 1
    return count
