"""Demo tickets for ``make run`` (issue 2 item 6): a few weeks of realistic requests in the residential
projects of the demo company, each built through the real actions at its own moment — intake, dispatch,
handling, reply, verification, return visit, close — so every page has something true to show
(deadlines stamped by the policy engine, same-complaint groups, overdue items, queues). Deterministic
for a seed and a "now"."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from apps.estates.models import Household, Person
from apps.notify.queries import next_contact_moment
from apps.org.models import Company, DepartmentKind, Membership, Project
from apps.org.roles import Role
from apps.tickets import actions
from apps.tickets.choices import OPEN_STATUSES
from apps.tickets.models import Category, Dispatch, ValidityCriterion
from apps.tickets.policies import company_level, company_verification_pending
from linli import clock

# (kind, channel, category code, department kind, text); a "{b}" is the building of the household.
REQUESTS: list[tuple[str, str, str, str, str]] = [
    ("complaint", "phone", "engineering", DepartmentKind.ENGINEERING, "{b}楼道灯一直不亮，晚上回家很不方便"),
    ("complaint", "visit", "security", DepartmentKind.SECURITY, "小区东门晚上保安不在岗，外来人员随便进出"),
    ("complaint", "phone", "cleaning", DepartmentKind.ENVIRONMENT, "{b}垃圾桶满了两天没人清运，味道很大"),
    ("complaint", "letter", "charges", DepartmentKind.CUSTOMER_SERVICE, "对本年度公摊水电费计算有疑问，要求公示明细"),
    ("complaint", "email", "greening", DepartmentKind.ENVIRONMENT, "{b}楼下的树很久没修剪，挡住了二楼的采光"),
    ("complaint", "online", "security", DepartmentKind.SECURITY, "地下车库有车辆长期占用消防通道，无人处理"),
    ("complaint", "phone", "customer_service", DepartmentKind.CUSTOMER_SERVICE, "前台电话多次无人接听，服务态度需要改进"),
    ("complaint", "visit", "developer_legacy", DepartmentKind.CUSTOMER_SERVICE, "交房时承诺的儿童游乐设施至今没有建"),
    ("repair", "phone", "repair_tap", DepartmentKind.ENGINEERING, "厨房水龙头漏水，关不紧"),
    ("repair", "phone", "repair_drain", DepartmentKind.ENGINEERING, "卫生间下水道堵塞，排水很慢"),
    ("repair", "phone", "repair_lighting", DepartmentKind.ENGINEERING, "{b}单元门口的灯管坏了"),
    ("repair", "visit", "repair_doors_furniture", DepartmentKind.ENGINEERING, "入户门锁舌卡住，开门困难"),
    ("suggestion", "suggestion_box", "environment", DepartmentKind.ENVIRONMENT, "建议在中心花园增加几张休息长椅"),
    ("suggestion", "online", "customer_service", DepartmentKind.CUSTOMER_SERVICE, "建议开通微信缴纳物业费"),
    ("consultation", "phone", "charges", DepartmentKind.CUSTOMER_SERVICE, "咨询车位月租价格和办理手续"),
    ("praise", "letter", "security", DepartmentKind.SECURITY, "感谢保安小李帮忙把老人送回家"),
]
# three households of one building complain about the same lift within a week: a hot complaint (R-M3-02 b)
LIFT = ["{b}电梯又坏了，老人上下楼很困难", "{b}的电梯三天两头停运，什么时候能修好", "{b}电梯故障好几天了，请尽快维修"]
# the demo company's 有效投诉判定标准 (R-M1-18: the seeds give none; each company keeps its own)
VALIDITY_CRITERIA = [("属物业服务范围，经核实属实", True), ("属合理需要未得到满足", True),
                     ("非物业服务范围（市政、地产等）", False), ("经核实不属实", False), ("重复投诉，已并入原工单", False)]
STAGES = ["received", "dispatched", "handled", "replied", "verified", "closed", "closed", "closed"]


def _staff(project: Project) -> dict[str, Any]:
    rows = Membership.objects.filter(project=project).select_related("user", "department").order_by("pk")
    by_role: dict[str, Any] = {}
    for m in rows:
        by_role.setdefault(m.role, m)
    return by_role


def _reviewer(project: Project, department: str) -> Any:
    """The company's 品质管理部 or 办公室 member who reviews a reply (R-M2-08)."""
    rows = Membership.objects.filter(company_id=project.company_id).select_related("user")
    if department == "quality":
        return rows.filter(role=Role.QUALITY).first().user  # type: ignore[union-attr]
    return rows.filter(department__kind=DepartmentKind.OFFICE).first().user  # type: ignore[union-attr]


def _progress(ticket: Any, stage: str, staff: dict[str, Any], department: Any, moment: dt.datetime) -> None:
    """Move ``ticket`` through the pipeline up to ``stage``, each step a little later than the last."""
    desk, supervisor = staff[Role.FRONT_DESK].user, staff[Role.CS_SUPERVISOR].user
    worker = staff[Role.WORKER].user if department.kind == DepartmentKind.ENGINEERING else None
    steps = STAGES.index(stage)
    t = moment
    if steps < 1 or ticket.kind in ("consultation", "praise"):
        if ticket.kind in ("consultation", "praise") and steps >= 1:
            t += dt.timedelta(minutes=10)
            with clock.frozen(t):
                actions.close_ticket(ticket=ticket, acting_user=desk, now=t, result="已当场答复业主")
        return
    t += dt.timedelta(minutes=20)
    with clock.frozen(t):
        dispatch = actions.dispatch_ticket(ticket=ticket, department=department, assignee=worker,
                                           acting_user=desk, now=t)
    if steps < 2:
        return
    handler = worker or next((m.user for m in Membership.objects.filter(
        project=ticket.project, role=Role.DEPT_HEAD, department=department).select_related("user")), desk)
    t += dt.timedelta(hours=2)
    with clock.frozen(t):
        actions.accept_dispatch(dispatch=dispatch, acting_user=handler, now=t)
        actions.record_handling(ticket=ticket, investigation="现场核实情况属实", measures="安排专人处理",
                                result="已处理完毕", done=True, acting_user=handler, now=t, arrived_at=t)
    if steps < 3:
        if ticket.kind == "complaint":  # issue 23 item 3: the written answer waits for the 办公室's review
            t += dt.timedelta(hours=1)
            with clock.frozen(t):
                reply = actions.give_reply(ticket=ticket, kind="result", channel="letter", acting_user=desk, now=t,
                                           content="您反映的问题已处理完毕，现书面函复如下：已安排专人跟进，请您知悉。")
                if reply.sent_at is None and "quality" in actions.reviews_for(ticket, channel="letter", kind="result"):
                    actions.review_reply(reply=reply, department="quality", approved=True, **actions.CHECKLIST_OK,
                                         acting_user=_reviewer(ticket.project, "quality"), now=t)
        return
    t += dt.timedelta(hours=1)
    with clock.frozen(t):
        reply = actions.give_reply(ticket=ticket, kind="result", channel="phone", content="已按您反映的情况处理完毕",
                                   owner_response="agree", acting_user=desk, now=t)
        if reply.sent_at is None:  # a written/email/online complaint's answer is reviewed first (R-M2-08)
            for department in sorted(actions.reviews_for(ticket, channel="phone", kind="result")):
                actions.review_reply(reply=reply, department=department, approved=True, **actions.CHECKLIST_OK,
                                     acting_user=_reviewer(ticket.project, department), now=t)
            actions.send_reply(reply=reply, owner_response="agree", acting_user=desk, now=t)
        if actions.manager_reply_required(ticket):  # R-M2-21: the 管理处主任 hears the result too
            actions.record_reply(ticket=ticket, kind="result", channel="in_person", recipient="project_manager",
                                 content="处理结果已回复业主，业主认可", acting_user=desk, now=t)
    if steps < 4:
        return
    t += dt.timedelta(hours=3)
    with clock.frozen(t):
        actions.verify_ticket(ticket=ticket, passed=True, notes="措施已落实", acting_user=supervisor, now=t)
    if steps < 5:
        return
    # the return-visit call waits for the end of the project's quiet hours (R-M4-14, R-M17-01)
    t = next_contact_moment(ticket.project, t + dt.timedelta(hours=20))
    with clock.frozen(t):
        visitor = _reviewer(ticket.project, "quality") if company_level(ticket) else desk  # R-M4-04
        actions.record_return_visit(ticket=ticket, method="phone", reached=True, satisfaction="satisfied",
                                    owner_words="处理及时，满意", acting_user=visitor, now=t)
        if company_verification_pending(ticket):  # 品质管理部 verifies company-level complaints (R-M4-03)
            actions.verify_ticket(ticket=ticket, passed=True, notes="管理处验证记录已核，纠正措施已落实",
                                  acting_user=_reviewer(ticket.project, "quality"), now=t)
        actions.close_ticket(ticket=ticket, acting_user=desk, now=t)


def load_demo_tickets(company: Company, *, seed: int = 2026, now: dt.datetime | None = None,
                      per_project: int = 36) -> int:
    """About ``per_project`` tickets over the three weeks before ``now`` in each residential project,
    plus one same-lift group. Returns how many tickets were received."""
    now = now or clock.now()
    rng = random.Random(seed)
    for position, (label, valid) in enumerate(VALIDITY_CRITERIA):  # R-M1-18: the company's own list
        ValidityCriterion.objects.get_or_create(company=company, label=label,
                                                defaults={"valid": valid, "position": position})
    categories = {c.code: c for c in Category.objects.filter(company=None)}
    count = 0
    for project in Project.objects.filter(company=company, kind="residential").order_by("code"):
        staff = _staff(project)
        desk = staff[Role.FRONT_DESK].user
        depts = {d.kind: d for d in project.departments.all()}
        people = list(Person.objects.filter(project=project, kind="owner").select_related("household__building")
                      .order_by("pk")[:400])
        plan = []
        for i in range(per_project):
            # people call in the daytime: a day of the last three weeks, between 08:00 and 20:59 local time
            day = (now - dt.timedelta(days=21 - rng.randrange(21))).astimezone(project.tz).date()
            moment = dt.datetime.combine(day, dt.time(8 + rng.randrange(13), rng.randrange(60)), tzinfo=project.tz)
            if moment >= now:
                moment = now - dt.timedelta(hours=1)
            # the older the request, the further along the pipeline
            stage = STAGES[min(len(STAGES) - 1, int((now - moment) / dt.timedelta(days=21) * len(STAGES)))]
            plan.append((moment, REQUESTS[i % len(REQUESTS)], people[rng.randrange(len(people))], stage))
        lift_building = people[0].household.building
        lift_people = [p for p in people if p.household.building_id == lift_building.pk][:3]
        for j, person in enumerate(lift_people):
            moment = now - dt.timedelta(days=6 - 2 * j, hours=3)
            plan.append((moment, ("complaint", "phone", "engineering", DepartmentKind.ENGINEERING, LIFT[j]),
                         person, "received"))
        for moment, (kind, channel, code, dept_kind, text), person, stage in sorted(plan, key=lambda r: r[0]):
            household: Household = person.household
            content = text.format(b=household.building.name)
            with clock.frozen(moment):
                ticket = actions.receive_ticket(
                    project=project, kind=kind, channel=channel, content=content, acting_user=desk, now=moment,
                    received_at=moment, household=household, person=person, complainant_surname=person.name[0],
                    phone=person.phone, category=categories.get(code),
                    agreed_feedback_at=(moment + dt.timedelta(hours=6)) if channel in ("phone", "visit") else None,
                    desired_outcome="尽快解决" if kind in ("complaint", "repair") else "",
                )
            count += 1
            _progress(ticket, stage, staff, depts.get(dept_kind) or depts[DepartmentKind.CUSTOMER_SERVICE], moment)
    return count


# 市民服务中心 (a public building, issue 23 item 3): the requests of the people who work in it and visit it
PUBLIC_REQUESTS: list[tuple[str, str, str, str, str]] = [
    ("complaint", "phone", "engineering", DepartmentKind.ENGINEERING, "{b}三楼会议室空调不制冷，开会很闷热"),
    ("repair", "phone", "repair_lighting", DepartmentKind.ENGINEERING, "{b}二楼走廊灯管一直闪烁"),
    ("complaint", "visit", "cleaning", DepartmentKind.ENVIRONMENT, "{b}一楼大厅卫生间地面湿滑、有异味"),
    ("complaint", "online", "security", DepartmentKind.SECURITY, "办事大厅排队秩序混乱，保安没有引导"),
    ("repair", "phone", "repair_tap", DepartmentKind.ENGINEERING, "{b}茶水间水龙头漏水"),
    ("suggestion", "suggestion_box", "customer_service", DepartmentKind.CUSTOMER_SERVICE,
     "建议在办事大厅增加老年人休息座椅和老花镜"),
    ("consultation", "phone", "customer_service", DepartmentKind.CUSTOMER_SERVICE, "咨询地面停车场开放时间和收费标准"),
    ("praise", "letter", "customer_service", DepartmentKind.CUSTOMER_SERVICE, "感谢前台工作人员耐心指引办事流程"),
]


# per request of PUBLIC_REQUESTS (twice round): how far it has gone, and its age in hours for that stage
PUBLIC_STAGES = ["closed", "closed", "closed", "verified", "closed", "closed", "closed", "closed",
                 "verified", "handled", "dispatched", "dispatched", "dispatched", "replied", "received", "closed"]
PUBLIC_AGE_HOURS = {"received": (1, 3), "dispatched": (3, 20), "handled": (24, 36), "replied": (36, 48),
                    "verified": (48, 96), "closed": (8 * 24, 20 * 24)}


def load_demo_public_tickets(company: Company, *, seed: int = 2026, now: dt.datetime | None = None,
                             count: int = 16) -> int:
    """About ``count`` requests over the three weeks before ``now`` in each public building of the demo
    company, built through the same actions as :func:`load_demo_tickets` (its own random generator, so
    the residential tickets stay those of earlier demo versions). Returns how many were received."""
    now = now or clock.now()
    rng = random.Random(seed + 23)
    categories = {c.code: c for c in Category.objects.filter(company=None)}
    received = 0
    for project in Project.objects.filter(company=company, kind="public").order_by("code"):
        staff = _staff(project)
        if Role.FRONT_DESK not in staff or Role.CS_SUPERVISOR not in staff or Role.WORKER not in staff:
            continue
        desk = staff[Role.FRONT_DESK].user
        depts = {d.kind: d for d in project.departments.all()}
        people = list(Person.objects.filter(project=project, kind="owner").select_related("household__building")
                      .order_by("pk")[:200])
        if not people:
            continue
        plan = []
        for i in range(count):
            # the stage is chosen so that every department has open work; the age follows the stage
            stage = PUBLIC_STAGES[i % len(PUBLIC_STAGES)]
            low, high = PUBLIC_AGE_HOURS[stage]
            moment = now - dt.timedelta(hours=low + rng.random() * (high - low))
            local = moment.astimezone(project.tz)
            if not 8 <= local.hour < 18:  # the building is open in the daytime
                moment = dt.datetime.combine(local.date(), dt.time(9 + rng.randrange(8), rng.randrange(60)),
                                             tzinfo=project.tz)
                if moment >= now:
                    moment -= dt.timedelta(days=1)
            plan.append((moment, PUBLIC_REQUESTS[i % len(PUBLIC_REQUESTS)], people[rng.randrange(len(people))], stage))
        for moment, (kind, channel, code, dept_kind, text), person, stage in sorted(plan, key=lambda r: r[0]):
            household: Household = person.household
            with clock.frozen(moment):
                ticket = actions.receive_ticket(
                    project=project, kind=kind, channel=channel, content=text.format(b=household.building.name),
                    acting_user=desk, now=moment, received_at=moment, household=household, person=person,
                    complainant_surname=person.name[0], phone=person.phone, category=categories.get(code),
                    agreed_feedback_at=(moment + dt.timedelta(hours=6)) if channel in ("phone", "visit") else None,
                    desired_outcome="尽快解决" if kind in ("complaint", "repair") else "",
                )
            received += 1
            _progress(ticket, stage, staff, depts.get(dept_kind) or depts[DepartmentKind.CUSTOMER_SERVICE], moment)
    return received


# A fresh request for each department that has no open 派工单 left (issue 23 item 3: every department head
# and engineering worker opens the demo with work in their queue).
OPEN_WORK = {
    DepartmentKind.ENGINEERING: ("repair", "phone", "repair_drain", "{b}地下室集水井水泵异响，请尽快检查"),
    DepartmentKind.SECURITY: ("complaint", "phone", "security", "{b}门禁坏了两天，陌生人可以随意进出单元"),
    DepartmentKind.ENVIRONMENT: ("complaint", "visit", "cleaning", "{b}电梯轿厢地面有污渍，两天没有清洁"),
}


def load_demo_open_work(company: Company, *, now: dt.datetime | None = None) -> int:
    """For every project department of ``OPEN_WORK`` with no open dispatch: a request received this
    morning and dispatched (to the engineering worker for engineering). Returns how many were added."""
    now = now or clock.now()
    categories = {c.code: c for c in Category.objects.filter(company=None)}
    added = 0
    for p_index, project in enumerate(Project.objects.filter(company=company).order_by("code")):
        staff = _staff(project)
        if Role.FRONT_DESK not in staff:
            continue
        desk = staff[Role.FRONT_DESK].user
        people = list(Person.objects.filter(project=project, kind="owner").select_related("household__building")
                      .order_by("pk")[:60])
        for d_index, department in enumerate(project.departments.filter(kind__in=list(OPEN_WORK)).order_by("kind")):
            if Dispatch.objects.filter(department=department, active=True, completed_at__isnull=True,
                                       ticket__status__in=OPEN_STATUSES).exists() or not people:
                continue
            kind, channel, code, text = OPEN_WORK[DepartmentKind(department.kind)]
            person = people[(7 * p_index + 11 * d_index) % len(people)]
            moment = now - dt.timedelta(hours=2 + d_index)
            with clock.frozen(moment):
                ticket = actions.receive_ticket(
                    project=project, kind=kind, channel=channel, content=text.format(b=person.household.building.name),
                    acting_user=desk, now=moment, received_at=moment, household=person.household, person=person,
                    complainant_surname=person.name[0], phone=person.phone, category=categories.get(code),
                    agreed_feedback_at=moment + dt.timedelta(hours=6), desired_outcome="尽快解决")
            _progress(ticket, "dispatched", staff, department, moment)
            added += 1
    return added


def load_demo_pipeline_examples(company: Company, *, now: dt.datetime | None = None) -> int:
    """Issue 16: one of each record the complaint pipeline keeps, in the first residential project, built
    through the actions — a complaint investigated only the next day (当日未核实, R-M2-02), a 派工单 copied
    to the building's steward (R-M1-19), a government transfer with 品质管理部's fact check and opinion
    (R-M1-10), a municipal complaint with its coordinator (R-M2-03) and a complaint listed on the
    《顾客投诉处理记录表》 with its named handler (R-M2-17). Returns how many tickets were received."""
    now = now or clock.now()
    project = Project.objects.filter(company=company, kind="residential").order_by("code").first()
    if project is None:
        return 0
    staff = _staff(project)
    if not {Role.FRONT_DESK, Role.CS_SUPERVISOR, Role.WORKER} <= set(staff):
        return 0
    desk, supervisor, worker = (staff[Role.FRONT_DESK].user, staff[Role.CS_SUPERVISOR].user,
                                staff[Role.WORKER].user)
    quality = _reviewer(project, "quality")
    depts = {d.kind: d for d in project.departments.all()}
    engineering = depts.get(DepartmentKind.ENGINEERING) or depts[DepartmentKind.CUSTOMER_SERVICE]
    people = list(Person.objects.filter(project=project, kind="owner").select_related("household__building")
                  .order_by("-pk")[:5])
    if len(people) < 4:
        return 0

    def receive(person: Any, moment: dt.datetime, content: str, **extra: Any) -> Any:
        with clock.frozen(moment):
            return actions.receive_ticket(
                project=project, kind="complaint", content=content, acting_user=desk, now=moment,
                received_at=moment, household=person.household, person=person,
                complainant_surname=person.name[0], phone=person.phone, desired_outcome="尽快解决",
                **{"channel": "phone", "agreed_feedback_at": moment + dt.timedelta(hours=6), **extra})

    local = now.astimezone(project.tz)
    yesterday = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(16, 30), tzinfo=project.tz)
    # 当日未核实: received yesterday afternoon, the site check only this morning
    late = receive(people[0], yesterday, f"{people[0].household.building.name}地下车库顶板渗水，车上落满泥点")
    at = yesterday + dt.timedelta(minutes=30)
    with clock.frozen(at):
        dispatch = actions.dispatch_ticket(ticket=late, department=engineering, assignee=worker, acting_user=desk, now=at)
    at = min(now - dt.timedelta(minutes=30), dt.datetime.combine(local.date(), dt.time(9, 10), tzinfo=project.tz))
    with clock.frozen(at):
        actions.accept_dispatch(dispatch=dispatch, acting_user=worker, now=at)
        actions.record_handling(ticket=late, investigation="现场核实：车库顶板伸缩缝渗水", measures="", result="",
                                done=False, acting_user=worker, now=at)
    # 派工单抄送片区管理员: the building of the household has its steward
    steward = staff.get(Role.BUILDING_STEWARD)
    person = people[1]
    if steward is not None:
        # demo set-up of the estate (no action assigns buildings to stewards yet)
        building = person.household.building
        building.steward = steward.user
        building.save(update_fields=["steward"])
    moment = now - dt.timedelta(hours=3)
    copied = receive(person, moment, f"{person.household.building.name}单元门禁刷卡无反应")
    with clock.frozen(moment + dt.timedelta(minutes=15)):
        actions.dispatch_ticket(ticket=copied, department=engineering, assignee=worker, acting_user=desk,
                                now=moment + dt.timedelta(minutes=15))
    # 政府转来的投诉: held by 品质管理部, its fact check and handling opinion
    moment = now - dt.timedelta(hours=26)
    petition = receive(people[2], moment, "12345热线转来：小区消防通道被私家车长期占用", channel="government_petition",
                       source="government", agreed_feedback_at=None)
    at = moment + dt.timedelta(hours=2)
    with clock.frozen(at):
        actions.record_quality_opinion(ticket=petition, fact_check="已与管理处核实：地库出口消防通道被两辆私家车占用属实",
                                       opinion="管理处当日劝离车辆并增设禁停标识，安管部每日巡查，品质管理部跟进验证",
                                       acting_user=quality, now=at)
    # 市政配套: a coordinator follows the municipal complaint
    moment = now - dt.timedelta(hours=5)
    municipal = receive(people[3], moment, "小区门口市政路灯坏了一个月，晚上很黑", municipal=True)
    with clock.frozen(moment + dt.timedelta(minutes=40)):
        actions.designate_coordinator(ticket=municipal, coordinator=supervisor, acting_user=supervisor,
                                      now=moment + dt.timedelta(minutes=40))
    # 记录表投诉: the handler expects more than one working day and lists it
    moment = now - dt.timedelta(hours=4)
    difficult = receive(people[4] if len(people) > 4 else people[0], moment, "楼上住户装修导致我家天花板开裂，要求协调赔偿")
    at = moment + dt.timedelta(minutes=30)
    with clock.frozen(at):
        actions.dispatch_ticket(ticket=difficult, department=engineering, assignee=worker, acting_user=desk, now=at)
        actions.mark_record_form(ticket=difficult, handler=None, reason="需协调楼上住户和保险公司，预计超过一个工作日",
                                 acting_user=worker, now=at)
    return 5 + _demo_role_records(project, staff, quality, people, now)


def _demo_role_records(project: Project, staff: dict[str, Any], quality: Any, people: list[Any],
                       now: dt.datetime) -> int:
    """Issue 16: this morning's suggestion-box opening with its slip (R-M1-12) — a suggestion awaiting the
    主任's decision (R-M1-15) — and an online complaint 品质管理部 has emailed but not yet telephoned
    (R-M2-09). Returns how many tickets were received."""
    desk = staff[Role.FRONT_DESK].user
    local = now.astimezone(project.tz)
    opened = dt.datetime.combine(local.date(), project.suggestion_box_time or dt.time(8, 30), tzinfo=project.tz)
    opened = min(opened, now - dt.timedelta(hours=1))
    with clock.frozen(opened):
        box = actions.record_box_opening(project=project, opened_at=opened, opened_by=desk, slip_count=1,
                                         note="意见箱内一张意见条", acting_user=desk, now=opened)
        actions.receive_ticket(project=project, kind="suggestion", channel="suggestion_box", content="建议在地库电梯厅增加指示牌",
                               complainant_surname=people[0].name[0], household=people[0].household,
                               suggestion_box_opening=box, courtesy="thanks", acting_user=desk, now=opened)
    if quality is None:
        return 1
    moment = now - dt.timedelta(hours=2)
    with clock.frozen(moment):
        online = actions.receive_ticket(project=project, kind="complaint", channel="online", source="website",
                                        content="业主论坛发帖：小区垃圾清运不及时，气味很大", anonymous=True,
                                        online_url="https://bbs.example.com/t/1024", acting_user=quality, now=moment)
        actions.record_online_notification(ticket=online, emailed=True, note="已发客服部经理及前台", acting_user=quality,
                                           now=moment + dt.timedelta(minutes=5))
    return 2
