"""The sweep (issue 5 item 5): time-based escalation, pre-breach warnings and breach notices.

Each step claims one row with a compare-and-set update (STYLE §4, healthchecks' sendalerts) and
returns whether it found work, so the Celery beat task and ``manage.py run_sweeps --loop`` call it
until it says "nothing to do". Running the sweep twice, or in two workers at once, notifies once:
the claim (``warned_at`` / ``breach_notified_at``) is taken before the notice is sent, and the
notification carries a ``dedupe_key``.

R-M17-11: deadline reminders (warnings and breach notices) respect the holder's working hours —
the in-app notice appears at once, the email/SMS/work-group pushes wait for the project's next
working moment — except for urgent repairs and hot or major complaints
(:func:`reminder_waits_for_working_hours`). Escalation-report reminders concern hot/major
complaints only, so they always go out at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet

from apps.escalation import actions, queries, rules
from apps.escalation.models import EscalationPolicy, EscalationReport, ReportKind
from apps.tickets.choices import OPEN_STATUSES, EscalationLevel, Kind, Urgency
from apps.tickets.models import Deadline, Ticket

# ------------------------------------------------------------------ time-based escalation


def time_escalation_candidates(now: dt.datetime) -> QuerySet[Ticket]:
    """Open complaints, our side, old enough for the shortest configured 'unresolved' limit, that
    do not yet carry both time-based events (R-M3-02 d, R-M3-03 d)."""
    min_days = min([rules.Thresholds().hot_unresolved_days,
                    *EscalationPolicy.objects.values_list("hot_unresolved_days", flat=True)])
    min_months = min([rules.Thresholds().major_unresolved_months,
                      *EscalationPolicy.objects.values_list("major_unresolved_months", flat=True)])
    return (Ticket.objects.filter(kind=queries.COMPLAINT, our_side=True, closed_at=None,
                                      status__in=OPEN_STATUSES, received_at__lte=now - dt.timedelta(days=min_days))
            .exclude(Q(escalation_events__rule_id="R-M3-03d"))
            # already hot by time and not yet a month old: nothing can be due (28 days ≤ any month)
            .exclude(Q(escalation_events__rule_id="R-M3-02d") & Q(received_at__gt=now - dt.timedelta(days=28 * min_months)))
            .select_related("project").order_by("received_at"))


def flagged_candidates() -> QuerySet[Ticket]:
    """Open complaints whose recorded facts imply a higher level than they carry — e.g. flags set
    through the tickets edit form, which publishes no event (R-M3-02 a/c, R-M3-03 a/b/c)."""
    t = rules.Thresholds()
    min_hot = min([t.hot_collective_people, *EscalationPolicy.objects.values_list("hot_collective_people", flat=True)])
    min_major = min([t.major_collective_people,
                     *EscalationPolicy.objects.values_list("major_collective_people", flat=True)])
    implies_major = Q(litigation=True) | Q(media_exposed=True) | Q(collective=True, people_count__gte=min_major)
    implies_hot = Q(media_or_litigation_risk=True) | Q(collective=True, people_count__gte=min_hot)
    downgraded = Q(escalation_events__kind="downgrade")
    return (Ticket.objects.filter(kind=queries.COMPLAINT, status__in=OPEN_STATUSES)
            .filter((implies_major & ~Q(escalation_level="major")) | (implies_hot & Q(escalation_level="none")))
            .exclude(downgraded).select_related("project").distinct().order_by("received_at"))


def _prepare_major_report_deadlines(tickets: list[Ticket]) -> None:
    """The R-M3-09 report deadlines (N working days from the 1-month mark, R-M3-03 d) of every
    candidate of the pass, computed per project in one batch (issue 15) instead of one by one while
    each complaint is evaluated; a complaint that does not turn major simply does not use its value."""
    by_project: dict[int, list[Ticket]] = {}
    for ticket in tickets:
        by_project.setdefault(ticket.project_id, []).append(ticket)
    for group in by_project.values():
        project = group[0].project
        t = queries.thresholds_for(project)
        marks = [rules.add_months(ticket.received_at, t.major_unresolved_months) for ticket in group]
        queries.prepare_working_days(project, marks, t.major_quality_report_working_days)


def escalate_time_based(now: dt.datetime, *, batch: int = 500) -> int:
    """Raise 1-week hot / 1-month major escalations that are due, and flag-implied levels not yet
    applied. Returns events created (idempotent: unique per ticket and rule).

    One evaluation context for the pass (issue 15): each project's escalation policy, ticket policy
    and calendar are read once, not once per complaint, and the report deadlines in working days are
    computed in one batch per project."""
    created = 0
    with queries.evaluation_cache():
        due = list(time_escalation_candidates(now)[:batch])
        _prepare_major_report_deadlines(due)
        for ticket in due:
            created += len(actions.evaluate(ticket, now=now))
        for ticket in flagged_candidates()[:batch]:
            created += len(actions.evaluate(ticket, now=now))
    return created


# ------------------------------------------------------------------ ticket deadlines (apps.tickets.Deadline)


def _deadline_text(d: Deadline, ticket: Ticket) -> tuple[str, str]:
    stage = d.get_stage_display()
    due = d.due_at.astimezone(ticket.project.tz).strftime("%Y-%m-%d %H:%M") if d.due_at else "立即"
    return stage, due


def reminder_waits_for_working_hours(ticket: Ticket) -> bool:
    """R-M17-11: deadline reminders respect the holder's working hours (the ticket's project hours
    on working days), except for urgent repairs and hot or major complaints, which go out at once.
    Only the outgoing pushes (email/SMS/work group) wait; the in-app notice appears at once."""
    if ticket.kind == Kind.REPAIR and ticket.urgency == Urgency.URGENT:
        return False
    return ticket.escalation_level not in (EscalationLevel.HOT, EscalationLevel.MAJOR)


def warn_one_due_deadline(now: dt.datetime) -> bool:
    """Warn once at ``warn_at`` (the company's 期限提醒 point, default 75 % of the limit; R-M17-11) for an
    unmet ticket deadline."""
    d = Deadline.objects.filter(met_at=None, cancelled_at=None, warned_at=None, warn_at__lte=now).order_by("warn_at").first()
    if d is None:
        return False
    if Deadline.objects.filter(pk=d.pk, warned_at=None).update(warned_at=now) != 1:
        return True  # another worker took it
    ticket = d.ticket
    if d.due_at is not None and d.due_at <= now:
        return True  # already past due: the breach notice says it
    stage, due = _deadline_text(d, ticket)
    actions.notify_staff(queries.deadline_recipients(ticket), kind="deadline_warning",
                         subject=f"即将超时：{ticket.number} {stage}", body=f"{stage}时限 {due}（{d.rule}）",
                         link=f"/tickets/{ticket.pk}/", project=ticket.project,
                         dedupe_key=f"deadline-warn:{d.pk}", now=now,
                         working_hours=reminder_waits_for_working_hours(ticket))
    return True


def breach_one_deadline(now: dt.datetime) -> bool:
    """Tell staff once when an unmet ticket deadline has passed."""
    d = (Deadline.objects.filter(met_at=None, cancelled_at=None, breach_notified_at=None, due_at__lte=now)
         .order_by("due_at").first())
    if d is None:
        return False
    if Deadline.objects.filter(pk=d.pk, breach_notified_at=None).update(breach_notified_at=now) != 1:
        return True
    ticket = d.ticket
    stage, due = _deadline_text(d, ticket)
    actions.notify_staff(queries.deadline_recipients(ticket), kind="deadline_breach",
                         subject=f"已超时：{ticket.number} {stage}", body=f"{stage}时限 {due} 已过（{d.rule}）",
                         link=f"/tickets/{ticket.pk}/", project=ticket.project,
                         dedupe_key=f"deadline-breach:{d.pk}", now=now,
                         working_hours=reminder_waits_for_working_hours(ticket))
    return True


# ------------------------------------------------------------------ escalation reports


def warn_one_report(now: dt.datetime) -> bool:
    r = (EscalationReport.objects.filter(sent_at=None, warned_at=None, warn_at__lte=now)
         .select_related("ticket__project").order_by("warn_at").first())
    if r is None:
        return False
    if EscalationReport.objects.filter(pk=r.pk, warned_at=None).update(warned_at=now) != 1:
        return True
    due = r.due_at
    if due is None or due <= now:  # no limit (warn_at is set only with one), or past due: the breach notice says it
        return True
    ticket = r.ticket
    actions.notify_staff(queries.escalation_recipients(ticket.project), kind="escalation_report_warning",
                         subject=f"报告即将超时：{ticket.number} {ReportKind(r.kind).label}",
                         body=f"时限 {due.astimezone(ticket.project.tz):%Y-%m-%d %H:%M}，报送：{r.recipients}",
                         link=f"/escalation/tickets/{ticket.pk}/", project=ticket.project,
                         dedupe_key=f"report-warn:{r.pk}", now=now)
    return True


def breach_one_report(now: dt.datetime) -> bool:
    r = (EscalationReport.objects.filter(sent_at=None, breach_notified_at=None, due_at__lte=now)
         .select_related("ticket__project").order_by("due_at").first())
    if r is None:
        return False
    if EscalationReport.objects.filter(pk=r.pk, breach_notified_at=None).update(breach_notified_at=now) != 1:
        return True
    ticket, due = r.ticket, r.due_at or now  # due_at__lte=now: never empty here
    actions.notify_staff(queries.escalation_recipients(ticket.project), kind="escalation_report_breach",
                         subject=f"报告已超时：{ticket.number} {ReportKind(r.kind).label}",
                         body=f"时限 {due.astimezone(ticket.project.tz):%Y-%m-%d %H:%M} 已过，报送：{r.recipients}",
                         link=f"/escalation/tickets/{ticket.pk}/", project=ticket.project,
                         dedupe_key=f"report-breach:{r.pk}", now=now)
    return True


@dataclass
class SweepResult:
    escalated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"escalated={self.escalated}", *(f"{k}={v}" for k, v in self.counts.items())]
        return " ".join(parts)


STEPS = {
    "deadline_warnings": warn_one_due_deadline,
    "deadline_breaches": breach_one_deadline,
    "report_warnings": warn_one_report,
    "report_breaches": breach_one_report,
}


def run_sweep(now: dt.datetime, *, limit: int = 10_000) -> SweepResult:
    """One full pass: escalate, then drain every notice step (each step in its own transaction)."""
    result = SweepResult(escalated=escalate_time_based(now))
    for name, step in STEPS.items():
        n = 0
        while n < limit:
            with transaction.atomic():
                if not step(now):
                    break
            n += 1
        result.counts[name] = n
    return result
