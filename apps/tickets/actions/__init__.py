"""Every write of the ticket pipeline (STYLE §2): intake → dispatch → handling → reply →
verification → return visit → close (SPEC M1, M2, M4; R-M2-26).

Conventions (the interface layer relies on them):

- every public action is keyword-only, takes ``acting_user`` and ``now`` and runs in
  ``transaction.atomic(durable=True)``: all or nothing, never nested in another action;
- ``_move()`` is the only code that assigns ``Ticket.status``; it checks
  ``transitions.ALLOWED`` and writes the :class:`TicketEvent`;
- errors: :class:`TicketError` (``status`` 400/403/404/409/422, stable ``code``, Chinese
  ``message``, ``fields`` = {field name: [messages]}); :class:`InvalidTransition` (409) is a
  subclass-compatible error with the same attributes;
- side effects (signals, notifications) leave only after the commit.

Permissions are checked here too (capabilities from apps.org.roles), so the web form and the API
refuse the same things; visibility (404 for another project) is apps.tickets.access.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import logging

from django.conf import settings
from django.db import transaction

from apps.core.errors import DomainError
from apps.org.access import can_see_project, has_cap, rank_in, roles_in
from apps.org.models import Department, DepartmentKind, Membership, Project
from apps.org.roles import ROLE_INFO, SUPERVISOR_RANK, Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets import numbering, signals
from apps.tickets.choices import (
    DEFAULT_REPLY_CLASS,
    MANAGER_REPLY_KINDS,
    OPEN_STATUSES,
    ORAL_CHANNELS,
    RESULT_REPLY_KINDS,
    RETURN_VISIT_KINDS,
    VERIFY_KINDS,
    Channel,
    CompensationStatus,
    Kind,
    OwnerResponse,
    ReplyChannel,
    ReplyKind,
    ReplyRecipient,
    ReturnVisitExemption,
    ReturnVisitMethod,
    ReturnVisitOutcome,
    ReviewDepartment,
    Satisfaction,
    Source,
    Stage,
    TicketEventKind,
    TicketStatus,
    Urgency,
    VerificationResult,
)
from apps.tickets.models import (
    Attachment,
    Category,
    CompensationClaim,
    CompensationLimit,
    DeveloperTransfer,
    Dispatch,
    OwnerUpdate,
    Reply,
    ReplyReview,
    ReturnVisit,
    ReturnVisitAttempt,
    SavedView,
    SuggestionBoxOpening,
    Ticket,
    TicketEvent,
    Verification,
)
from apps.tickets.transitions import ALLOWED, InvalidTransition

if TYPE_CHECKING:
    from apps.estates.models import Household, Person
    from apps.org.models import User

S = TicketStatus
log = logging.getLogger(__name__)

__all__ = [
    "TicketError", "InvalidTransition", "receive_ticket", "edit_ticket", "dispatch_ticket", "accept_dispatch",
    "record_handling", "hand_back", "escalate_to_quality", "report_to_quality", "transfer_to_developer",
    "record_developer_result", "record_owner_update", "record_reply", "draft_reply", "review_reply", "send_reply",
    "record_owner_response", "verify_ticket", "record_return_visit", "exempt_return_visit", "close_ticket",
    "reopen_ticket", "void_ticket", "claim_compensation", "decide_compensation", "refer_compensation",
    "record_box_opening", "add_note", "save_view", "delete_view", "required_reviews", "return_visit_required",
    "compensation_limit_for", "close_blockers", "manager_reply_required",
]


class TicketError(DomainError):
    """A refused action, with a Chinese message for staff and a structured form for the API."""


def _refuse(message: str, *, field: str | None = None, code: str = "invalid", status: int = 422) -> TicketError:
    return TicketError(message, field=field, code=code, status=status)


def _forbid(message: str) -> TicketError:
    return TicketError(message, code="forbidden", status=403)


# ---------------------------------------------------------------- internals


def _require(user: User, cap: str, ticket_or_project: Ticket | Project, message: str) -> None:
    project = ticket_or_project.project if isinstance(ticket_or_project, Ticket) else ticket_or_project
    if not can_see_project(user, project):
        raise TicketError("工单不存在", code="not_found", status=404)
    if not has_cap(user, cap, project):
        raise _forbid(message)


def _lock(ticket: Ticket) -> Ticket:
    """Lock the ticket row for this transaction and refresh the caller's instance in place."""
    list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True))
    ticket.refresh_from_db()
    return ticket


def _event(ticket: Ticket, kind: str, *, acting_user: User | None, now: dt.datetime, message: str = "",
           old: str = "", new: str = "", **extra: Any) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, at=now, acting_user=acting_user, kind=kind, old_status=old, new_status=new,
        message=message, extra={k: _jsonable(v) for k, v in extra.items()},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _save(ticket: Ticket, fields: Iterable[str], *, acting_user: User | None, reason: str) -> None:
    """Save with a history entry that says who and why (django-simple-history, STYLE §8)."""
    ticket._change_reason = reason[:100]  # type: ignore[attr-defined]
    ticket._history_user = acting_user  # type: ignore[attr-defined]
    ticket.save(update_fields=sorted(set(fields) | {"updated_at"}))


def _move(ticket: Ticket, *, to: str, acting_user: User | None, now: dt.datetime, reason: str = "",
          also: Iterable[str] = (), event_kind: str = TicketEventKind.STATUS, **extra: Any) -> TicketEvent:
    """The only assignment of ``Ticket.status`` (STYLE §3): check the table, save, write the event,
    send ``ticket_status_changed`` after the commit."""
    old = ticket.status
    if to not in ALLOWED.get(old, frozenset()):
        raise InvalidTransition(old, to)
    ticket.status = to
    _save(ticket, {"status", *also}, acting_user=acting_user, reason=reason or f"{old}→{to}")
    event = _event(ticket, event_kind, acting_user=acting_user, now=now, message=reason, old=old, new=to, **extra)
    ticket_id = ticket.pk

    def send() -> None:
        fresh = Ticket.objects.filter(pk=ticket_id).first()
        if fresh is not None:
            _send_robust(signals.ticket_status_changed, ticket=fresh, old=old, new=to)

    transaction.on_commit(send)
    return event


def _send_robust(signal: Any, **kwargs: Any) -> None:
    """Send after the commit; a failing listener is logged, never turned into a failed intake (the
    ticket is already committed — an error here would make the caller retry and file it twice)."""
    for receiver, result in signal.send_robust(sender=Ticket, **kwargs):
        if isinstance(result, Exception):
            log.error("ticket signal receiver %r failed: %r", receiver, result, exc_info=result)


def _notify(recipients: Iterable[Any], *, kind: str, subject: str, body: str, ticket: Ticket, now: dt.datetime,
            dedupe: str) -> None:
    """Staff notice after the commit, through apps.notify (contract 3); skipped while that app has no
    services module (adapter)."""
    people = [u for u in recipients if u is not None]
    if not people:
        return
    ticket_id, project_id = ticket.pk, ticket.project_id

    def send() -> None:
        try:
            from apps.notify.services import notify_staff
        except ImportError:  # pragma: no cover - before apps.notify.services exists
            return
        project = Project.objects.filter(pk=project_id).first()
        notify_staff(people, kind=kind, subject=subject, body=body, link=f"/tickets/{ticket_id}/", project=project,
                     dedupe_key=dedupe, now=now)

    transaction.on_commit(send)


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise _refuse(f"不是允许的取值：{value}", field=field)
    return value


def _check_department(department: Department, project: Project, field: str = "department") -> None:
    if department.company_id != project.company_id or department.project_id not in (None, project.pk):
        raise _refuse("部门不属于该项目", field=field)


def _is_company_level(user: User) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(ROLE_INFO[m.role].company_level for m in Membership.objects.filter(user=user))


def _ncr_gate(ticket: Ticket) -> None:
    """R-M2-04: handling starts only after the 管理者代表 signs the 《不合格/纠正、预防措施报告》 raised
    for the ticket (the rule lives in apps.quality.gate; asked lazily, skipped when that app is absent)."""
    try:
        from apps.quality.gate import CODE, blocked_message, handling_blocked
    except ImportError:  # pragma: no cover - quality app not installed
        return
    report = handling_blocked(ticket)
    if report is not None:
        raise TicketError(blocked_message(report), code=CODE, status=409)


def _current_dispatch(ticket: Ticket) -> Dispatch | None:
    return ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()


def _can_handle(user: User, ticket: Ticket, dispatch: Dispatch | None) -> bool:
    if has_cap(user, Cap.DISPATCH, ticket.project):
        return True
    if not has_cap(user, Cap.HANDLE, ticket.project):
        return False
    if dispatch is None:
        return False
    if dispatch.assignee_id == user.pk:
        return True
    return Membership.objects.filter(user=user, department_id=dispatch.department_id).exists()


# ---------------------------------------------------------------- intake (M1)


@transaction.atomic(durable=True)
def receive_ticket(
    *,
    project: Project,
    kind: str,
    channel: str,
    content: str,
    acting_user: User,
    now: dt.datetime,
    source: str = Source.PROJECT,
    urgency: str = Urgency.NORMAL,
    received_at: dt.datetime | None = None,
    receiver: User | None = None,
    household: Household | None = None,
    person: Person | None = None,
    complainant_surname: str = "",
    phone: str = "",
    address: str = "",
    anonymous: bool = False,
    feelings: str = "",
    desired_outcome: str = "",
    online_url: str = "",
    category: Category | None = None,
    department: Department | None = None,
    people_count: int = 1,
    collective: bool | None = None,
    media_exposed: bool = False,
    litigation: bool = False,
    media_or_litigation_risk: bool = False,
    our_side: bool = True,
    developer_matter: bool = False,
    municipal: bool = False,
    valid_complaint: bool | None = None,
    important: bool = False,
    sensitive: bool = False,
    internal_staff: bool = False,
    agreed_feedback_at: dt.datetime | None = None,
    agreed_extension_reason: str = "",
    resolved_on_spot: bool = False,
    handling_result: str = "",
    suggestion_box_opening: SuggestionBoxOpening | None = None,
    issued_by_quality: bool = False,
) -> Ticket:
    """受理 — record an owner request from any channel (R-M1-03…R-M1-13, R-M1-16, R-M1-21).

    - Anyone with a role in the project may receive (R-M1-08); ``receiver`` defaults to them.
    - ``received_at`` (T-02) may be earlier than ``now`` (a letter keyed in later), never later.
    - Required (R-M1-05): the event (``content``); unless ``anonymous``, a name (surname or person)
      and a contact (phone or person).
    - R-M1-09: an oral intake (phone, visit, field visit) not resolved on the spot needs
      ``agreed_feedback_at`` — the earliest feedback time agreed with the owner.
    - ``resolved_on_spot`` (R-M1-09 "handle at once") needs ``handling_result``; the ticket goes to
      已回复 with an oral result reply the owner agreed to (return-visit exemption A, R-M4-05).
    - Numbers: apps.tickets.numbering (gapless per project, day and kind).
    - Deadlines stamped from the policy engine at ``received_at`` (R-M2-05, R-M2-07, R-M2-11);
      ``issued_by_quality`` (R-M2-19) also stamps the ``report`` stage.
    - ``internal_staff`` (R-M1-17, POLICY P-08): a complaint by an internal staff member; it flows
      through the pipeline like any other and is left out of customer-complaint statistics when the
      company's policy excludes such complaints. Only a complaint can carry it.
    - After the commit: ``signals.ticket_received``.
    """
    if not can_see_project(acting_user, project) or not has_cap(acting_user, Cap.VIEW_TICKETS, project):
        raise TicketError("项目不存在", field="project", code="not_found", status=404)
    _choice(kind, Kind, "kind")
    _choice(channel, Channel, "channel")
    _choice(source, Source, "source")
    _choice(urgency, Urgency, "urgency")
    content = (content or "").strip()
    if not content:
        raise _refuse("请填写事件内容", field="content")
    received_at = received_at or now
    if received_at.tzinfo is None:
        raise _refuse("受理时间须带时区", field="received_at")
    if received_at > now + dt.timedelta(minutes=5):
        raise _refuse("受理时间不能晚于当前时间", field="received_at")
    receiver = receiver or acting_user
    if receiver.pk != acting_user.pk and not can_see_project(receiver, project):
        raise _refuse("受理人不属于该项目", field="receiver")
    if household is not None and household.project_id != project.pk:
        raise _refuse("房屋不属于该项目", field="household")
    if person is not None:
        if person.project_id != project.pk:
            raise _refuse("业主不属于该项目", field="person")
        if household is None:
            household = person.household
        elif person.household_id != household.pk:
            raise _refuse("业主不属于所选房屋", field="person")
    if not anonymous:
        if not (complainant_surname.strip() or person is not None):
            raise _refuse("请填写顾客姓氏（或勾选匿名）", field="complainant_surname")
        if not (phone.strip() or (person is not None and person.phone)) and channel in ORAL_CHANNELS:
            raise _refuse("请填写联系电话（或勾选匿名）", field="phone")
    if people_count < 1:
        raise _refuse("投诉人数至少为 1", field="people_count")
    if category is not None and (not category.active or category.company_id not in (None, project.company_id)):
        raise _refuse("分类不可用", field="category")
    if department is not None:
        _check_department(department, project)
    if suggestion_box_opening is not None:
        if suggestion_box_opening.project_id != project.pk:
            raise _refuse("开箱记录不属于该项目", field="suggestion_box_opening")
        if channel != Channel.SUGGESTION_BOX:
            raise _refuse("只有意见箱来件可关联开箱记录", field="suggestion_box_opening")
    if resolved_on_spot and not handling_result.strip():
        raise _refuse("现场即时处理须填写处理结果", field="handling_result")
    if agreed_feedback_at is not None and agreed_feedback_at < received_at:
        raise _refuse("约定反馈时间不能早于受理时间", field="agreed_feedback_at")
    if (channel in ORAL_CHANNELS and not resolved_on_spot and not anonymous and kind != Kind.PRAISE
            and agreed_feedback_at is None):
        raise _refuse("未能当场处理的，须与顾客约定反馈时间（R-M1-09）", field="agreed_feedback_at")
    if internal_staff and kind != Kind.COMPLAINT:
        raise _refuse("只有投诉可以标记为内部员工投诉（R-M1-17）", field="internal_staff")
    if issued_by_quality and not (_is_company_level(acting_user)):
        raise _forbid("只有品质管理部可以下发投诉记录表")

    ticket = Ticket(
        project=project, number=numbering.next_number(project, kind, now), kind=kind, source=source,
        channel=channel, reply_class=DEFAULT_REPLY_CLASS.get(channel, ""), urgency=urgency,
        received_at=received_at, recorded_at=now, receiver=receiver, household=household, person=person,
        complainant_surname=complainant_surname.strip(), phone=phone.strip(),
        address=address.strip() or (household.label if household is not None else ""), anonymous=anonymous,
        content=content, feelings=feelings, desired_outcome=desired_outcome, online_url=online_url,
        category=category, department=department, people_count=people_count,
        collective=bool(collective) if collective is not None else people_count > 1,
        media_exposed=media_exposed, litigation=litigation, media_or_litigation_risk=media_or_litigation_risk,
        our_side=our_side, developer_matter=developer_matter, municipal=municipal,
        valid_complaint=valid_complaint, important=important, sensitive=sensitive, internal_staff=internal_staff,
        agreed_feedback_at=agreed_feedback_at, agreed_extension_reason=agreed_extension_reason,
        suggestion_box_opening=suggestion_box_opening, issued_by_quality=issued_by_quality,
        resolved_on_spot=resolved_on_spot, handling_result=handling_result.strip(),
    )
    ticket._change_reason = "受理"  # type: ignore[attr-defined]
    ticket._history_user = acting_user  # type: ignore[attr-defined]
    ticket.save()
    _event(ticket, TicketEventKind.RECEIVED, acting_user=acting_user, now=now, new=S.RECEIVED,
           message=f"{ticket.get_channel_display()}受理", received_at=received_at)
    dl.stamp(ticket, start=received_at, stages=dl.INTAKE_STAGES, now=now)
    if issued_by_quality:
        dl.stamp(ticket, start=received_at, stages=[Stage.REPORT], now=now)
    if resolved_on_spot:
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, reason="现场即时处理")
        dl.meet(ticket, Stage.COMPLETE, at=now)
        oral = ReplyChannel.PHONE if channel == Channel.PHONE else ReplyChannel.IN_PERSON
        reply = Reply.objects.create(
            ticket=ticket, kind=ReplyKind.RESULT, channel=oral, content=ticket.handling_result,
            owner_response=OwnerResponse.AGREE, author=acting_user, created_at=now, sent_at=now,
        )
        _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)

    # R-M1-08: recorded by someone outside the designated intake post(s) → passed on to them (R-M1-07)
    from apps.tickets.channels import posts_to_route

    _notify(posts_to_route(project, receiver), kind="ticket_routed_to_intake_post",
            subject=f"{receiver} 受理了 {ticket.number}，请指定受理岗位跟进", body=content[:200], ticket=ticket,
            now=now, dedupe=f"intake-route-{ticket.pk}")
    ticket_id = ticket.pk

    def announce() -> None:
        fresh = Ticket.objects.filter(pk=ticket_id).first()
        if fresh is not None:
            _send_robust(signals.ticket_received, ticket=fresh)

    transaction.on_commit(announce)
    return ticket


EDITABLE_FIELDS: frozenset[str] = frozenset({
    "category", "department", "urgency", "complainant_surname", "phone", "address", "household", "person",
    "anonymous", "content", "feelings", "desired_outcome", "online_url", "people_count", "collective",
    "media_exposed", "litigation", "media_or_litigation_risk", "our_side", "developer_matter", "municipal",
    "valid_complaint", "important", "sensitive", "record_form", "agreed_feedback_at", "agreed_extension_reason",
    "source", "internal_staff",
})


@transaction.atomic(durable=True)
def edit_ticket(*, ticket: Ticket, changes: dict[str, Any], reason: str = "", acting_user: User,
                now: dt.datetime) -> Ticket:
    """修改/分类 — change intake data or the classification (issue 4 items 2 and 8).

    Only ``EDITABLE_FIELDS``; the old and new values go to the timeline and the field history.
    ``our_side`` set to False needs a reason (R-M3-05). ``record_form`` (R-M2-17) needs a named
    handler. A changed agreed feedback time recomputes the open reply deadline (R-M2-06)."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权修改工单")
    if not (has_cap(acting_user, Cap.RECEIVE_TICKETS, ticket.project) or has_cap(acting_user, Cap.DISPATCH, ticket.project)):
        raise _forbid("无权修改工单")
    _lock(ticket)
    if ticket.status == S.VOIDED:
        raise _refuse("已作废的工单不能修改", code="voided", status=409)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TicketError("不能修改这些字段", code="invalid", fields={f: ["不可修改"] for f in sorted(unknown)})
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if name == "urgency":
            _choice(value, Urgency, name)
        if name == "source":
            _choice(value, Source, name)
        if name == "department" and value is not None:
            _check_department(value, ticket.project)
        if name == "category" and value is not None and (
                not value.active or value.company_id not in (None, ticket.project.company_id)):
            raise _refuse("分类不可用", field="category")
        if name == "household" and value is not None and value.project_id != ticket.project_id:
            raise _refuse("房屋不属于该项目", field="household")
        if name == "person" and value is not None and value.project_id != ticket.project_id:
            raise _refuse("业主不属于该项目", field="person")
        if name == "internal_staff" and value and ticket.kind != Kind.COMPLAINT:
            raise _refuse("只有投诉可以标记为内部员工投诉（R-M1-17）", field="internal_staff")
        if name == "people_count" and (value is None or int(value) < 1):
            raise _refuse("投诉人数至少为 1", field="people_count")
        old = getattr(ticket, name)
        if old != value:
            diff[name] = [_jsonable(old), _jsonable(value)]
            setattr(ticket, name, value)
    if "our_side" in diff and ticket.our_side is False and not reason.strip():
        raise _refuse("改为非我方原因须说明理由（R-M3-05）", field="our_side")
    if ticket.record_form and ticket.handler_id is None:
        raise _refuse("记录表投诉须指定具体处理人（R-M2-17）", field="record_form")
    if not diff:
        return ticket
    _save(ticket, diff.keys(), acting_user=acting_user, reason=reason or "修改")
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=reason, changes=diff)
    if {"agreed_feedback_at", "agreed_extension_reason"} & diff.keys():
        dl.restamp_agreed_reply(ticket)
    return ticket


@transaction.atomic(durable=True)
def add_note(*, ticket: Ticket, text: str, acting_user: User, now: dt.datetime) -> TicketEvent:
    """备注 — anyone who can see the ticket may add information, also to a ticket held by
    品质管理部 (R-M2-14, AS-41)."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    if not text.strip():
        raise _refuse("请填写内容", field="text")
    return _event(ticket, TicketEventKind.NOTE, acting_user=acting_user, now=now, message=text.strip())


@transaction.atomic(durable=True)
def record_box_opening(*, project: Project, opened_at: dt.datetime, opened_by: User, slip_count: int = 0,
                       note: str = "", acting_user: User, now: dt.datetime) -> SuggestionBoxOpening:
    """意见箱开箱 (R-M1-12): date, time, the designated person and the number of slips; each slip is
    then received with ``channel=suggestion_box`` and ``suggestion_box_opening`` = this row."""
    _require(acting_user, Cap.RECEIVE_TICKETS, project, "无权登记开箱")
    if not can_see_project(opened_by, project):
        raise _refuse("开箱人不属于该项目", field="opened_by")
    if opened_at > now + dt.timedelta(minutes=5):
        raise _refuse("开箱时间不能晚于当前时间", field="opened_at")
    if slip_count < 0:
        raise _refuse("条数不能为负", field="slip_count")
    return SuggestionBoxOpening.objects.create(
        project=project, opened_at=opened_at, local_date=opened_at.astimezone(project.tz).date(),
        opened_by=opened_by, slip_count=slip_count, note=note, recorded_by=acting_user, recorded_at=now,
    )


# ---------------------------------------------------------------- dispatch and handling (M2)


@transaction.atomic(durable=True)
def dispatch_ticket(*, ticket: Ticket, department: Department, assignee: User | None = None,
                    instructions: str = "", due_at: dt.datetime | None = None, acting_user: User,
                    now: dt.datetime) -> Dispatch:
    """派工 / 改派 — hand the ticket to a department and optionally a person (R-M1-19, R-M2-01).

    From 已受理/重新处理/已转地产 it becomes 已派工; on a ticket already dispatched or in handling it
    reassigns (the previous 派工单 ends). A ticket held by 品质管理部 (R-M2-14, AS-41) can only be
    given to a company-level department and company-level staff — never pushed back down."""
    _require(acting_user, Cap.DISPATCH, ticket, "无权派工")
    _lock(ticket)
    _ncr_gate(ticket)
    _check_department(department, ticket.project)
    if assignee is not None and not can_see_project(assignee, ticket.project):
        raise _refuse("处理人不属于该项目", field="assignee")
    if ticket.held_by_quality:
        if department.project_id is not None:
            raise TicketError("已上报品质管理部的投诉不得退回管理处处理（R-M2-14）", field="department",
                              code="held_by_quality", status=409)
        if assignee is not None and not _is_company_level(assignee):
            raise TicketError("已上报品质管理部的投诉不得交由管理处人员处理（R-M2-14）", field="assignee",
                              code="held_by_quality", status=409)
    previous = _current_dispatch(ticket)
    if previous is not None:
        previous.active = False
        previous.ended_at = now
        previous.end_reason = "改派"
        previous.save(update_fields=["active", "ended_at", "end_reason"])
    dispatch = Dispatch.objects.create(
        ticket=ticket, department=department, assignee=assignee, dispatched_by=acting_user, dispatched_at=now,
        instructions=instructions, due_at=due_at,
    )
    ticket.department = department
    ticket.handler = assignee
    who = f"{department}" + (f"·{assignee}" if assignee else "")
    if ticket.status == S.DISPATCHED:
        _save(ticket, ["department", "handler"], acting_user=acting_user, reason="改派")
        _event(ticket, TicketEventKind.REASSIGNED, acting_user=acting_user, now=now, message=f"改派给 {who}",
               dispatch=dispatch.pk)
    else:
        reassign = ticket.status == S.HANDLING
        _move(ticket, to=S.DISPATCHED, acting_user=acting_user, now=now, also=["department", "handler"],
              reason=("改派给 " if reassign else "派工给 ") + who,
              event_kind=TicketEventKind.REASSIGNED if reassign else TicketEventKind.DISPATCHED, dispatch=dispatch.pk)
    heads = [m.user for m in Membership.objects.filter(department=department, role=Role.DEPT_HEAD).select_related("user")]
    _notify([assignee, *heads], kind="ticket_dispatched", subject=f"新派工单 {ticket.number}", body=ticket.content[:200],
            ticket=ticket, now=now, dedupe=f"dispatch-{dispatch.pk}")
    return dispatch


@transaction.atomic(durable=True)
def accept_dispatch(*, dispatch: Dispatch, acting_user: User, now: dt.datetime) -> Dispatch:
    """接单 — the assignee (or a member of the department) takes the 派工单: 已派工 → 处理中.
    Without a named assignee, the person accepting becomes it."""
    ticket = dispatch.ticket
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权接单")
    _lock(ticket)
    _ncr_gate(ticket)
    dispatch.refresh_from_db()
    if not dispatch.active:
        raise _refuse("该派工单已结束", code="dispatch_ended", status=409)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以接单")
    dispatch.accepted_at = now
    dispatch.accepted_by = acting_user
    if dispatch.assignee_id is None:
        dispatch.assignee = acting_user
    dispatch.save(update_fields=["accepted_at", "accepted_by", "assignee"])
    ticket.handler = dispatch.assignee
    _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, also=["handler"], reason="接单",
          event_kind=TicketEventKind.ACCEPTED, dispatch=dispatch.pk)
    return dispatch


@transaction.atomic(durable=True)
def record_handling(*, ticket: Ticket, acting_user: User, now: dt.datetime, investigation: str = "",
                    measures: str = "", result: str = "", done: bool = False, arrived_at: dt.datetime | None = None,
                    attachments: Sequence[tuple[Any, str]] = ()) -> Dispatch | None:
    """处理记录 — site investigation, measures, result, photos (R-M2-01, R-M2-02, R-M2-20).

    ``arrived_at`` meets the ``arrive`` deadline; ``done=True`` needs ``result``: the ticket becomes
    已处理, the ``complete`` deadline is met and the receiver (front desk) is told (issue 4 item 4).
    Recording on a dispatched ticket accepts the 派工单 implicitly."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权处理")
    _lock(ticket)
    _ncr_gate(ticket)
    dispatch = _current_dispatch(ticket)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以记录处理情况")
    if ticket.status not in {S.RECEIVED, S.DISPATCHED, S.HANDLING, S.TRANSFERRED, S.REOPENED}:
        raise InvalidTransition(ticket.status, S.HANDLING)
    if done and not result.strip():
        raise _refuse("完成处理须填写处理结果", field="result")
    if arrived_at is not None and arrived_at > now + dt.timedelta(minutes=5):
        raise _refuse("到场时间不能晚于当前时间", field="arrived_at")
    if not (investigation.strip() or measures.strip() or result.strip() or arrived_at or attachments):
        raise _refuse("请填写调查、措施或结果", field="investigation")
    if dispatch is not None:
        for name, text in (("investigation", investigation), ("measures", measures), ("result", result)):
            if text.strip():
                old = getattr(dispatch, name)
                setattr(dispatch, name, f"{old}\n{text.strip()}" if old else text.strip())
        if arrived_at is not None and dispatch.arrived_at is None:
            dispatch.arrived_at = arrived_at
        if dispatch.accepted_at is None:
            dispatch.accepted_at, dispatch.accepted_by = now, acting_user
        if done:
            dispatch.completed_at = now
        dispatch.save()
    for file, caption in attachments:
        Attachment.objects.create(ticket=ticket, dispatch=dispatch, file=file, caption=caption,
                                  uploaded_by=acting_user, uploaded_at=now)
    if arrived_at is not None:
        dl.meet(ticket, Stage.ARRIVE, at=arrived_at)
    if investigation.strip() and ticket.investigated_at is None:
        # R-M2-02: the first investigation/verification; expected on the day of intake
        ticket.investigated_at = now
        _save(ticket, ["investigated_at"], acting_user=acting_user, reason="调查核实")
    summary = "；".join(x for x in (investigation.strip(), measures.strip(), result.strip()) if x)
    if ticket.status in {S.DISPATCHED, S.RECEIVED, S.REOPENED} and not done:
        _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, reason=summary[:200] or "开始处理",
              event_kind=TicketEventKind.HANDLING, investigation=investigation, measures=measures)
    elif not done:
        _event(ticket, TicketEventKind.HANDLING, acting_user=acting_user, now=now, message=summary,
               investigation=investigation, measures=measures, result=result)
    if done:
        ticket.handling_result = result.strip()
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, also=["handling_result"],
              reason=f"处理完成：{result.strip()[:180]}", event_kind=TicketEventKind.HANDLING,
              investigation=investigation, measures=measures, result=result)
        dl.meet(ticket, Stage.COMPLETE, at=now)
        _notify([ticket.receiver], kind="ticket_handled", subject=f"工单 {ticket.number} 已处理完成",
                body=result[:200], ticket=ticket, now=now, dedupe=f"handled-{ticket.pk}-{ticket.cycle}")
    return dispatch


@transaction.atomic(durable=True)
def hand_back(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """退单 — the department hands the 派工单 back to the dispatcher with a reason (not ours, wrong
    department …): 已派工/处理中 → 已受理. The receiver is told."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权退单")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写退单原因", field="reason")
    dispatch = _current_dispatch(ticket)
    if dispatch is None or ticket.status not in {S.DISPATCHED, S.HANDLING}:
        raise InvalidTransition(ticket.status, S.RECEIVED)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以退单")
    dispatch.active = False
    dispatch.handed_back_at = now
    dispatch.ended_at = now
    dispatch.end_reason = reason.strip()[:200]
    dispatch.save(update_fields=["active", "handed_back_at", "ended_at", "end_reason"])
    ticket.handler = None
    _move(ticket, to=S.RECEIVED, acting_user=acting_user, now=now, also=["handler"], reason=f"退单：{reason.strip()}",
          event_kind=TicketEventKind.HANDED_BACK, dispatch=dispatch.pk)
    _notify([ticket.receiver, dispatch.dispatched_by], kind="ticket_handed_back", subject=f"工单 {ticket.number} 被退单",
            body=reason[:200], ticket=ticket, now=now, dedupe=f"handback-{dispatch.pk}")
    return ticket


def _quality_department(project: Project) -> Department | None:
    return Department.objects.filter(company_id=project.company_id, project=None,
                                     kind=DepartmentKind.QUALITY).order_by("id").first()


@transaction.atomic(durable=True)
def escalate_to_quality(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """上报品质管理部 (R-M2-14, R-M1-10): the project cannot handle it in time. From now on the ticket
    is held by 品质管理部 and cannot be given back to project staff as handler (AS-41); project
    users may still add notes. A project-level 派工单 ends; a dispatched ticket returns to 已受理
    in the quality department's queue."""
    _require(acting_user, Cap.ESCALATE, ticket, "无权上报（须主管以上）")
    _lock(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能上报", code="closed", status=409)
    if ticket.held_by_quality:
        raise _refuse("工单已由品质管理部跟进", code="already_escalated", status=409)
    if not reason.strip():
        raise _refuse("请填写上报原因", field="reason")
    quality = _quality_department(ticket.project)
    ticket.held_by_quality = True
    ticket.escalated_to_quality_at = now
    ticket.department = quality
    ticket.handler = None
    fields = ["held_by_quality", "escalated_to_quality_at", "department", "handler"]
    dispatch = _current_dispatch(ticket)
    if dispatch is not None and dispatch.department.project_id is not None:
        dispatch.active, dispatch.ended_at, dispatch.end_reason = False, now, "上报品质管理部"
        dispatch.save(update_fields=["active", "ended_at", "end_reason"])
    if ticket.status in {S.DISPATCHED, S.HANDLING}:
        _move(ticket, to=S.RECEIVED, acting_user=acting_user, now=now, also=fields, reason=f"上报品质管理部：{reason}",
              event_kind=TicketEventKind.ESCALATED)
    else:
        _save(ticket, fields, acting_user=acting_user, reason="上报品质管理部")
        _event(ticket, TicketEventKind.ESCALATED, acting_user=acting_user, now=now, message=reason)
    quality_staff = [m.user for m in Membership.objects.filter(company_id=ticket.project.company_id,
                                                               role=Role.QUALITY).select_related("user")]
    _notify(quality_staff, kind="ticket_escalated", subject=f"管理处上报投诉 {ticket.number}", body=reason[:200],
            ticket=ticket, now=now, dedupe=f"escalated-{ticket.pk}")
    ticket_id = ticket.pk
    transaction.on_commit(lambda: _send_robust(signals.ticket_escalated_to_quality,
                                               ticket=Ticket.objects.get(pk=ticket_id)))
    return ticket


def investigation_late(ticket: Ticket, now: dt.datetime) -> bool:
    """R-M2-02 (soft deadline): the receiver investigates and verifies the problem on the day it is
    received. True when the ticket was not investigated by 23:59:59 (project time) of that day."""
    tz = ticket.project.tz
    day_end = dt.datetime.combine(ticket.received_at.astimezone(tz).date() + dt.timedelta(days=1), dt.time(0),
                                  tzinfo=tz)
    if ticket.investigated_at is not None:
        return ticket.investigated_at >= day_end
    return now >= day_end and ticket.status in OPEN_STATUSES and not ticket.resolved_on_spot


@transaction.atomic(durable=True)
def record_online_notification(*, ticket: Ticket, emailed: bool = False, phoned: bool = False, note: str = "",
                               acting_user: User, now: dt.datetime) -> Ticket:
    """网上投诉通知 (R-M2-09): the 品质管理部 information administrator emails the online complaint to
    the responsible department head and the 管理处 designated post, and telephones the 管理处经理 or
    designated post at once. Each notification's time is recorded once."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    if not _is_company_level(acting_user):
        raise _forbid("只有品质管理部可以登记网上投诉通知")
    if ticket.channel != Channel.ONLINE:
        raise _refuse("只有网上投诉需要登记邮件转发和电话通知", field="channel")
    if not (emailed or phoned):
        raise _refuse("请选择已邮件转发或已电话通知", field="emailed")
    _lock(ticket)
    fields: list[str] = []
    done: list[str] = []
    if emailed and ticket.online_emailed_at is None:
        ticket.online_emailed_at = now
        fields.append("online_emailed_at")
        done.append("已邮件转发责任部门负责人及管理处指定岗位")
    if phoned and ticket.online_phoned_at is None:
        ticket.online_phoned_at = now
        fields.append("online_phoned_at")
        done.append("已电话通知管理处经理或指定岗位")
    if not fields:
        raise _refuse("该通知已登记", code="already_recorded", status=409)
    _save(ticket, fields, acting_user=acting_user, reason="网上投诉通知")
    _event(ticket, TicketEventKind.NOTE, acting_user=acting_user, now=now,
           message="；".join(done) + (f"（{note.strip()}）" if note.strip() else ""))
    return ticket


@transaction.atomic(durable=True)
def report_incident_to_gm(*, ticket: Ticket, report: str, acting_user: User, now: dt.datetime) -> Ticket:
    """事故事件报告总经理 (R-M2-23): accidents and incidents involving resident owners are handled by the
    客服经理 and reported to the 物业总经理; the 客服主管 assists and does the return visit."""
    _require(acting_user, Cap.ESCALATE, ticket, "无权报告（须主管以上）")
    if ticket.kind != Kind.INCIDENT:
        raise _refuse("只有事故事件需要报告总经理", field="kind")
    if not report.strip():
        raise _refuse("请填写报告内容", field="report")
    _lock(ticket)
    if ticket.gm_reported_at is not None:
        raise _refuse("已报告总经理", code="already_reported", status=409)
    ticket.gm_reported_at = now
    _save(ticket, ["gm_reported_at"], acting_user=acting_user, reason="报告总经理")
    _event(ticket, TicketEventKind.REPORTED, acting_user=acting_user, now=now, message=f"报告总经理：{report.strip()}")
    return ticket


@transaction.atomic(durable=True)
def report_to_quality(*, ticket: Ticket, measures: str, acting_user: User, now: dt.datetime) -> TicketEvent:
    """报品质部处理措施 (R-M2-19): for a 《顾客投诉记录表》 issued by 品质部, the project reports its
    handling measures within 1 working day — meets the ``report`` deadline."""
    _require(acting_user, Cap.REPLY, ticket, "无权上报处理措施")
    _lock(ticket)
    if not measures.strip():
        raise _refuse("请填写处理措施", field="measures")
    dl.meet(ticket, Stage.REPORT, at=now)
    return _event(ticket, TicketEventKind.REPORTED, acting_user=acting_user, now=now, message=measures.strip())


@transaction.atomic(durable=True)
def transfer_to_developer(*, ticket: Ticket, content: str, document_no: str = "", acting_user: User,
                          now: dt.datetime) -> DeveloperTransfer:
    """转地产 (R-M2-03, R-M2-25): a developer matter is reported in writing to the 地产客户服务中心
    (a transfer document with its date); the ticket is 已转地产 and followed up, the owner is
    informed periodically (:func:`record_owner_update`)."""
    _require(acting_user, Cap.DISPATCH, ticket, "无权转地产")
    _lock(ticket)
    if not content.strip():
        raise _refuse("请填写函件内容", field="content")
    if S.TRANSFERRED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.TRANSFERRED)
    transfer = DeveloperTransfer.objects.create(ticket=ticket, sent_at=now, document_no=document_no,
                                                content=content.strip(), sent_by=acting_user)
    dispatch = _current_dispatch(ticket)
    if dispatch is not None:
        dispatch.active, dispatch.ended_at, dispatch.end_reason = False, now, "转地产"
        dispatch.save(update_fields=["active", "ended_at", "end_reason"])
    ticket.developer_matter = True
    ticket.our_side = False
    ticket.transferred_to_developer_at = now
    _move(ticket, to=S.TRANSFERRED, acting_user=acting_user, now=now,
          also=["developer_matter", "our_side", "transferred_to_developer_at"],
          reason=f"书面转地产客户服务中心 {document_no}".strip(), event_kind=TicketEventKind.TRANSFERRED,
          transfer=transfer.pk)
    return transfer


@transaction.atomic(durable=True)
def record_developer_result(*, transfer: DeveloperTransfer, result: str, acting_user: User,
                            now: dt.datetime) -> Ticket:
    """地产处理结果 — the developer's answer comes back: 已转地产 → 已处理 with the result."""
    ticket = transfer.ticket
    _require(acting_user, Cap.DISPATCH, ticket, "无权登记地产处理结果")
    _lock(ticket)
    if not result.strip():
        raise _refuse("请填写处理结果", field="result")
    transfer.result, transfer.result_at = result.strip(), now
    transfer.save(update_fields=["result", "result_at"])
    ticket.handling_result = result.strip()
    _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, also=["handling_result"],
          reason=f"地产处理结果：{result.strip()[:180]}", event_kind=TicketEventKind.HANDLING)
    dl.meet(ticket, Stage.COMPLETE, at=now)
    return ticket


@transaction.atomic(durable=True)
def record_owner_update(*, ticket: Ticket, channel: str, content: str, acting_user: User,
                        now: dt.datetime) -> OwnerUpdate:
    """告知业主进展 (R-M2-03, R-M4-08): progress notice to the owner on a matter being followed."""
    _require(acting_user, Cap.REPLY, ticket, "无权告知业主")
    _choice(channel, ReplyChannel, "channel")
    if not content.strip():
        raise _refuse("请填写内容", field="content")
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束", code="closed", status=409)
    update = OwnerUpdate.objects.create(ticket=ticket, at=now, channel=channel, content=content.strip(),
                                        staff=acting_user)
    _event(ticket, TicketEventKind.OWNER_UPDATE, acting_user=acting_user, now=now, message=content.strip(),
           channel=channel)
    dl.meet(ticket, Stage.ACKNOWLEDGE, at=now)
    dl.meet(ticket, Stage.RESPOND, at=now)
    return update


# ---------------------------------------------------------------- replies (R-M2-05…R-M2-13, R-M2-21)


def required_reviews(channel: str, recipient: str = ReplyRecipient.OWNER) -> frozenset[str]:
    """Reviews a reply needs before it is sent (R-M2-08, R-M2-10; POLICY P-09 via the setting
    ``TICKETS_WRITTEN_REPLY_REVIEWERS``, default 品质管理部 + 办公室)."""
    if recipient != ReplyRecipient.OWNER:
        return frozenset()
    if channel in {ReplyChannel.LETTER, ReplyChannel.FAX}:
        return frozenset(getattr(settings, "TICKETS_WRITTEN_REPLY_REVIEWERS",
                                 (ReviewDepartment.QUALITY, ReviewDepartment.OFFICE)))
    if channel in {ReplyChannel.EMAIL, ReplyChannel.ONLINE}:
        return frozenset({ReviewDepartment.QUALITY})
    return frozenset()


def _missing_reviews(reply: Reply) -> list[str]:
    missing = []
    for department in sorted(required_reviews(reply.channel, reply.recipient)):
        last = reply.reviews.filter(department=department).order_by("-reviewed_at", "-id").first()
        ok = last is not None and last.approved
        if ok and reply.channel == ReplyChannel.ONLINE and not last.all_issues_covered:  # type: ignore[union-attr]
            ok = False
        if not ok:
            missing.append(department)
    return missing


def _after_reply_sent(ticket: Ticket, reply: Reply, *, acting_user: User, now: dt.datetime) -> None:
    """Deadlines met by a sent reply and the status it moves (R-M2-07, R-M2-11, R-M2-13)."""
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now,
           message=f"{reply.get_kind_display()}（{reply.get_channel_display()}）：{reply.content[:200]}",
           reply=reply.pk, owner_response=reply.owner_response)
    if reply.recipient != ReplyRecipient.OWNER:
        return
    at = reply.sent_at or now
    dl.meet(ticket, Stage.ACKNOWLEDGE, at=at)
    if reply.kind != ReplyKind.ACKNOWLEDGE:
        dl.meet(ticket, Stage.RESPOND, at=at)
    if reply.kind in {ReplyKind.MEASURES, ReplyKind.RESULT, ReplyKind.EXPLANATION}:
        dl.meet(ticket, Stage.REPLY, at=at)
    if reply.kind in {ReplyKind.RESULT, ReplyKind.EXPLANATION}:
        fields = []
        if reply.kind == ReplyKind.EXPLANATION and not ticket.unreasonable:
            ticket.unreasonable = True  # R-M2-15 无理投诉，已解释
            fields.append("unreasonable")
        if reply.owner_response == OwnerResponse.DISAGREE:
            if ticket.status == S.REPLIED:
                _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, also=fields,
                      reason="顾客不同意处理方案，继续协商（R-M2-13）")
            elif fields:
                _save(ticket, fields, acting_user=acting_user, reason="无理投诉")
        elif ticket.status == S.HANDLED:
            _move(ticket, to=S.REPLIED, acting_user=acting_user, now=now, also=fields, reason="已回复处理结果")
        elif fields:
            _save(ticket, fields, acting_user=acting_user, reason="无理投诉")


def _validate_reply(ticket: Ticket, kind: str, channel: str, content: str, recipient: str) -> None:
    _choice(kind, ReplyKind, "kind")
    _choice(channel, ReplyChannel, "channel")
    _choice(recipient, ReplyRecipient, "recipient")
    if not content.strip():
        raise _refuse("请填写回复内容", field="content")
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能回复", code="closed", status=409)


@transaction.atomic(durable=True)
def record_reply(*, ticket: Ticket, kind: str, channel: str, content: str, acting_user: User, now: dt.datetime,
                 recipient: str = ReplyRecipient.OWNER, owner_response: str = OwnerResponse.PENDING,
                 owner_words: str = "", sent_at: dt.datetime | None = None) -> Reply:
    """回复 — record a reply already given (phone, in person, SMS …) with the owner's answer.

    Meets deadlines: any reply → ``acknowledge``; any but a courtesy acknowledgement → ``respond``
    (R-M2-07); measures/result/explanation → ``reply`` (R-M2-05, R-M2-11). A result (or an
    explanation of an unreasonable complaint, R-M2-15) on a handled ticket → 已回复; if the owner
    disagrees the ticket stays open for negotiation (R-M2-13).
    Letters, faxes, emails and online replies need reviews first (R-M2-08, R-M2-10): use
    :func:`draft_reply` → :func:`review_reply` → :func:`send_reply`; here they are refused (409)."""
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    _validate_reply(ticket, kind, channel, content, recipient)
    _choice(owner_response, OwnerResponse, "owner_response")
    if required_reviews(channel, recipient):
        names = "、".join(str(ReviewDepartment(d).label) for d in sorted(required_reviews(channel, recipient)))
        raise TicketError(f"此类回复须先经{names}审核后才能发出（R-M2-08/R-M2-10）", field="channel",
                          code="review_required", status=409)
    at = sent_at or now
    if at > now + dt.timedelta(minutes=5):
        raise _refuse("回复时间不能晚于当前时间", field="sent_at")
    reply = Reply.objects.create(ticket=ticket, kind=kind, recipient=recipient, channel=channel,
                                 content=content.strip(), owner_response=owner_response, owner_words=owner_words,
                                 author=acting_user, created_at=now, sent_at=at, cycle=ticket.cycle)
    _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)
    return reply


@transaction.atomic(durable=True)
def draft_reply(*, ticket: Ticket, kind: str, channel: str, content: str, acting_user: User, now: dt.datetime,
                recipient: str = ReplyRecipient.OWNER) -> Reply:
    """回复草稿 — a written/email/online reply waiting for its reviews (R-M2-08, R-M2-10)."""
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    _validate_reply(ticket, kind, channel, content, recipient)
    reply = Reply.objects.create(ticket=ticket, kind=kind, recipient=recipient, channel=channel,
                                 content=content.strip(), author=acting_user, created_at=now, cycle=ticket.cycle)
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now, message=f"回复草稿：{content[:200]}",
           reply=reply.pk, draft=True)
    return reply


def _may_review(user: User, department: str, project: Project) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if department == ReviewDepartment.QUALITY:
        return Role.QUALITY in roles_in(user, project)
    return Membership.objects.filter(user=user, department__kind=DepartmentKind.OFFICE,
                                     company_id=project.company_id).exists()


@transaction.atomic(durable=True)
def review_reply(*, reply: Reply, department: str, approved: bool, acting_user: User, now: dt.datetime,
                 note: str = "", all_issues_covered: bool = False) -> ReplyReview:
    """回复审核 by 品质管理部 or 办公室 (R-M2-08 legal risk and format; R-M2-10/-12 online replies:
    approval with the "all issues covered" checklist). Reviewer, time and result are stored."""
    ticket = reply.ticket
    _choice(department, ReviewDepartment, "department")
    if not can_see_project(acting_user, ticket.project):
        raise TicketError("工单不存在", code="not_found", status=404)
    if not _may_review(acting_user, department, ticket.project):
        raise _forbid(f"只有{ReviewDepartment(department).label}可以审核")
    _lock(ticket)
    if reply.sent_at is not None:
        raise _refuse("回复已发出", code="already_sent", status=409)
    if not approved and not note.strip():
        raise _refuse("不通过须填写意见", field="note")
    review = ReplyReview.objects.create(reply=reply, department=department, reviewer=acting_user, reviewed_at=now,
                                        approved=approved, all_issues_covered=all_issues_covered, note=note)
    _event(ticket, TicketEventKind.REVIEW, acting_user=acting_user, now=now,
           message=f"{ReviewDepartment(department).label}审核{'通过' if approved else '不通过'} {note}".strip(),
           reply=reply.pk, approved=approved)
    return review


@transaction.atomic(durable=True)
def send_reply(*, reply: Reply, acting_user: User, now: dt.datetime,
               owner_response: str = OwnerResponse.PENDING, owner_words: str = "") -> Reply:
    """发出回复 — only when every required review approved it (R-M2-08; online: 品质管理部 approval
    with all issues covered, R-M2-10/-12, AS-09). Refused with 409 otherwise; nothing changes."""
    ticket = reply.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    reply.refresh_from_db()
    if reply.sent_at is not None:
        raise _refuse("回复已发出", code="already_sent", status=409)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能回复", code="closed", status=409)
    _choice(owner_response, OwnerResponse, "owner_response")
    missing = _missing_reviews(reply)
    if missing:
        names = "、".join(str(ReviewDepartment(d).label) for d in missing)
        raise TicketError(f"尚未经{names}审核通过，不能发出（R-M2-08/R-M2-10）", field="reviews",
                          code="review_required", status=409)
    reply.sent_at = now
    reply.owner_response = owner_response
    reply.owner_words = owner_words
    reply.save(update_fields=["sent_at", "owner_response", "owner_words"])
    _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)
    return reply


@transaction.atomic(durable=True)
def record_owner_response(*, reply: Reply, owner_response: str, acting_user: User, now: dt.datetime,
                          owner_words: str = "") -> Reply:
    """顾客对处理方案的意见 (R-M2-13): agree → goes ahead; disagree → back to negotiation (the ticket
    stays open, 已回复 → 已处理)."""
    ticket = reply.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权登记")
    _lock(ticket)
    _choice(owner_response, OwnerResponse, "owner_response")
    if reply.sent_at is None:
        raise _refuse("回复尚未发出", code="not_sent", status=409)
    reply.owner_response, reply.owner_words = owner_response, owner_words
    reply.save(update_fields=["owner_response", "owner_words"])
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now,
           message=f"顾客意见：{OwnerResponse(owner_response).label} {owner_words}".strip(), reply=reply.pk)
    if owner_response == OwnerResponse.DISAGREE and ticket.status == S.REPLIED and reply.kind == ReplyKind.RESULT:
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, reason="顾客不同意处理方案，继续协商（R-M2-13）")
    return reply


# ---------------------------------------------------------------- verification and return visit (M4)


@transaction.atomic(durable=True)
def verify_ticket(*, ticket: Ticket, passed: bool, acting_user: User, now: dt.datetime, notes: str = "",
                  order: str = "") -> Verification:
    """验证 (R-M4-01, R-M4-02, AS-19): only the 管理处经理 or supervisors (主管以上, rank ≥ 20) with the
    verify capability. Pass → 已验证 and the ``return_visit`` deadline starts (R-M4-04). Fail needs
    the manager's order or re-assessment and sends the ticket back to handling."""
    _require(acting_user, Cap.VERIFY, ticket, "只有主管以上人员可以验证（R-M4-01）")
    if rank_in(acting_user, ticket.project) < SUPERVISOR_RANK:
        raise _forbid("只有主管以上人员可以验证（R-M4-01）")
    _lock(ticket)
    if ticket.status != S.REPLIED:
        raise InvalidTransition(ticket.status, S.VERIFIED if passed else S.HANDLING)
    if not passed and not order.strip():
        raise _refuse("验证不通过须填写整改指令或重新评估意见（R-M4-02）", field="order")
    verification = Verification.objects.create(
        ticket=ticket, cycle=ticket.cycle, verifier=acting_user, verified_at=now,
        result=VerificationResult.PASS if passed else VerificationResult.FAIL, notes=notes, order=order,
    )
    if passed:
        _move(ticket, to=S.VERIFIED, acting_user=acting_user, now=now, reason=f"验证通过 {notes}".strip(),
              event_kind=TicketEventKind.VERIFICATION, verification=verification.pk)
        if ticket.kind in RETURN_VISIT_KINDS:
            dl.stamp(ticket, start=now, stages=[Stage.RETURN_VISIT], now=now)
    else:
        _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, reason=f"验证不通过：{order.strip()}",
              event_kind=TicketEventKind.VERIFICATION, verification=verification.pk)
        dispatch = _current_dispatch(ticket)
        if dispatch is not None:
            dispatch.completed_at = None
            dispatch.save(update_fields=["completed_at"])
            _notify([dispatch.assignee], kind="verification_failed", subject=f"工单 {ticket.number} 验证不通过",
                    body=order[:200], ticket=ticket, now=now, dedupe=f"verify-fail-{verification.pk}")
    return verification


def _ready_for_return_visit(ticket: Ticket) -> bool:
    if ticket.kind in VERIFY_KINDS:
        return ticket.status == S.VERIFIED
    return ticket.status in {S.REPLIED, S.VERIFIED}


def min_return_visit_attempts() -> int:
    """R-M4-12: attempts before a return visit may end as 联系不上 (setting, default 3)."""
    return int(getattr(settings, "TICKETS_RETURN_VISIT_MIN_ATTEMPTS", 3))


@transaction.atomic(durable=True)
def record_return_visit(*, ticket: Ticket, method: str, reached: bool, acting_user: User, now: dt.datetime,
                        satisfaction: str = "", owner_words: str = "", note: str = "",
                        give_up: bool = False, open_question: str = "",
                        answer_due_at: dt.datetime | None = None) -> ReturnVisit:
    """回访 (R-M4-04, R-M4-07, R-M4-09, R-M4-12): every attempt is kept.

    - reached: ``satisfaction`` (满意/基本满意/不满意) and the owner's words are required; the stage is
      met. 不满意 → the ticket reopens to handling (``reopen_count`` + 1, a new verification and
      return visit follow).
    - not reached: an attempt 联系不上; with ``give_up=True`` after at least
      ``TICKETS_RETURN_VISIT_MIN_ATTEMPTS`` attempts the return visit ends as 联系不上.
    The owner's verdict is stored apart from the staff verification.
    R-M4-10: a question the owner raised that cannot be answered on the spot is kept with the time
    promised for the answer (``open_question`` + ``answer_due_at``, a follow-up due time), answered later
    with :func:`answer_return_visit_question`."""
    _require(acting_user, Cap.RETURN_VISIT, ticket, "无权回访")
    open_question = open_question.strip()
    if bool(open_question) != (answer_due_at is not None):
        raise _refuse("未能当场答复的问题须同时填写问题和约定答复时间（R-M4-10）",
                      field="answer_due_at" if open_question else "open_question")
    if answer_due_at is not None and (answer_due_at <= now or not reached):
        raise _refuse("约定答复时间须晚于现在，且只能在联系上业主时约定（R-M4-10）", field="answer_due_at")
    _lock(ticket)
    _choice(method, ReturnVisitMethod, "method")
    if not _ready_for_return_visit(ticket):
        raise InvalidTransition(ticket.status, S.RETURN_VISITED)
    if ticket.return_visit_exemption:
        raise _refuse("该工单已免回访", code="exempt", status=409)
    if reached:
        _choice(satisfaction, Satisfaction, "satisfaction")
    visit, _ = ReturnVisit.objects.get_or_create(ticket=ticket, cycle=ticket.cycle)
    ReturnVisitAttempt.objects.create(return_visit=visit, at=now, method=method, reached=reached, staff=acting_user,
                                      note=note or owner_words)
    if not reached:
        attempts = visit.attempts.count()
        if not give_up:
            _event(ticket, TicketEventKind.RETURN_VISIT, acting_user=acting_user, now=now,
                   message=f"回访未联系上（第 {attempts} 次）{note}".strip(), attempt=attempts)
            return visit
        if attempts < min_return_visit_attempts():
            raise _refuse(f"至少尝试 {min_return_visit_attempts()} 次后才能以“联系不上”结束回访（R-M4-12）",
                          field="give_up", code="too_few_attempts", status=409)
        visit.outcome, visit.method, visit.visitor, visit.completed_at = ReturnVisitOutcome.UNREACHABLE, method, \
            acting_user, now
        visit.save(update_fields=["outcome", "method", "visitor", "completed_at"])
        dl.meet(ticket, Stage.RETURN_VISIT, at=now)
        _move(ticket, to=S.RETURN_VISITED, acting_user=acting_user, now=now,
              reason=f"回访联系不上（共 {attempts} 次）", event_kind=TicketEventKind.RETURN_VISIT)
        return visit
    visit.outcome, visit.method, visit.satisfaction = ReturnVisitOutcome.DONE, method, satisfaction
    visit.owner_words, visit.visitor, visit.completed_at = owner_words, acting_user, now
    visit.open_question, visit.answer_due_at = open_question, answer_due_at
    visit.save(update_fields=["outcome", "method", "satisfaction", "owner_words", "visitor", "completed_at",
                              "open_question", "answer_due_at"])
    dl.meet(ticket, Stage.RETURN_VISIT, at=now)
    _move(ticket, to=S.RETURN_VISITED, acting_user=acting_user, now=now,
          reason=(f"回访：{Satisfaction(satisfaction).label} {owner_words}".strip()
                  + (f"；待答复：{open_question}（约定 {answer_due_at.astimezone(ticket.project.tz):%m-%d %H:%M} 前答复）"
                     if answer_due_at else "")),
          event_kind=TicketEventKind.RETURN_VISIT, satisfaction=satisfaction)
    if satisfaction == Satisfaction.UNSATISFIED:
        _reopen(ticket, reason=f"回访不满意：{owner_words}".strip(), acting_user=acting_user, now=now)
    return visit


@transaction.atomic(durable=True)
def answer_return_visit_question(*, visit: ReturnVisit, answer: str, acting_user: User,
                                 now: dt.datetime) -> ReturnVisit:
    """R-M4-10: give the owner the answer promised at the return visit; records whether it came by the
    promised time. The ticket's status does not change."""
    ticket = visit.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权答复业主")
    _lock(ticket)
    visit.refresh_from_db()
    if not visit.open_question:
        raise _refuse("这次回访没有待答复的问题", code="no_question", status=409)
    if visit.answered_at is not None:
        raise _refuse("该问题已答复", code="already_answered", status=409)
    if not answer.strip():
        raise _refuse("请填写答复内容", field="answer")
    visit.answer, visit.answered_at = answer.strip(), now
    visit.save(update_fields=["answer", "answered_at"])
    late = "（超过约定时间）" if visit.answer_due_at and now > visit.answer_due_at else ""
    _event(ticket, TicketEventKind.RETURN_VISIT, acting_user=acting_user, now=now,
           message=f"答复回访中提出的问题{late}：{visit.answer}")
    return visit


def unanswered_return_visit_questions(tickets: Any) -> Any:
    """R-M4-10: return-visit questions still waiting for their promised answer, earliest due first
    (``tickets`` is the caller's visible ticket queryset)."""
    return (ReturnVisit.objects.filter(ticket__in=tickets, answer_due_at__isnull=False, answered_at__isnull=True)
            .select_related("ticket").order_by("answer_due_at", "id"))


def return_visit_required(ticket: Ticket) -> bool:
    """Does the ticket need a return visit before closing (R-M4-05, R-M4-11, AS-18)?"""
    return ticket.kind in RETURN_VISIT_KINDS and not ticket.return_visit_exemption


def _no_contact_exemption_allowed(ticket: Ticket) -> bool:
    """Exemption B (R-M4-05, POLICY P-07): ``TICKETS_P07_NO_CONTACT_SCOPE`` = "any_channel"
    (default, 篇4) or "online_only" (篇3)."""
    if not (ticket.anonymous or not ticket.has_contact):
        return False
    scope = getattr(settings, "TICKETS_P07_NO_CONTACT_SCOPE", "any_channel")
    return scope != "online_only" or ticket.channel == Channel.ONLINE


@transaction.atomic(durable=True)
def exempt_return_visit(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime,
                        note: str = "") -> Ticket:
    """免回访 (R-M4-05, POLICY P-07, AS-18) — only the listed cases, with the reason recorded:

    - ``on_spot`` (A): handled on the spot with the customer's confirmed satisfaction;
    - ``no_contact`` (B): anonymous or no contact (any channel by default; online only under 篇3);
    - ``sensitive`` (C): needs a written reason and approval by a supervisor (the acting user
      must hold the approve-exemption capability; their name is stored)."""
    _require(acting_user, Cap.RETURN_VISIT, ticket, "无权办理免回访")
    _lock(ticket)
    _choice(reason, ReturnVisitExemption, "reason")
    if not _ready_for_return_visit(ticket):
        raise InvalidTransition(ticket.status, S.CLOSED)
    if ticket.kind not in RETURN_VISIT_KINDS:
        raise _refuse("该类型工单无需回访", field="reason")
    approved_by = None
    if reason == ReturnVisitExemption.ON_SPOT:
        confirmed = ticket.replies.filter(owner_response=OwnerResponse.AGREE, kind=ReplyKind.RESULT).exists()
        if not (ticket.resolved_on_spot and confirmed):
            raise _refuse("只有现场即时处理并经顾客确认满意的才能免回访（R-M4-05 A）", field="reason")
    elif reason == ReturnVisitExemption.NO_CONTACT:
        if not _no_contact_exemption_allowed(ticket):
            raise _refuse("该工单有联系方式（或按政策须回访），不能免回访（R-M4-05 B）", field="reason")
    else:
        if not note.strip():
            raise _refuse("敏感投诉免回访须说明理由（R-M4-05 C）", field="note")
        if not has_cap(acting_user, Cap.APPROVE_EXEMPTION, ticket.project):
            raise _forbid("敏感投诉免回访须主管批准（R-M4-05 C）")
        approved_by = acting_user
    ticket.return_visit_exemption = reason
    ticket.return_visit_exemption_note = note.strip()
    ticket.return_visit_exemption_approved_by = approved_by
    ticket.sensitive = ticket.sensitive or reason == ReturnVisitExemption.SENSITIVE
    _save(ticket, ["return_visit_exemption", "return_visit_exemption_note", "return_visit_exemption_approved_by",
                   "sensitive"], acting_user=acting_user, reason="免回访")
    _event(ticket, TicketEventKind.EXEMPTED, acting_user=acting_user, now=now,
           message=f"{ReturnVisitExemption(reason).label} {note}".strip(), reason=reason)
    from apps.tickets.models import Deadline

    Deadline.objects.open().filter(ticket=ticket, stage=Stage.RETURN_VISIT, cycle=ticket.cycle).update(cancelled_at=now)
    return ticket


def manager_reply_required(ticket: Ticket) -> bool:
    """R-M2-21 (interpretation): does a normal close of ``ticket`` need the result replied both to the
    resident and to the 管理处主任? Only for the kinds a responsible department handles
    (:data:`~apps.tickets.choices.MANAGER_REPLY_KINDS`: complaints, repairs, needs, incidents,
    disputes — consultations and praise close with just the result, suggestions are decided by the
    主任 himself) and only while the company's :class:`~apps.tickets.models.TicketPolicy` keeps
    ``close_needs_manager_reply`` on (the default). A ticket resolved on the spot counts too: the
    handling is finished there and the 主任 still hears of it ("件件有回音")."""
    if ticket.kind not in MANAGER_REPLY_KINDS:
        return False
    from apps.tickets.policies import policy_for

    return policy_for(ticket.project).close_needs_manager_reply


def _close_blockers(ticket: Ticket) -> dict[str, list[str]]:
    """What still prevents a normal close (R-M2-18, R-M2-21, R-M4-01, R-M4-05).

    R-M2-21: where :func:`manager_reply_required`, the current handling cycle needs a *sent* reply of
    the handling result (result or, for an unreasonable complaint, the explanation — R-M2-15) to the
    owner and another to the 管理处主任; drafts waiting for review do not count, nor do replies of an
    earlier cycle (after a reopening the new result is replied again)."""
    problems: dict[str, list[str]] = {}
    if not ticket.handling_result.strip():
        problems["result"] = ["须先记录处理结果（R-M2-18）"]
    if manager_reply_required(ticket):
        sent = set(ticket.replies.filter(cycle=ticket.cycle, sent_at__isnull=False, kind__in=RESULT_REPLY_KINDS)
                   .values_list("recipient", flat=True))
        if ReplyRecipient.OWNER not in sent:
            problems["owner_reply"] = ["须先向业主回复处理结果（R-M2-21）"]
        if ReplyRecipient.PROJECT_MANAGER not in sent:
            problems["manager_reply"] = ["须同时向管理处主任回复处理结果（R-M2-21）"]
    if ticket.kind in VERIFY_KINDS:
        last = ticket.verifications.filter(cycle=ticket.cycle).order_by("-verified_at", "-id").first()
        if last is None or not last.passed:
            problems["verification"] = ["须先经主管以上人员验证通过（R-M4-01）"]
    if return_visit_required(ticket):
        visit = ticket.return_visits.filter(cycle=ticket.cycle).first()
        done = visit is not None and (
            visit.outcome == ReturnVisitOutcome.UNREACHABLE
            or (visit.outcome == ReturnVisitOutcome.DONE and visit.satisfaction != Satisfaction.UNSATISFIED)
        )
        if not done:
            problems["return_visit"] = ["须先完成回访或办理免回访（R-M4-05）"]
    return problems


def close_blockers(ticket: Ticket) -> dict[str, list[str]]:
    """What still prevents a normal close, by field (for the detail page's close panel); the same
    check :func:`close_ticket` makes."""
    return _close_blockers(ticket)


@transaction.atomic(durable=True)
def close_ticket(*, ticket: Ticket, acting_user: User, now: dt.datetime, result: str = "",
                 unresolved: bool = False, analysis: str = "", measures: str = "") -> Ticket:
    """关闭 (R-M2-18): needs the handling result; complaints/repairs need a passed verification and a
    return visit (satisfied, basically satisfied or unreachable) or an exemption (R-M4-05), and
    (R-M2-21, company setting, default on) the result replied both to the owner and to the 管理处主任
    in this cycle. Consultations and praise close once the result is recorded.

    ``unresolved=True`` (R-M2-16, 未关闭): beyond the company's capability — needs the case
    ``analysis`` and the mitigation ``measures`` and a supervisor; the ticket ends as 未关闭 and still
    counts in statistics. Open deadlines stop running (missed ones stay missed). R-M2-21's two replies
    are not required here: there is no agreed result to reply (the customer stays dissatisfied), and
    deciding unresolved issues is the 管理处主任's own duty, done by a supervisor-rank user with the
    analysis and measures recorded."""
    _require(acting_user, Cap.RETURN_VISIT if not unresolved else Cap.VERIFY, ticket,
             "无权关闭工单" if not unresolved else "只有主管以上人员可以按“未关闭”结案")
    _lock(ticket)
    if result.strip():
        ticket.handling_result = result.strip()
    if unresolved:
        if rank_in(acting_user, ticket.project) < SUPERVISOR_RANK:
            raise _forbid("只有主管以上人员可以按“未关闭”结案")
        errors = {}
        if not analysis.strip():
            errors["analysis"] = ["须填写案例分析（R-M2-16）"]
        if not measures.strip():
            errors["measures"] = ["须填写降低顾客不满的措施（R-M2-16）"]
        if errors:
            raise TicketError("未关闭结案须填写分析和措施", fields=errors)
        ticket.unresolved_analysis, ticket.unresolved_measures = analysis.strip(), measures.strip()
        ticket.unresolved_close, ticket.closed_at, ticket.closed_by = True, now, acting_user
        _move(ticket, to=S.UNRESOLVED, acting_user=acting_user, now=now,
              also=["handling_result", "unresolved_analysis", "unresolved_measures", "unresolved_close", "closed_at",
                    "closed_by"], reason="超出公司能力，按未关闭结案（R-M2-16）", event_kind=TicketEventKind.CLOSED)
        dl.cancel_open(ticket, now=now)
        return ticket
    if S.CLOSED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.CLOSED)
    problems = _close_blockers(ticket)
    if problems:
        raise TicketError("；".join(m for msgs in problems.values() for m in msgs), code="cannot_close", status=409,
                          fields=problems)
    ticket.closed_at, ticket.closed_by, ticket.unresolved_close = now, acting_user, False
    _move(ticket, to=S.CLOSED, acting_user=acting_user, now=now,
          also=["handling_result", "closed_at", "closed_by", "unresolved_close"], reason="关闭",
          event_kind=TicketEventKind.CLOSED)
    dl.cancel_open(ticket, now=now)
    return ticket


def _reopen(ticket: Ticket, *, reason: str, acting_user: User, now: dt.datetime,
            agreed_feedback_at: dt.datetime | None = None) -> None:
    ticket.reopen_count += 1
    ticket.closed_at = None
    ticket.closed_by = None
    ticket.unresolved_close = False
    ticket.return_visit_exemption = ""
    ticket.return_visit_exemption_note = ""
    ticket.return_visit_exemption_approved_by = None
    ticket.agreed_feedback_at = agreed_feedback_at
    ticket.agreed_extension_reason = ""
    _move(ticket, to=S.REOPENED, acting_user=acting_user, now=now,
          also=["reopen_count", "closed_at", "closed_by", "unresolved_close", "return_visit_exemption",
                "return_visit_exemption_note", "return_visit_exemption_approved_by", "agreed_feedback_at",
                "agreed_extension_reason"],
          reason=reason, event_kind=TicketEventKind.REOPENED, reopen_count=ticket.reopen_count)
    dl.cancel_open(ticket, now=now)
    dl.stamp(ticket, start=now, stages=[Stage.RESPOND, Stage.REPLY], now=now)


@transaction.atomic(durable=True)
def reopen_ticket(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime,
                  agreed_feedback_at: dt.datetime | None = None) -> Ticket:
    """重新打开 (R-M4-09): the owner is still not satisfied or the problem came back. Counts in
    ``reopen_count``; a new handling cycle with new respond/reply deadlines, verification and
    return visit follows. Allowed from 已验证/已回访/已关闭/未关闭."""
    _require(acting_user, Cap.RECEIVE_TICKETS, ticket, "无权重新打开工单")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写重新打开的原因", field="reason")
    if S.REOPENED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.REOPENED)
    _reopen(ticket, reason=reason.strip(), acting_user=acting_user, now=now, agreed_feedback_at=agreed_feedback_at)
    return ticket


@transaction.atomic(durable=True)
def void_ticket(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """作废 (issue 4 item 8): a wrong ticket (duplicate, test, wrong project) is never deleted: it
    is voided with a reason, keeps its number and history, and no longer counts anywhere."""
    _require(acting_user, Cap.VOID, ticket, "无权作废工单（须主管以上）")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写作废原因", field="reason")
    ticket.void_reason = reason.strip()
    _move(ticket, to=S.VOIDED, acting_user=acting_user, now=now, also=["void_reason"],
          reason=f"作废：{reason.strip()}", event_kind=TicketEventKind.VOIDED)
    dl.cancel_open(ticket, now=now)
    return ticket


# ---------------------------------------------------------------- compensation (R-M2-24)


def compensation_limit_for(user: User, project: Project) -> Decimal | None:
    """The largest amount ``user`` may approve in ``project`` (None = no limit, Decimal(0) = none).
    Company rows override the shipped defaults (POLICY P-11)."""
    if getattr(user, "is_superuser", False):
        return None
    best: Decimal | None = Decimal(0)
    for role in roles_in(user, project):
        if Cap.APPROVE_COMPENSATION not in ROLE_INFO[role].caps:
            continue
        row = (CompensationLimit.objects.filter(company_id=project.company_id, role=role).first()
               or CompensationLimit.objects.filter(company=None, role=role).first())
        if row is None:
            continue
        if row.max_amount is None:
            return None
        best = max(best or Decimal(0), row.max_amount)
    return best


@transaction.atomic(durable=True)
def claim_compensation(*, ticket: Ticket, amount: Decimal | str | float, content: str, acting_user: User,
                       now: dt.datetime, involves_engineering_or_sales: bool = False) -> CompensationClaim:
    """赔偿申请 (R-M2-24): the customer's claim with amount and content, waiting for approval."""
    _require(acting_user, Cap.REPLY, ticket, "无权登记赔偿申请")
    _lock(ticket)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _refuse("金额格式不正确", field="amount") from None
    if value <= 0:
        raise _refuse("金额须大于 0", field="amount")
    if not content.strip():
        raise _refuse("请填写索赔内容", field="content")
    claim = CompensationClaim.objects.create(ticket=ticket, amount=value, content=content.strip(),
                                             involves_engineering_or_sales=involves_engineering_or_sales,
                                             recorded_by=acting_user, recorded_at=now)
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now,
           message=f"赔偿申请 ¥{value}：{content.strip()[:150]}", claim=claim.pk, amount=value)
    return claim


@transaction.atomic(durable=True)
def decide_compensation(*, claim: CompensationClaim, approve: bool, acting_user: User, now: dt.datetime,
                        note: str = "", approved_amount: Decimal | str | None = None) -> CompensationClaim:
    """赔偿审批 (R-M2-24, POLICY P-11): approve up to the acting user's role limit
    (:class:`CompensationLimit`), or reject with a reason. A claim over every limit or involving
    engineering/sales problems must be referred (:func:`refer_compensation`)."""
    ticket = claim.ticket
    _require(acting_user, Cap.APPROVE_COMPENSATION, ticket, "无权审批赔偿")
    _lock(ticket)
    claim.refresh_from_db()
    if claim.status != CompensationStatus.PENDING:
        raise _refuse("该申请已处理", code="decided", status=409)
    if approve:
        amount = Decimal(str(approved_amount)) if approved_amount not in (None, "") else claim.amount
        if amount <= 0 or amount > claim.amount:
            raise _refuse("批准金额须大于 0 且不超过申请金额", field="approved_amount")
        if claim.involves_engineering_or_sales:
            raise TicketError("涉及工程或销售问题的索赔须报地产客户服务中心（R-M2-24）", code="must_refer",
                              status=409, field="approve")
        limit = compensation_limit_for(acting_user, ticket.project)
        if limit is not None and amount > limit:
            raise TicketError(f"超出您的审批权限（上限 ¥{limit}），请报上级或转报（R-M2-24）", code="over_limit",
                              status=403, field="amount")
        claim.status, claim.approved_amount = CompensationStatus.APPROVED, amount
    else:
        if not note.strip():
            raise _refuse("驳回须填写理由", field="note")
        claim.status = CompensationStatus.REJECTED
    claim.decided_by, claim.decided_at, claim.decision_note = acting_user, now, note
    claim.save(update_fields=["status", "approved_amount", "decided_by", "decided_at", "decision_note"])
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now,
           message=f"赔偿{'批准 ¥' + str(claim.approved_amount) if approve else '驳回'} {note}".strip(), claim=claim.pk)
    return claim


@transaction.atomic(durable=True)
def refer_compensation(*, claim: CompensationClaim, note: str, acting_user: User, now: dt.datetime) -> CompensationClaim:
    """转报 (R-M2-24): beyond the company's authority or involving engineering/sales problems → the
    developer's customer centre / the company's major-business approval procedure."""
    ticket = claim.ticket
    _require(acting_user, Cap.APPROVE_COMPENSATION, ticket, "无权转报赔偿")
    _lock(ticket)
    claim.refresh_from_db()
    if claim.status != CompensationStatus.PENDING:
        raise _refuse("该申请已处理", code="decided", status=409)
    if not note.strip():
        raise _refuse("请填写转报说明", field="note")
    claim.status, claim.decided_by, claim.decided_at, claim.decision_note = (
        CompensationStatus.REFERRED, acting_user, now, note.strip())
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now, message=f"赔偿转报：{note.strip()}",
           claim=claim.pk)
    return claim


# ---------------------------------------------------------------- saved views


@transaction.atomic(durable=True)
def save_view(*, user: User, name: str, query_string: str, now: dt.datetime) -> SavedView:
    """保存筛选视图: the same name replaces the user's earlier view."""
    if not name.strip():
        raise _refuse("请填写名称", field="name")
    view, _ = SavedView.objects.update_or_create(user=user, name=name.strip()[:60],
                                                 defaults={"query_string": query_string.lstrip("?"), "created_at": now})
    return view


@transaction.atomic(durable=True)
def delete_view(*, user: User, view_id: int) -> None:
    """删除自己的筛选视图 (personal preference, not a business record)."""
    SavedView.objects.filter(user=user, pk=view_id).delete()
