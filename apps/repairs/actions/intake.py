"""报修受理 (R-M8-01…R-M8-03): the ticket intake and the work order in one transaction, then the
dispatch by the category's mode; the work order of a repair ticket received elsewhere."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import has_cap
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.repairs.actions._common import notify_steward, ticket_step
from apps.repairs.errors import refuse
from apps.repairs.models import DispatchMode, LocationKind, RepairOrder
from apps.repairs.queries import (
    REPAIR_KINDS,
    certificate_problem,
    default_urgency,
    hard_limit_for,
    household_by_label,
    is_paid_service_category,
    is_repair_category,
    next_round_robin_worker,
    repair_department,
    repair_settings_for,
    rule_for,
    steward_of,
)
from apps.tickets import actions as ta
from apps.tickets.actions.agreed_time import apply_agreed_arrival
from apps.tickets.choices import Channel, Kind, Urgency
from apps.tickets.models import Category, Ticket

if TYPE_CHECKING:
    from apps.estates.models import Household, Person

AGREED_ARRIVAL_RULE_SETS = frozenset({"arrival_c"})


def order_for(ticket: Ticket) -> RepairOrder:
    """The work order of a repair/paid-service ticket, created on first use (idempotent: a ticket
    has one work order; the job ``repairs.order_for_ticket`` calls this for tickets received
    through the generic ticket form or API)."""
    if ticket.kind not in REPAIR_KINDS:
        raise refuse("该工单不是报修或有偿服务", code="not_repair", status=409)
    order = RepairOrder.objects.filter(ticket=ticket).first()
    if order is None:
        rule = rule_for(ticket.project, ticket.category)
        order, _ = RepairOrder.objects.get_or_create(
            ticket=ticket, defaults={"created_at": ticket.recorded_at, "location": ticket.address,
                                     "hard_limit_at": hard_limit_for(ticket),
                                     "dispatch_mode": rule.dispatch_mode if rule else DispatchMode.ASSIGN,
                                     "steward": ticket.household.building.steward if ticket.household else None})
    return order


@transaction.atomic
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
      keyed by the category code) and the work order is created in the same transaction (no ticket
      without its work order); then dispatched by the mode: round-robin → the next worker of the
      department; pool → the department without a worker (抢单池); assign → waits for the
      dispatcher."""
    if kind not in REPAIR_KINDS:
        raise refuse("报修单类型只能是报修或有偿服务", field="kind")
    if not is_repair_category(category):
        raise refuse("请选择报修类别", field="category")
    if is_paid_service_category(category) and kind != Kind.PAID_SERVICE:
        raise refuse("该类别是有偿服务，类型请选择“有偿/特约服务”", field="kind")
    if location_kind not in LocationKind.values:
        raise refuse("报修位置不正确", field="location_kind")
    if location_kind == LocationKind.HOUSEHOLD and household is None and person is None and not location.strip():
        raise refuse("户内报修须选择房屋或填写房号", field="household")
    if location_kind == LocationKind.COMMON and not location.strip():
        raise refuse("公共区域报修须填写具体位置", field="location")
    if urgency is not None and urgency not in Urgency.values:
        raise refuse("紧急程度不正确", field="urgency")
    if household is None and person is None and location_kind == LocationKind.HOUSEHOLD and location.strip():
        # R-M8-17: a room typed on the intake page that names a household of the project links it, so
        # the building's steward is on the 派工单 and the repair is on the household's record
        household = household_by_label(project, location)
    start = received_at or now
    if agreed_visit_at is not None and agreed_visit_at < start:
        raise refuse("约定上门时间不能早于报修时间", field="agreed_visit_at")
    rule = rule_for(project, category)
    mode = rule.dispatch_mode if rule is not None else DispatchMode.ASSIGN
    department = repair_department(project, category)
    ticket = ticket_step(
        ta.receive_ticket, project=project, kind=kind, channel=channel, content=content, acting_user=acting_user,
        now=now, urgency=urgency or default_urgency(project, category), received_at=received_at,
        household=household, person=person, complainant_surname=complainant_surname, phone=phone,
        address=location.strip(), anonymous=anonymous, category=category, department=department,
        agreed_feedback_at=agreed_feedback_at or agreed_visit_at,
    )
    order = RepairOrder(ticket=ticket, location_kind=location_kind, location=location.strip() or ticket.address,
                        dispatch_mode=mode, agreed_visit_at=agreed_visit_at, created_at=now)
    order.steward = steward_of(order)  # R-M8-01: the building's steward is on the 派工单
    order.hard_limit_at = hard_limit_for(ticket)  # AS-22: "最多2个工作日", fixed at intake
    order._change_reason = "报修受理"  # type: ignore[attr-defined]
    order._history_user = acting_user  # type: ignore[attr-defined]
    order.save()
    if agreed_visit_at is not None:
        # R-M8-03 rule set C / issue 23 item 5: the agreed time (+ tolerance) is the arrival deadline
        apply_agreed_arrival(ticket=ticket, agreed_at=agreed_visit_at, rule_sets=AGREED_ARRIVAL_RULE_SETS,
                             tolerance=dt.timedelta(minutes=repair_settings_for(project).agreed_arrival_tolerance_minutes),
                             acting_user=acting_user, now=now)
    if department is not None and has_cap(acting_user, Cap.DISPATCH, project):
        if mode == DispatchMode.ROUND_ROBIN:
            worker = next_round_robin_worker(department)
            if worker is not None and certificate_problem(worker, project, category, now):
                worker = None  # R-M8-18: an uncertified worker is skipped; the dispatcher assigns
            if worker is not None:
                sent = ticket_step(ta.dispatch_ticket, ticket=ticket, department=department, assignee=worker,
                                   instructions="部门内轮派", acting_user=acting_user, now=now)
                notify_steward(order, sent, now=now)
        elif mode == DispatchMode.POOL:
            sent = ticket_step(ta.dispatch_ticket, ticket=ticket, department=department, assignee=None,
                               instructions="进入抢单池", acting_user=acting_user, now=now)
            notify_steward(order, sent, now=now)
    order.refresh_from_db()
    return order
