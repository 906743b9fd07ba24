"""Every write of the visits app (STYLE §2): record a visit with its problems, correct or void it,
settle a problem (solved / cannot be solved), raise a ticket from a problem (R-M9-11).

Conventions as in apps.tickets.actions: keyword-only, ``acting_user`` and ``now`` passed in,
:class:`VisitError` with a Chinese message, ``field``, ``code`` and HTTP ``status``. Each action runs
in ``transaction.atomic()``: a savepoint inside the caller's transaction, so actions compose.
Recording needs ``Cap.RECORD_VISITS`` in the project (客服前台/管家/主管/经理, :mod:`apps.visits.access`);
a project the user cannot see answers 404. Nothing is deleted: corrections and voids are kept by
simple-history with their reason.

Reactions (both (a): an explicit call inside the visit's transaction — if it fails, nothing is written):
- an open problem with a responsible department tells the department heads
  (``apps.notify.actions.notify_staff``, R-M9-04);
- raising a ticket from a problem calls ``apps.tickets.actions.receive_ticket`` and links the ticket,
  under the locks of the visit and the problem (R-M9-11).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.core.errors import DomainError
from apps.estates import actions as estate_actions
from apps.estates.models import Household, OccupancyStatus
from apps.notify import queries as notify_queries
from apps.notify.actions import notify_owner, notify_staff
from apps.org.access import can_see_project, departments_headed, has_cap, roles_in
from apps.org.models import Department, Project
from apps.org.roles import Cap, Role
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind
from apps.visits import annual, cycles, queries
from apps.visits.access import can_record, can_void
from apps.visits.models import (
    HOUSEHOLD_CARE_KINDS,
    RATE_MEASURES,
    AnnualVisitPlan,
    AnnualVisitTarget,
    CycleMode,
    EarlyCare,
    EarlyCareKind,
    FollowUpKind,
    NotMovedInCall,
    PlanStatus,
    ProblemStatus,
    ReturnMeasure,
    Visit,
    VisitCategory,
    VisitMethod,
    VisitPlan,
    VisitPlanItem,
    VisitProblem,
    VisitProblemFollowUp,
    VisitProgrammeSettings,
    VisitRoundSummary,
)
from apps.visits.queries import cs_department, department_heads

# Problems recorded with one visit (the form's ProblemFormSet.max_num and the API's limit).
MAX_PROBLEMS = 20

if TYPE_CHECKING:
    from apps.estates.models import Person
    from apps.org.models import User
    from apps.tickets.models import Category, Ticket


class VisitError(DomainError):
    """A refused visit action: Chinese ``message`` for staff, ``code``/``field``/``status`` for the API."""


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> VisitError:
    return VisitError(message, field=field, code=code)


def _require_record(user: User, project: Project) -> None:
    if not can_see_project(user, project):
        raise VisitError("项目不存在", field="project", code="not_found", status=404)
    if not can_record(user, project):
        raise VisitError("只有本项目客服部人员（前台、管家、主管、经理）可以记录走访", code="forbidden", status=403)


def check_phone_time(project: Project, at: dt.datetime, emergency_reason: str = "") -> str:
    """R-M17-01 (P-21): a phone call to an owner at ``at`` inside the project's quiet hours is refused
    (409 ``quiet_hours`` on ``emergency_reason``, with the next allowed time) unless an emergency reason
    is given — the company's/project's policy through :func:`apps.notify.queries.check_call_time`, the
    same check as every other outbound-call path. Returns the reason to keep ("" outside the windows)."""
    reason = (emergency_reason or "").strip()
    if len(reason) > 200:
        raise _refuse("紧急原因不能超过200字", "emergency_reason")
    try:
        warning = notify_queries.check_call_time(project, at, emergency_reason=reason)
    except notify_queries.NotifyError as exc:
        raise VisitError(exc.message, field="emergency_reason", code="quiet_hours", status=409) from None
    return reason if warning else ""


def _text(value: str | None, label: str, field: str, minimum: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise _refuse(f"请填写{label}" + (f"（至少{minimum}个字）" if minimum > 1 else ""), field)
    return value


def _check_department(department: Department | None, project: Project, field: str) -> None:
    if department is not None and department.project_id != project.pk:
        raise _refuse("责任部门不属于该项目", field)


def _check_category(category: Category | None, project: Project, field: str) -> None:
    if category is not None and (not category.active or category.company_id not in (None, project.company_id)):
        raise _refuse("问题分类不可用", field)


def _save(obj: Any, fields: Sequence[str] | None, *, acting_user: User, reason: str) -> None:
    obj._change_reason = reason[:100]  # simple-history keeps why (STYLE §8 b); its column holds 100 characters
    obj._history_user = acting_user
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=list(fields))


# ---------------------------------------------------------------- record


def _clean_problem(raw: Mapping[str, Any], project: Project, i: int) -> dict[str, Any]:
    field = f"problems.{i}"
    description = _text(raw.get("description"), f"第{i + 1}个问题的描述", f"{field}.description")
    status = raw.get("status") or ProblemStatus.OPEN
    if status not in (ProblemStatus.ON_SPOT, ProblemStatus.OPEN):
        raise _refuse("记录走访时，问题只能是“当场解决”或“待解决”", f"{field}.status")
    answer = (raw.get("answer") or "").strip()
    if status == ProblemStatus.ON_SPOT and not answer:
        raise _refuse(f"第{i + 1}个问题当场解决，请填写当场的答复", f"{field}.answer")
    category = raw.get("category")
    _check_category(category, project, f"{field}.category")
    department = raw.get("department")
    _check_department(department, project, f"{field}.department")
    return {"description": description, "status": status, "answer": answer, "category": category,
            "department": department}


@transaction.atomic
def record_visit(*, project: Project, household: Household | None, category: str, method: str,
                 visited_at: dt.datetime | None, communicated: str, opinions: str, acting_user: User,
                 now: dt.datetime, person: Person | None = None, visitor: User | None = None,
                 problems: Sequence[Mapping[str, Any]] = (), emergency_reason: str = "") -> Visit:
    """记录走访 — one line of the 业主回访记录表 (R-M9-01, R-M9-03) with the problems raised (R-M9-04).

    - Filed with the project's 客服部 (R-M6-06): refused when the project has none.
    - ``visited_at`` is when the visit took place (not later than now); ``visitor`` defaults to the
      recorder and must work in the project.
    - Each problem: description; ``status`` 当场解决 (with the answer given) or 待解决; optional
      category (the ticket category tree) and responsible department, whose head is notified of an
      open problem (R-M9-04).
    - R-M17-01: a visit by phone inside the quiet hours is saved only with an ``emergency_reason``."""
    _require_record(acting_user, project)
    if category not in VisitCategory.values:
        raise _refuse("请选择走访类别", "category")
    if method not in VisitMethod.values:
        raise _refuse("请选择走访方式", "method")
    if household is None:
        raise _refuse("请选择被访房屋", "household")
    if household.project_id != project.pk:
        raise _refuse("房屋不属于该项目", "household")
    if person is not None and person.household_id != household.pk:
        raise _refuse("被访人不属于所选房屋", "person")
    visitor = visitor or acting_user
    if not visitor.is_active or not can_see_project(visitor, project):
        raise _refuse("走访人不是本项目员工", "visitor")
    if visited_at is None:
        raise _refuse("请填写走访时间", "visited_at")
    if visited_at.tzinfo is None:
        raise _refuse("走访时间须带时区", "visited_at")
    if visited_at > now + dt.timedelta(minutes=5):
        raise _refuse("走访时间不能晚于当前时间", "visited_at")
    communicated = _text(communicated, "沟通内容", "communicated")
    opinions = _text(opinions, "业主意见（如业主无意见请写“无”）", "opinions")
    kept_reason = check_phone_time(project, visited_at, emergency_reason) if method == VisitMethod.PHONE else ""
    if len(problems) > MAX_PROBLEMS:
        raise _refuse(f"一次走访最多记录{MAX_PROBLEMS}个问题", "problems")
    cleaned = [_clean_problem(raw, project, i) for i, raw in enumerate(problems)]
    department = cs_department(project)
    if department is None:
        raise VisitError(f"项目「{project.name}」没有客服部；走访记录须由客服部归档，请先设置客服部",
                         field="project", code="no_cs_department", status=409)
    visit = Visit(project=project, household=household, person=person, category=category, method=method,
                  visitor=visitor, visited_at=visited_at, visited_on=visited_at.astimezone(project.tz).date(),
                  communicated=communicated, opinions=opinions, filed_department=department,
                  recorded_by=acting_user, recorded_at=now, emergency_reason=kept_reason)
    _save(visit, None, acting_user=acting_user, reason="记录走访")
    for data in cleaned:
        problem = VisitProblem(visit=visit, created_at=now, **data)
        if problem.status == ProblemStatus.ON_SPOT:
            problem.resolved_at, problem.resolved_by = visited_at, visitor
        _save(problem, None, acting_user=acting_user, reason="走访时记录")
        if problem.status == ProblemStatus.OPEN and problem.department is not None:
            heads = department_heads(problem.department)
            if heads:  # reaction (a): in this transaction, so a failure leaves no visit without its notice
                notify_staff(heads, kind="visit_problem_assigned", subject=f"走访问题待处理：{household.label}",
                             body=f"{problem.description[:200]}\n请落实整改措施并将进展反馈客服部。",
                             link=f"/visits/{visit.pk}/", project=project,
                             dedupe_key=f"visit-problem-dept:{problem.pk}", now=now)
    return visit


# ---------------------------------------------------------------- corrections and void

CORRECTABLE: frozenset[str] = frozenset({"category", "method", "person", "visitor", "visited_at", "communicated",
                                          "opinions"})


def _lock_visit(visit: Visit) -> Visit:
    fresh = Visit.objects.select_for_update().select_related("project").get(pk=visit.pk)
    if fresh.voided:
        raise VisitError("该走访记录已作废，不能修改", code="voided", status=409)
    return fresh


@transaction.atomic
def correct_visit(*, visit: Visit, changes: Mapping[str, Any], reason: str, acting_user: User,
                  now: dt.datetime, emergency_reason: str = "") -> Visit:
    """更正走访记录: change some recorded fields with a reason; the old values stay in the history.
    A correction that makes the visit a phone call, or moves a phone call's time, is checked against the
    quiet hours like a new record (R-M17-01)."""
    _require_record(acting_user, visit.project)
    visit = _lock_visit(visit)
    reason = _text(reason, "更正原因", "reason", minimum=2)
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise _refuse(f"这些内容不能更正：{'、'.join(sorted(unknown))}", sorted(unknown)[0])
    if "category" in changes and changes["category"] not in VisitCategory.values:
        raise _refuse("请选择走访类别", "category")
    if "method" in changes and changes["method"] not in VisitMethod.values:
        raise _refuse("请选择走访方式", "method")
    for key in ("communicated", "opinions"):
        if key in changes:
            changes = {**changes, key: _text(changes[key], "沟通内容" if key == "communicated" else "业主意见", key)}
    person = changes.get("person", visit.person)
    if person is not None and person.household_id != visit.household_id:
        raise _refuse("被访人不属于所选房屋", "person")
    visitor = changes.get("visitor", visit.visitor)
    if visitor is None or not can_see_project(visitor, visit.project) or (
            "visitor" in changes and not visitor.is_active):  # as record_visit; a departed visitor may stay
        raise _refuse("走访人不是本项目员工", "visitor")
    if "visited_at" in changes:
        at = changes["visited_at"]
        if at is None or at.tzinfo is None:
            raise _refuse("请填写带时区的走访时间", "visited_at")
        if at > now + dt.timedelta(minutes=5):
            raise _refuse("走访时间不能晚于当前时间", "visited_at")
    changed = [k for k, v in changes.items() if getattr(visit, k) != v]
    if not changed:
        raise _refuse("没有需要更正的内容", code="unchanged")
    if changes.get("method", visit.method) == VisitMethod.PHONE and {"method", "visited_at"} & set(changed):
        kept = check_phone_time(visit.project, changes.get("visited_at", visit.visited_at), emergency_reason)
        if kept != visit.emergency_reason:
            changes = {**changes, "emergency_reason": kept}
            changed.append("emergency_reason")
    for key in changed:
        setattr(visit, key, changes[key])
    if "visited_at" in changed:
        visit.visited_on = visit.visited_at.astimezone(visit.project.tz).date()
        changed.append("visited_on")
    _save(visit, changed, acting_user=acting_user, reason=f"更正：{reason}")
    return visit


@transaction.atomic
def void_visit(*, visit: Visit, reason: str, acting_user: User, now: dt.datetime) -> Visit:
    """作废 a visit recorded in error (主管以上, ``Cap.VOID``): it stays in the file, marked void with the
    reason, and no longer counts in the statistics. A visit whose problem became a ticket cannot be voided."""
    if not can_see_project(acting_user, visit.project):
        raise VisitError("走访记录不存在", code="not_found", status=404)
    if not can_void(acting_user, visit.project):
        raise VisitError("只有客服主管及以上可以作废走访记录", code="forbidden", status=403)
    visit = _lock_visit(visit)
    reason = _text(reason, "作废原因", "reason", minimum=4)
    if visit.problems.filter(ticket__isnull=False).exists():
        raise VisitError("该走访已有问题转为投诉工单，不能作废", code="has_ticket", status=409)
    visit.voided_at, visit.voided_by, visit.void_reason = now, acting_user, reason[:200]
    _save(visit, ["voided_at", "voided_by", "void_reason"], acting_user=acting_user, reason=f"作废：{reason}")
    return visit


# ---------------------------------------------------------------- problems


def _lock_problem(problem: VisitProblem, acting_user: User) -> VisitProblem:
    """Lock the visit, then the problem (always in this order: void, settle and raising a ticket)."""
    visit = Visit.objects.select_for_update().get(pk=problem.visit_id)
    fresh = VisitProblem.objects.select_for_update().get(pk=problem.pk)
    fresh.visit = Visit.objects.select_related("project", "household", "person").get(pk=visit.pk)
    _require_record(acting_user, fresh.visit.project)
    if fresh.visit.voided:
        raise VisitError("该走访记录已作废", code="voided", status=409)
    return fresh


@transaction.atomic
def settle_problem(*, problem: VisitProblem, outcome: str, text: str, acting_user: User, now: dt.datetime,
                   department: Department | None = None) -> VisitProblem:
    """Close an open visit problem (R-M9-04, R-M9-06): ``outcome`` 已解决 with the result, or 无法解决
    with the reason (counted in the year-end list of R-M5-12)."""
    problem = _lock_problem(problem, acting_user)
    if problem.status != ProblemStatus.OPEN:
        raise VisitError(f"该问题已是“{problem.get_status_display()}”，只有待解决的问题可以办结", code="not_open",
                         status=409)
    if outcome == ProblemStatus.SOLVED:
        problem.answer = _text(text, "处理结果", "text", minimum=2)
    elif outcome == ProblemStatus.CANNOT_SOLVE:
        problem.cannot_reason = _text(text, "无法解决的原因", "text", minimum=4)
    else:
        raise _refuse("办结结果只能是“已解决”或“无法解决”", "outcome")
    _check_department(department, problem.visit.project, "department")
    fields = ["status", "answer", "cannot_reason", "resolved_at", "resolved_by"]
    if department is not None:
        problem.department = department
        fields.append("department")
    problem.status, problem.resolved_at, problem.resolved_by = outcome, now, acting_user
    _save(problem, fields, acting_user=acting_user, reason=str(ProblemStatus(outcome).label))
    return problem


@transaction.atomic
def raise_ticket_from_problem(*, problem: VisitProblem, acting_user: User, now: dt.datetime,
                              agreed_feedback_at: dt.datetime | None = None, complainant_surname: str = "",
                              phone: str = "", kind: str = "complaint",
                              department: Department | None = None) -> Ticket:
    """R-M9-11: a complaint raised during a visit enters the complaint procedure — a ticket with channel
    走访/回访中提出 (FIELD_VISIT), received at the visit time, for the visited household (and person),
    then linked to the problem. The ticket intake rules apply (R-M1-05, R-M1-09: a contact and the
    feedback time agreed with the owner); their refusals come back unchanged as the tickets app's
    :class:`~apps.tickets.actions.TicketError` (both are :class:`~apps.core.errors.DomainError`).

    One transaction (reaction (a)): the visit and the problem are locked (the order void and settle
    take too), re-checked (not voided, still open, no ticket), the ticket is received by
    ``apps.tickets.actions.receive_ticket`` and linked. A refused intake or a failure while linking
    rolls back both: never a ticket without its problem, never a second ticket for one problem."""
    if kind not in (Kind.COMPLAINT, Kind.REPAIR, Kind.SUGGESTION, Kind.NEED):
        raise _refuse("工单类型不正确", "kind")
    problem = _lock_problem(problem, acting_user)
    visit = problem.visit
    if problem.ticket_id is not None:
        raise VisitError("该问题已转为工单", code="already_raised", status=409)
    if problem.status != ProblemStatus.OPEN:
        raise VisitError("只有待解决的问题可以转为投诉工单", code="not_open", status=409)
    department = department or problem.department
    _check_department(department, visit.project, "department")
    content = (f"{problem.description}\n（{visit.visited_on:%Y-%m-%d} {visit.get_category_display()}"
               f"（{visit.get_method_display()}）中提出，走访记录 #{visit.pk}）")
    ticket = ticket_actions.receive_ticket(
        project=visit.project, kind=kind, channel=Channel.FIELD_VISIT, content=content, acting_user=acting_user,
        now=now, received_at=min(visit.visited_at, now), household=visit.household, person=visit.person,
        complainant_surname=complainant_surname, phone=phone, category=problem.category, department=department,
        agreed_feedback_at=agreed_feedback_at,
    )
    problem.ticket = ticket
    if department is not None and problem.department_id is None:
        problem.department = department
    _save(problem, ["ticket", "department"], acting_user=acting_user, reason=f"转投诉工单 {ticket.number}")
    return ticket


# ---------------------------------------------------------------- the visit programme (M9)


def _require(user: User, project: Project, cap: str, message: str) -> None:
    if not can_see_project(user, project):
        raise VisitError("项目不存在", field="project", code="not_found", status=404)
    if not has_cap(user, cap, project):
        raise VisitError(message, code="forbidden", status=403)


@transaction.atomic
def save_programme_settings(*, project: Project, acting_user: User, now: dt.datetime, cycle_mode: str,
                            cycle_months: int, new_owner_days: int, elderly_interval_days: int, warn_days: int = 7,
                            starts_on: dt.date | None = None) -> VisitProgrammeSettings:
    """设置走访周期 (P-17, P-18, R-M9-18) for one project: 管理处经理 (``Cap.MANAGE_CONFIG``)."""
    _require(acting_user, project, Cap.MANAGE_CONFIG, "只有管理处经理或系统管理员可以修改走访周期设置")
    if cycle_mode not in CycleMode.values:
        raise _refuse("请选择走访周期", "cycle_mode")
    checks = [("cycle_months", cycle_months, 1, 12, "间隔月数须在1–12之间"),
              ("new_owner_days", new_owner_days, 1, 30, "新业主首次走访天数须在1–30之间"),
              ("elderly_interval_days", elderly_interval_days, 1, 366, "空巢老人走访间隔须在1–366天之间"),
              ("warn_days", warn_days, 0, 60, "提前提醒天数须在0–60之间")]
    for field, value, low, high, message in checks:
        if value is None or not low <= int(value) <= high:
            raise _refuse(message, field)
    row = VisitProgrammeSettings.objects.select_for_update().filter(project=project).first() or \
        VisitProgrammeSettings(company_id=project.company_id, project=project)
    row.cycle_mode, row.cycle_months, row.new_owner_days = cycle_mode, cycle_months, new_owner_days
    row.elderly_interval_days, row.warn_days, row.starts_on = elderly_interval_days, warn_days, starts_on
    row.updated_at, row.updated_by = now, acting_user
    _save(row, None, acting_user=acting_user, reason="修改走访周期设置")
    return row


def _plan_households(project: Project, household_ids: Sequence[int], field: str) -> list[Household]:
    from_db = {h.pk: h for h in Household.objects.filter(pk__in=household_ids)}
    out = []
    for hid in dict.fromkeys(household_ids):
        hh = from_db.get(hid)
        if hh is None or hh.project_id != project.pk:
            raise _refuse("房屋不属于该项目", field)
        out.append(hh)
    return out


def _plan_visitor(project: Project, visitor: User | None) -> None:
    if visitor is not None and (not visitor.is_active or not can_record(visitor, project)):
        raise _refuse("走访人须为本项目客服人员", "visitor")


@transaction.atomic
def draw_up_plan(*, project: Project, month: dt.date, requirements: str, acting_user: User, now: dt.datetime,
                 household_ids: Sequence[int] = (), visitor: User | None = None) -> VisitPlan:
    """编制月度走访计划 (R-M9-10, R-M9-09): the 客服部主管 (``Cap.PLAN_VISITS``), one plan per project and month,
    for the current or a later month."""
    _require(acting_user, project, Cap.PLAN_VISITS, "只有客服部主管（或经理）可以编制走访计划")
    month = cycles.month_start(month)
    if month < cycles.month_start(now.astimezone(project.tz).date()):
        raise _refuse("不能为已过去的月份编制走访计划", "month")
    if VisitPlan.objects.filter(project=project, month=month).exists():
        raise VisitError(f"{month:%Y年%m月}的走访计划已存在", field="month", code="exists", status=409)
    requirements = _text(requirements, "走访内容与要求", "requirements", minimum=4)
    _plan_visitor(project, visitor)
    households = _plan_households(project, household_ids, "household_ids")
    plan = VisitPlan(project=project, month=month, requirements=requirements, drawn_by=acting_user, drawn_at=now)
    _save(plan, None, acting_user=acting_user, reason="编制走访计划")
    VisitPlanItem.objects.bulk_create([VisitPlanItem(plan=plan, household=h, visitor=visitor) for h in households])
    return plan


def _lock_plan(plan: VisitPlan) -> VisitPlan:
    return VisitPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)


@transaction.atomic
def change_plan(*, plan: VisitPlan, acting_user: User, now: dt.datetime, add_household_ids: Sequence[int] = (),
                remove_household_ids: Sequence[int] = (), visitor: User | None = None, requirements: str = "",
                reason: str = "") -> VisitPlan:
    """修改走访计划. A change to an approved plan needs a reason and sends the plan back for
    re-approval by the 物业总经理 (R-M9-10): it does not run changed without it."""
    _require(acting_user, plan.project, Cap.PLAN_VISITS, "只有客服部主管（或经理）可以修改走访计划")
    plan = _lock_plan(plan)
    if plan.status == PlanStatus.SUBMITTED:
        raise VisitError("计划正在审批中，不能修改", code="in_approval", status=409)
    approved = plan.status == PlanStatus.APPROVED
    reason = (reason or "").strip()
    if approved and len(reason) < 2:
        raise _refuse("计划已批准：变更须写明原因，并重新报物业总经理审批", "reason")
    _plan_visitor(plan.project, visitor)
    add = _plan_households(plan.project, add_household_ids, "add_household_ids")
    existing = set(plan.items.values_list("household_id", flat=True))
    removing = set(remove_household_ids) & existing
    if set(remove_household_ids) - existing:
        raise _refuse("要移除的房屋不在计划中", "remove_household_ids")
    new = [h for h in add if h.pk not in existing]
    requirements = (requirements or "").strip()
    if not new and not removing and (not requirements or requirements == plan.requirements):
        raise _refuse("没有需要修改的内容", code="unchanged")
    VisitPlanItem.objects.filter(plan=plan, household_id__in=removing).delete()
    VisitPlanItem.objects.bulk_create([VisitPlanItem(plan=plan, household=h, visitor=visitor) for h in new])
    if requirements:
        plan.requirements = requirements
    if approved:
        plan.status, plan.version, plan.changed_after_approval = PlanStatus.SUBMITTED, plan.version + 1, True
        plan.change_reason, plan.submitted_at = reason[:200], now
    _save(plan, None, acting_user=acting_user, reason=f"修改计划：{reason}" if reason else "修改计划")
    if approved:
        _tell_approvers(plan, now, changed=True)
    return plan


def _tell_approvers(plan: VisitPlan, now: dt.datetime, *, changed: bool = False) -> None:
    approvers = queries.approvers_of(plan.project)
    if approvers:
        what = "变更后重新审批" if changed else "审批"
        notify_staff(approvers, kind="visit_plan_approval", subject=f"走访计划待{what}：{plan}",
                     body=plan.requirements[:200], link=f"/visits/plans/{plan.pk}/", project=plan.project,
                     dedupe_key=f"visit-plan-approval:{plan.pk}:{plan.version}", now=now)


@transaction.atomic
def submit_plan(*, plan: VisitPlan, acting_user: User, now: dt.datetime) -> VisitPlan:
    """报批: a draft or returned plan with at least one household goes to the 物业总经理."""
    _require(acting_user, plan.project, Cap.PLAN_VISITS, "只有客服部主管（或经理）可以报批走访计划")
    plan = _lock_plan(plan)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise VisitError(f"计划已是“{plan.get_status_display()}”，不能再报批", code="bad_status", status=409)
    if not plan.items.exists():
        raise _refuse("计划中还没有走访房屋", "household_ids")
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, now
    _save(plan, ["status", "submitted_at"], acting_user=acting_user, reason="报批")
    _tell_approvers(plan, now)
    return plan


def _record_decision(plan: Any, *, approve: bool, note: str, acting_user: User, now: dt.datetime) -> Any:
    """The 物业总经理's decision on a locked, submitted plan (monthly or annual): approved, or returned
    with a note of at least two characters; who, when and why go to the plan's history."""
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise _refuse("退回须填写意见", "note")
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.approved_by, plan.approved_at, plan.approval_note = (acting_user, now, note[:200]) if approve else \
        (None, None, note[:200])
    _save(plan, ["status", "approved_by", "approved_at", "approval_note"], acting_user=acting_user,
          reason="批准" if approve else f"退回：{note}")
    return plan


@transaction.atomic
def decide_plan(*, plan: VisitPlan, approve: bool, note: str, acting_user: User, now: dt.datetime) -> VisitPlan:
    """物业总经理审批 (R-M9-10): approve, or return with a note. Only a submitted plan."""
    _require(acting_user, plan.project, Cap.APPROVE_VISIT_PLANS, "只有物业总经理可以审批走访计划")
    plan = _lock_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise VisitError("只有待审批的计划可以审批", code="bad_status", status=409)
    return _record_decision(plan, approve=approve, note=note, acting_user=acting_user, now=now)


# ---------------------------------------------------------------- round summary (R-M9-07)

SIGN_STAGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # stage: (roles that sign it, the field prefix, the stage that must come first)
    "supervisor": ((Role.CS_SUPERVISOR,), "supervisor", ""),
    "manager": ((Role.CS_MANAGER, Role.PROJECT_MANAGER), "manager", "supervisor"),
    "gm": ((Role.GENERAL_MANAGER,), "gm", "manager"),
}


@transaction.atomic
def prepare_round_summary(*, project: Project, month: dt.date, summary: str, acting_user: User,
                          now: dt.datetime) -> VisitRoundSummary:
    """客服专员汇总走访记录 (R-M9-07): the month's visit and problem counts are taken from the records."""
    _require_record(acting_user, project)
    month = cycles.month_start(month)
    if month > cycles.month_start(now.astimezone(project.tz).date()):
        raise _refuse("不能汇总尚未开始的月份", "month")
    if VisitRoundSummary.objects.filter(project=project, month=month).exists():
        raise VisitError(f"{month:%Y年%m月}的走访汇总已存在", field="month", code="exists", status=409)
    summary = _text(summary, "汇总内容", "summary", minimum=4)
    end = cycles.month_end(month)
    visits = Visit.objects.filter(project=project, voided_at=None, visited_on__gte=month, visited_on__lte=end)
    row = VisitRoundSummary(project=project, month=month, summary=summary, visit_count=visits.count(),
                            problem_count=VisitProblem.objects.filter(visit__in=visits).count(),
                            prepared_by=acting_user, prepared_at=now)
    _save(row, None, acting_user=acting_user, reason="汇总")
    return row


@transaction.atomic
def sign_round_summary(*, summary: VisitRoundSummary, stage: str, acting_user: User,
                       now: dt.datetime) -> VisitRoundSummary:
    """Sign one stage of the summary, in order: 客服部主管 → 经理 → 物业总经理 (R-M9-07)."""
    if not can_see_project(acting_user, summary.project):
        raise VisitError("走访汇总不存在", code="not_found", status=404)
    if stage not in SIGN_STAGES:
        raise _refuse("签字环节不正确", "stage")
    roles, prefix, before = SIGN_STAGES[stage]
    summary = VisitRoundSummary.objects.select_for_update().select_related("project").get(pk=summary.pk)
    if not (roles_in(acting_user, summary.project) & set(roles)):
        labels = "、".join(str(Role(r).label) for r in roles)
        raise VisitError(f"此环节须由{labels}签字", code="forbidden", status=403)
    if getattr(summary, f"{prefix}_signed_at") is not None:
        raise VisitError("此环节已签字", code="already_signed", status=409)
    if before and getattr(summary, f"{before}_signed_at") is None:
        raise VisitError("须按顺序签字：客服部主管、经理审核签字后，再由物业总经理审阅", code="out_of_order",
                         status=409)
    setattr(summary, f"{prefix}_signed_by", acting_user)
    setattr(summary, f"{prefix}_signed_at", now)
    _save(summary, [f"{prefix}_signed_by", f"{prefix}_signed_at"], acting_user=acting_user, reason=f"签字：{stage}")
    return summary


# ---------------------------------------------------------------- rectification (R-M9-06/-08/-20)


@transaction.atomic
def report_problem_progress(*, problem: VisitProblem, text: str, acting_user: User,
                            now: dt.datetime) -> VisitProblemFollowUp:
    """责任部门反馈 (R-M9-08, R-M9-20): the head of the responsible department (or the CS staff on its
    behalf) reports measures and progress back to the CS department, who are told."""
    visit = Visit.objects.select_related("project").get(pk=problem.visit_id)
    if not can_see_project(acting_user, visit.project):
        raise VisitError("走访问题不存在", code="not_found", status=404)
    problem = VisitProblem.objects.select_for_update().get(pk=problem.pk)
    heads = problem.department_id is not None and problem.department_id in departments_headed(acting_user)
    if not heads and not can_record(acting_user, visit.project):
        raise VisitError("只有责任部门负责人或客服人员可以反馈整改进展", code="forbidden", status=403)
    if problem.status != ProblemStatus.OPEN:
        raise VisitError("只有待解决的问题可以反馈整改进展", code="not_open", status=409)
    text = _text(text, "整改措施与进展", "text", minimum=4)
    row = VisitProblemFollowUp.objects.create(problem=problem, kind=FollowUpKind.PROGRESS, text=text,
                                              by=acting_user, at=now)
    notify_staff([visit.recorded_by, visit.visitor], kind="visit_problem_progress",
                 subject=f"走访问题整改进展：{problem.description[:30]}", body=text[:200],
                 link=f"/visits/{visit.pk}/", project=visit.project, now=now)
    return row


@transaction.atomic
def return_visit_problem(*, problem: VisitProblem, satisfied: bool, text: str, acting_user: User,
                         now: dt.datetime, method: str = VisitMethod.PHONE,
                         emergency_reason: str = "") -> VisitProblemFollowUp:
    """回访整改结果 (R-M9-06): satisfied → the problem is solved; not satisfied → it stays open, the
    responsible department is told again, and work continues until the owner is satisfied (R-M4-09)."""
    problem = _lock_problem(problem, acting_user)
    if problem.status != ProblemStatus.OPEN:
        raise VisitError("只有待解决的问题可以回访整改结果", code="not_open", status=409)
    if not problem.follow_ups.filter(kind=FollowUpKind.PROGRESS).exists():
        raise VisitError("责任部门尚未反馈整改结果，不能回访", code="no_progress", status=409)
    text = _text(text, "回访情况", "text", minimum=2)
    if method not in (VisitMethod.PHONE, VisitMethod.FACE_TO_FACE):
        raise _refuse("请选择回访方式（电话或上门）", "method")
    kept = check_phone_time(problem.visit.project, now, emergency_reason) if method == VisitMethod.PHONE else ""
    row = VisitProblemFollowUp.objects.create(problem=problem, kind=FollowUpKind.RETURN_VISIT, text=text,
                                              satisfied=satisfied, by=acting_user, at=now, method=method,
                                              emergency_reason=kept)
    if satisfied:
        problem.status, problem.answer = ProblemStatus.SOLVED, text
        problem.resolved_at, problem.resolved_by = now, acting_user
        _save(problem, ["status", "answer", "resolved_at", "resolved_by"], acting_user=acting_user,
              reason="回访：业主满意")
    elif problem.department is not None:
        heads = department_heads(problem.department)
        if heads:
            notify_staff(heads, kind="visit_problem_assigned", subject=f"业主对整改不满意：{problem.visit.household.label}",
                         body=f"{problem.description[:120]}\n回访：{text[:120]}\n请继续整改并反馈客服部。",
                         link=f"/visits/{problem.visit_id}/", project=problem.visit.project,
                         dedupe_key=f"visit-problem-unsatisfied:{row.pk}", now=now)
    return row


@transaction.atomic
def welcome_new_owner(*, household: Household, acting_user: User, now: dt.datetime) -> int:
    """入伙短信 (R-M9-15): after the move-in formalities, an SMS thanks and welcomes each owner of the
    household and gives their butler's phone (the building's steward; else the project's service
    phone). Sent through ``apps.notify`` (quiet hours respected), once per owner. Returns how many."""
    project = household.project
    _require_record(acting_user, project)
    if household.move_in_date is None:
        raise _refuse("请先在业主档案中登记入住日期（办理入伙手续后）", "household", code="not_moved_in")
    steward = household.building.steward
    phone = (steward.phone if steward is not None and steward.phone else "") or project.service_phone
    if not phone:
        raise _refuse("该楼栋没有管家手机号，项目也没有服务电话，无法告知业主联系方式", "household", code="no_contact")
    who = f"您的管家{steward.display_name or steward.username}" if steward is not None and steward.phone else "服务中心"
    owners = list(household.persons.filter(kind="owner", active=True).exclude(phone="").order_by("pk"))
    if not owners:
        raise _refuse("该房屋没有登记手机号的业主", "household", code="no_phone")
    for person in owners:
        notify_owner(person, project=project, kind="welcome_new_owner",
                     body=f"尊敬的业主，欢迎您入住{project.name}！感谢您的信任，{who}电话 {phone}，有任何需要请随时联系。",
                     now=now, dedupe_key=f"welcome:{household.pk}:{person.pk}")
    return len(owners)


# ---------------------------------------------------------------- early occupancy (R-M9-16, R-M9-17)

MAX_SERVED = 100_000


def _moment(value: dt.datetime | None, now: dt.datetime, field: str, label: str) -> dt.datetime:
    if value is None or value.tzinfo is None:
        raise _refuse(f"请填写{label}", field)
    if value > now + dt.timedelta(minutes=5):
        raise _refuse(f"{label}不能晚于当前时间", field)
    return value


@transaction.atomic
def record_early_care(*, project: Project, kind: str, held_at: dt.datetime | None, note: str, acting_user: User,
                      now: dt.datetime, household: Household | None = None, place: str = "",
                      served: int | None = None, feedback: str = "") -> EarlyCare:
    """磨合期业户关怀 (R-M9-16) by the project's CS staff (``Cap.RECORD_VISITS``):

    - 访谈 (interview) of a moved-in household, with the owner's feedback that is then followed up
      (:func:`follow_up_early_care`) — the interview plan and its feedback mechanism;
    - help switching on the household's home alarm system (上门协助开通居家报警系统);
    - service cards handed out at the gates at peak times, and the on-site service desk when owners first
      move in: held for many owners, so no household but how many were served.
    A household of another project, a household not yet moved in, or a time in the future is refused."""
    _require_record(acting_user, project)
    if kind not in EarlyCareKind.values:
        raise _refuse("请选择关怀类别", "kind")
    held_at = _moment(held_at, now, "held_at", "时间")
    note = _text(note, "情况记录", "note", minimum=2)
    feedback = (feedback or "").strip()
    if kind in HOUSEHOLD_CARE_KINDS:
        if household is None:
            raise _refuse("请选择房屋", "household")
        if household.project_id != project.pk:
            raise _refuse("房屋不属于该项目", "household")
        if household.status != OccupancyStatus.OCCUPIED or household.move_in_date is None:
            raise _refuse("该房屋尚未登记入住，磨合期关怀只针对已入住业户", "household", code="not_moved_in")
        served = None
    else:
        if household is not None:
            raise _refuse("门岗派发服务卡和现场办公面向全体业户，不选房屋", "household")
        if served is None or not 1 <= int(served) <= MAX_SERVED:
            raise _refuse("请填写服务业户数或派发张数（至少1）", "served")
    if feedback and kind != EarlyCareKind.INTERVIEW:
        raise _refuse("只有磨合期访谈记录业户反馈", "feedback")
    row = EarlyCare(project=project, kind=kind, household=household, held_at=held_at, place=(place or "").strip()[:100],
                    served=served, note=note, feedback=feedback, recorded_by=acting_user, recorded_at=now)
    _save(row, None, acting_user=acting_user, reason="磨合期关怀")
    return row


@transaction.atomic
def follow_up_early_care(*, care: EarlyCare, text: str, acting_user: User, now: dt.datetime) -> EarlyCare:
    """跟进磨合期访谈反馈 (R-M9-16): the feedback an interview collected is followed up and closed with
    the result; only once, only where there is feedback."""
    care = EarlyCare.objects.select_for_update().select_related("project").get(pk=care.pk)
    _require_record(acting_user, care.project)
    if not care.feedback:
        raise VisitError("该记录没有需要跟进的业户反馈", code="no_feedback", status=409)
    if care.followed_up_at is not None:
        raise VisitError("该反馈已跟进", code="already_followed_up", status=409)
    care.follow_up = _text(text, "跟进结果", "text", minimum=2)
    care.followed_up_at, care.followed_up_by = now, acting_user
    _save(care, ["follow_up", "followed_up_at", "followed_up_by"], acting_user=acting_user, reason="跟进反馈")
    return care


@transaction.atomic
def record_not_moved_in_call(*, household: Household, called_at: dt.datetime | None, acting_user: User,
                             now: dt.datetime, reached: bool = True, reason: str = "", note: str = "",
                             person: Person | None = None, emergency_reason: str = "") -> NotMovedInCall:
    """未入住业主电话回访 (R-M9-17, R-M7-07): the CS staff (客服专员, ``Cap.RECORD_VISITS``) call an owner
    of a household not yet moved in and record why. A call that got through needs the reason, which
    also becomes the household's reason in the 入住动态表 through
    :func:`apps.estates.actions.record_not_moved_in_reason` (kept in its history); an unanswered call is
    recorded with a note. Nothing is written when either step refuses. A call inside the quiet hours
    is saved only with an ``emergency_reason`` (R-M17-01)."""
    project = household.project
    _require_record(acting_user, project)
    if household.status != OccupancyStatus.NOT_MOVED_IN:
        raise _refuse("该房屋不是“未入住”状态", "household", code="not_not_moved_in")
    if person is not None and person.household_id != household.pk:
        raise _refuse("通话业主不属于该房屋", "person")
    called_at = _moment(called_at, now, "called_at", "通话时间")
    reason, note = (reason or "").strip(), (note or "").strip()
    if reached and not reason:
        raise _refuse("已接通：请填写业主所说的未入住原因", "reason")
    if len(reason) > 200:
        raise _refuse("未入住原因不能超过200字", "reason")
    if not reached and not note:
        raise _refuse("未接通：请在通话记录中说明（如无人接听、关机）", "note")
    kept_reason = check_phone_time(project, called_at, emergency_reason)
    call = NotMovedInCall.objects.create(project=project, household=household, person=person, called_at=called_at,
                                         reached=reached, reason=reason, note=note, caller=acting_user,
                                         recorded_at=now, emergency_reason=kept_reason)
    if reached:
        try:
            estate_actions.record_not_moved_in_reason(acting_user, household, reason)
        except PermissionDenied as exc:
            raise VisitError(str(exc) or "您的岗位不能登记未入住原因", code="forbidden", status=403) from None
        except ValidationError as exc:
            raise _refuse("；".join(exc.messages), "reason") from None
    return call


# ---------------------------------------------------------------- the annual plan (R-M9-13)

MAX_TARGET = 1_000_000


def _clean_targets(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, int | str]]:
    """Targets as ``{"measure", "quarter", "value"}`` (quarter 0 = the whole year); each measure and
    period once, values whole numbers ≥ 0 (rates 0–100). At least one target."""
    out: list[dict[str, int | str]] = []
    seen: set[tuple[str, int]] = set()
    for i, row in enumerate(raw):
        field = f"targets.{i}"
        measure = str(row.get("measure") or "")
        if measure not in ReturnMeasure.values:
            raise _refuse("回访目标的衡量项不正确", f"{field}.measure")
        label = str(ReturnMeasure(measure).label)
        try:
            quarter = int(row.get("quarter") or 0)
        except (TypeError, ValueError):
            raise _refuse("季度须为0（全年）或1–4", f"{field}.quarter") from None
        if not 0 <= quarter <= 4:
            raise _refuse("季度须为0（全年）或1–4", f"{field}.quarter")
        value = row.get("value")
        try:
            number = int(value) if value is not None and str(value).strip() != "" else None
        except (TypeError, ValueError):
            number = None
        if number is None or (isinstance(value, float) and value != int(value)):
            raise _refuse(f"“{label}”的目标值须为整数", f"{field}.value")
        if number < 0:
            raise _refuse(f"“{label}”的目标值不能为负数", f"{field}.value", code="negative")
        if measure in RATE_MEASURES and number > 100:
            raise _refuse(f"“{label}”是百分比，目标值须在0–100之间", f"{field}.value")
        if number > MAX_TARGET:
            raise _refuse(f"“{label}”的目标值过大", f"{field}.value")
        if (measure, quarter) in seen:
            raise _refuse(f"“{label}”的同一期间目标重复填写", f"{field}.quarter", code="duplicate")
        seen.add((measure, quarter))
        out.append({"measure": measure, "quarter": quarter, "value": number})
    if not out:
        raise _refuse("年度计划须至少包含一项回访目标", "targets")
    return out


def _write_targets(plan: AnnualVisitPlan, targets: list[dict[str, int | str]]) -> None:
    AnnualVisitTarget.objects.filter(plan=plan).delete()
    AnnualVisitTarget.objects.bulk_create([AnnualVisitTarget(plan=plan, measure=t["measure"], quarter=t["quarter"],
                                                             value=t["value"]) for t in targets])


@transaction.atomic
def draw_up_annual_plan(*, project: Project, year: int, duties: str, targets: Sequence[Mapping[str, Any]],
                        acting_user: User, now: dt.datetime) -> AnnualVisitPlan:
    """编制年度回访工作计划 (R-M9-13): the office director (办公室主任, or the 管理处经理 for the project,
    ``Cap.PLAN_ANNUAL_VISITS``) puts return visits to residents in the year's work plan with their
    targets; one plan per project and year, this year or next."""
    _require(acting_user, project, Cap.PLAN_ANNUAL_VISITS, "只有办公室主任（或管理处经理）可以编制年度回访工作计划")
    this_year = now.astimezone(project.tz).year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise _refuse("请填写年度", "year") from None
    if year < this_year:
        raise _refuse("不能为已过去的年度编制计划", "year")
    if year > this_year + 1:
        raise _refuse("只能为今年或明年编制年度计划", "year")
    if AnnualVisitPlan.objects.filter(project=project, year=year).exists():
        raise VisitError(f"{project.name}{year}年度回访工作计划已存在，请在原计划上修改", field="year", code="exists",
                         status=409)
    duties = _text(duties, "回访工作职责与安排", "duties", minimum=4)
    cleaned = _clean_targets(targets)
    plan = AnnualVisitPlan(project=project, year=year, duties=duties, drawn_by=acting_user, drawn_at=now)
    _save(plan, None, acting_user=acting_user, reason="编制年度回访工作计划")
    _write_targets(plan, cleaned)
    return plan


def _lock_annual(plan: AnnualVisitPlan) -> AnnualVisitPlan:
    return AnnualVisitPlan.objects.select_for_update(of=("self",)).select_related("project").get(pk=plan.pk)


def _tell_annual_approvers(plan: AnnualVisitPlan, now: dt.datetime, *, changed: bool = False) -> None:
    approvers = queries.approvers_of(plan.project)
    if approvers:
        what = "变更后重新审批" if changed else "审批"
        notify_staff(approvers, kind="visit_plan_approval", subject=f"年度回访工作计划待{what}：{plan}",
                     body=plan.duties[:200], link=f"/visits/annual/{plan.pk}/", project=plan.project,
                     dedupe_key=f"annual-visit-plan-approval:{plan.pk}:{plan.version}", now=now)


@transaction.atomic
def change_annual_plan(*, plan: AnnualVisitPlan, acting_user: User, now: dt.datetime, duties: str = "",
                       targets: Sequence[Mapping[str, Any]] | None = None, reason: str = "") -> AnnualVisitPlan:
    """修改年度回访工作计划. A change to an approved plan needs a reason and goes back to the 物业总经理
    for re-approval (as the monthly plans, R-M9-10); a plan whose year-end review is done is closed."""
    _require(acting_user, plan.project, Cap.PLAN_ANNUAL_VISITS, "只有办公室主任（或管理处经理）可以修改年度回访工作计划")
    plan = _lock_annual(plan)
    if plan.reviewed_at is not None:
        raise VisitError("该年度计划已做年终总结，不能再修改", code="reviewed", status=409)
    if plan.status == PlanStatus.SUBMITTED:
        raise VisitError("计划正在审批中，不能修改", code="in_approval", status=409)
    approved = plan.status == PlanStatus.APPROVED
    reason = (reason or "").strip()
    if approved and len(reason) < 2:
        raise _refuse("计划已批准：变更须写明原因，并重新报物业总经理审批", "reason", code="needs_reapproval")
    duties = (duties or "").strip()
    if duties and len(duties) < 4:
        raise _refuse("请填写回访工作职责与安排（至少4个字）", "duties")
    cleaned = _clean_targets(targets) if targets is not None else None
    current = sorted((t.measure, t.quarter, t.value) for t in plan.targets.all())
    targets_changed = cleaned is not None and sorted(
        (str(t["measure"]), int(t["quarter"]), int(t["value"])) for t in cleaned) != current
    duties_changed = bool(duties) and duties != plan.duties
    if not targets_changed and not duties_changed:
        raise _refuse("没有需要修改的内容", code="unchanged")
    if duties_changed:
        plan.duties = duties
    if cleaned is not None and targets_changed:
        _write_targets(plan, cleaned)
    if approved:
        plan.status, plan.version, plan.changed_after_approval = PlanStatus.SUBMITTED, plan.version + 1, True
        plan.change_reason, plan.submitted_at = reason[:200], now
    _save(plan, None, acting_user=acting_user, reason=f"修改年度计划：{reason}" if reason else "修改年度计划")
    if approved:
        _tell_annual_approvers(plan, now, changed=True)
    return plan


@transaction.atomic
def submit_annual_plan(*, plan: AnnualVisitPlan, acting_user: User, now: dt.datetime) -> AnnualVisitPlan:
    """报批: a draft or returned annual plan goes to the 物业总经理."""
    _require(acting_user, plan.project, Cap.PLAN_ANNUAL_VISITS, "只有办公室主任（或管理处经理）可以报批年度回访工作计划")
    plan = _lock_annual(plan)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise VisitError(f"计划已是“{plan.get_status_display()}”，不能再报批", code="bad_status", status=409)
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, now
    _save(plan, ["status", "submitted_at"], acting_user=acting_user, reason="报批")
    _tell_annual_approvers(plan, now)
    return plan


@transaction.atomic
def decide_annual_plan(*, plan: AnnualVisitPlan, approve: bool, note: str, acting_user: User, now: dt.datetime) -> AnnualVisitPlan:
    """物业总经理审批年度回访工作计划: approve, or return with a note. Only a submitted plan."""
    _require(acting_user, plan.project, Cap.APPROVE_VISIT_PLANS, "只有物业总经理可以审批年度回访工作计划")
    plan = _lock_annual(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise VisitError("只有待审批的计划可以审批", code="bad_status", status=409)
    return _record_decision(plan, approve=approve, note=note, acting_user=acting_user, now=now)


@transaction.atomic
def review_annual_plan(*, plan: AnnualVisitPlan, review: str, acting_user: User, now: dt.datetime) -> AnnualVisitPlan:
    """年终回访工作总结 (R-M9-13): from December of the plan's year, the office director reviews the
    approved plan; the targets against the return visits done are kept with the review as they stood."""
    _require(acting_user, plan.project, Cap.PLAN_ANNUAL_VISITS, "只有办公室主任（或管理处经理）可以做年终回访工作总结")
    plan = _lock_annual(plan)
    if plan.status != PlanStatus.APPROVED:
        raise VisitError("计划须经物业总经理批准后才能做年终总结", code="not_approved", status=409)
    if plan.reviewed_at is not None:
        raise VisitError("该年度的年终总结已完成", code="already_reviewed", status=409)
    today = now.astimezone(plan.project.tz).date()
    if today < dt.date(plan.year, 12, 1):
        raise VisitError(f"年终总结须在{plan.year}年12月起进行", field="review", code="too_early", status=409)
    plan.review = _text(review, "年终回访工作总结", "review", minimum=10)
    plan.review_figures = annual.progress(plan, today)
    plan.reviewed_by, plan.reviewed_at = acting_user, now
    _save(plan, ["review", "review_figures", "reviewed_by", "reviewed_at"], acting_user=acting_user,
          reason="年终总结")
    return plan
