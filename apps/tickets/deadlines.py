"""Stamping and meeting ticket deadlines (issue 4 item 3; SPEC R-M2-05…R-M2-11, R-M2-19, R-M4-04).

Deadlines are computed once, when the event that starts them happens, by the policy engine
(``apps.workdays.queries.deadlines_for``, cross-app contract 1) and stored as :class:`Deadline`
rows. Stage ↔ starting event:

- intake (``received_at``, T-02): acknowledge, respond, reply, arrive, complete
- issued by 品质部 to a project (R-M2-19): report
- verification passed (R-M4-04 "after verification passes"): return_visit

``reply`` follows R-M2-06: due = the earlier of the owner's agreed feedback time and the
procedure limit, unless the customer asked for the later time (an agreed extension with a reason);
``limit_due_at`` keeps the procedure limit for statistics. ``warn_at`` = start + the project's warning
point (R-M17-11: the company's 期限提醒 setting in apps.notify, default 75 %) of the time to the due
moment, fixed when the row is stamped (a later change of the setting applies to new deadlines only).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from apps.notify.queries import deadline_warn_fraction
from apps.org.models import Project
from apps.tickets.choices import Stage
from apps.tickets.models import Deadline, Ticket
from apps.workdays.queries import deadlines_for, deadlines_for_many

log = logging.getLogger(__name__)

INTAKE_STAGES: tuple[str, ...] = (Stage.ACKNOWLEDGE, Stage.RESPOND, Stage.REPLY, Stage.ARRIVE, Stage.COMPLETE)
#: the default warning point when a company has not set one (apps.notify DeadlineReminderPolicy)
WARN_FRACTION = 0.75


def _policy_deadlines(ticket: Ticket, *, start: dt.datetime, stages: Iterable[str]) -> list[Any]:
    """The workdays policy engine (a lower layer) computes the limits."""
    return list(
        deadlines_for(
            ticket.project, kind=ticket.kind, channel=ticket.channel, urgency=ticket.urgency, start=start,
            stages=list(stages), category=ticket.category.code if ticket.category_id and ticket.category else None,
            reply_class=ticket.reply_class or None,
        )
    )


def _category_code(ticket: Ticket) -> str | None:
    return ticket.category.code if ticket.category_id and ticket.category else None


def _policy_deadlines_many(rows: Sequence[Deadline]) -> list[Any | None]:
    """The policy engine's item for each deadline row's stage from the row's start (None when no
    policy covers it), equal to :func:`_policy_deadlines` of that row (issue 15): the rows are grouped
    by what chooses the policy (project, kind, channel, urgency, category, reply class, stage) and each
    group is computed in ONE ``deadlines_for_many`` call (settings and policies read once, working-day
    limits in one batch over the calendar) instead of one ``deadlines_for`` call per row."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, d in enumerate(rows):
        t = d.ticket
        key = (t.project_id, t.kind, t.channel, t.urgency, _category_code(t), t.reply_class or None, d.stage)
        groups.setdefault(key, []).append(i)
    out: list[Any | None] = [None] * len(rows)
    for (_project, kind, channel, urgency, category, reply_class, stage), members in groups.items():
        t = rows[members[0]].ticket
        many = deadlines_for_many(t.project, kind=kind, channel=channel, urgency=urgency,
                                  starts=[rows[i].start_at for i in members], stages=[stage], category=category,
                                  reply_class=reply_class)
        for i, items in zip(members, many, strict=True):
            out[i] = next((item for item in items if item.stage == stage), None)
    return out


def warn_moment(start: dt.datetime, due: dt.datetime | None, *, project: Project | None = None,
                fraction: float | None = None) -> dt.datetime | None:
    """When the sweep warns the holder (R-M17-11): ``start`` + the warning point of ``project`` (its
    company's setting; ``fraction`` when the caller already read it) of the time to ``due``."""
    if due is None:
        return None
    if due <= start:
        return due
    if fraction is None:
        fraction = deadline_warn_fraction(project) if project is not None else WARN_FRACTION
    return start + (due - start) * fraction


def effective_reply_due(limit: dt.datetime | None, agreed: dt.datetime | None, extension_reason: str) -> tuple[
        dt.datetime | None, bool]:
    """R-M2-06: (due_at, agreed?) — the earlier of the agreed time and the limit; a later agreed time
    counts only as a customer-requested extension (with a reason)."""
    if agreed is None:
        return limit, False
    if limit is None or agreed <= limit or extension_reason:
        return agreed, True
    return limit, False


def stamp(ticket: Ticket, *, start: dt.datetime, stages: Iterable[str], now: dt.datetime) -> list[Deadline]:
    """Create the deadline rows of ``stages`` starting at ``start`` for the ticket's current cycle.
    A stage already stamped in this cycle is left as it is (stamped rows are snapshots)."""
    existing = set(Deadline.objects.filter(ticket=ticket, cycle=ticket.cycle).values_list("stage", flat=True))
    wanted = [s for s in stages if s not in existing]
    if not wanted:
        return []
    rows: list[Deadline] = []
    fraction = deadline_warn_fraction(ticket.project)
    for item in _policy_deadlines(ticket, start=start, stages=wanted):
        if item.stage not in wanted:
            continue
        due, agreed = item.due_at, False
        if item.stage == Stage.REPLY:
            due, agreed = effective_reply_due(item.due_at, ticket.agreed_feedback_at, ticket.agreed_extension_reason)
        rows.append(Deadline(
            ticket=ticket, stage=item.stage, cycle=ticket.cycle, start_at=start, due_at=due,
            limit_due_at=item.due_at, agreed=agreed, warn_at=warn_moment(start, due, fraction=fraction),
            provisional=item.provisional, rule=item.rule[:200], policy_id=item.policy_id, created_at=now,
        ))
        wanted.remove(item.stage)
    # An agreed feedback time with no reply policy still becomes the reply due time (R-M1-09).
    if Stage.REPLY in wanted and ticket.agreed_feedback_at is not None and ticket.cycle == 0:
        rows.append(Deadline(
            ticket=ticket, stage=Stage.REPLY, cycle=ticket.cycle, start_at=start, due_at=ticket.agreed_feedback_at,
            limit_due_at=None, agreed=True, warn_at=warn_moment(start, ticket.agreed_feedback_at, fraction=fraction),
            rule="与业主约定的反馈时间", created_at=now,
        ))
    Deadline.objects.bulk_create(rows)
    return rows


def set_due(ticket: Ticket, stage: str, *, start: dt.datetime, due: dt.datetime, rule: str,
            now: dt.datetime) -> Deadline:
    """A limit set by a person rather than the policy (R-M2-19: the completion time 品质部 enters when it
    issues the record) replaces the stage's due time in the ticket's current cycle."""
    row = Deadline.objects.filter(ticket=ticket, cycle=ticket.cycle, stage=stage).order_by("id").first()
    if row is None:
        return Deadline.objects.create(ticket=ticket, stage=stage, cycle=ticket.cycle, start_at=start, due_at=due,
                                       limit_due_at=due, warn_at=warn_moment(start, due), rule=rule[:200],
                                       created_at=now)
    row.due_at, row.limit_due_at, row.warn_at, row.rule = due, due, warn_moment(start, due), rule[:200]
    row.provisional = False
    row.save(update_fields=["due_at", "limit_due_at", "warn_at", "rule", "provisional"])
    return row


def meet(ticket: Ticket, stage: str, *, at: dt.datetime) -> Deadline | None:
    """Mark the open ``stage`` deadline of the current cycle met at ``at`` (no-op if none/already)."""
    d = Deadline.objects.open().filter(ticket=ticket, stage=stage, cycle=ticket.cycle).first()
    if d is None:
        return None
    d.met_at = at
    d.met_in_time = d.due_at is None or at <= d.due_at
    d.save(update_fields=["met_at", "met_in_time"])
    return d


def cancel_open(ticket: Ticket, *, now: dt.datetime) -> int:
    """The ticket ended (closed, 未关闭, voided): open deadlines stop running. A deadline already past
    due counts as missed (met_in_time False); the rest stay undecided."""
    qs = Deadline.objects.open().filter(ticket=ticket)
    missed = qs.filter(due_at__lt=now).update(cancelled_at=now, met_in_time=False)
    rest = qs.update(cancelled_at=now)
    return missed + rest


def restamp_agreed_reply(ticket: Ticket) -> None:
    """The agreed feedback time changed: recompute the open reply deadline (R-M2-06)."""
    d = Deadline.objects.open().filter(ticket=ticket, stage=Stage.REPLY, cycle=ticket.cycle).first()
    if d is None:
        return
    if d.limit_due_at is None and not ticket.agreed_feedback_at:
        return
    due, agreed = effective_reply_due(d.limit_due_at, ticket.agreed_feedback_at, ticket.agreed_extension_reason)
    if d.limit_due_at is None:
        due, agreed = ticket.agreed_feedback_at, True
    d.due_at, d.agreed, d.warn_at = due, agreed, warn_moment(d.start_at, due, project=ticket.project)
    d.save(update_fields=["due_at", "agreed", "warn_at"])


def recompute_provisional(year: int, *, batch: int = 2000) -> int:
    """An official calendar for ``year`` was confirmed: recompute open provisional deadlines whose
    limit ends in or after that year (T-03, P-25). Returns how many rows changed.

    Issue 15: the rows' ids are read first, then the rows ``batch`` at a time; each batch's limits are
    computed per group of rows that share a policy in one ``deadlines_for_many`` call
    (:func:`_policy_deadlines_many`) and its changed rows written in one ``bulk_update``."""
    ids = list(Deadline.objects.open().filter(provisional=True).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for i in range(0, len(ids), batch):
        rows = list(Deadline.objects.filter(pk__in=ids[i:i + batch])
                    .select_related("ticket__project", "ticket__category").order_by("pk"))
        changed += _recompute_rows(rows)
    return changed


_RECOMPUTED_FIELDS = ["due_at", "limit_due_at", "agreed", "provisional", "warn_at", "rule"]


def _recompute_rows(rows: list[Deadline]) -> int:
    dirty: list[Deadline] = []
    fractions: dict[int, float] = {}  # one read of the warning point per project
    for d, item in zip(rows, _policy_deadlines_many(rows), strict=True):
        if item is None:
            continue
        due, agreed = item.due_at, False
        if d.stage == Stage.REPLY:
            due, agreed = effective_reply_due(item.due_at, d.ticket.agreed_feedback_at, d.ticket.agreed_extension_reason)
        if (due, item.provisional, item.due_at) != (d.due_at, d.provisional, d.limit_due_at):
            d.due_at, d.limit_due_at, d.agreed = due, item.due_at, agreed
            project = d.ticket.project
            if project.pk not in fractions:
                fractions[project.pk] = deadline_warn_fraction(project)
            d.provisional, d.rule = item.provisional, item.rule[:200]
            d.warn_at = warn_moment(d.start_at, due, fraction=fractions[project.pk])
            dirty.append(d)
    if dirty:
        Deadline.objects.bulk_update(dirty, _RECOMPUTED_FIELDS)
    return len(dirty)
