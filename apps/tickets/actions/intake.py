"""受理 and intake data (SPEC M1): receive, edit/classify, notes, suggestion-box openings.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core import jobs
from apps.org.access import can_see_project, has_cap
from apps.org.models import Department, DepartmentKind, Membership, Project
from apps.org.roles import Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets import numbering
from apps.tickets.actions.attribution import attribution_from_flags
from apps.tickets.actions.base import (
    S,
    TicketError,
    _check_department,
    _choice,
    _event,
    _forbid,
    _is_company_level,
    _jsonable,
    _lock,
    _move,
    _notify,
    _refuse,
    _require,
    _save,
)
from apps.tickets.actions.judgement import notify_important
from apps.tickets.actions.referral import hand_to_quality
from apps.tickets.actions.replies import _after_reply_sent
from apps.tickets.channels import posts_to_route
from apps.tickets.choices import (
    OPEN_STATUSES,
    ORAL_CHANNELS,
    Channel,
    Kind,
    OwnerResponse,
    ReplyChannel,
    ReplyKind,
    Source,
    Stage,
    TicketEventKind,
    Urgency,
)
from apps.tickets.measures import investigation_due
from apps.tickets.models import (
    Category,
    Reply,
    SuggestionBoxOpening,
    Ticket,
    TicketEvent,
)
from apps.tickets.policies import quality_owns_source
from apps.workdays.queries import reply_class_of

if TYPE_CHECKING:
    from apps.estates.models import Household, Person
    from apps.org.models import User

# ---------------------------------------------------------------- intake (M1)


@transaction.atomic()
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
    quality_due_at: dt.datetime | None = None,
    courtesy: str = "",
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
    - Publishes ``tickets.received`` (durable jobs enqueued in this transaction, run after the commit).
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
        raise _refuse("未能当场处理的，须与顾客约定反馈时间", field="agreed_feedback_at")
    if internal_staff and kind != Kind.COMPLAINT:
        raise _refuse("只有投诉可以标记为内部员工投诉", field="internal_staff")
    if issued_by_quality and not (_is_company_level(acting_user)):
        raise _forbid("只有品质管理部可以下发投诉记录表")
    if quality_due_at is not None and not issued_by_quality:
        raise _refuse("只有品质部下发的投诉记录表才设完成时间", field="quality_due_at")
    if quality_due_at is not None and quality_due_at <= received_at:
        raise _refuse("要求完成时间须晚于受理时间", field="quality_due_at")
    if courtesy not in COURTESIES:
        raise _refuse("致歉/致谢选项无效", field="courtesy")

    ticket = Ticket(
        project=project, number=numbering.next_number(project, kind, now), kind=kind, source=source,
        channel=channel, reply_class=reply_class_of(channel, project), urgency=urgency,
        received_at=received_at, recorded_at=now, receiver=receiver, household=household, person=person,
        complainant_surname=complainant_surname.strip(), phone=phone.strip(),
        address=address.strip() or (household.label if household is not None else ""), anonymous=anonymous,
        content=content, feelings=feelings, desired_outcome=desired_outcome, online_url=online_url,
        category=category, department=department, people_count=people_count,
        collective=bool(collective) if collective is not None else people_count > 1,
        media_exposed=media_exposed, litigation=litigation, media_or_litigation_risk=media_or_litigation_risk,
        our_side=our_side, attribution=attribution_from_flags(our_side, developer=developer_matter, municipal=municipal),
        developer_matter=developer_matter, municipal=municipal, valid_complaint=valid_complaint, important=important, sensitive=sensitive, internal_staff=internal_staff,
        agreed_feedback_at=agreed_feedback_at, agreed_extension_reason=agreed_extension_reason,
        suggestion_box_opening=suggestion_box_opening, issued_by_quality=issued_by_quality,
        quality_due_at=quality_due_at, courtesy=courtesy,
        resolved_on_spot=resolved_on_spot, handling_result=handling_result.strip(),
        investigation_due_at=investigation_due(kind, received_at, project.tz),
    )
    company_transfer = kind == Kind.COMPLAINT and is_company_transfer(source, channel)
    if company_transfer:  # R-M1-10, R-M3-11: 品质管理部 takes charge of group / government transfers
        ticket.held_by_quality = True
        ticket.department = Department.objects.filter(
            company_id=project.company_id, project=None, kind=DepartmentKind.QUALITY).order_by("id").first()
    ticket._change_reason = "受理"  # type: ignore[attr-defined]
    ticket._history_user = acting_user  # type: ignore[attr-defined]
    ticket.save()
    _event(ticket, TicketEventKind.RECEIVED, acting_user=acting_user, now=now, new=S.RECEIVED,
           message=f"{ticket.get_channel_display()}受理", received_at=received_at)
    dl.stamp(ticket, start=received_at, stages=dl.INTAKE_STAGES, now=now)
    if issued_by_quality:
        dl.stamp(ticket, start=received_at, stages=[Stage.REPORT], now=now)
    if quality_due_at is not None:  # R-M2-19: 品质部's completion time is the ticket's completion limit
        dl.set_due(ticket, Stage.COMPLETE, start=received_at, due=quality_due_at, rule="品质部要求完成时间", now=now)
    if kind == Kind.INCIDENT:  # R-M2-23: the 客服经理 handles owners' accidents and incidents
        notify_incident(ticket, acting_user=acting_user, now=now)
    if kind == Kind.SUGGESTION:  # R-M1-15: a suggestion is reported promptly to the 管理处主任
        notify_suggestion(ticket, acting_user=acting_user, now=now)
    if resolved_on_spot:
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, reason="现场即时处理")
        dl.meet(ticket, Stage.COMPLETE, at=now)
        oral = ReplyChannel.PHONE if channel == Channel.PHONE else ReplyChannel.IN_PERSON
        reply = Reply.objects.create(
            ticket=ticket, kind=ReplyKind.RESULT, channel=oral, content=ticket.handling_result,
            owner_response=OwnerResponse.AGREE, author=acting_user, created_at=now, sent_at=now,
        )
        _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)

    if company_transfer:
        quality_staff = [m.user for m in Membership.objects.filter(company_id=project.company_id,
                                                                   role=Role.QUALITY).select_related("user")]
        _notify(quality_staff, kind="ticket_escalated", subject=f"集团/政府转来投诉 {ticket.number}，由品质管理部负责",
                body=content[:200], ticket=ticket, now=now, dedupe=f"company-transfer-{ticket.pk}")
    if important and kind == Kind.COMPLAINT:  # R-M2-22: the 客服经理 receives important complaints
        notify_important(ticket, acting_user=acting_user, now=now)
    # R-M1-08: recorded by someone outside the designated intake post(s) → passed on to them (R-M1-07)
    _notify(posts_to_route(project, receiver), kind="ticket_routed_to_intake_post",
            subject=f"{receiver} 受理了 {ticket.number}，请指定受理岗位跟进", body=content[:200], ticket=ticket,
            now=now, dedupe=f"intake-route-{ticket.pk}")
    jobs.publish("tickets.received", ticket_id=ticket.pk, kind=ticket.kind, now=now.isoformat())
    return ticket


EDITABLE_FIELDS: frozenset[str] = frozenset({
    "category", "department", "urgency", "complainant_surname", "phone", "address", "household", "person",
    "anonymous", "content", "feelings", "desired_outcome", "online_url", "people_count", "collective",
    "media_exposed", "litigation", "media_or_litigation_risk", "our_side", "developer_matter", "municipal",
    "valid_complaint", "important", "sensitive", "record_form", "agreed_feedback_at", "agreed_extension_reason",
    "source", "internal_staff",
})


COURTESIES = frozenset({"", "apology", "thanks"})


def notify_incident(ticket: Ticket, *, acting_user: User | None, now: dt.datetime) -> None:
    """R-M2-23: an owner's accident or incident goes to the project's 客服经理 (who handles it and reports it
    to the 物业总经理); the 客服主管 assists and does the return visit."""
    managers = [m.user for m in Membership.objects.filter(project_id=ticket.project_id, role=Role.CS_MANAGER)
                .select_related("user").order_by("id") if acting_user is None or m.user_id != acting_user.pk]
    _notify(managers, kind="ticket_incident", subject=f"事故事件 {ticket.number}，请客服经理处理并报告总经理",
            body=ticket.content[:200], ticket=ticket, now=now, dedupe=f"incident-{ticket.pk}")


def notify_suggestion(ticket: Ticket, *, acting_user: User | None, now: dt.datetime) -> None:
    """R-M1-15: a suggestion is reported to the 管理处主任, who decides whether to adopt it."""
    heads = [m.user for m in Membership.objects.filter(project_id=ticket.project_id, role=Role.PROJECT_MANAGER)
             .select_related("user").order_by("id") if acting_user is None or m.user_id != acting_user.pk]
    _notify(heads, kind="ticket_suggestion", subject=f"合理化建议 {ticket.number}，请管理处主任决定是否采纳",
            body=ticket.content[:200], ticket=ticket, now=now, dedupe=f"suggestion-{ticket.pk}")


COMPANY_SOURCES = frozenset({Source.GROUP_HQ, Source.GOVERNMENT})
COMPANY_CHANNELS = frozenset({Channel.GROUP_TRANSFER, Channel.GOVERNMENT_PETITION})


def is_company_transfer(source: str, channel: str) -> bool:
    """A complaint forwarded by the group or the government (R-M1-10): in both versions of POLICY P-10
    品质管理部 checks it with the responsible department and takes charge of handling and follow-up."""
    return source in COMPANY_SOURCES or channel in COMPANY_CHANNELS


@transaction.atomic()
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
            raise _refuse("只有投诉可以标记为内部员工投诉", field="internal_staff")
        if name == "people_count" and (value is None or int(value) < 1):
            raise _refuse("投诉人数至少为 1", field="people_count")
        old = getattr(ticket, name)
        if old != value:
            diff[name] = [_jsonable(old), _jsonable(value)]
            setattr(ticket, name, value)
    if "our_side" in diff and ticket.our_side is False and not reason.strip():
        raise _refuse("改为非我方原因须说明理由", field="our_side")
    if "our_side" in diff:  # R-M3-05: the yes/no edit keeps the attribution in step
        new_attr = attribution_from_flags(ticket.our_side, developer=ticket.developer_matter,
                                          municipal=ticket.municipal)
        diff["attribution"] = [ticket.attribution, new_attr]
        ticket.attribution, ticket.attribution_reason = new_attr, reason.strip()[:1000]
        ticket.attribution_by, ticket.attribution_at = acting_user, now
        diff["attribution_reason"] = ["", ticket.attribution_reason]
        diff["attribution_by"] = [None, acting_user.pk]
        diff["attribution_at"] = [None, _jsonable(now)]
    if ticket.record_form and ticket.handler_id is None:
        raise _refuse("记录表投诉须指定具体处理人", field="record_form")
    if not diff:
        return ticket
    _save(ticket, diff.keys(), acting_user=acting_user, reason=reason or "修改")
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=reason, changes=diff)
    if {"agreed_feedback_at", "agreed_extension_reason"} & diff.keys():
        dl.restamp_agreed_reply(ticket)
    if "source" in diff:
        _hand_forward_to_quality(ticket, acting_user=acting_user, now=now)
    return ticket


def _hand_forward_to_quality(ticket: Ticket, *, acting_user: User, now: dt.datetime) -> None:
    """R-M3-11, R-M1-10 (POLICY P-10): a complaint whose source is changed to a group or government
    forward after intake goes to 品质管理部 in the same edit, as it would have at intake."""
    if (ticket.kind != Kind.COMPLAINT or ticket.held_by_quality or ticket.status not in OPEN_STATUSES
            or not quality_owns_source(ticket.project, ticket.source)):
        return
    hand_to_quality(ticket, reason=f"投诉来源改为{ticket.get_source_display()}，由品质管理部负责", acting_user=acting_user,
                    now=now, subject=f"集团/政府转来投诉 {ticket.number}，由品质管理部负责")


@transaction.atomic()
def add_note(*, ticket: Ticket, text: str, acting_user: User, now: dt.datetime) -> TicketEvent:
    """备注 — anyone who can see the ticket may add information, also to a ticket held by
    品质管理部 (R-M2-14, AS-41)."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    if not text.strip():
        raise _refuse("请填写内容", field="text")
    return _event(ticket, TicketEventKind.NOTE, acting_user=acting_user, now=now, message=text.strip())


@transaction.atomic()
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


