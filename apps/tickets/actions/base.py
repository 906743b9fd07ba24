"""Shared internals of the ticket actions: the error type, permission checks, row locks, the
timeline event, history-recording saves, ``_move`` (the only assignment of ``Ticket.status``),
staff notices after the commit, the R-M2-04 handling gate and the reopening shared by
:func:`~apps.tickets.actions.closure.reopen_ticket` and an unsatisfied return visit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core import jobs
from apps.core.errors import DomainError
from apps.notify import actions as notify_services
from apps.org.access import can_see_project, has_cap
from apps.org.models import Department, Membership, Project
from apps.org.roles import ROLE_INFO, Cap
from apps.tickets import deadlines as dl
from apps.tickets.choices import Stage, TicketEventKind, TicketStatus
from apps.tickets.models import Dispatch, Ticket, TicketEvent
from apps.tickets.transitions import ALLOWED, InvalidTransition

if TYPE_CHECKING:
    from apps.org.models import User


S = TicketStatus


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
    publish ``tickets.status_changed`` (a durable job per reaction, enqueued in this transaction)."""
    old = ticket.status
    if to not in ALLOWED.get(old, frozenset()):
        raise InvalidTransition(old, to)
    ticket.status = to
    _save(ticket, {"status", *also}, acting_user=acting_user, reason=reason or f"{old}→{to}")
    event = _event(ticket, event_kind, acting_user=acting_user, now=now, message=reason, old=old, new=to, **extra)
    jobs.publish("tickets.status_changed", ticket_id=ticket.pk, kind=ticket.kind, old=old, new=to,
                 now=now.isoformat())
    return event


def _reopen(ticket: Ticket, *, reason: str, acting_user: User, now: dt.datetime,
            agreed_feedback_at: dt.datetime | None = None) -> None:
    ticket.reopen_count += 1
    ticket.closed_at = None
    ticket.closed_by = None
    ticket.unresolved_close = False
    ticket.unreasonable_close = False  # R-M2-15: a reopened complaint may end otherwise this time
    ticket.return_visit_exemption = ""
    ticket.return_visit_exemption_note = ""
    ticket.return_visit_exemption_approved_by = None
    ticket.agreed_feedback_at = agreed_feedback_at
    ticket.agreed_extension_reason = ""
    _move(ticket, to=S.REOPENED, acting_user=acting_user, now=now,
          also=["reopen_count", "closed_at", "closed_by", "unresolved_close", "unreasonable_close",
                "return_visit_exemption",
                "return_visit_exemption_note", "return_visit_exemption_approved_by", "agreed_feedback_at",
                "agreed_extension_reason"],
          reason=reason, event_kind=TicketEventKind.REOPENED, reopen_count=ticket.reopen_count)
    dl.cancel_open(ticket, now=now)
    dl.stamp(ticket, start=now, stages=[Stage.RESPOND, Stage.REPLY], now=now)


def _notify(recipients: Iterable[Any], *, kind: str, subject: str, body: str, ticket: Ticket, now: dt.datetime,
            dedupe: str) -> None:
    """Staff notice after the commit, through apps.notify (a lower layer: called directly)."""
    people = [u for u in recipients if u is not None]
    if not people:
        return
    ticket_id, project_id = ticket.pk, ticket.project_id

    def send() -> None:
        project = Project.objects.filter(pk=project_id).first()
        notify_services.notify_staff(people, kind=kind, subject=subject, body=body, link=f"/tickets/{ticket_id}/",
                                     project=project, dedupe_key=dedupe, now=now)

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


def _handling_gate(ticket: Ticket) -> None:
    """R-M2-04: handling starts only after the 管理者代表 signs the 《不合格/纠正、预防措施报告》 raised
    for the ticket. apps.quality puts the hold on the ticket (:func:`~apps.tickets.actions.hold.hold_handling`)
    when the report is raised and releases it when the report is signed or withdrawn."""
    if ticket.handling_hold:
        raise TicketError(ticket.handling_hold_message, code=ticket.handling_hold, status=409)


def _current_dispatch(ticket: Ticket) -> Dispatch | None:
    return ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()


def _can_handle(user: User, ticket: Ticket, dispatch: Dispatch | None) -> bool:
    if ticket.held_by_quality and not _is_company_level(user):
        return False  # R-M2-14, AS-41: never handled by project staff again; they may add notes
    if has_cap(user, Cap.DISPATCH, ticket.project):
        return True
    if not has_cap(user, Cap.HANDLE, ticket.project):
        return False
    if dispatch is None:
        return False
    if dispatch.assignee_id == user.pk:
        return True
    return Membership.objects.filter(user=user, department_id=dispatch.department_id).exists()


