"""Matters that leave the project's normal handling: 上报品质管理部 (R-M2-14), online-complaint
notices (R-M2-09), incident reports (R-M2-23), 报品质部处理措施 (R-M2-19), 转地产 (R-M2-03, R-M2-25)
and progress notices to the owner.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.core import jobs
from apps.org.models import Department, DepartmentKind, Membership, Project
from apps.org.roles import Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets.actions import attribution as attr
from apps.tickets.actions.base import (
    S,
    TicketError,
    _choice,
    _current_dispatch,
    _event,
    _forbid,
    _is_company_level,
    _lock,
    _move,
    _notify,
    _refuse,
    _require,
    _save,
)
from apps.tickets.choices import (
    OPEN_STATUSES,
    Attribution,
    Channel,
    Kind,
    ReplyChannel,
    Stage,
    TicketEventKind,
)
from apps.tickets.measures import investigation_due, investigation_late  # noqa: F401  (R-M2-02, re-exported)
from apps.tickets.models import (
    DeveloperTransfer,
    OwnerUpdate,
    Ticket,
    TicketEvent,
)
from apps.tickets.transitions import ALLOWED, InvalidTransition

if TYPE_CHECKING:
    from apps.org.models import User


def _quality_department(project: Project) -> Department | None:
    return Department.objects.filter(company_id=project.company_id, project=None,
                                     kind=DepartmentKind.QUALITY).order_by("id").first()


@transaction.atomic()
def record_quality_opinion(*, ticket: Ticket, fact_check: str, opinion: str, acting_user: User,
                           now: dt.datetime) -> Ticket:
    """R-M1-10: for a complaint in 品质管理部's charge (group or government transfer, or reported by a
    管理处) 品质管理部 records how it checked the facts with the 管理处 / responsible department and its
    handling opinion; who and when are kept, the timeline shows it and the department handling it is told.
    A later record (after more checks) replaces the text; the timeline keeps each one."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    if not _is_company_level(acting_user):
        raise _forbid("只有品质管理部可以出具核实情况和处理意见")
    _lock(ticket)
    if not ticket.held_by_quality:
        raise _refuse("此投诉不由品质管理部负责", code="not_company_level", status=409)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束", code="closed", status=409)
    errors = {}
    if not fact_check.strip():
        errors["fact_check"] = ["请填写与管理处或责任部门核实的情况"]
    if not opinion.strip():
        errors["opinion"] = ["请填写处理意见"]
    if errors:
        raise TicketError("请填写核实情况和处理意见", code="invalid", fields=errors, status=422)
    ticket.quality_fact_check, ticket.quality_opinion = fact_check.strip(), opinion.strip()
    ticket.quality_opinion_by, ticket.quality_opinion_at = acting_user, now
    _save(ticket, ["quality_fact_check", "quality_opinion", "quality_opinion_by", "quality_opinion_at"],
          acting_user=acting_user, reason="品质管理部处理意见")
    _event(ticket, TicketEventKind.NOTE, acting_user=acting_user, now=now,
           message=f"品质管理部核实情况：{ticket.quality_fact_check[:300]}；处理意见：{ticket.quality_opinion[:300]}")
    dispatch = _current_dispatch(ticket)
    heads = list(Membership.objects.filter(department_id=ticket.department_id, role=Role.DEPT_HEAD)
                 .select_related("user").order_by("id")) if ticket.department_id else []
    people = [m.user for m in heads] + ([dispatch.assignee] if dispatch is not None else [])
    _notify([u for u in people if u != acting_user], kind="ticket_quality_opinion",
            subject=f"投诉 {ticket.number} 品质管理部处理意见", body=ticket.quality_opinion[:200], ticket=ticket,
            now=now, dedupe=f"quality-opinion-{ticket.pk}-{now.timestamp():.0f}")
    return ticket


@transaction.atomic()
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
    hand_to_quality(ticket, reason=reason, acting_user=acting_user, now=now, subject=f"管理处上报投诉 {ticket.number}")
    return ticket


def hand_to_quality(ticket: Ticket, *, reason: str, acting_user: User, now: dt.datetime, subject: str) -> None:
    """Give a complaint to 品质管理部 (R-M2-14, R-M1-10, R-M3-11): held by quality from now on, the
    project-level 派工单 ends, a dispatched ticket returns to 已受理 in quality's queue, quality's staff
    are told. The caller holds the ticket lock inside its transaction."""
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
    _notify(quality_staff, kind="ticket_escalated", subject=subject, body=reason[:200],
            ticket=ticket, now=now, dedupe=f"escalated-{ticket.pk}")
    jobs.publish("tickets.escalated_to_quality", ticket_id=ticket.pk, kind=ticket.kind, now=now.isoformat())


@transaction.atomic()
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


@transaction.atomic()
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


@transaction.atomic()
def report_to_quality(*, ticket: Ticket, measures: str = "", acting_user: User, now: dt.datetime, facts: str = "",
                      result: str = "") -> TicketEvent:
    """报品质管理部 — the 管理处 reports to 品质管理部:

    - R-M2-19: for a 《顾客投诉记录表》 issued by 品质部, its handling measures within 1 working day (meets
      the ``report`` deadline), and later the handling result (``result``), promptly;
    - R-M2-10: for an online complaint, the facts it found (``facts``) and the measures it proposes.
    """
    _require(acting_user, Cap.REPLY, ticket, "无权上报处理措施")
    _lock(ticket)
    measures, facts, result = measures.strip(), facts.strip(), result.strip()
    if not (ticket.issued_by_quality or ticket.channel == Channel.ONLINE):
        raise _refuse("只有品质部下发的投诉和网上投诉需要报品质管理部", code="not_reportable", status=409)
    if result:
        if not ticket.issued_by_quality:
            raise _refuse("只有品质部下发的投诉需要报告处理结果", field="result")
        return _event(ticket, TicketEventKind.REPORTED, acting_user=acting_user, now=now,
                      message=f"向品质管理部报告处理结果：{result}", report="result")
    errors: dict[str, list[str]] = {}
    if not measures:
        errors["measures"] = ["请填写处理措施"]
    if ticket.channel == Channel.ONLINE and not ticket.issued_by_quality and not facts:
        errors["facts"] = ["网上投诉须向品质管理部报告调查到的事实"]
    if errors:
        raise TicketError("；".join(m for msgs in errors.values() for m in msgs), code="invalid", fields=errors,
                          status=422)
    dl.meet(ticket, Stage.REPORT, at=now)
    message = (f"调查事实：{facts}；拟采取措施：{measures}" if facts else measures)
    return _event(ticket, TicketEventKind.REPORTED, acting_user=acting_user, now=now, message=message,
                  report="measures")


@transaction.atomic()
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
    attr._set(ticket, Attribution.DEVELOPER, reason=f"书面转地产客户服务中心 {document_no}".strip(),
              acting_user=acting_user, now=now)  # R-M3-05
    ticket.transferred_to_developer_at = now
    _move(ticket, to=S.TRANSFERRED, acting_user=acting_user, now=now,
          also=["developer_matter", "our_side", "attribution", "attribution_reason", "attribution_by",
                "attribution_at", "transferred_to_developer_at"],
          reason=f"书面转地产客户服务中心 {document_no}".strip(), event_kind=TicketEventKind.TRANSFERRED,
          transfer=transfer.pk)
    return transfer


@transaction.atomic()
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


@transaction.atomic()
def record_owner_update(*, ticket: Ticket, channel: str, content: str, acting_user: User,
                        now: dt.datetime) -> OwnerUpdate:
    """告知业主进展 (R-M2-03, R-M4-08): progress notice to the owner on a matter being followed — also on a
    complaint closed as 未关闭 (beyond the company's capability, R-M2-16), which the company keeps following."""
    _require(acting_user, Cap.REPLY, ticket, "无权告知业主")
    _choice(channel, ReplyChannel, "channel")
    if not content.strip():
        raise _refuse("请填写内容", field="content")
    if ticket.status not in OPEN_STATUSES and not (ticket.status == S.UNRESOLVED and ticket.kind == Kind.COMPLAINT):
        raise _refuse("工单已结束", code="closed", status=409)  # R-M4-08: a 未关闭 complaint is still followed
    update = OwnerUpdate.objects.create(ticket=ticket, at=now, channel=channel, content=content.strip(),
                                        staff=acting_user)
    _event(ticket, TicketEventKind.OWNER_UPDATE, acting_user=acting_user, now=now, message=content.strip(),
           channel=channel)
    dl.meet(ticket, Stage.ACKNOWLEDGE, at=now)
    dl.meet(ticket, Stage.RESPOND, at=now)
    return update


