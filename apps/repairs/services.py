"""Repair business rules (SPEC M8, POLICY P-14…P-16; issue 6). Views, the API and commands call
these functions; they call the ticket pipeline's actions (apps.tickets.actions) for everything the
pipeline owns (intake, dispatch, accept, handling, return visit, reopen) and keep only what is
repair-specific here.

Transactions: every function of this module that writes runs in ``transaction.atomic(durable=True)``
or is a short sequence of such blocks. The ticket actions are durable themselves and cannot be
nested, so a repair step that needs both (e.g. completion = the pipeline's ``record_handling`` +
the work order's fields) validates everything first, then runs the pipeline action, then writes
the work order; the later write can only fail on a database error.

Errors: :class:`RepairError` (status 400/403/404/409/422, stable ``code``, Chinese ``message``,
``fields``). Refusals of the pipeline (TicketError, InvalidTransition) come out as RepairError too.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import io
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet

from apps.core.errors import DomainError
from apps.org.access import can_see_project, has_cap, visible_projects
from apps.org.models import Department, Membership, Project
from apps.org.roles import Cap, Role
from apps.repairs import adapters
from apps.repairs.models import (
    SITE_CHECKLIST,
    CashHandover,
    ChargeConsent,
    ChargeLine,
    ConsentAnswer,
    DispatchMode,
    LocationKind,
    MaterialUse,
    NextVisit,
    PaymentMethod,
    PaymentStatus,
    PhotoPhase,
    PriceItem,
    PriceItemKind,
    PriceList,
    Receipt,
    ReceiptCounter,
    RepairOrder,
    RepairPhoto,
    RepairRating,
    RepairRule,
    ShiftHandover,
)
from apps.tickets import actions as ta
from apps.tickets.choices import Channel, Kind, ReturnVisitMethod, Satisfaction, TicketStatus, Urgency
from apps.tickets.models import Category, Dispatch, Ticket
from apps.tickets.transitions import InvalidTransition
from linli import clock

if TYPE_CHECKING:
    from apps.estates.models import Household, Person
    from apps.org.models import User

log = logging.getLogger(__name__)
S = TicketStatus
CENT = Decimal("0.01")
REPAIR_KINDS = frozenset({Kind.REPAIR, Kind.PAID_SERVICE})
# R-M8-03 rule set A: "water, electricity, gas and other urgent repairs". The shipped RepairRule rows
# carry the flag; this set is the fallback when a category has no rule row.
URGENT_CATEGORY_CODES = frozenset({"repair_water", "repair_power", "repair_gas", "repair_lift",
                                   "repair_power_outage"})
# POLICY P-21 (R-M17-01) default quiet windows for phone calls, local time: [start, end).
QUIET_WINDOWS: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(12, 0), dt.time(14, 0)),
                                                       (dt.time(21, 0), dt.time(8, 0)))
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIGNATURE_BYTES = 512 * 1024


class RepairError(DomainError):
    """A refused repair step, with a Chinese message and a structured form for the API."""


def _refuse(message: str, *, field: str | None = None, code: str = "invalid", status: int = 422) -> RepairError:
    return RepairError(message, field=field, code=code, status=status)


@contextlib.contextmanager
def _pipeline() -> Iterator[None]:
    """Run a ticket action; its refusals come out as RepairError with the same status and code."""
    try:
        yield
    except ta.TicketError as exc:
        raise RepairError(exc.message, code=exc.code, status=exc.status, fields=exc.fields) from exc
    except InvalidTransition as exc:
        raise RepairError(exc.message, code=exc.code, status=exc.status, fields=exc.fields) from exc


# ---------------------------------------------------------------- lookups


def is_repair_category(category: Category | None) -> bool:
    if category is None:
        return False
    if category.code.startswith("repair_"):
        return True
    return bool(category.parent_id and category.parent and category.parent.code == "engineering")


def rule_for(project: Project, category: Category | None) -> RepairRule | None:
    """The category's rule: project row > company row > shipped default (issue 6 item 2)."""
    if category is None:
        return None
    rows = {(r.company_id, r.project_id): r
            for r in RepairRule.objects.filter(category=category).filter(
                Q(project=project) | Q(company_id=project.company_id, project=None) | Q(company=None, project=None))}
    return (rows.get((project.company_id, project.pk)) or rows.get((None, project.pk))
            or rows.get((project.company_id, None)) or rows.get((None, None)))


def default_urgency(project: Project, category: Category | None) -> str:
    """R-M8-03: water/power/gas/lift (and what the rule rows mark) are urgent at intake."""
    rule = rule_for(project, category)
    urgent = rule.urgent_by_default if rule is not None else bool(category and category.code in URGENT_CATEGORY_CODES)
    return Urgency.URGENT if urgent else Urgency.NORMAL


def repair_department(project: Project, category: Category | None = None) -> Department | None:
    rule = rule_for(project, category)
    kind = rule.department_kind if rule is not None else "engineering"
    return Department.objects.filter(project=project, kind=kind).order_by("id").first()


def order_for(ticket: Ticket) -> RepairOrder:
    """The work order of a repair/paid-service ticket (created on first use for tickets received
    through the generic ticket form)."""
    if ticket.kind not in REPAIR_KINDS:
        raise _refuse("该工单不是报修或有偿服务", code="not_repair", status=409)
    order = RepairOrder.objects.filter(ticket=ticket).first()
    if order is None:
        rule = rule_for(ticket.project, ticket.category)
        order, _ = RepairOrder.objects.get_or_create(
            ticket=ticket, defaults={"created_at": ticket.recorded_at, "location": ticket.address,
                                     "dispatch_mode": rule.dispatch_mode if rule else DispatchMode.ASSIGN})
    return order


def current_dispatch(order: RepairOrder) -> Dispatch | None:
    return order.ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()


def can_work(user: User, order: RepairOrder) -> bool:
    """The assigned worker, a member of the dispatched department, or a dispatcher."""
    ticket = order.ticket
    if not can_see_project(user, ticket.project):
        return False
    if has_cap(user, Cap.DISPATCH, ticket.project):
        return True
    if not has_cap(user, Cap.HANDLE, ticket.project):
        return False
    dispatch = current_dispatch(order)
    if dispatch is None:
        return False
    if dispatch.assignee_id == user.pk:
        return True
    return dispatch.assignee_id is None and Membership.objects.filter(
        user=user, department_id=dispatch.department_id).exists()


def _require_work(user: User, order: RepairOrder) -> None:
    if not can_see_project(user, order.ticket.project):
        raise _refuse("工单不存在", code="not_found", status=404)
    if not can_work(user, order):
        raise _refuse("只有被派工的维修人员可以操作此工单", code="forbidden", status=403)


def _lock(order: RepairOrder) -> RepairOrder:
    list(RepairOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True))
    order.refresh_from_db()
    return order


def visible_orders(user: User) -> QuerySet[RepairOrder]:
    return RepairOrder.objects.filter(ticket__project__in=visible_projects(user)).exclude(
        ticket__status=S.VOIDED)


def my_orders(user: User) -> QuerySet[RepairOrder]:
    """The worker's list: orders whose current 派工单 is theirs, open first (phone home page)."""
    open_statuses = [S.DISPATCHED, S.HANDLING, S.REOPENED, S.HANDLED]
    return (visible_orders(user)
            .filter(ticket__dispatches__active=True, ticket__dispatches__assignee=user,
                    ticket__status__in=open_statuses)
            .select_related("ticket", "ticket__category", "ticket__project").distinct()
            .order_by("-ticket__urgency", "ticket__received_at"))


def pool_orders(user: User) -> QuerySet[RepairOrder]:
    """抢单池: orders dispatched to one of the user's departments without a named worker."""
    departments = list(Membership.objects.filter(user=user, role__in=[Role.WORKER, Role.DEPT_HEAD])
                       .exclude(department=None).values_list("department_id", flat=True))
    return (visible_orders(user)
            .filter(ticket__dispatches__active=True, ticket__dispatches__assignee=None,
                    ticket__dispatches__department_id__in=departments, ticket__status=S.DISPATCHED)
            .select_related("ticket", "ticket__category", "ticket__project").distinct()
            .order_by("-ticket__urgency", "ticket__received_at"))


# ---------------------------------------------------------------- intake and dispatch (R-M8-01…R-M8-03)


def steward_of(order: RepairOrder) -> User | None:
    """The building steward (客服楼宇员/管家) of the order's household building (R-M8-17, R-M19-04)."""
    household = order.ticket.household
    if household is None:
        return None
    return household.building.steward


def steward_orders(user: User) -> QuerySet[RepairOrder]:
    """R-M8-17 / R-M19-04 (11): the repairs in the buildings the user is steward of, open first, so the
    steward can coordinate and supervise their completion."""
    return (visible_orders(user).filter(ticket__household__building__steward=user)
            .select_related("ticket", "ticket__category", "ticket__project", "ticket__household")
            .order_by("completed_at", "-ticket__received_at"))


def _notify_steward(order: RepairOrder, dispatch: Dispatch | None, *, now: dt.datetime) -> None:
    """R-M8-01: the 派工单 goes to the department and to the area steward — the steward of the
    building gets a staff notice for each new 派工单 (a repeat of the same 派工单 is a no-op)."""
    steward = steward_of(order)
    if dispatch is None or steward is None or steward.pk == getattr(dispatch, "assignee_id", None):
        return
    ticket = order.ticket
    adapters.notify_staff(
        [steward], kind="repair_steward", subject=f"楼内报修 {ticket.number} 已派工",
        body=f"{ticket.household.label}：{ticket.content[:100]}（派往 {dispatch.department}），请跟进督促完成。",
        project=ticket.project, dedupe_key=f"repair_steward:{dispatch.pk}", now=now)


def certificate_required(order_or_project: RepairOrder | Project, category: Category | None = None) -> bool:
    """R-M8-18 / R-M19-10: whether the category's repair rule says the work needs a certificate."""
    if isinstance(order_or_project, RepairOrder):
        order_or_project, category = order_or_project.ticket.project, order_or_project.ticket.category
    rule = rule_for(order_or_project, category)
    return bool(rule and rule.certificate_required)


def certificate_problem(worker: User, project: Project, category: Category | None, now: dt.datetime) -> str | None:
    """持证上岗 (R-M8-18): the Chinese reason ``worker`` may not take a repair of ``category`` in
    ``project`` on ``now``'s local day, or None. Only categories whose rule requires a certificate
    are checked; a missing certificate or one expired before that day blocks the assignment."""
    if not certificate_required(project, category):
        return None
    day = clock.local(now, project.tz).date()
    if worker.certificate_valid_on(day):
        return None
    if not worker.certificate.strip():
        return f"该类维修须持证上岗，{worker} 没有登记证书，不能派工（R-M8-18）"
    return (f"该类维修须持证上岗，{worker} 的证书已于 {worker.certificate_valid_until:%Y-%m-%d} 过期，"
            f"不能派工（R-M8-18）")



def receive_repair(
    *,
    project: Project,
    category: Category,
    content: str,
    acting_user: User,
    now: dt.datetime,
    location_kind: str = LocationKind.HOUSEHOLD,
    location: str = "",
    channel: str = Channel.PHONE,
    kind: str = Kind.REPAIR,
    urgency: str | None = None,
    household: Household | None = None,
    person: Person | None = None,
    complainant_surname: str = "",
    phone: str = "",
    agreed_visit_at: dt.datetime | None = None,
    agreed_feedback_at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    anonymous: bool = False,
) -> RepairOrder:
    """报修受理 (R-M8-02, R-M8-03): the 24-hour repair phone by default.

    - ``category`` must be a repair category (children of 工程); its rule gives the default urgency
      (water/power/gas/lift urgent) and the dispatch mode; ``urgency`` overrides it.
    - household repairs need the household (or a written location); common-area repairs a location.
    - ``agreed_visit_at`` (R-M8-08 a) is the visit time agreed with the owner; for an oral intake it
      is also the feedback time promised to the owner (R-M1-09) unless ``agreed_feedback_at`` is given.
    - The ticket is received through the pipeline (deadlines arrive/complete from the policy engine,
      keyed by the category code); then dispatched by the mode: round-robin → the next worker of
      the department; pool → the department without a worker (抢单池); assign → waits for the
      dispatcher."""
    if kind not in REPAIR_KINDS:
        raise _refuse("报修单类型只能是报修或有偿服务", field="kind")
    if not is_repair_category(category):
        raise _refuse("请选择报修类别", field="category")
    if location_kind not in LocationKind.values:
        raise _refuse("报修位置不正确", field="location_kind")
    if location_kind == LocationKind.HOUSEHOLD and household is None and person is None and not location.strip():
        raise _refuse("户内报修须选择房屋或填写房号", field="household")
    if location_kind == LocationKind.COMMON and not location.strip():
        raise _refuse("公共区域报修须填写具体位置", field="location")
    if urgency is not None and urgency not in Urgency.values:
        raise _refuse("紧急程度不正确", field="urgency")
    start = received_at or now
    if agreed_visit_at is not None and agreed_visit_at < start:
        raise _refuse("约定上门时间不能早于报修时间", field="agreed_visit_at")
    rule = rule_for(project, category)
    mode = rule.dispatch_mode if rule is not None else DispatchMode.ASSIGN
    department = repair_department(project, category)
    with _pipeline():
        ticket = ta.receive_ticket(
            project=project, kind=kind, channel=channel, content=content, acting_user=acting_user, now=now,
            urgency=urgency or default_urgency(project, category), received_at=received_at, household=household,
            person=person, complainant_surname=complainant_surname, phone=phone,
            address=location.strip(), anonymous=anonymous, category=category, department=department,
            agreed_feedback_at=agreed_feedback_at or agreed_visit_at,
        )
    with transaction.atomic(durable=True):
        order, _ = RepairOrder.objects.update_or_create(
            ticket=ticket, defaults={"location_kind": location_kind, "location": location.strip() or ticket.address,
                                     "dispatch_mode": mode, "agreed_visit_at": agreed_visit_at, "created_at": now})
        if agreed_visit_at is not None:
            _apply_agreed_arrival(ticket, agreed_visit_at)
    if department is not None and has_cap(acting_user, Cap.DISPATCH, project):
        if mode == DispatchMode.ROUND_ROBIN:
            worker = next_round_robin_worker(department)
            if worker is not None and certificate_problem(worker, project, category, now):
                worker = None  # R-M8-18: an uncertified worker is skipped; the dispatcher assigns
            if worker is not None:
                with _pipeline():
                    sent = ta.dispatch_ticket(ticket=ticket, department=department, assignee=worker,
                                              instructions="部门内轮派", acting_user=acting_user, now=now)
                _notify_steward(order, sent, now=now)
        elif mode == DispatchMode.POOL:
            with _pipeline():
                sent = ta.dispatch_ticket(ticket=ticket, department=department, assignee=None,
                                          instructions="进入抢单池", acting_user=acting_user, now=now)
            _notify_steward(order, sent, now=now)
    order.refresh_from_db()
    return order


AGREED_ARRIVAL_RULE_SETS = frozenset({"arrival_c"})


def _apply_agreed_arrival(ticket: Ticket, agreed_visit_at: dt.datetime) -> None:
    """R-M8-03 rule set C (P-14): "≤ 25 min, or the time agreed with the owner" — when the project
    uses rule set C and a visit time was agreed, the agreed time is the arrive due time; the
    procedure's own limit stays in ``limit_due_at`` (AS-21)."""
    from apps.tickets.deadlines import warn_moment
    from apps.tickets.models import Deadline

    d = Deadline.objects.filter(ticket=ticket, stage="arrive", cycle=ticket.cycle, met_at=None).first()
    if d is None or d.policy_id is None:
        return
    try:
        from apps.workdays.models import LimitPolicy
    except ImportError:  # pragma: no cover - workdays always installed
        return
    code = LimitPolicy.objects.filter(pk=d.policy_id).values_list("rule_set__code", flat=True).first()
    if code not in AGREED_ARRIVAL_RULE_SETS:
        return
    d.due_at, d.agreed, d.warn_at = agreed_visit_at, True, warn_moment(d.start_at, agreed_visit_at)
    d.rule = f"{d.rule}（与业主约定上门时间）"[:200]
    d.save(update_fields=["due_at", "agreed", "warn_at", "rule"])


def department_workers(department: Department) -> list[User]:
    from apps.org.models import User

    ids = (Membership.objects.filter(department=department, role=Role.WORKER, user__is_active=True)
           .values_list("user_id", flat=True).distinct())
    return list(User.objects.filter(pk__in=list(ids)).order_by("pk"))


def next_round_robin_worker(department: Department) -> User | None:
    """部门内轮派: the worker after the one who got the department's last named 派工单 (by user id,
    cyclic). No workers → None (the order waits for the dispatcher)."""
    workers = department_workers(department)
    if not workers:
        return None
    last = (Dispatch.objects.filter(department=department, assignee__in=workers)
            .order_by("-dispatched_at", "-id").values_list("assignee_id", flat=True).first())
    ids = [w.pk for w in workers]
    if last not in ids:
        return workers[0]
    return workers[(ids.index(last) + 1) % len(workers)]


def assign_order(*, order: RepairOrder, assignee: User, acting_user: User, now: dt.datetime,
                 instructions: str = "", department: Department | None = None) -> Dispatch:
    """调度员指派 / 转派 (transfer): a new 派工单 to ``assignee``; the previous one ends as 改派."""
    department = department or (current_dispatch(order).department if current_dispatch(order) else None) \
        or repair_department(order.ticket.project, order.ticket.category)
    if department is None:
        raise _refuse("项目没有工程部，无法派工", field="department")
    problem = certificate_problem(assignee, order.ticket.project, order.ticket.category, now)
    if problem:
        raise _refuse(problem, field="assignee", code="certificate")
    with _pipeline():
        sent = ta.dispatch_ticket(ticket=order.ticket, department=department, assignee=assignee,
                                  instructions=instructions, acting_user=acting_user, now=now)
    _notify_steward(order, sent, now=now)
    return sent


def transfer_order(*, order: RepairOrder, to_user: User, reason: str, acting_user: User, now: dt.datetime,
                   department: Department | None = None) -> Dispatch:
    """转单: reassign to another worker with the reason recorded on the new 派工单 and the timeline."""
    if not reason.strip():
        raise _refuse("请填写转单原因", field="reason")
    return assign_order(order=order, assignee=to_user, acting_user=acting_user, now=now,
                        instructions=f"转单：{reason.strip()}", department=department)


def hand_back_order(*, order: RepairOrder, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """退单: the worker hands the order back to the dispatcher with a reason (pipeline hand_back)."""
    with _pipeline():
        return ta.hand_back(ticket=order.ticket, reason=reason, acting_user=acting_user, now=now)


def grab_order(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Dispatch:
    """抢单: the first worker of the department to grab a pool order gets it. The claim is a
    compare-and-set on the 派工单 (assignee still empty), so two workers never both win."""
    dispatch = current_dispatch(order)
    if dispatch is None or dispatch.assignee_id is not None or order.ticket.status != S.DISPATCHED:
        raise _refuse("该工单已被他人接单或不在抢单池中", code="taken", status=409)
    if not Membership.objects.filter(user=acting_user, department_id=dispatch.department_id).exists():
        raise _refuse("只有该部门的人员可以抢单", code="forbidden", status=403)
    problem = certificate_problem(acting_user, order.ticket.project, order.ticket.category, now)
    if problem:
        raise _refuse(problem, code="certificate", status=403)
    with transaction.atomic(durable=True):
        won = Dispatch.objects.filter(pk=dispatch.pk, active=True, assignee=None).update(assignee=acting_user)
    if not won:
        raise _refuse("该工单已被他人接单", code="taken", status=409)
    with _pipeline():
        return ta.accept_dispatch(dispatch=dispatch, acting_user=acting_user, now=now)


def accept_order(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Dispatch:
    """接单 (pipeline accept_dispatch): 已派工 → 处理中."""
    dispatch = current_dispatch(order)
    if dispatch is None:
        raise _refuse("该工单尚未派工", code="not_dispatched", status=409)
    if dispatch.assignee_id is None:
        return grab_order(order=order, acting_user=acting_user, now=now)
    if dispatch.accepted_at is not None:
        raise _refuse("已接单", code="already_accepted", status=409)
    with _pipeline():
        return ta.accept_dispatch(dispatch=dispatch, acting_user=acting_user, now=now)


# ---------------------------------------------------------------- on site (R-M8-08, R-M8-09)


def record_arrival(*, order: RepairOrder, acting_user: User, now: dt.datetime,
                   arrived_at: dt.datetime | None = None) -> RepairOrder:
    """到场 (R-M8-03): the arrival time meets the ``arrive`` deadline (in time or late)."""
    _require_work(acting_user, order)
    at = arrived_at or now
    if at < order.ticket.received_at:
        raise _refuse("到场时间不能早于报修时间", field="arrived_at")
    if order.arrived_at is not None:
        raise _refuse("已登记到场", code="already_arrived", status=409)
    with _pipeline():
        ta.record_handling(ticket=order.ticket, arrived_at=at, investigation="", acting_user=acting_user, now=now)
    with transaction.atomic(durable=True):
        _lock(order)
        order.arrived_at = at
        order.worker = order.worker or acting_user
        order.save(update_fields=["arrived_at", "worker", "updated_at"])
    return order


def effective_price_list(project: Project, on: dt.date) -> PriceList | None:
    """The published list in force on ``on`` (latest effective_from wins)."""
    return (PriceList.objects.filter(project=project, published_at__isnull=False, effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
            .order_by("-effective_from", "-id").first())


def _quantity(value: Any, field: str = "quantity") -> Decimal:
    try:
        q = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _refuse("数量格式不正确", field=field) from None
    if q <= 0 or q > Decimal("10000"):
        raise _refuse("数量须大于 0", field=field)
    return q


def compute_charge(items: Sequence[tuple[PriceItem, Any]]) -> tuple[list[dict[str, Any]], Decimal]:
    """收费计算 (R-M8-15(6) 明码标价): each line = quantity × the listed unit price, rounded half-up to
    the cent; the total is the sum of the lines. No price is ever typed in."""
    lines = []
    total = Decimal("0.00")
    for item, qty in items:
        quantity = _quantity(qty)
        amount = (quantity * item.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({"item": item, "name": item.name, "unit": item.unit, "quantity": quantity,
                      "unit_price": item.unit_price, "amount": amount})
        total += amount
    return lines, total


def _price_items(order: RepairOrder, items: Iterable[tuple[Any, Any]], now: dt.datetime,
                 kind: str | None = None) -> list[tuple[PriceItem, Any]]:
    project = order.ticket.project
    price_list = effective_price_list(project, now.astimezone(project.tz).date())
    if price_list is None:
        raise _refuse("本项目没有已公示的收费价目表，不能收费", field="items", code="no_price_list", status=409)
    resolved = []
    for ref, qty in items:
        item_id = ref.pk if isinstance(ref, PriceItem) else ref
        item = PriceItem.objects.filter(pk=item_id, price_list=price_list).first()
        if item is None or (kind is not None and item.kind != kind):
            raise _refuse("项目不在本项目现行公示的价目表中（不得私自加价）", field="items")
        resolved.append((item, qty))
    return resolved


def diagnose(*, order: RepairOrder, diagnosis: str, chargeable: bool, acting_user: User, now: dt.datetime,
             items: Sequence[tuple[Any, Any]] = ()) -> RepairOrder:
    """故障诊断与是否收费 (R-M8-08 b, R-M8-15): a chargeable repair lists the price-list items and
    quantities; the charge is computed from the list. Only before work starts; changing the charge
    voids an earlier consent (the owner must agree to the new amount)."""
    _require_work(acting_user, order)
    if not diagnosis.strip():
        raise _refuse("请填写故障诊断", field="diagnosis")
    if order.work_started_at is not None:
        raise _refuse("已开工，不能再修改诊断和收费（R-M8-08 b）", code="work_started", status=409)
    lines: list[dict[str, Any]] = []
    if chargeable:
        if not items:
            raise _refuse("收费维修须选择收费项目", field="items")
        lines, _total = compute_charge(_price_items(order, items, now))
    with _pipeline():
        ta.record_handling(ticket=order.ticket, investigation=f"诊断：{diagnosis.strip()}", acting_user=acting_user,
                           now=now)
    with transaction.atomic(durable=True):
        _lock(order)
        old = [(line.item_id, line.quantity) for line in order.charge_lines.all()]
        new = [(line["item"].pk, line["quantity"]) for line in lines]
        order.charge_lines.all().delete()
        ChargeLine.objects.bulk_create([ChargeLine(order=order, **line) for line in lines])
        order.diagnosis = diagnosis.strip()
        order.chargeable = bool(chargeable)
        order.worker = order.worker or acting_user
        order.save(update_fields=["diagnosis", "chargeable", "worker", "updated_at"])
        if old != new and order.consents.exists():
            log.info("charge of %s changed: earlier consent no longer applies", order.ticket.number)
    return order


def consent_valid(order: RepairOrder) -> bool:
    """An agreed consent for exactly the current charge."""
    consent = order.consent
    return (consent is not None and consent.answer == ConsentAnswer.AGREED
            and consent.amount == order.quote_total)


@transaction.atomic(durable=True)
def record_consent(*, order: RepairOrder, agreed: bool, owner_name: str, explanation: str, acting_user: User,
                   now: dt.datetime, reported_to: User | None = None) -> ChargeConsent:
    """业主确认收费 (R-M8-08 b): the reason and price were explained; the owner agrees or not.
    Records who, when and the amount (= the computed charge)."""
    _require_work(acting_user, order)
    _lock(order)
    if order.chargeable is not True:
        raise _refuse("该工单不收费，无需确认", code="not_chargeable", status=409)
    if order.work_started_at is not None:
        raise _refuse("收费须在开工前向业主说明并经同意（R-M8-08 b）", code="work_started", status=409)
    if not owner_name.strip():
        raise _refuse("请填写确认的业主/住户姓名", field="owner_name")
    if not explanation.strip():
        raise _refuse("请填写向业主说明的收费原因", field="explanation")
    if reported_to is not None and not can_see_project(reported_to, order.ticket.project):
        raise _refuse("负责人不属于该项目", field="reported_to")
    consent = ChargeConsent.objects.create(
        order=order, answer=ConsentAnswer.AGREED if agreed else ConsentAnswer.DECLINED, amount=order.quote_total,
        explanation=explanation.strip(), owner_name=owner_name.strip(), at=now, recorded_by=acting_user,
        reported_to=reported_to)
    return consent


@transaction.atomic(durable=True)
def start_work(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> RepairOrder:
    """开工 (R-M8-08 b): refused on a chargeable order until the owner agreed to the current charge;
    refused before arrival and before the diagnosis decided whether a charge applies."""
    _require_work(acting_user, order)
    _lock(order)
    if order.ticket.status not in {S.HANDLING, S.DISPATCHED}:
        raise _refuse("工单不在处理中，不能开工", code="invalid_transition", status=409)
    if order.arrived_at is None:
        raise _refuse("请先登记到场", code="not_arrived", status=409)
    if order.work_started_at is not None:
        raise _refuse("已开工", code="already_started", status=409)
    if order.chargeable is None:
        raise _refuse("请先诊断并确定是否收费（R-M8-08 b）", code="diagnosis_required", status=409)
    if order.chargeable:
        consent = order.consent
        if consent is not None and consent.answer == ConsentAnswer.DECLINED and consent.amount == order.quote_total:
            raise _refuse("业主不同意收费，不能开工（R-M8-08 b）", code="consent_declined", status=409)
        if not consent_valid(order):
            raise _refuse("收费项目须先向业主说明价格并经业主同意后才能开工（R-M8-08 b）", code="consent_required",
                          status=409)
    order.work_started_at = now
    order.worker = order.worker or acting_user
    order.save(update_fields=["work_started_at", "worker", "updated_at"])
    return order


@transaction.atomic(durable=True)
def add_material(*, order: RepairOrder, item: PriceItem | int, quantity: Any, acting_user: User,
                 now: dt.datetime) -> MaterialUse:
    """材料登记 (R-M8-09, R-M8-12): a material of the project's list and its quantity."""
    _require_work(acting_user, order)
    _lock(order)
    if order.completed_at is not None:
        raise _refuse("已完工，不能再登记材料", code="completed", status=409)
    ((resolved, qty),) = _price_items(order, [(item, quantity)], now, kind=PriceItemKind.MATERIAL)
    return MaterialUse.objects.create(order=order, item=resolved, quantity=_quantity(qty), recorded_by=acting_user,
                                      recorded_at=now)


_IMAGE_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def _image_ext(head: bytes) -> str | None:
    for magic, ext in _IMAGE_MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@transaction.atomic(durable=True)
def add_photo(*, order: RepairOrder, phase: str, file: Any, acting_user: User, now: dt.datetime) -> RepairPhoto:
    """维修前/后照片: JPEG, PNG or WebP, at most 10 MB."""
    _require_work(acting_user, order)
    if phase not in PhotoPhase.values:
        raise _refuse("照片阶段不正确", field="phase")
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise _refuse("照片不能超过 10 MB", field="file")
    head = file.read(16)
    file.seek(0)
    ext = _image_ext(head)
    if ext is None:
        raise _refuse("只能上传 JPG、PNG 或 WebP 照片", field="file")
    _lock(order)
    photo = RepairPhoto(order=order, phase=phase, uploaded_by=acting_user, uploaded_at=now)
    photo.file.save(f"{order.ticket.number}-{phase}.{ext}", file, save=False)
    photo.save()
    return photo


def _labour(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _refuse("工时格式不正确", field="labour_hours") from None
    if hours <= 0 or hours > 1000:
        raise _refuse("工时须大于 0", field="labour_hours")
    return hours


def same_local_day(project: Project, a: dt.datetime, b: dt.datetime) -> bool:
    return a.astimezone(project.tz).date() == b.astimezone(project.tz).date()


CHECKLIST_KEYS = tuple(key for key, _label, _rule in SITE_CHECKLIST)
REQUIRED_AT_COMPLETION = ("site_cleaned", "tools_counted")  # R-M8-11 工完料净场地清, R-M8-12 工具清点


def _may_approve_wiring(user: User, project: Project) -> bool:
    """R-M8-11: the 工程部经理 (head of an engineering department of the project) or the 管理处经理."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, project=project).filter(
        Q(role=Role.DEPT_HEAD, department__kind="engineering") | Q(role=Role.PROJECT_MANAGER)).exists()


def _checklist(order: RepairOrder, items: Mapping[str, Any] | None) -> dict[str, bool]:
    merged = dict(order.checklist or {})
    for key, value in (items or {}).items():
        if key not in CHECKLIST_KEYS:
            raise _refuse(f"未知的检查项：{key}", field="checklist")
        merged[key] = bool(value)
    return merged


def complete_repair(*, order: RepairOrder, result: str, labour_hours: Any, acting_user: User, now: dt.datetime,
                    late_explanation: str = "", checklist: Mapping[str, Any] | None = None,
                    wiring_changed: bool = False, wiring_approved_by: User | None = None) -> RepairOrder:
    """完工 (R-M8-04…R-M8-06, R-M8-09): result and labour hours; meets the ``complete`` deadline
    through the pipeline (ticket → 已处理). A repair finished after the day it was reported needs
    the explanation given to the owner (R-M8-05) — written here or as an agreed next visit (rework
    after a return visit is not held to the day of the report).

    The site checklist (SITE_CHECKLIST, R-M8-14) is stored; the site cleaned and the tools counted
    are required (R-M8-11, R-M8-12). Changing the original wiring or decoration needs the consent
    of the 工程部经理, named here (R-M8-11)."""
    _require_work(acting_user, order)
    hours = _labour(labour_hours)
    if not result.strip():
        raise _refuse("请填写维修结果", field="result")
    items = _checklist(order, checklist)
    missing = [k for k in REQUIRED_AT_COMPLETION if not items.get(k)]
    if missing:
        labels = {k: str(label) for k, label, _rule in SITE_CHECKLIST}
        raise RepairError("完工前须确认：" + "、".join(labels[k] for k in missing) + "（R-M8-11/R-M8-12）",
                          code="checklist_incomplete", fields={"checklist": [labels[k] for k in missing]})
    if wiring_changed:
        if wiring_approved_by is None or not _may_approve_wiring(wiring_approved_by, order.ticket.project):
            raise _refuse("改动原有线路或装修须经工程部经理同意，请选择同意人（R-M8-11）", field="wiring_approved_by",
                          code="wiring_consent_required")
    if order.work_started_at is None:
        raise _refuse("尚未开工，不能完工", code="not_started", status=409)
    if order.completed_at is not None:
        raise _refuse("已完工", code="already_completed", status=409)
    ticket = order.ticket
    explanation = late_explanation.strip()
    if ticket.cycle == 0 and not same_local_day(ticket.project, ticket.received_at, now) and not explanation:
        last_next = order.next_visits.order_by("-recorded_at").first()
        if last_next is None:
            raise _refuse("未能当天完成的维修须填写向业主说明的原因（R-M8-05）", field="late_explanation",
                          code="explanation_required")
        explanation = last_next.reason
    with _pipeline():
        ta.record_handling(ticket=ticket, result=result.strip(), done=True, acting_user=acting_user, now=now)
    with transaction.atomic(durable=True):
        _lock(order)
        order.completed_at = now
        order.labour_hours = hours
        order.late_explanation = explanation
        order.worker = order.worker or acting_user
        order.checklist = items
        order.wiring_changed = bool(wiring_changed)
        order.wiring_approved_by = wiring_approved_by if wiring_changed else None
        order.save(update_fields=["completed_at", "labour_hours", "late_explanation", "worker", "checklist",
                                  "wiring_changed", "wiring_approved_by", "updated_at"])
    return order


def shift_handover(*, order: RepairOrder, to_user: User, consented_by: User, reason: str, acting_user: User,
                   now: dt.datetime) -> ShiftHandover:
    """交接班 (R-M8-10): a fault not solved within the shift goes to the next shift only with the
    leader's consent (supervisor rank or above in the project, e.g. the 工程部 head); the order is
    reassigned to ``to_user`` (a new 派工单) and the consent is recorded."""
    from apps.org.access import rank_in
    from apps.org.roles import SUPERVISOR_RANK

    _require_work(acting_user, order)
    project = order.ticket.project
    if not reason.strip():
        raise _refuse("请填写未能在本班解决的原因", field="reason")
    if consented_by.pk == acting_user.pk or rank_in(consented_by, project) < SUPERVISOR_RANK:
        raise _refuse("交接班须经负责人（主管以上）同意（R-M8-10）", field="consented_by", code="consent_required")
    if not can_see_project(to_user, project) or not has_cap(to_user, Cap.HANDLE, project):
        raise _refuse("接班人不是本项目的维修人员", field="to_user")
    if order.completed_at is not None:
        raise _refuse("已完工，无需交接", code="already_completed", status=409)
    dispatch = current_dispatch(order)
    department = dispatch.department if dispatch else repair_department(project, order.ticket.category)
    if department is None:
        raise _refuse("项目没有工程部，无法交接", field="to_user")
    with _pipeline():
        ta.dispatch_ticket(ticket=order.ticket, department=department, assignee=to_user,
                           instructions=f"交接班（经{consented_by}同意）：{reason.strip()}", acting_user=consented_by,
                           now=now)
    with transaction.atomic(durable=True):
        _lock(order)
        handover = ShiftHandover.objects.create(order=order, from_user=acting_user, to_user=to_user,
                                                consented_by=consented_by, reason=reason.strip(), at=now)
        order.worker = to_user
        order.arrived_at = order.work_started_at = None
        order.save(update_fields=["worker", "arrived_at", "work_started_at", "updated_at"])
    return handover


def agree_next_visit(*, order: RepairOrder, agreed_at: dt.datetime, reason: str, acting_user: User,
                     now: dt.datetime) -> NextVisit:
    """约定再次上门 (R-M8-08 c, R-M8-05): cannot finish now → the reason told to the owner and the
    next visit time agreed with them (a follow-up appointment on the timeline)."""
    _require_work(acting_user, order)
    if not reason.strip():
        raise _refuse("请填写未能解决的原因", field="reason")
    if agreed_at <= now:
        raise _refuse("约定时间须晚于现在", field="agreed_at")
    if order.completed_at is not None:
        raise _refuse("已完工", code="already_completed", status=409)
    local = agreed_at.astimezone(order.ticket.project.tz)
    with _pipeline():
        ta.add_note(ticket=order.ticket, acting_user=acting_user, now=now,
                    text=f"约定再次上门 {local:%Y-%m-%d %H:%M}：{reason.strip()}")
    with transaction.atomic(durable=True):
        _lock(order)
        visit = NextVisit.objects.create(order=order, agreed_at=agreed_at, reason=reason.strip(),
                                         recorded_by=acting_user, recorded_at=now)
        order.agreed_visit_at = agreed_at
        order.save(update_fields=["agreed_visit_at", "updated_at"])
    return visit


def _decode_png(data: str | bytes) -> bytes:
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("data:"):
            header, _, text = text.partition(",")
            if "image/png" not in header:
                raise _refuse("签名须为 PNG 图片", field="signature")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _refuse("签名数据不正确", field="signature") from None
    else:
        raw = data
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise _refuse("签名图片太大", field="signature")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _refuse("签名须为 PNG 图片", field="signature")
    try:
        from PIL import Image

        img = Image.open(io.BytesIO(raw))
        img.load()
        alpha = img.getchannel("A") if "A" in img.getbands() else img.convert("L").point(lambda p: 255 - p)
        if alpha.getbbox() is None:
            raise _refuse("请业主在屏幕上签名", field="signature", code="blank_signature")
    except RepairError:
        raise
    except Exception:  # noqa: BLE001 - any decoding problem is bad input
        raise _refuse("签名图片无法识别", field="signature") from None
    return raw


@transaction.atomic(durable=True)
def sign_acceptance(*, order: RepairOrder, signature: str | bytes, signed_name: str, acting_user: User,
                    now: dt.datetime, quality_ok: bool = True) -> RepairOrder:
    """业主验收签名 (R-M8-08 e, R-M8-09, R-M8-13): a PNG drawn on the screen, stored with the
    signer's name, time and the acceptance quality check."""
    _require_work(acting_user, order)
    png = _decode_png(signature)
    if not signed_name.strip():
        raise _refuse("请填写签名人姓名", field="signed_name")
    _lock(order)
    if order.completed_at is None:
        raise _refuse("完工后才能请业主签名验收", code="not_completed", status=409)
    if order.signed_at is not None:
        raise _refuse("业主已签名", code="already_signed", status=409)
    order.signature.save(f"{order.ticket.number}-c{order.ticket.cycle}.png", ContentFile(png), save=False)
    order.signed_name, order.signed_at, order.quality_ok = signed_name.strip(), now, bool(quality_ok)
    order.refused_at, order.refusal_reason = None, ""
    order.save(update_fields=["signature", "signed_name", "signed_at", "quality_ok", "refused_at", "refusal_reason",
                              "updated_at"])
    return order


@transaction.atomic(durable=True)
def refuse_acceptance(*, order: RepairOrder, reason: str, acting_user: User, now: dt.datetime) -> RepairOrder:
    """业主拒签 with the reason (R-M8-08 e): the refusal is kept; verification then decides."""
    _require_work(acting_user, order)
    if not reason.strip():
        raise _refuse("请填写业主拒签的原因", field="reason")
    _lock(order)
    if order.completed_at is None:
        raise _refuse("完工后才能请业主验收", code="not_completed", status=409)
    if order.signed_at is not None:
        raise _refuse("业主已签名", code="already_signed", status=409)
    order.refused_at, order.refusal_reason, order.quality_ok = now, reason.strip(), False
    order.save(update_fields=["refused_at", "refusal_reason", "quality_ok", "updated_at"])
    return order


# ---------------------------------------------------------------- receipts and cash (R-M8-08 e, g)


def _next_receipt_number(project: Project, year: int) -> str:
    counter, _ = ReceiptCounter.objects.select_for_update().get_or_create(project=project, year=year)
    ReceiptCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"SJ-{project.code}-{year}-{counter.last:05d}"


@transaction.atomic(durable=True)
def issue_receipt(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Receipt:
    """收据 (R-M8-08 e): the agreed charge, numbered gaplessly per project and year."""
    _require_work(acting_user, order)
    _lock(order)
    if not order.chargeable:
        raise _refuse("该工单不收费", code="not_chargeable", status=409)
    if not consent_valid(order):
        raise _refuse("业主尚未同意当前收费金额", code="consent_required", status=409)
    if order.receipts.exclude(status=PaymentStatus.VOID).exists():
        raise _refuse("已开具收据", code="already_issued", status=409)
    project = order.ticket.project
    year = now.astimezone(project.tz).year
    return Receipt.objects.create(project=project, order=order, number=_next_receipt_number(project, year),
                                  amount=order.quote_total, issued_at=now, issued_by=acting_user)


@transaction.atomic(durable=True)
def record_payment(*, receipt: Receipt, method: str, payer_name: str, acting_user: User, now: dt.datetime) -> Receipt:
    """收款: the receipt becomes 已付款 with method, payer, who collected and when."""
    order = receipt.order
    _require_work(acting_user, order)
    if method not in PaymentMethod.values:
        raise _refuse("付款方式不正确", field="method")
    if not payer_name.strip():
        raise _refuse("请填写付款人", field="payer_name")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != PaymentStatus.UNPAID:
        raise _refuse("收据已付款或已作废", code="not_unpaid", status=409)
    receipt.status, receipt.method, receipt.payer_name = PaymentStatus.PAID, method, payer_name.strip()
    receipt.paid_at, receipt.collected_by = now, acting_user
    receipt.save(update_fields=["status", "method", "payer_name", "paid_at", "collected_by"])
    return receipt


@transaction.atomic(durable=True)
def void_receipt(*, receipt: Receipt, reason: str, acting_user: User, now: dt.datetime) -> Receipt:
    """作废收据 (supervisor): keeps the number (no gaps); refused once the cash was handed over."""
    project = receipt.project
    if not can_see_project(acting_user, project):
        raise _refuse("收据不存在", code="not_found", status=404)
    if not has_cap(acting_user, Cap.VOID, project):
        raise _refuse("只有主管以上人员可以作废收据", code="forbidden", status=403)
    if not reason.strip():
        raise _refuse("请填写作废原因", field="reason")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.handover_id is not None:
        raise _refuse("现金已交接的收据不能作废", code="handed_over", status=409)
    if receipt.status == PaymentStatus.VOID:
        raise _refuse("收据已作废", code="void", status=409)
    receipt.status, receipt.void_reason = PaymentStatus.VOID, reason.strip()[:200]
    receipt.save(update_fields=["status", "void_reason"])
    return receipt


@transaction.atomic(durable=True)
def hand_over_cash(*, project: Project, receipts: Sequence[Receipt | int], amount: Any, received_by: User,
                   acting_user: User, now: dt.datetime, note: str = "") -> CashHandover:
    """现金交接 (R-M8-08 g): the technician hands the cash of their paid cash receipts to the
    cashier. Refused when: a receipt is not a paid cash receipt collected by the acting user in
    this project, already handed over, the cashier is the acting user or outside the project, or
    the amount differs from the receipts' total by even a cent (discrepancy)."""
    if not can_see_project(acting_user, project):
        raise _refuse("项目不存在", code="not_found", status=404)
    if received_by.pk == acting_user.pk:
        raise _refuse("交款人和收款人不能是同一人", field="received_by")
    if not can_see_project(received_by, project):
        raise _refuse("收款人不属于该项目", field="received_by")
    try:
        value = Decimal(str(amount)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise _refuse("金额格式不正确", field="amount") from None
    ids = [r.pk if isinstance(r, Receipt) else int(r) for r in receipts]
    if not ids:
        raise _refuse("请选择要交接的收据", field="receipts")
    rows = list(Receipt.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(rows) != len(set(ids)):
        raise _refuse("收据不存在", field="receipts", code="not_found", status=404)
    for r in rows:
        if r.project_id != project.pk:
            raise _refuse(f"收据 {r.number} 不属于该项目", field="receipts")
        if r.status != PaymentStatus.PAID or r.method != PaymentMethod.CASH:
            raise _refuse(f"收据 {r.number} 不是已收现金的收据", field="receipts")
        if r.collected_by_id != acting_user.pk:
            raise _refuse(f"收据 {r.number} 不是您收取的现金", field="receipts", code="forbidden", status=403)
        if r.handover_id is not None:
            raise _refuse(f"收据 {r.number} 的现金已交接", field="receipts", code="already_handed_over", status=409)
    total = sum((r.amount for r in rows), Decimal("0.00"))
    if value != total:
        raise RepairError(f"交接金额 ¥{value} 与收据合计 ¥{total} 不符，不能交接", field="amount",
                          code="discrepancy", status=409)
    handover = CashHandover.objects.create(project=project, handed_by=acting_user, received_by=received_by, at=now,
                                           amount=total, note=note.strip()[:200])
    Receipt.objects.filter(pk__in=[r.pk for r in rows]).update(handover=handover)
    return handover


def cash_on_hand(user: User, project: Project | None = None) -> QuerySet[Receipt]:
    """Paid cash receipts the user collected and has not handed over yet (R-M8-08 g: kept safe)."""
    qs = Receipt.objects.filter(collected_by=user, status=PaymentStatus.PAID, method=PaymentMethod.CASH,
                                handover=None)
    return qs.filter(project=project) if project is not None else qs


# ---------------------------------------------------------------- price lists (R-M8-15, R-M8-16)


@transaction.atomic(durable=True)
def publish_price_list(*, price_list: PriceList, acting_user: User, now: dt.datetime) -> PriceList:
    """公示: publish a project's price list (a published list is no longer edited — make a new one)."""
    project = price_list.project
    if not can_see_project(acting_user, project):
        raise _refuse("项目不存在", code="not_found", status=404)
    if not has_cap(acting_user, Cap.MANAGE_CONFIG, project):
        raise _refuse("只有管理处经理可以公示价目表", code="forbidden", status=403)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.published_at is not None:
        raise _refuse("价目表已公示", code="already_published", status=409)
    if not price_list.items.exists():
        raise _refuse("价目表没有收费项目", field="items")
    if any(i.unit_price < 0 for i in price_list.items.all()):
        raise _refuse("单价不能为负", field="items")
    price_list.published_at = now
    price_list.save(update_fields=["published_at"])
    return price_list


# ---------------------------------------------------------------- follow-up (R-M8-07, R-M17-01)


def quiet_hours(project: Project, at: dt.datetime) -> dt.datetime | None:
    """R-M17-01 (POLICY P-21): None when a phone call at ``at`` is fine, otherwise the next allowed
    moment (in the project's time zone). The project's quiet-hours policy row of apps.notify decides;
    without that app the P-21 default windows [12:00, 14:00) and [21:00, 08:00) apply."""
    allowed = adapters.next_call_moment(project, at)
    if allowed is not None:
        return None if allowed <= at else allowed.astimezone(project.tz)
    local = at.astimezone(project.tz)
    t = local.time()
    for start, end in QUIET_WINDOWS:
        if start < end and start <= t < end:
            return local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if start > end and (t >= start or t < end):
            day = local.date() + dt.timedelta(days=1) if t >= start else local.date()
            return dt.datetime.combine(day, end, tzinfo=project.tz)
    return None


SAT_ORDER = {Satisfaction.SATISFIED: 0, Satisfaction.BASIC: 1, Satisfaction.UNSATISFIED: 2}


def overall_satisfaction(quality: str, attitude: str) -> str:
    """The owner's overall verdict for the pipeline: the worse of quality and attitude."""
    return max((quality, attitude), key=lambda s: SAT_ORDER[s])


def record_repair_return_visit(*, order: RepairOrder, method: str, reached: bool, acting_user: User,
                               now: dt.datetime, quality: str = "", attitude: str = "", owner_words: str = "",
                               working_well: bool | None = None, note: str = "", give_up: bool = False,
                               emergency_reason: str = "") -> RepairRating | None:
    """维修回访 (R-M8-07, P-16): quality AND attitude satisfaction, through the pipeline's return
    visit (deadline ``return_visit``: 48 h by default, 3 days under 制度12).

    A phone call inside the quiet hours (R-M17-01) is refused unless an emergency reason is given.
    不满意 on either → the pipeline reopens the ticket (R-M4-09) and the order goes back to the
    department that did the work (返工, ``rework_count`` + 1, the same worker) until the owner is
    satisfied; the earlier acceptance is cleared so a new one is signed after the rework."""
    ticket = order.ticket
    if not can_see_project(acting_user, ticket.project):
        raise _refuse("工单不存在", code="not_found", status=404)
    if reached:
        errors = {}
        if quality not in SAT_ORDER:
            errors["quality"] = ["请选择维修质量满意度"]
        if attitude not in SAT_ORDER:
            errors["attitude"] = ["请选择服务态度满意度"]
        if errors:
            raise RepairError("请填写维修质量和服务态度满意度", fields=errors)
    if method == ReturnVisitMethod.PHONE and not emergency_reason.strip():
        next_ok = quiet_hours(ticket.project, now)
        if next_ok is not None:
            raise RepairError(f"现在是免打扰时段（R-M17-01），请于 {next_ok:%Y-%m-%d %H:%M} 后再电话回访，"
                              "紧急情况须填写原因",
                              field="emergency_reason", code="quiet_hours", status=409)
    overall = overall_satisfaction(quality, attitude) if reached else ""
    words = owner_words.strip()
    if emergency_reason.strip():
        note = f"{note} 紧急回访原因：{emergency_reason.strip()}".strip()
    cycle = ticket.cycle
    with _pipeline():
        visit = ta.record_return_visit(ticket=ticket, method=method, reached=reached, acting_user=acting_user,
                                       now=now, satisfaction=overall, owner_words=words, note=note, give_up=give_up)
    if not reached:
        return None
    with transaction.atomic(durable=True):
        rating = RepairRating.objects.create(order=order, return_visit=visit, cycle=cycle, quality=quality,
                                             attitude=attitude, working_well=working_well, recorded_at=now)
    if overall == Satisfaction.UNSATISFIED:
        _send_back_for_rework(order, reason=words or "回访不满意", acting_user=acting_user, now=now)
    return rating


def _send_back_for_rework(order: RepairOrder, *, reason: str, acting_user: User, now: dt.datetime) -> None:
    """返工 (R-M8-07, 001 走访制度 三.11): the reopened ticket goes back to the department (and worker)
    that did the work; the on-site record of the new cycle starts empty."""
    ticket = order.ticket
    ticket.refresh_from_db()
    last = ticket.dispatches.order_by("-dispatched_at", "-id").first()
    department = last.department if last else repair_department(ticket.project, ticket.category)
    worker = order.worker or (last.assignee if last else None)
    with transaction.atomic(durable=True):
        _lock(order)
        order.rework_count += 1
        order.arrived_at = order.work_started_at = order.completed_at = None
        order.signed_at = order.refused_at = None
        order.signed_name = order.refusal_reason = ""
        order.quality_ok = None
        order.save(update_fields=["rework_count", "arrived_at", "work_started_at", "completed_at", "signed_at",
                                  "refused_at", "signed_name", "refusal_reason", "quality_ok", "updated_at"])
    if department is None:
        return
    if has_cap(acting_user, Cap.DISPATCH, ticket.project):
        with _pipeline():
            ta.dispatch_ticket(ticket=ticket, department=department, assignee=worker,
                               instructions=f"回访不满意，返工：{reason}", acting_user=acting_user, now=now)
    else:
        heads = [m.user for m in Membership.objects.filter(department=department, role=Role.DEPT_HEAD)
                 .select_related("user")]
        adapters.notify_staff(heads, kind="repair_rework", subject=f"报修 {ticket.number} 回访不满意，须返工",
                              body=reason[:200], link=f"/repairs/orders/{order.pk}/", project=ticket.project,
                              dedupe_key=f"rework-{order.pk}-{ticket.cycle}", now=now)
