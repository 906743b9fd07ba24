"""REST endpoints of the ticket pipeline, mounted at ``/api/v1/tickets`` (issue 4 item 9).

Thin: each operation resolves the ticket through ``access`` (another project's ticket is 404, like a
missing one), calls its typed action with the keyword arguments ``apps.tickets.forms`` builds from the
payload (the same calls the pages make), and answers with the ticket. Stable names for integrations: ``number``, ``kind``, ``channel``, ``status``,
``received_at``, ``deadlines`` = ``[{stage, due_at, met_at, provisional}]`` (ISO 8601 with the
+08:00 offset) and ``escalation`` = ``{level: none|hot|major, reasons: [...]}``.

Every POST honours ``Idempotency-Key``: a retry with the same key and body returns the stored
answer and never files a second ticket (apps.api.idempotency, a middleware).

No ``from __future__ import annotations`` here: django-ninja's ``@paginate`` wrapper resolves the list
endpoint's parameter annotations in its own module, so they must be real objects, not strings.
"""

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core import files
from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.core.validation import PastMoment, PlannedMoment, SaneDate, SaneMoment, safe_local
from apps.org import access as org_access
from apps.org.models import Company
from apps.org.roles import Cap
from apps.tickets import access, actions, api_detail, channels, forms, measures, queries, work_orders
from apps.tickets.actions import TicketError
from apps.tickets.api_detail import (
    TicketDetailAttachmentOut,
    TicketDetailClaimOut,
    TicketDetailClusterOut,
    TicketDetailDispatchOut,
    TicketDetailEventOut,
    TicketDetailExemptionOfferOut,
    TicketDetailExemptionOut,
    TicketDetailFactsOut,
    TicketDetailOwnerUpdateOut,
    TicketDetailReplyOut,
    TicketDetailReturnVisitOut,
    TicketDetailReturnVisitStateOut,
    TicketDetailTransferOut,
    TicketDetailVerificationOut,
)
from apps.tickets.choices import (
    Channel,
    Kind,
    OwnerResponse,
    ReplyChannel,
    ReplyKind,
    ReplyRecipient,
    ReturnVisitExemption,
    ReturnVisitMethod,
    ReviewDepartment,
    Satisfaction,
    Source,
    TicketStatus,
    Urgency,
)
from apps.tickets.complaint_level import complaint_level
from apps.tickets.deadline_display import deadline_state
from apps.tickets.filters import TicketFilterForm, apply_filters
from apps.tickets.lookup import search_households
from apps.tickets.models import Attachment, Deadline, Ticket, ValidityCriterion
from apps.tickets.transitions import InvalidTransition
from linli import clock

router = Router(tags=["tickets"])

MAX_PAGE_SIZE = 100


# ---------------------------------------------------------------- schemas


class TicketDeadlineOut(Schema):
    stage: str = Field(description="acknowledge | respond | reply | arrive | complete | return_visit | report")
    due_at: dt.datetime | None = Field(description="到期时间（ISO 8601，带时区）；空 = 立即/及时")
    met_at: dt.datetime | None
    provisional: bool = Field(description="按暂定日历计算（官方节假日未公布）")
    cycle: int
    limit_due_at: dt.datetime | None = Field(description="制度时限（与约定时间分开，供统计）")
    agreed: bool
    met_in_time: bool | None
    cancelled: bool
    state: str = Field(description="due_now | open | warning | overdue | met | met_late | cancelled")
    overdue: bool
    stage_label: str = ""
    rule: str = Field("", description="时限依据（页面上时限下方的说明）")


class TicketEscalationReasonOut(Schema):
    kind: str
    level: str
    rule_id: str
    reason: str
    raised_at: dt.datetime | None
    level_label: str = ""
    report_due_at: dt.datetime | None = None


class TicketEscalationOut(Schema):
    level: Literal["none", "hot", "major"]
    reasons: list[TicketEscalationReasonOut]


class TicketOut(Schema):
    id: int
    number: str
    project_id: int
    kind: str
    channel: str
    source: str
    urgency: str
    status: str
    status_label: str
    received_at: dt.datetime
    recorded_at: dt.datetime
    receiver_id: int
    household_id: int | None
    household_label: str
    person_id: int | None
    complainant_surname: str
    anonymous: bool
    content: str
    desired_outcome: str
    category_id: int | None
    department_id: int | None
    handler_id: int | None
    people_count: int
    collective: bool
    media_exposed: bool
    litigation: bool
    media_or_litigation_risk: bool
    developer_matter: bool
    municipal: bool
    coordinator_id: int | None = Field(None, description="市政配套协调人")
    record_form: bool = Field(False, description="记录表投诉（列入《顾客投诉处理记录表》）")
    record_form_at: dt.datetime | None = Field(None, description="列入记录表时间")
    record_form_by_id: int | None = Field(None, description="列入记录表人；空 = 超过一个工作日未关闭自动列入")
    internal_staff: bool
    valid_complaint: bool | None
    validity_criterion_id: int | None = Field(None, description="判定依据（有效投诉判定标准 id）")
    staff_named_id: int | None = None
    important: bool
    complaint_level: str = Field("none", description="投诉级别：none/important/hot/major（一般/重要/热点/重大，取最高）")
    agreed_feedback_at: dt.datetime | None
    held_by_quality: bool
    return_visit_exemption: str = Field("", description="免回访类别：空 = 未免回访")
    return_visit_exemption_note: str = ""
    return_visit_exemption_approved_by_id: int | None = None
    reopen_count: int
    handling_result: str
    closed_at: dt.datetime | None
    unreasonable_close: bool = Field(False, description="以“不合理投诉——已解释”结案")
    unreasonable_reason: str = ""
    investigated_at: dt.datetime | None = None
    quality_fact_check: str = Field("", description="品质管理部与管理处或责任部门核实的情况")
    quality_opinion: str = Field("", description="品质管理部处理意见")
    quality_opinion_by_id: int | None = None
    quality_opinion_at: dt.datetime | None = None
    investigation_due_at: dt.datetime | None = Field(None, description="投诉受理当日调查核实的期限（当天结束）")
    investigation_late: bool = Field(False, description="受理当日未调查核实")
    deadlines: list[TicketDeadlineOut]
    escalation: TicketEscalationOut


class TicketDetailOut(TicketOut):
    """One ticket as a supervisor sees it on the ticket page (issue 23 item 11): the list fields plus
    the records of its sections, attachments, timeline, return-visit state and exemption, the
    same-complaint group, the work order link, and the exemption it is offered."""

    facts: TicketDetailFactsOut
    return_visit_exemption_detail: TicketDetailExemptionOut | None = Field(
        description="免回访：哪一种、理由、批准人、登记人；空 = 未免回访")
    exemption_offer: TicketDetailExemptionOfferOut | None = Field(
        description="匿名或无联系方式的诉求可申请的免回访及申请接口；空 = 无")
    return_visit: TicketDetailReturnVisitStateOut
    return_visits: list[TicketDetailReturnVisitOut]
    dispatches: list[TicketDetailDispatchOut]
    work_order_url: str = Field(description="报修/有偿服务的维修工作单页面；其余为空")
    replies: list[TicketDetailReplyOut]
    verifications: list[TicketDetailVerificationOut]
    compensation_claims: list[TicketDetailClaimOut]
    developer_transfers: list[TicketDetailTransferOut]
    owner_updates: list[TicketDetailOwnerUpdateOut]
    attachments: list[TicketDetailAttachmentOut]
    timeline: list[TicketDetailEventOut]
    cluster: TicketDetailClusterOut | None = Field(description="所属相同投诉组；空 = 无")
    next_steps: list[str] = Field(description="工单当前状态允许的下一步（是否有权办理由各接口检查）")


class TicketIn(Schema):
    """受理 (R-M1-03…R-M1-09). ``received_at`` may be earlier than now (a letter keyed in later)."""

    project: int = Field(description="项目 id")
    kind: Kind = Kind.COMPLAINT
    channel: Channel
    source: Source = Source.PROJECT
    urgency: Urgency = Urgency.NORMAL
    content: str = Field(max_length=4000, description="事件内容")
    received_at: PastMoment | None = Field(None, description="受理时间，须带时区；空 = 现在")
    receiver: int | None = Field(None, description="受理人 id；空 = 调用者")
    household: int | None = None
    person: int | None = None
    complainant_surname: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    anonymous: bool = False
    feelings: str = Field("", max_length=1000)
    desired_outcome: str = Field("", max_length=1000, description="顾客想通过投诉达到的意愿")
    online_url: str = Field("", max_length=500)
    category: int | None = None
    department: int | None = None
    people_count: int = Field(1, ge=1, le=100000)
    collective: bool | None = None
    media_exposed: bool = False
    litigation: bool = False
    media_or_litigation_risk: bool = False
    developer_matter: bool = False
    municipal: bool = False
    valid_complaint: bool | None = None
    important: bool = False
    sensitive: bool = False
    internal_staff: bool = Field(False, description="内部员工投诉（；仅投诉）")
    agreed_feedback_at: PlannedMoment | None = Field(None, description="与业主约定的反馈时间")
    agreed_extension_reason: str = Field("", max_length=200)
    resolved_on_spot: bool = False
    handling_result: str = Field("", max_length=4000)
    suggestion_box_opening: int | None = Field(None, description="意见箱开箱记录 id（意见箱来件）")
    issued_by_quality: bool = Field(False, description="品质部下发的投诉记录表（仅品质管理部）")
    quality_due_at: PlannedMoment | None = Field(None, description="品质部要求完成时间")
    courtesy: Literal["", "apology", "thanks"] = Field("", description="受理结束时致歉（apology）或致谢（thanks）")


class TicketDispatchIn(Schema):
    department: int
    assignee: int | None = None
    instructions: str = Field("", max_length=2000)
    due_at: PlannedMoment | None = None


class TicketHandlingIn(Schema):
    investigation: str = Field("", max_length=4000)
    measures: str = Field("", max_length=4000)
    result: str = Field("", max_length=4000)
    done: bool = False
    arrived_at: PastMoment | None = None


class TicketReasonIn(Schema):
    reason: str = Field(max_length=1000)


class TicketAgreedTimeIn(Schema):
    """约定反馈时间 after intake (R-M2-06)."""

    agreed_feedback_at: PlannedMoment = Field(description="与业主约定的反馈时间")
    agreed_extension_reason: str = Field("", max_length=200, description="业主要求延后的原因（晚于渠道时限时）")


class TicketReopenIn(TicketReasonIn):
    agreed_feedback_at: PlannedMoment | None = None


class TicketReplyIn(Schema):
    """Letters, faxes, emails and online replies are stored as drafts until reviewed (R-M2-08/-10)."""

    kind: ReplyKind = ReplyKind.RESULT
    channel: ReplyChannel
    content: str = Field(max_length=4000)
    recipient: ReplyRecipient = ReplyRecipient.OWNER
    owner_response: OwnerResponse = OwnerResponse.PENDING
    owner_words: str = Field("", max_length=2000)
    sent_at: PastMoment | None = None


class TicketReviewIn(Schema):
    department: ReviewDepartment
    approved: bool
    sincere: bool = Field(False, description="网上回复审核：态度诚恳")
    no_shifting_blame: bool = Field(False, description="网上回复审核：没有推诿责任")
    all_issues_covered: bool = Field(False, description="网上回复审核：已回应业主提出的全部问题")
    professionally_correct: bool = Field(False, description="网上回复审核：专业内容正确（四项全部确认方可发出）")
    note: str = Field("", max_length=2000)


class TicketSendIn(Schema):
    owner_response: OwnerResponse = OwnerResponse.PENDING
    owner_words: str = Field("", max_length=2000)


class TicketVerificationIn(Schema):
    passed: bool
    notes: str = Field("", max_length=2000)
    order: str = Field("", max_length=2000, description="不通过时必填")


class TicketReturnVisitIn(Schema):
    method: ReturnVisitMethod
    reached: bool
    satisfaction: Satisfaction | None = None
    owner_words: str = Field("", max_length=2000)
    note: str = Field("", max_length=1000)
    give_up: bool = Field(False, description="多次联系不上后以“联系不上”结束")
    open_question: str = Field("", max_length=2000, description="未能当场答复的问题，须同时给 answer_due_at")
    answer_due_at: PlannedMoment | None = Field(None, description="约定答复时间，须带时区")
    emergency_reason: str = Field("", max_length=500,
                                  description="免打扰时段内电话回访的紧急原因；否则 409 quiet_hours")


class TicketExemptionIn(Schema):
    exemption: ReturnVisitExemption
    note: str = Field("", max_length=1000)


class TicketCloseIn(Schema):
    result: str = Field("", max_length=4000)
    unresolved: bool = Field(False, description="未关闭结案")
    analysis: str = Field("", max_length=4000)
    measures: str = Field("", max_length=4000)
    unreasonable: bool = Field(False, description="以“不合理投诉——已解释”结案（须已发出解释说明，主管以上）")
    reason: str = Field("", max_length=2000, description="判定为不合理投诉的理由")


class TicketJudgementIn(Schema):
    """投诉判定: ``valid_complaint`` true (有效) / false (无效, needs ``reason``) / null (未判定);
    ``important`` true/false. A field left out is not changed."""

    valid_complaint: bool | None = None
    important: bool | None = None
    reason: str = Field("", max_length=500)
    criterion: int | None = Field(None, description="判定依据：本公司有效投诉判定标准的 id（公司维护了标准时必填）")


class TicketInternalStaffIn(Schema):
    """内部员工投诉标记 (R-M1-17, POLICY P-08): only complaints carry it."""

    internal_staff: bool
    reason: str = Field("", max_length=200)


class TicketTransferIn(Schema):
    content: str = Field(max_length=4000)
    document_no: str = Field("", max_length=60)


class TicketOwnerUpdateIn(Schema):
    channel: ReplyChannel
    content: str = Field(max_length=2000)


class TicketClaimIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    content: str = Field(max_length=2000)
    involves_engineering_or_sales: bool = False


class TicketDecisionIn(Schema):
    approve: bool
    approved_amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=2000)


class TicketHouseholdOut(Schema):
    id: int
    label: str
    person_id: int | None
    surname: str
    open_tickets: int


class TicketListParams(Schema):
    """The list page's filters; every value the schema admits is accepted."""

    q: str | None = Field(None, max_length=100, description="编号、内容、房号、姓氏、电话尾号")
    status: list[TicketStatus] = Field(default_factory=list)
    state: Literal["open", "closed"] | None = None
    kind: Kind | None = None
    channel: Channel | None = None
    category: int | None = Field(None, ge=1)
    department: int | None = Field(None, ge=1)
    project: int | None = Field(None, ge=1)
    household: int | None = Field(None, ge=1)
    receiver: int | None = Field(None, ge=1)
    overdue: Literal["yes", "no", "soon"] | None = Field(None, description="yes 已超时 | no 未超时 | soon 今日到期（见 docs/measures.md）")
    due_before: SaneMoment | None = Field(None, description="有未完成时限早于此时间")
    received_from: SaneDate | None = None
    received_to: SaneDate | None = Field(None, description="不早于 received_from")
    escalation: Literal["none", "hot", "major"] | None = None
    investigation: Literal["late"] | None = Field(None, description="late 受理当日未调查核实的投诉（含事后才核实的）")
    sort: Literal["-received", "received", "due", "-due", "number"] | None = None
    queue: Literal["department", "verification", "return_visit", "immediate_return_visit"] | None = Field(
        None, description="工作队列，与页面相同：department 部门待办 | verification 待验证（品质管理部另见待其验证的公司级投诉）"
                          " | return_visit 待回访 | immediate_return_visit 记录表和一类客户投诉待立即回访")


# ---------------------------------------------------------------- serialisation


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return safe_local(moment)  # a stored extreme moment shows, never fails the list


def _deadline(d: Deadline, now: dt.datetime) -> dict[str, Any]:
    cancelled = d.cancelled_at is not None
    state = "cancelled" if cancelled and d.met_at is None else deadline_state(
        due_at=d.due_at, met_at=d.met_at, now=now, warn_at=d.warn_at).code
    return {
        "stage": d.stage, "due_at": _local(d.due_at), "met_at": _local(d.met_at), "provisional": d.provisional,
        "cycle": d.cycle, "limit_due_at": _local(d.limit_due_at), "agreed": d.agreed, "met_in_time": d.met_in_time,
        "cancelled": cancelled, "state": state, "overdue": state == "overdue",
        "stage_label": str(d.get_stage_display()), "rule": d.rule,
    }


def ticket_data(ticket: Ticket, now: dt.datetime | None = None) -> dict[str, Any]:
    """The ticket as the API shows it, JSON-ready (also stored for idempotent replays)."""
    now = now or clock.now()
    esc = queries.escalation_of(ticket)
    data = {
        "id": ticket.pk, "number": ticket.number, "project_id": ticket.project_id, "kind": ticket.kind,
        "channel": ticket.channel, "source": ticket.source, "urgency": ticket.urgency, "status": ticket.status,
        "status_label": str(ticket.get_status_display()), "received_at": _local(ticket.received_at),
        "recorded_at": _local(ticket.recorded_at), "receiver_id": ticket.receiver_id,
        "household_id": ticket.household_id, "household_label": ticket.household.label if ticket.household else "",
        "person_id": ticket.person_id, "complainant_surname": ticket.complainant_surname,
        "anonymous": ticket.anonymous, "content": ticket.content, "desired_outcome": ticket.desired_outcome,
        "category_id": ticket.category_id, "department_id": ticket.department_id, "handler_id": ticket.handler_id,
        "people_count": ticket.people_count, "collective": ticket.collective, "media_exposed": ticket.media_exposed,
        "litigation": ticket.litigation, "media_or_litigation_risk": ticket.media_or_litigation_risk,
        "developer_matter": ticket.developer_matter, "municipal": ticket.municipal,
        "coordinator_id": ticket.coordinator_id, "record_form": ticket.record_form,
        "record_form_at": _local(ticket.record_form_at), "record_form_by_id": ticket.record_form_by_id,
        "internal_staff": ticket.internal_staff, "valid_complaint": ticket.valid_complaint,
        "validity_criterion_id": ticket.validity_criterion_id, "important": ticket.important,
        "complaint_level": complaint_level(ticket),
        "staff_named_id": ticket.staff_named_id,
        "agreed_feedback_at": _local(ticket.agreed_feedback_at), "held_by_quality": ticket.held_by_quality,
        "return_visit_exemption": ticket.return_visit_exemption,
        "return_visit_exemption_note": ticket.return_visit_exemption_note,
        "return_visit_exemption_approved_by_id": ticket.return_visit_exemption_approved_by_id,
        "reopen_count": ticket.reopen_count, "handling_result": ticket.handling_result,
        "closed_at": _local(ticket.closed_at), "unreasonable_close": ticket.unreasonable_close,
        "unreasonable_reason": ticket.unreasonable_reason,
        "investigated_at": _local(ticket.investigated_at), "investigation_due_at": _local(ticket.investigation_due_at),
        "investigation_late": measures.investigation_late(ticket, now),
        "quality_fact_check": ticket.quality_fact_check, "quality_opinion": ticket.quality_opinion,
        "quality_opinion_by_id": ticket.quality_opinion_by_id, "quality_opinion_at": _local(ticket.quality_opinion_at),
        "deadlines": [_deadline(d, now) for d in sorted(ticket.deadlines.all(),
                                                         key=lambda d: (d.cycle, d.due_at is None, d.due_at or now))],
        "escalation": {"level": esc["level"], "reasons": [
            {"kind": r.get("kind", ""), "level": r.get("level", ""), "rule_id": r.get("rule_id", ""),
             "reason": r.get("reason", ""), "raised_at": _local(r.get("raised_at")),
             "level_label": r.get("level_label", ""), "report_due_at": _local(r.get("report_due_at"))}
            for r in esc["reasons"]]},
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _fresh(pk: int) -> Ticket:
    return queries.with_escalation(
        Ticket.objects.select_related("household")
        .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))).get(pk=pk)


def _fail(exc: TicketError | InvalidTransition) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message,
                    {k: [str(x) for x in v] for k, v in (exc.fields or {}).items()})


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    try:
        return access.access_ticket(request.user, ticket_id)
    except access.TicketNotFound:
        raise ApiError(404, "not_found", "工单不存在") from None


def _act(request: HttpRequest, ticket_id: int, step: str, payload: dict[str, Any],
         call: Callable[[Ticket, dt.datetime], object]) -> Any:
    """Run one next step (``call(ticket, now)`` calls its typed action) on a visible ticket, once per
    Idempotency-Key; answer with the ticket. The endpoint owns the transaction."""
    ticket = _ticket(request, ticket_id)

    def produce() -> Any:
        try:
            work_orders.refuse_generic_step(ticket, step)  # M8: repairs go through /api/repairs/…
            with transaction.atomic():
                call(ticket, clock.now())
        except (TicketError, InvalidTransition) as exc:
            raise _fail(exc) from exc
        return ticket_data(_fresh(ticket.pk))

    return Status(200, produce())  # once per Idempotency-Key: apps.api.idempotency


def _dump(schema: Schema) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in schema.dict().items()}


# ---------------------------------------------------------------- intake, list, detail


@router.post("", response={201: TicketOut, 200: TicketOut, **ERRORS}, summary="受理：新建工单（支持 Idempotency-Key）")
def create_ticket(request: HttpRequest, payload: TicketIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                       description="重试同一提交时使用相同的键，不会重复建单")) -> Any:
    """R-M1-03…R-M1-09. A retry with the same ``Idempotency-Key`` and body returns the same ticket;
    the same key with another body is refused (409)."""
    body = _dump(payload)

    def produce() -> Any:
        project = org_access.visible_projects(request.user).filter(pk=body["project"]).first()
        if project is None:
            raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在或无权访问"]})
        now = clock.now()
        try:
            with transaction.atomic():
                ticket = actions.receive_ticket(project=project, acting_user=access.staff_user(request), now=now,
                                                **forms.intake_kwargs(project, body))
        except TicketError as exc:
            raise _fail(exc) from exc
        return ticket_data(_fresh(ticket.pk))

    return Status(201, produce())  # once per Idempotency-Key: apps.api.idempotency


class TicketPageIn(LinliPagination.Input):
    page: int = Field(1, ge=1, le=100000, description="页码，从 1 开始")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–100）")


class TicketPagination(LinliPagination):
    """The API's pagination with this list's own defaults (50 a page, at most 100 — unchanged)."""

    Input = TicketPageIn


class SerialisedTickets:
    """A filtered ticket queryset the paginator slices; each page is loaded with a fixed number of queries
    (household, deadlines, escalation events) and serialised by :func:`ticket_data`."""

    def __init__(self, qs: QuerySet[Ticket], now: dt.datetime) -> None:
        self.qs, self.now = qs, now

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        rows = queries.with_escalation(
            self.qs.select_related("household")
            .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at"))))[window]
        return [ticket_data(t, self.now) for t in rows]


@router.get("", response={200: list[TicketOut], **ERRORS}, summary="工单列表（筛选、排序、分页）")
@paginate(TicketPagination)
def list_tickets(request: HttpRequest, params: Query[TicketListParams]) -> Any:
    """Filters as on the list page; ``overdue=yes`` is a query on the stored deadlines. Answers
    ``{count, page, page_size, results}``."""
    raw = {k: (v.value if hasattr(v, "value") else [getattr(x, "value", x) for x in v] if isinstance(v, list) else v)
           for k, v in params.dict().items() if v not in (None, "", [])}
    queue = raw.pop("queue", None)
    due_before = raw.get("due_before")
    if isinstance(due_before, dt.datetime) and due_before.tzinfo:
        raw["due_before"] = clock.local(due_before)
    form = TicketFilterForm(data=raw)
    if not form.is_valid():
        raise ApiError(422, "invalid", "筛选条件有误", {k: [str(m) for m in v] for k, v in form.errors.items()})
    now = clock.now()
    base = access.visible_tickets(request.user)
    if queue == "department":
        base = queries.department_queue(base, request.user)
    elif queue == "verification":
        base = queries.verification_queue(base, request.user)
    elif queue == "return_visit":
        base = queries.return_visit_queue(base)
    elif queue == "immediate_return_visit":  # R-M4-06
        base = queries.immediate_return_visit_queue(base)
    return SerialisedTickets(apply_filters(base, form, now=now), now)


@router.get("/households", response={200: list[TicketHouseholdOut], **ERRORS}, summary="按房号或电话尾号查找房屋")
def households(request: HttpRequest, project: int, q: str) -> Any:
    """For integrations filing a ticket for the right household (names masked to the surname)."""
    row = org_access.visible_projects(request.user).filter(pk=project).first()
    if row is None or not org_access.has_cap(request.user, Cap.VIEW_TICKETS, row):
        raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在或无权访问"]})
    hits = search_households(row, q[:30])
    counts = queries.open_counts(access.visible_tickets(request.user), [h.pk for h in hits])
    return [{"id": h.pk, "label": h.label, "person_id": h.person_id, "surname": h.surname,
             "open_tickets": counts.get(h.pk, 0)} for h in hits]


# ---------------------------------------------------------------- company-level records and project registers


class TicketOnlineNotificationIn(Schema):
    """网上投诉通知 (R-M2-09): emailed to the department head and designated post, and/or telephoned."""

    emailed: bool = False
    phoned: bool = False
    note: str = Field("", max_length=1000)


class TicketGmReportIn(Schema):
    """事故事件报告总经理 (R-M2-23)."""

    report: str = Field(max_length=4000)


class TicketQualityReportIn(Schema):
    """报品质管理部: handling measures, later the result (R-M2-19); an online complaint's facts (R-M2-10)."""

    measures: str = Field("", max_length=4000)
    facts: str = Field("", max_length=4000, description="调查到的事实（网上投诉必填）")
    result: str = Field("", max_length=4000, description="处理结果（品质部下发的投诉处理完毕后报告）")


class TicketSuggestionDecisionIn(Schema):
    """合理化建议 (R-M1-15): adopted → measures posted publicly (where, when)."""

    adopted: bool
    measures: str = Field("", max_length=2000)
    posted_where: str = Field("", max_length=200)
    posted_on: SaneDate | None = None
    note: str = Field("", max_length=2000)


class BoxOpeningIn(Schema):
    """意见箱开箱 (R-M1-12)."""

    project: int
    opened_at: PastMoment
    opened_by: int | None = Field(None, description="开箱人 id；空 = 调用者")
    slip_count: int = Field(0, ge=0, le=10000)
    note: str = Field("", max_length=1000)


class BoxOpeningOut(Schema):
    id: int
    project_id: int
    opened_at: dt.datetime
    local_date: dt.date
    opened_by_id: int
    slip_count: int
    note: str


class ChannelPublicationIn(Schema):
    """投诉渠道公布 (R-M1-01)."""

    project: int
    kind: str = Field(max_length=30)
    value: str = Field(max_length=200)
    published_on: SaneDate
    where_posted: str = Field(max_length=200)


class ChannelPublicationOut(Schema):
    id: int
    project_id: int
    kind: str
    value: str
    published_on: dt.date
    where_posted: str


class ChannelMissingOut(Schema):
    kind: str
    label: str


class ChannelOverviewOut(Schema):
    """投诉渠道公布 of one project (R-M1-01): the latest publication of each channel and those missing."""

    project_id: int
    publications: list[ChannelPublicationOut]
    missing: list[ChannelMissingOut] = Field(description="尚未公布的渠道")


@router.post("/{ticket_id}/online-notification", response={200: TicketOut, **ERRORS},
             summary="网上投诉通知（邮件转发、电话通知）")
def online_notification(request: HttpRequest, ticket_id: int, payload: TicketOnlineNotificationIn) -> Any:
    data = _dump(payload)
    return _act(request, ticket_id, "online_notification", data, lambda t, now: actions.record_online_notification(
        ticket=t, emailed=bool(data["emailed"]), phoned=bool(data["phoned"]), note=data["note"],
        acting_user=access.staff_user(request), now=now))


class TicketQualityOpinionIn(Schema):
    fact_check: str = Field("", max_length=4000, description="与管理处或责任部门核实的情况")
    opinion: str = Field("", max_length=4000, description="处理意见")


@router.post("/{ticket_id}/quality-opinion", response={200: TicketOut, **ERRORS},
             summary="品质管理部核实情况与处理意见（集团、政府转来及管理处上报的投诉）")
def quality_opinion(request: HttpRequest, ticket_id: int, payload: TicketQualityOpinionIn) -> Any:
    data = _dump(payload)
    return _act(request, ticket_id, "quality_opinion", data, lambda t, now: actions.record_quality_opinion(
        ticket=t, fact_check=data["fact_check"], opinion=data["opinion"], acting_user=access.staff_user(request),
        now=now))


@router.post("/{ticket_id}/gm-report", response={200: TicketOut, **ERRORS}, summary="事故事件报告总经理")
def gm_report(request: HttpRequest, ticket_id: int, payload: TicketGmReportIn) -> Any:
    data = _dump(payload)
    return _act(request, ticket_id, "gm_report", data, lambda t, now: actions.report_incident_to_gm(
        ticket=t, report=data["report"], acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/quality-report", response={200: TicketOut, **ERRORS}, summary="报品质部处理措施")
def quality_report(request: HttpRequest, ticket_id: int, payload: TicketQualityReportIn) -> Any:
    data = _dump(payload)
    return _act(request, ticket_id, "quality_report", data, lambda t, now: actions.report_to_quality(
        ticket=t, measures=data["measures"], facts=data["facts"], result=data["result"],
        acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/suggestion-decision", response={200: TicketOut, **ERRORS},
             summary="合理化建议是否采纳（管理处主任）")
def suggestion_decision(request: HttpRequest, ticket_id: int, payload: TicketSuggestionDecisionIn) -> Any:
    data = _dump(payload)
    return _act(request, ticket_id, "suggestion_decision", data, lambda t, now: actions.decide_suggestion(
        ticket=t, adopted=bool(data["adopted"]), measures=data["measures"], posted_where=data["posted_where"],
        posted_on=data["posted_on"], note=data["note"], acting_user=access.staff_user(request), now=now))


def _project(request: HttpRequest, project_id: int) -> Any:
    project = org_access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在或无权访问"]})
    return project


@router.post("/box-openings", response={201: BoxOpeningOut, **ERRORS}, summary="意见箱开箱登记")
def box_opening(request: HttpRequest, payload: BoxOpeningIn) -> Any:
    project = _project(request, payload.project)
    user = access.staff_user(request)
    try:
        with transaction.atomic():
            opened_by = forms.user_or_none(payload.opened_by, project=project, field="opened_by") or user
            row = actions.record_box_opening(project=project, opened_at=payload.opened_at, opened_by=opened_by,
                                             slip_count=payload.slip_count, note=payload.note, acting_user=user,
                                             now=clock.now())
    except TicketError as exc:
        raise _fail(exc) from exc
    return Status(201, row)


@router.post("/channel-publications", response={201: ChannelPublicationOut, **ERRORS},
             summary="投诉渠道公布登记")
def channel_publication(request: HttpRequest, payload: ChannelPublicationIn) -> Any:
    project = _project(request, payload.project)
    try:
        with transaction.atomic():
            row = actions.record_channel_publication(
                project=project, kind=payload.kind, value=payload.value, published_on=payload.published_on,
                where_posted=payload.where_posted, acting_user=access.staff_user(request), now=clock.now())
    except TicketError as exc:
        raise _fail(exc) from exc
    return Status(201, row)


@router.get("/channel-publications", response={200: list[ChannelOverviewOut], **ERRORS},
            summary="投诉渠道公布情况（各项目已公布和未公布的渠道）")
def channel_overview(request: HttpRequest, project: int | None = Query(None, ge=1, le=2**31 - 1)) -> Any:
    user = access.staff_user(request)
    projects = org_access.visible_projects(user).filter(active=True).order_by("code", "pk")
    if project is not None:
        projects = projects.filter(pk=_project(request, project).pk)
    rows = channels.overview([p for p in projects if org_access.has_cap(user, Cap.VIEW_TICKETS, p)])
    return [{"project_id": r.project.pk, "publications": r.published,
             "missing": [{"kind": k, "label": label} for k, label in r.missing]} for r in rows]


class ValidityCriterionOut(Schema):
    id: int
    company_id: int
    label: str
    valid: bool = Field(description="true = 有效投诉的判定标准，false = 无效投诉的")
    position: int
    active: bool


class ValidityCriterionIn(Schema):
    """有效投诉判定标准 (R-M1-18). ``company`` may be left out by a user who keeps one company's settings."""

    company: int | None = None
    label: str = Field(max_length=100)
    valid: bool
    position: int = Field(0, ge=0, le=32767)
    active: bool = True


class ValidityCriterionPatch(Schema):
    label: str | None = Field(None, max_length=100)
    valid: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None


@router.get("/validity-criteria", response={200: list[ValidityCriterionOut], **ERRORS},
            summary="有效投诉判定标准")
def list_validity_criteria(request: HttpRequest, include_inactive: bool = False) -> Any:
    """The criteria of the companies whose projects the caller sees (the 投诉判定 panel's choices)."""
    if not org_access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise ApiError(403, "forbidden", "无权查看")
    company_ids = set(org_access.visible_projects(request.user).values_list("company_id", flat=True))
    return [c for cid in sorted(company_ids) for c in queries.validity_criteria(cid, active_only=not include_inactive)]


@router.post("/validity-criteria", response={201: ValidityCriterionOut, **ERRORS},
             summary="新增有效投诉判定标准（公司系统管理员、品质管理部）")
def create_validity_criterion(request: HttpRequest, payload: ValidityCriterionIn) -> Any:
    user = access.staff_user(request)
    managed = access.managed_company_ids(user)
    company_id = payload.company if payload.company is not None else (managed[0] if len(managed) == 1 else None)
    if company_id is None or company_id not in managed:
        raise ApiError(403, "forbidden", "只有公司系统管理员或品质管理部可以维护有效投诉判定标准",
                       {"company": ["请指定您负责的公司"]})
    company = Company.objects.get(pk=company_id)
    try:
        with transaction.atomic():
            row = actions.save_validity_criterion(company=company, label=payload.label, valid=payload.valid,
                                                  position=payload.position, active=payload.active,
                                                  acting_user=user, now=clock.now())
    except TicketError as exc:
        raise _fail(exc) from exc
    return Status(201, row)


@router.patch("/validity-criteria/{criterion_id}", response={200: ValidityCriterionOut, **ERRORS},
              summary="修改或停用有效投诉判定标准")
def update_validity_criterion(request: HttpRequest, criterion_id: int, payload: ValidityCriterionPatch) -> Any:
    user = access.staff_user(request)
    row = ValidityCriterion.objects.filter(pk=criterion_id, company_id__in=access.managed_company_ids(user)).first()
    if row is None:
        raise ApiError(404, "not_found", "判定标准不存在")
    data = payload.model_dump(exclude_unset=True)
    try:
        with transaction.atomic():
            row = actions.save_validity_criterion(
                company=row.company, criterion=row, label=data.get("label") or row.label,
                valid=row.valid if data.get("valid") is None else data["valid"],
                position=row.position if data.get("position") is None else data["position"],
                active=row.active if data.get("active") is None else data["active"], acting_user=user, now=clock.now())
    except TicketError as exc:
        raise _fail(exc) from exc
    return Status(200, row)


@router.get("/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="工单详情（与工单页面所示一致）")
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    ticket = queries.with_escalation(
        Ticket.objects.select_related("household", "project", "category__parent", "department__project",
                                      "handler", "receiver", "closed_by", "return_visit_exemption_approved_by",
                                      "person")
        .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))
    ).get(pk=_ticket(request, ticket_id).pk)
    data = ticket_data(ticket)
    data.update(json.loads(json.dumps(api_detail.detail_data(ticket), cls=DjangoJSONEncoder)))
    return data


@router.get("/{ticket_id}/attachments/{attachment_id}", response={**ERRORS}, url_name="ticket_attachment",
            summary="下载工单附件（只有能查看该工单的用户）",
            openapi_extra={"responses": {200: {"description": "文件（图片内联，其余为下载）", "content": {
                "*/*": {"schema": {"type": "string", "format": "binary"}}}}}})
def attachment(request: HttpRequest, ticket_id: int, attachment_id: int, thumb: bool = False) -> Any:
    """The page's attachment route for API clients: another project's ticket or attachment is 404."""
    ticket = _ticket(request, ticket_id)
    row = Attachment.objects.filter(pk=attachment_id, ticket=ticket).first()
    if row is None:
        raise ApiError(404, "not_found", "附件不存在")
    return files.serve(row.file, thumb=thumb, download_name=f"{ticket.number}-{row.pk}")


# ---------------------------------------------------------------- next steps


@router.post("/{ticket_id}/dispatch", response={200: TicketOut, **ERRORS}, summary="派工 / 改派")
def dispatch(request: HttpRequest, ticket_id: int, payload: TicketDispatchIn) -> Any:
    return _act(request, ticket_id, "dispatch", data := _dump(payload), lambda t, now: actions.dispatch_ticket(
        ticket=t, **forms.dispatch_kwargs(t, data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/accept", response={200: TicketOut, **ERRORS}, summary="接单")
def accept(request: HttpRequest, ticket_id: int) -> Any:
    return _act(request, ticket_id, "accept", {}, lambda t, now: actions.accept_dispatch(
        dispatch=forms.current_dispatch(t), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/handling", response={200: TicketOut, **ERRORS}, summary="处理记录（调查、措施、结果）")
def handling(request: HttpRequest, ticket_id: int, payload: TicketHandlingIn) -> Any:
    return _act(request, ticket_id, "handling", data := _dump(payload), lambda t, now: actions.record_handling(
        ticket=t, **forms.handling_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/hand-back", response={200: TicketOut, **ERRORS}, summary="退单")
def hand_back(request: HttpRequest, ticket_id: int, payload: TicketReasonIn) -> Any:
    return _act(request, ticket_id, "hand_back", data := _dump(payload), lambda t, now: actions.hand_back(
        ticket=t, reason=forms.reason(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/replies", response={200: TicketOut, **ERRORS}, summary="回复业主（书面/邮件/网上为待审草稿）")
def reply(request: HttpRequest, ticket_id: int, payload: TicketReplyIn) -> Any:
    return _act(request, ticket_id, "reply", data := _dump(payload), lambda t, now: actions.give_reply(
        ticket=t, **forms.reply_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/replies/{reply_id}/reviews", response={200: TicketOut, **ERRORS}, summary="回复审核")
def review(request: HttpRequest, ticket_id: int, reply_id: int, payload: TicketReviewIn) -> Any:
    return _act(request, ticket_id, "review", data := {**_dump(payload), "reply": reply_id}, lambda t, now: actions.review_reply(
        **forms.review_kwargs(t, data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/replies/{reply_id}/send", response={200: TicketOut, **ERRORS}, summary="发出已审核的回复")
def send(request: HttpRequest, ticket_id: int, reply_id: int, payload: TicketSendIn) -> Any:
    return _act(request, ticket_id, "send", data := {**_dump(payload), "reply": reply_id}, lambda t, now: actions.send_reply(
        **forms.send_kwargs(t, data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/verification", response={200: TicketOut, **ERRORS}, summary="验证（主管以上）")
def verification(request: HttpRequest, ticket_id: int, payload: TicketVerificationIn) -> Any:
    return _act(request, ticket_id, "verify", data := _dump(payload), lambda t, now: actions.verify_ticket(
        ticket=t, **forms.verify_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/return-visits", response={200: TicketOut, **ERRORS}, summary="回访（每次尝试都记录）")
def return_visit(request: HttpRequest, ticket_id: int, payload: TicketReturnVisitIn) -> Any:
    return _act(request, ticket_id, "return_visit", data := _dump(payload), lambda t, now: actions.record_return_visit(
        ticket=t, **forms.return_visit_kwargs(data), acting_user=access.staff_user(request), now=now))


class TicketAnswerQuestionIn(Schema):
    visit: int = Field(ge=1, le=2**63 - 1, description="回访记录 id（工单详情 return_visits）")
    answer: str = Field(max_length=2000)


@router.post("/{ticket_id}/return-visit-answers", response={200: TicketOut, **ERRORS},
             summary="答复回访中未能当场答复的问题（约定答复时间前）")
def return_visit_answer(request: HttpRequest, ticket_id: int, payload: TicketAnswerQuestionIn) -> Any:
    def call(t: Ticket, now: dt.datetime) -> object:
        return actions.answer_return_visit_question(**forms.answer_question_kwargs(t, _dump(payload)),
                                                    acting_user=access.staff_user(request), now=now)

    return _act(request, ticket_id, "answer_question", _dump(payload), call)


@router.post("/{ticket_id}/return-visit-exemption", response={200: TicketOut, **ERRORS}, summary="免回访",
             url_name="ticket_return_visit_exemption")
def exemption(request: HttpRequest, ticket_id: int, payload: TicketExemptionIn) -> Any:
    return _act(request, ticket_id, "exempt", data := _dump(payload), lambda t, now: actions.exempt_return_visit(
        ticket=t, **forms.exempt_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/close", response={200: TicketOut, **ERRORS}, summary="结案（或未关闭）")
def close(request: HttpRequest, ticket_id: int, payload: TicketCloseIn) -> Any:
    return _act(request, ticket_id, "close", data := _dump(payload), lambda t, now: actions.close_ticket(
        ticket=t, **forms.close_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/internal-staff", response={200: TicketOut, **ERRORS},
             summary="内部员工投诉标记")
def internal_staff(request: HttpRequest, ticket_id: int, payload: TicketInternalStaffIn) -> Any:
    return _act(request, ticket_id, "internal_staff", data := _dump(payload), lambda t, now: actions.edit_ticket(
        ticket=t, **forms.internal_staff_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/judgement", response={200: TicketOut, **ERRORS},
             summary="投诉判定：有效投诉（处理人或主管以上）、重要投诉")
def judgement(request: HttpRequest, ticket_id: int, payload: TicketJudgementIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    return _act(request, ticket_id, "judge", data, lambda t, now: actions.judge_complaint(
        ticket=t, **forms.judge_kwargs(data), acting_user=access.staff_user(request), now=now))


class TicketStaffNamedIn(Schema):
    """被表扬/投诉的员工 (R-M14-02): a staff member of the ticket's project, or null to clear."""

    staff_id: int | None = None


@router.post("/{ticket_id}/staff-named", response={200: TicketOut, **ERRORS},
             summary="指明被表扬/投诉的员工（员工考核依据）")
def staff_named(request: HttpRequest, ticket_id: int, payload: TicketStaffNamedIn) -> Any:
    data = _dump(payload)

    def call(t: Ticket, now: dt.datetime) -> object:
        staff = forms.user_or_none(data.get("staff_id"), project=t.project, field="staff_id")
        return actions.name_staff_member(ticket=t, staff=staff, acting_user=access.staff_user(request), now=now)

    return _act(request, ticket_id, "staff_named", data, call)


class TicketCommitteeReceiptOut(Schema):
    """投诉意见记录回执单 (R-M1-13) of a written 业委会-platform form."""

    number: str
    project_name: str
    kind_label: str
    received_at: dt.datetime
    reply_due_at: dt.datetime | None = Field(None, description="答复期限（本轮）")
    household_label: str
    complainant: str
    receiver_name: str
    content: str
    print_url: str


@router.get("/{ticket_id}/receipt", response={200: TicketCommitteeReceiptOut, **ERRORS},
            summary="投诉意见记录回执单（业委会书面投诉平台）")
def committee_receipt(request: HttpRequest, ticket_id: int) -> Any:
    ticket = _fresh(_ticket(request, ticket_id).pk)
    if not queries.has_committee_receipt(ticket):
        raise ApiError(404, "not_found", "该工单不是业委会书面平台的投诉意见记录表，没有回执单")
    data = queries.committee_receipt(ticket)
    return {**data, "received_at": _local(data["received_at"]), "reply_due_at": _local(data["reply_due_at"]),
            "print_url": reverse("tickets:committee_receipt", args=[ticket.pk])}


class TicketRecordFormIn(Schema):
    """记录表投诉 (R-M2-17): ``handler_id`` names the handler (department head / routing staff); the
    handler flagging their own complaint may leave it out."""

    handler_id: int | None = Field(None, ge=1, le=2**31 - 1)
    reason: str = Field("", max_length=500)


@router.post("/{ticket_id}/record-form", response={200: TicketOut, **ERRORS},
             summary="列入《顾客投诉处理记录表》并指定具体处理人")
def record_form(request: HttpRequest, ticket_id: int, payload: TicketRecordFormIn) -> Any:
    data = _dump(payload)

    def call(t: Ticket, now: dt.datetime) -> object:
        handler = forms.user_or_none(data.get("handler_id"), project=t.project, field="handler_id")
        return actions.mark_record_form(ticket=t, handler=handler, reason=data.get("reason") or "",
                                        acting_user=access.staff_user(request), now=now)

    return _act(request, ticket_id, "record_form", data, call)


class TicketCoordinatorIn(Schema):
    """市政配套协调人 (R-M2-03): a staff member of the ticket's project."""

    coordinator_id: int = Field(ge=1, le=2**31 - 1)


@router.post("/{ticket_id}/coordinator", response={200: TicketOut, **ERRORS},
             summary="指定市政配套协调人（派工人员）")
def coordinator(request: HttpRequest, ticket_id: int, payload: TicketCoordinatorIn) -> Any:
    data = _dump(payload)

    def call(t: Ticket, now: dt.datetime) -> object:
        person = forms.user_or_none(data.get("coordinator_id"), project=t.project, field="coordinator_id")
        return actions.designate_coordinator(ticket=t, coordinator=person, acting_user=access.staff_user(request),
                                             now=now)

    return _act(request, ticket_id, "coordinator", data, call)


@router.post("/{ticket_id}/agreed-time", response={200: TicketOut, **ERRORS},
             summary="约定反馈时间（业主要求延后须填原因）")
def agreed_time(request: HttpRequest, ticket_id: int, payload: TicketAgreedTimeIn) -> Any:
    return _act(request, ticket_id, "agreed_time", data := _dump(payload), lambda t, now: actions.agree_feedback_time(
        ticket=t, agreed_feedback_at=data["agreed_feedback_at"], extension_reason=data["agreed_extension_reason"],
        acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/reopen", response={200: TicketOut, **ERRORS}, summary="重新打开")
def reopen(request: HttpRequest, ticket_id: int, payload: TicketReopenIn) -> Any:
    return _act(request, ticket_id, "reopen", data := _dump(payload), lambda t, now: actions.reopen_ticket(
        ticket=t, reason=forms.reason(data), agreed_feedback_at=data.get("agreed_feedback_at"),
        acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/void", response={200: TicketOut, **ERRORS}, summary="作废（须原因）")
def void(request: HttpRequest, ticket_id: int, payload: TicketReasonIn) -> Any:
    return _act(request, ticket_id, "void", data := _dump(payload), lambda t, now: actions.void_ticket(
        ticket=t, reason=forms.reason(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/escalate", response={200: TicketOut, **ERRORS}, summary="上报品质管理部")
def escalate(request: HttpRequest, ticket_id: int, payload: TicketReasonIn) -> Any:
    return _act(request, ticket_id, "escalate", data := _dump(payload), lambda t, now: actions.escalate_to_quality(
        ticket=t, reason=forms.reason(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/developer-transfers", response={200: TicketOut, **ERRORS}, summary="书面转地产")
def transfer(request: HttpRequest, ticket_id: int, payload: TicketTransferIn) -> Any:
    return _act(request, ticket_id, "transfer", data := _dump(payload), lambda t, now: actions.transfer_to_developer(
        ticket=t, **forms.transfer_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/owner-updates", response={200: TicketOut, **ERRORS}, summary="告知业主进展")
def owner_update(request: HttpRequest, ticket_id: int, payload: TicketOwnerUpdateIn) -> Any:
    return _act(request, ticket_id, "owner_update", data := _dump(payload), lambda t, now: actions.record_owner_update(
        ticket=t, **forms.owner_update_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/compensation-claims", response={200: TicketOut, **ERRORS}, summary="登记赔偿申请")
def claim(request: HttpRequest, ticket_id: int, payload: TicketClaimIn) -> Any:
    return _act(request, ticket_id, "claim", data := _dump(payload), lambda t, now: actions.claim_compensation(
        ticket=t, **forms.claim_kwargs(data), acting_user=access.staff_user(request), now=now))


@router.post("/{ticket_id}/compensation-claims/{claim_id}/decision", response={200: TicketOut, **ERRORS},
             summary="赔偿审批（按岗位权限）")
def decide(request: HttpRequest, ticket_id: int, claim_id: int, payload: TicketDecisionIn) -> Any:
    return _act(request, ticket_id, "decide", data := {**_dump(payload), "claim": claim_id}, lambda t, now: actions.decide_compensation(
        **forms.decide_kwargs(t, data), acting_user=access.staff_user(request), now=now))
