"""What the repairs actions share: calling a ticket-pipeline action inside the caller's
transaction, locking and saving a work order with its history row, the steward's notice."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from apps.core.errors import DomainError
from apps.notify.actions import notify_staff
from apps.org.models import User
from apps.repairs.errors import RepairError
from apps.repairs.models import PriceList, Receipt, RepairOrder
from apps.repairs.queries import steward_of
from apps.tickets.models import Dispatch
from apps.tickets.transitions import InvalidTransition

T = TypeVar("T")


def ticket_step(action: Callable[..., T], /, **kwargs: Any) -> T:
    """Run an apps.tickets action as a step of a repairs action, in the same transaction (issue 13
    reaction (a)); its refusals come out as RepairError with the same status, code and fields."""
    try:
        return action(**kwargs)
    except RepairError:
        raise
    except (DomainError, InvalidTransition) as exc:
        raise RepairError(exc.message, code=exc.code, status=exc.status, fields=exc.fields) from exc


def lock(order: RepairOrder) -> RepairOrder:
    """Lock the work order's row for the rest of the transaction and re-read it."""
    list(RepairOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True))
    order.refresh_from_db()
    return order


def save_order(order: RepairOrder, fields: Iterable[str], *, acting_user: User | None, reason: str) -> None:
    """Save the work order with a history row that says who and why (django-simple-history)."""
    order._change_reason = reason[:100]  # type: ignore[attr-defined]
    order._history_user = acting_user  # type: ignore[attr-defined]
    order.save(update_fields=sorted(set(fields) | {"updated_at"}))


def save_receipt(receipt: Receipt, fields: Iterable[str], *, acting_user: User | None, reason: str) -> None:
    receipt._change_reason = reason[:100]  # type: ignore[attr-defined]
    receipt._history_user = acting_user  # type: ignore[attr-defined]
    receipt.save(update_fields=sorted(set(fields)))


def save_price_list(price_list: PriceList, fields: Iterable[str], *, acting_user: User | None, reason: str) -> None:
    price_list._change_reason = reason[:100]  # type: ignore[attr-defined]
    price_list._history_user = acting_user  # type: ignore[attr-defined]
    price_list.save(update_fields=sorted(set(fields)))


def notify_steward(order: RepairOrder, dispatch: Dispatch | None, *, now: dt.datetime) -> None:
    """R-M8-01: the 派工单 goes to the department and to the area steward — the steward of the
    building gets a staff notice for each new 派工单 (a repeat of the same 派工单 is a no-op)."""
    steward = steward_of(order)
    if steward is not None and order.steward_id != steward.pk:
        order.steward = steward  # the steward named on the 派工单 (R-M8-01)
        save_order(order, ["steward"], acting_user=None, reason="派工单记录楼宇管家")
    if dispatch is None or steward is None or steward.pk == dispatch.assignee_id:
        return
    ticket = order.ticket
    label = ticket.household.label if ticket.household is not None else ticket.address
    notify_staff(
        [steward], kind="repair_steward", subject=f"楼内报修 {ticket.number} 已派工",
        body=f"{label}：{ticket.content[:100]}（派往 {dispatch.department}），请跟进督促完成。",
        project=ticket.project, dedupe_key=f"repair_steward:{dispatch.pk}", now=now)


def notify_people(recipients: Iterable[User | None], **kwargs: Any) -> None:
    users = [u for u in recipients if u is not None]
    if users:
        notify_staff(users, **kwargs)
