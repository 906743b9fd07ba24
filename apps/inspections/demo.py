"""Demo inspections for ``make run``: last month and this month (up to yesterday) of checks in each residential project, recorded
through the real actions — the 管理处主任's daily checks with nonconformity lines, the 品质部 monthly
building check, the warehouse check, only 3 night post checks and a rainstorm night without one (so the
month is flagged, AS-38), pool readings with one out of range, and rounds scheduled for the coming days.
Deterministic for a "now"."""
from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw

from apps.inspections import actions
from apps.inspections.models import CheckTemplate
from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from linli import clock


def _signature(seed: int) -> str:
    img = Image.new("RGBA", (240, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.line((10, 60, 80 + seed % 40, 20, 150, 55, 230, 15 + seed % 30), fill=(20, 20, 20, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def load_demo_inspections(company: Company, *, now: dt.datetime | None = None) -> int:
    """The checks of every residential project (issue 23 item 3: each project's staff see their own);
    returns the number of inspections recorded."""
    now = now or clock.now()
    return sum(_load_project(company, project, now)
               for project in Project.objects.filter(company=company, kind="residential").order_by("code"))


def _load_project(company: Company, project: Project, now: dt.datetime) -> int:
    staff = {m.role: m.user for m in Membership.objects.filter(project=project).select_related("user").order_by("pk")}
    pm, worker, head = staff.get(Role.PROJECT_MANAGER), staff.get(Role.WORKER), staff.get(Role.DEPT_HEAD)
    quality = Membership.objects.filter(company=company, role=Role.QUALITY).select_related("user").first()
    if pm is None:
        return 0
    tz = project.tz
    today = now.astimezone(tz).date()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    director = CheckTemplate.objects.get(company=None, kind="daily", level="director")
    eng_dept = project.departments.filter(kind="engineering").first()
    count = 0
    day = month
    n = 0
    while day < today:  # last month and this month up to yesterday
        if day.weekday() < 5:
            findings = []
            if n % 4 == 1:
                findings.append({"description": "东门岗交接班记录未填写", "cause": "staff", "responsible": worker or pm,
                                 "specialty": "安管", "closure_note": "已当面提醒，次日复查"})
            if n % 5 == 2:
                findings.append({"description": "3栋地下车库两处照明灯不亮", "cause": "facility", "department": eng_dept,
                                 "specialty": "工程"})
            at = dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz)
            with clock.frozen(at + dt.timedelta(hours=1)):
                actions.record_inspection(project=project, kind="daily", level="director", template=director,
                                          inspected_at=at, scope="全项目综合检查", all_normal=not findings,
                                          findings=findings, acting_user=pm, now=clock.now())
            count += 1
            n += 1
        day += dt.timedelta(days=1)
    sig = _signature
    for i, d in enumerate((4, 13, 22)):  # only 3: the month is flagged (AS-38)
        at = dt.datetime.combine(month.replace(day=d), dt.time(23, 10), tzinfo=tz)
        with clock.frozen(at + dt.timedelta(minutes=20)):
            actions.record_inspection(project=project, kind="night_post", inspected_at=at, scope="东门岗、监控中心",
                                      summary="在岗，值班记录完整", inspector_signature=sig(i),
                                      checked_person=f"保安{'甲乙丙'[i]}", checked_signature=sig(i + 7),
                                      acting_user=pm, now=clock.now())
            count += 1
    with clock.frozen(dt.datetime.combine(month.replace(day=16), dt.time(15), tzinfo=tz)):
        actions.enter_warning_night(project=project, night=month.replace(day=16), kind="rainstorm", acting_user=pm,
                                    now=clock.now())
        at = dt.datetime.combine(month.replace(day=16), dt.time(10), tzinfo=tz)
        actions.record_inspection(project=project, kind="warehouse", inspected_at=at, scope="管理处仓库",
                                  all_normal=True, summary="盘点账实相符，摆放符合标准", acting_user=pm, now=clock.now())
        count += 1
    if quality is not None:
        at = dt.datetime.combine(month.replace(day=20), dt.time(14), tzinfo=tz)
        with clock.frozen(at + dt.timedelta(hours=2)):
            actions.record_inspection(
                project=project, kind="monthly", template=CheckTemplate.objects.get(company=None, kind="monthly"),
                inspected_at=at, scope="管理状态不定期检查", acting_user=quality.user, now=clock.now(),
                findings=[{"description": "公告栏有过期通知未撤", "specialty": "客服"},
                          {"description": "消防通道堆放杂物", "specialty": "安管", "cause": "other"},
                          {"description": "绿化带有枯枝未清理", "specialty": "环境", "cause": "environment"}])
            count += 1
    readings: tuple[tuple[int, dict[str, Any]], ...] = ((9, {"footbath_cl": "7.5", "kids_cl": "0.4", "ph": "7.4"}),
                                                          (13, {"footbath_cl": "4.2", "kids_cl": "0.35"}),
                                                          (17, {"footbath_cl": "6.0"}))
    with clock.frozen(now):  # the project's own limits: pH kept to 7.0–7.8 (the seed gives none)
        actions.save_pool_limits(project=project, acting_user=pm, now=now, footbath_cl_min=Decimal(5),
                                 footbath_cl_max=Decimal(10), kids_cl_min=Decimal("0.3"), kids_cl_max=Decimal("0.5"),
                                 ph_min=Decimal("7.0"), ph_max=Decimal("7.8"))
    for h, values in readings:
        at = dt.datetime.combine(month.replace(day=18), dt.time(h), tzinfo=tz)
        with clock.frozen(at):
            actions.record_pool_reading(project=project, taken_at=at, acting_user=head or pm, now=at,
                                        filter_cleaned=h != 17, footbath_changed=True, **values)
    with clock.frozen(now):  # emergency plans (R-M18-15) with a drill, and this year's evaluations (R-M18-11)
        for emergency, measures in (
                ("火警", "总指挥：管理处经理；安管主管带队疏散，工程部切断非消防电源，客服中心通知业主并联系119。"),
                ("电梯困人", "值班电工5分钟内到场安抚，维保单位30分钟内到场救援；客服中心记录并回访。"),
                ("水浸", "工程部关闭总阀、启动排水泵；安管部设置警示围挡；环境部清理积水。")):
            actions.issue_emergency_plan(project=project, emergency=emergency, version=f"{today.year}版",
                                         issued_on=today.replace(month=1, day=5), organisation=measures,
                                         acting_user=pm, now=now)
        drill_at = dt.datetime.combine(month.replace(day=15), dt.time(15), tzinfo=tz)
        actions.record_inspection(project=project, kind="emergency_drill", inspected_at=drill_at,
                                  scope="火警应急预案演练（3栋疏散）", summary="疏散用时6分钟，2名新员工不熟悉消防栓位置",
                                  acting_user=pm, now=now, all_normal=True, inspector_signature=_signature(7))
        count += 1
        for kind, ago, body, result in (
                ("iso_internal", 20, "品质管理部", "内部审核发现不符合项3项，已下发纠正措施"),
                ("customer", 30, "客户服务部", "上半年顾客满意度调查：满意率 91%"),
                ("certification", 45, "深圳质量认证中心", "ISO9001 年度监督审核通过，无严重不符合项")):
            held = today - dt.timedelta(days=ago)
            actions.record_evaluation(project=project, kind=kind, held_on=held, body=body, result=result,
                                      acting_user=quality.user if quality else pm, now=now)
        for offset, kind in ((2, "electrician"), (5, "warehouse"), (10, "lightning")):
            actions.schedule_round(project=project, template=CheckTemplate.objects.filter(company=None, kind=kind)
                                   .get(), due_on=today + dt.timedelta(days=offset), assignee=pm, acting_user=pm,
                                   now=now)
    return count
