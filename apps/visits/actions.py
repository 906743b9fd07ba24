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

from django.db import transaction

from apps.core.errors import DomainError
from apps.notify.actions import notify_staff
from apps.org.access import can_see_project
from apps.org.models import Department, Project
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind
from apps.visits.access import can_record, can_void
from apps.visits.models import ProblemStatus, Visit, VisitCategory, VisitMethod, VisitProblem
from apps.visits.queries import cs_department, department_heads

# Problems recorded with one visit (the form's ProblemFormSet.max_num and the API's limit).
MAX_PROBLEMS = 20

if TYPE_CHECKING:
    from apps.estates.models import Household, Person
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
        raise _refuse(f"第{i + 1}个问题当场解决，请填写当场的答复（R-M9-03）", f"{field}.answer")
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
                 problems: Sequence[Mapping[str, Any]] = ()) -> Visit:
    """记录走访 — one line of the 业主回访记录表 (R-M9-01, R-M9-03) with the problems raised (R-M9-04).

    - Filed with the project's 客服部 (R-M6-06): refused when the project has none.
    - ``visited_at`` is when the visit took place (not later than now); ``visitor`` defaults to the
      recorder and must work in the project.
    - Each problem: description; ``status`` 当场解决 (with the answer given) or 待解决; optional
      category (the ticket category tree) and responsible department, whose head is notified of an
      open problem (R-M9-04)."""
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
    if len(problems) > MAX_PROBLEMS:
        raise _refuse(f"一次走访最多记录{MAX_PROBLEMS}个问题", "problems")
    cleaned = [_clean_problem(raw, project, i) for i, raw in enumerate(problems)]
    department = cs_department(project)
    if department is None:
        raise VisitError(f"项目「{project.name}」没有客服部；走访记录须由客服部归档（R-M6-06），请先设置客服部",
                         field="project", code="no_cs_department", status=409)
    visit = Visit(project=project, household=household, person=person, category=category, method=method,
                  visitor=visitor, visited_at=visited_at, visited_on=visited_at.astimezone(project.tz).date(),
                  communicated=communicated, opinions=opinions, filed_department=department,
                  recorded_by=acting_user, recorded_at=now)
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
                             body=f"{problem.description[:200]}\n请落实整改措施并将进展反馈客服部（R-M9-08）。",
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
                  now: dt.datetime) -> Visit:
    """更正走访记录: change some recorded fields with a reason; the old values stay in the history."""
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
