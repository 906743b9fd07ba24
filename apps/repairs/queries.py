"""Reads of the repairs app shared by the pages, the API, the job and the actions: the category's
rule, the worker's queues, the current 派工单, certificates, price lists and charges, cash on hand,
quiet hours. Nothing here writes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet, Sum

from apps.estates.models import Household
from apps.notify.queries import CALL, next_contact_moment
from apps.org.access import has_cap, visible_projects
from apps.org.models import AnnualAppraisal, AppraisalResult, Department, Membership, Project, User
from apps.org.roles import Cap, Role
from apps.repairs.errors import refuse
from apps.repairs.models import (
    SITE_CHECKLIST,
    ChargeConsent,
    ConsentAnswer,
    MaterialRequisition,
    MaterialUse,
    PaymentMethod,
    PaymentStatus,
    PriceItem,
    PriceList,
    Receipt,
    RepairOrder,
    RepairRule,
    RepairSettings,
)
from apps.tickets.choices import Kind, Satisfaction, TicketStatus, Urgency
from apps.tickets.models import Category, Deadline, Dispatch, Ticket
from apps.workdays import queries as workdays
from apps.workdays.models import LimitPolicy
from linli import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

S = TicketStatus
CENT = Decimal("0.01")
REPAIR_KINDS = frozenset({Kind.REPAIR, Kind.PAID_SERVICE})
# R-M8-03 rule set A: "water, electricity, gas and other urgent repairs". The shipped RepairRule rows
# carry the flag; this set is the fallback when a category has no rule row.
URGENT_CATEGORY_CODES = frozenset({"repair_water", "repair_power", "repair_gas", "repair_lift",
                                   "repair_power_outage"})
CHECKLIST_KEYS = tuple(key for key, _label, _rule in SITE_CHECKLIST)
REQUIRED_AT_COMPLETION = ("site_cleaned", "tools_counted")  # R-M8-11 工完料净场地清, R-M8-12 工具清点


def checklist_unmet(checklist: dict[str, Any] | None) -> list[str]:
    """R-M8-14: the conduct items not ticked on a completed job (flagged on the order, explained)."""
    done = checklist or {}
    return [key for key in CHECKLIST_KEYS if not done.get(key)]


def quality_passed(order: RepairOrder) -> bool:
    """R-M8-13: accepted as fixed (function restored) and, where the repair is cosmetic, without colour
    difference or unevenness; an unsigned or refused repair has not passed."""
    return order.signed_at is not None and order.quality_ok is True and order.cosmetic_ok is not False
SAT_ORDER: dict[str, int] = {Satisfaction.SATISFIED: 0, Satisfaction.BASIC: 1, Satisfaction.UNSATISFIED: 2}
OPEN_FOR_WORKER = (S.DISPATCHED, S.HANDLING, S.REOPENED, S.HANDLED)


# ---------------------------------------------------------------- categories and rules


#: R-M19-06: the CS department's commissioned paid cleaning and similar paid services (环境管理部 does them)
PAID_SERVICE_PREFIX = "service_"


def is_paid_service_category(category: Category | None) -> bool:
    return category is not None and category.code.startswith(PAID_SERVICE_PREFIX)


def is_repair_category(category: Category | None) -> bool:
    if category is None:
        return False
    if category.code.startswith("repair_") or is_paid_service_category(category):
        return True
    return bool(category.parent_id and category.parent and category.parent.code == "engineering")


def repair_categories() -> list[Category]:
    """The intake's categories: the repair categories, then the paid services (R-M19-06)."""
    return list(Category.objects.filter(Q(code__startswith="repair_") | Q(code__startswith=PAID_SERVICE_PREFIX),
                                        active=True).order_by("sort", "id"))


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


def certificate_required(order_or_project: RepairOrder | Project, category: Category | None = None) -> bool:
    """R-M8-18 / R-M19-10: whether the category's repair rule says the work needs a certificate."""
    if isinstance(order_or_project, RepairOrder):
        project, category = order_or_project.ticket.project, order_or_project.ticket.category
    else:
        project = order_or_project
    rule = rule_for(project, category)
    return bool(rule and rule.certificate_required)


def certificate_problem(worker: User, project: Project, category: Category | None, now: dt.datetime) -> str | None:
    """持证上岗 (R-M8-18): the Chinese reason ``worker`` may not take a repair of ``category`` in
    ``project`` on ``now``'s local day, or None. Only categories whose rule requires a certificate
    are checked; a missing certificate or one expired before that day blocks the assignment, and so
    does a failed latest annual appraisal (R-M19-10: certified *and* appraised each year) until a new
    appraisal passes."""
    if not certificate_required(project, category):
        return None
    day = clock.local(now, project.tz).date()
    if worker.certificate_valid_on(day):
        latest = (AnnualAppraisal.objects.filter(staff=worker, appraised_at__lte=now)
                  .order_by("-appraised_at", "-pk").only("result", "year").first())
        if latest is not None and latest.result == AppraisalResult.FAILED:
            return (f"该类维修须持证上岗，{worker} {latest.year}年度考评不合格，"
                    f"须经培训并重新考评合格后方可派工")
        return None
    if not worker.certificate.strip():
        return f"该类维修须持证上岗，{worker} 没有登记证书，不能派工"
    return (f"该类维修须持证上岗，{worker} 的证书已于 {worker.certificate_valid_until:%Y-%m-%d} 过期，"
            f"不能派工")


# ---------------------------------------------------------------- work orders and queues


def current_dispatch(order: RepairOrder) -> Dispatch | None:
    """The active 派工单 of the order's ticket (from ``active_dispatches`` when the order came
    through :func:`with_details`)."""
    prefetched = getattr(order.ticket, "active_dispatches", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return order.ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()


def visible_orders(user: User | AnonymousUser) -> QuerySet[RepairOrder]:
    return RepairOrder.objects.filter(ticket__project__in=visible_projects(user)).exclude(
        ticket__status=S.VOIDED)


def visible_repair_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Repair and paid-service tickets of the user's projects (not voided)."""
    return Ticket.objects.filter(project__in=visible_projects(user), kind__in=REPAIR_KINDS).exclude(
        status=S.VOIDED)


CARD_RELATED = ("ticket", "ticket__category", "ticket__project")


def my_orders(user: User) -> QuerySet[RepairOrder]:
    """The worker's list: orders whose current 派工单 is theirs, open first (phone home page)."""
    return (visible_orders(user)
            .filter(ticket__dispatches__active=True, ticket__dispatches__assignee=user,
                    ticket__status__in=OPEN_FOR_WORKER)
            .select_related(*CARD_RELATED).distinct()
            .order_by("-ticket__urgency", "ticket__received_at"))


def user_departments(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user, role__in=[Role.WORKER, Role.DEPT_HEAD])
                .exclude(department=None).values_list("department_id", flat=True))


def pool_orders(user: User) -> QuerySet[RepairOrder]:
    """抢单池: orders dispatched to one of the user's departments without a named worker."""
    return (visible_orders(user)
            .filter(ticket__dispatches__active=True, ticket__dispatches__assignee=None,
                    ticket__dispatches__department_id__in=user_departments(user), ticket__status=S.DISPATCHED)
            .select_related(*CARD_RELATED).distinct()
            .order_by("-ticket__urgency", "ticket__received_at"))


def waiting_orders(user: User) -> QuerySet[RepairOrder]:
    """待派工: received or reopened repairs of the projects where the user dispatches."""
    projects = [p for p in visible_projects(user) if has_cap(user, Cap.DISPATCH, p)]
    return (visible_orders(user).filter(ticket__project__in=projects, ticket__status__in=[S.RECEIVED, S.REOPENED])
            .select_related(*CARD_RELATED).order_by("-ticket__urgency", "ticket__received_at"))


def household_by_label(project: Project, text: str) -> Household | None:
    """The project's household whose full room label (or, when unique, room number) is ``text``."""
    text = text.strip()
    if not text:
        return None
    found = list(Household.objects.filter(project=project, label=text).select_related("building")[:2])
    if not found:
        found = list(Household.objects.filter(project=project, room_no=text).select_related("building")[:2])
    return found[0] if len(found) == 1 else None


def repair_settings_for(project: Project) -> RepairSettings:
    """报修设置 in force for ``project``: its own row, else the company's, else the defaults."""
    rows = list(RepairSettings.objects.filter(company_id=project.company_id)
                .filter(Q(project=None) | Q(project=project)))
    own = next((r for r in rows if r.project_id == project.pk), None)
    return own or next((r for r in rows if r.project_id is None), None) or RepairSettings(company_id=project.company_id)


def company_repair_settings(user: Any) -> RepairSettings:
    """The company-wide 报修设置 of the user's company (the measures' targets span projects)."""
    project = visible_projects(user).order_by("code").first()
    if project is None:
        return RepairSettings()
    return (RepairSettings.objects.filter(company_id=project.company_id, project=None).first()
            or RepairSettings(company_id=project.company_id))


def steward_of(order: RepairOrder) -> User | None:
    """The building steward (客服楼宇员/管家) of the order's household building (R-M8-17, R-M19-04)."""
    household = order.ticket.household
    if household is None:
        return None
    return household.building.steward


def steward_orders(user: User) -> QuerySet[RepairOrder]:
    """R-M8-17 / R-M19-04 (11): the repairs in the buildings the user is steward of, open first, so the
    steward can coordinate and supervise their completion."""
    return (visible_orders(user).filter(Q(ticket__household__building__steward=user) | Q(steward=user))
            .select_related(*CARD_RELATED, "ticket__household")
            .order_by("completed_at", "-ticket__received_at"))


def with_details(orders: QuerySet[RepairOrder]) -> QuerySet[RepairOrder]:
    """Everything the API's work-order shape reads, in a fixed number of queries for any number
    of orders: charge lines, consents, the active 派工单 and the deadlines."""
    return orders.select_related(*CARD_RELATED).prefetch_related(
        "charge_lines", "materials", Prefetch("consents", queryset=ChargeConsent.objects.order_by("-at", "-id")),
        Prefetch("ticket__dispatches", queryset=Dispatch.objects.filter(active=True).order_by("-dispatched_at", "-id"),
                 to_attr="active_dispatches"),
        Prefetch("ticket__deadlines", queryset=Deadline.objects.order_by("stage"), to_attr="all_deadlines"))


def latest_consent(order: RepairOrder) -> ChargeConsent | None:
    consents = list(order.consents.all())  # newest first when prefetched by with_details
    if not consents:
        return None
    return max(consents, key=lambda c: (c.at, c.pk))


def consent_valid(order: RepairOrder) -> bool:
    """An agreed consent for exactly the current charge."""
    consent = latest_consent(order)
    return (consent is not None and consent.answer == ConsentAnswer.AGREED
            and consent.amount == order.quote_total)


def department_workers(department: Department) -> list[User]:
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


def leaders(project: Project) -> list[User]:
    """Who may consent to a wiring change (R-M8-11) or a shift hand-over (R-M8-10) in this project."""
    ids = Membership.objects.filter(project=project, role__in=[Role.DEPT_HEAD, Role.PROJECT_MANAGER,
                                                               Role.CS_SUPERVISOR, Role.CS_MANAGER])
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("pk"))


def colleagues(order: RepairOrder, user: User) -> list[User]:
    dispatch = current_dispatch(order)
    if dispatch is None:
        return []
    return [w for w in department_workers(dispatch.department) if w.pk != user.pk]


def same_local_day(project: Project, a: dt.datetime, b: dt.datetime) -> bool:
    return a.astimezone(project.tz).date() == b.astimezone(project.tz).date()


# ---------------------------------------------------------------- price lists and charges (R-M8-15, R-M8-16)


def effective_price_list(project: Project, on: dt.date) -> PriceList | None:
    """The published list in force on ``on`` (latest effective_from wins)."""
    return (PriceList.objects.filter(project=project, published_at__isnull=False, effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
            .order_by("-effective_from", "-id").first())


def price_items(project: Project, now: dt.datetime) -> list[PriceItem]:
    """The items of the list in force today (empty without a published list)."""
    pl = effective_price_list(project, now.astimezone(project.tz).date())
    return list(pl.items.all()) if pl else []


def parse_quantity(value: Any, field: str = "quantity") -> Decimal:
    try:
        q = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise refuse("数量格式不正确", field=field) from None
    if q <= 0 or q > Decimal("10000"):
        raise refuse("数量须大于 0", field=field)
    return q


def compute_charge(items: Sequence[tuple[PriceItem, Any]]) -> tuple[list[dict[str, Any]], Decimal]:
    """收费计算 (R-M8-15(6) 明码标价): each line = quantity × the listed unit price, rounded half-up to
    the cent; the total is the sum of the lines. No price is ever typed in."""
    lines = []
    total = Decimal("0.00")
    for item, qty in items:
        quantity = parse_quantity(qty)
        amount = (quantity * item.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({"item": item, "name": item.name, "unit": item.unit, "quantity": quantity,
                      "unit_price": item.unit_price, "amount": amount})
        total += amount
    return lines, total


def resolve_price_items(order: RepairOrder, items: Iterable[tuple[Any, Any]], now: dt.datetime,
                        kind: str | None = None) -> list[tuple[PriceItem, Any]]:
    """The (item, quantity) pairs, each item from the project's list in force (never a typed price)."""
    project = order.ticket.project
    price_list = effective_price_list(project, now.astimezone(project.tz).date())
    if price_list is None:
        raise refuse("本项目没有已公示的收费价目表，不能收费", field="items", code="no_price_list", status=409)
    resolved = []
    for ref, qty in items:
        item_id = ref.pk if isinstance(ref, PriceItem) else ref
        item = PriceItem.objects.filter(pk=item_id, price_list=price_list).first()
        if item is None or (kind is not None and item.kind != kind):
            raise refuse("项目不在本项目现行公示的价目表中（不得私自加价）", field="items")
        resolved.append((item, qty))
    return resolved


def cash_on_hand(user: User, project: Project | None = None) -> QuerySet[Receipt]:
    """Paid cash receipts the user collected and has not handed over yet (R-M8-08 g: kept safe)."""
    qs = Receipt.objects.filter(collected_by=user, status=PaymentStatus.PAID, method=PaymentMethod.CASH,
                                handover=None)
    return qs.filter(project=project) if project is not None else qs


# ---------------------------------------------------------------- follow-up (R-M8-07, R-M17-01)


def quiet_hours(project: Project, at: dt.datetime) -> dt.datetime | None:
    """R-M17-01 (POLICY P-21): None when a phone call at ``at`` is fine, otherwise the next allowed
    moment (in the project's time zone), from the project's quiet-hours policy (apps.notify)."""
    allowed = next_contact_moment(project, at, channel=CALL)
    return None if allowed <= at else allowed.astimezone(project.tz)


def overall_satisfaction(quality: str, attitude: str) -> str:
    """The owner's overall verdict for the pipeline: the worse of quality and attitude."""
    return max((quality, attitude), key=lambda s: SAT_ORDER[s])


# R-M8-04 / AS-22: rows of a completion rule set that carry a hard limit beyond their target —
# (rule set code, category code or "" for the set's fallback row) → (clock, amount). 制度10 "其他简单
# 维修 1个工作日，最多2个工作日" is the only such row in the seeds.
HARD_LIMITS: dict[tuple[str, str], tuple[str, int]] = {
    ("completion_10", "repair_general"): ("working_days", 2),
    ("completion_10", ""): ("working_days", 2),
}


def hard_limit_for(ticket: Ticket) -> dt.datetime | None:
    """AS-22: the latest completion of a repair whose completion row has a hard limit (None otherwise),
    counted from the report like the target (T-04), with the project's calendar."""
    deadline = (Deadline.objects.filter(ticket=ticket, stage="complete", cycle=0, cancelled_at=None)
                .order_by("-pk").first())
    if deadline is None or deadline.policy_id is None:
        return None
    row = (LimitPolicy.objects.filter(pk=deadline.policy_id).select_related("rule_set")
           .only("category", "rule_set__code").first())
    if row is None:
        return None
    limit = HARD_LIMITS.get((row.rule_set.code, row.category or ""))
    if limit is None:
        return None
    due, _provisional = workdays.compute(ticket.project, clock=limit[0], amount=limit[1], start=ticket.received_at)
    return due


# ---------------------------------------------------------------- materials requisitions (R-M8-12)


REQUISITION_LOOKBACK_DAYS = 90  # the consumption shown beside a request: the last three months


def project_requisitions(project: Project) -> QuerySet[MaterialRequisition]:
    """The project's 材料申购单, newest first, lines prefetched (a fixed number of queries)."""
    return (MaterialRequisition.objects.filter(project=project)
            .select_related("requested_by", "decided_by").prefetch_related("lines")
            .order_by("-requested_at", "-id"))


def recent_consumption(project: Project, names: Iterable[str], now: dt.datetime) -> dict[str, Decimal]:
    """The quantity of each named material logged on the project's repairs in the last three months
    (the consumption register, R-M8-12: so that stock is not excessive). One query."""
    wanted = {n for n in names if n}
    if not wanted:
        return {}
    since = now - dt.timedelta(days=REQUISITION_LOOKBACK_DAYS)
    rows = (MaterialUse.objects.filter(order__ticket__project=project, recorded_at__gte=since, name__in=wanted)
            .values("name").annotate(total=Sum("quantity")).order_by("name"))
    return {r["name"]: r["total"] for r in rows}


# ---------------------------------------------------------------- duty log (R-M8-15 (2))


def duty_log(user: User, project: Project, day: dt.date) -> list[RepairOrder]:
    """值班记录表 (R-M8-15 (2)): every repair and paid-service request the project received on ``day``
    (its local calendar day), in order, with who received it, the department sent to and the
    progress — read from the intake records, so the log is filled as each request is taken. A fixed
    number of queries."""
    tz = project.tz
    start = dt.datetime.combine(day, dt.time.min).replace(tzinfo=tz)
    end = start + dt.timedelta(days=1)
    return list(visible_orders(user).filter(ticket__project=project, ticket__received_at__gte=start,
                                            ticket__received_at__lt=end)
                .select_related("ticket", "ticket__category", "ticket__receiver", "worker")
                .prefetch_related(Prefetch("ticket__dispatches",
                                           queryset=Dispatch.objects.filter(active=True).select_related(
                                               "department", "assignee").order_by("-dispatched_at", "-id"),
                                           to_attr="active_dispatches"))
                .order_by("ticket__received_at", "pk")[:500])
