"""Every write of the escalation app (STYLE §2): evaluate/raise, downgrade, reports, same-complaint
groups, archive volumes, developer-legacy forwarding. Web pages, the API, the sweep and the durable
jobs of :mod:`apps.escalation.jobs` all call these functions. The ticket's level is changed only
through :func:`apps.tickets.actions.levels.change_escalation_level` (history row + timeline event)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max

from apps.core import jobs
from apps.core.errors import DomainError
from apps.core.validation import RECEIVED_SKEW
from apps.escalation import queries, rules, similarity
from apps.escalation.models import (
    REPORT_FIELDS,
    ArchiveVolume,
    ClusterMember,
    ClusterState,
    ComplaintCluster,
    ComplaintGram,
    ComplaintSignature,
    EscalationEvent,
    EscalationReport,
    EventKind,
    GovernmentEventCause,
    LeadershipOpinion,
    LegacyForward,
    Level,
    ReportKind,
    SimilarityGramFrequency,
    SimilarityIndexState,
)
from apps.notify import actions as notify_services
from apps.org.access import has_cap, roles_in
from apps.org.models import Membership, Project
from apps.org.roles import Cap, Role
from apps.tickets.actions import TicketError, add_note, determine_attribution, edit_ticket
from apps.tickets.actions.levels import change_escalation_level
from apps.tickets.choices import Attribution, Channel
from apps.tickets.models import Ticket, TicketEvent
from apps.workdays import policies as workday_policies
from apps.workdays import queries as workday_queries
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User


class EscalationError(DomainError):
    """A refused escalation action; ``code`` for the API, message in Chinese."""


class NotAllowed(EscalationError):
    def __init__(self, message: str = "没有权限执行此操作") -> None:
        super().__init__(message, code="forbidden", status=403)


RECIPIENTS = {
    ReportKind.HOT_REPORT: "集团物业管理部",
    ReportKind.MAJOR_GROUP_REPORT: "集团物业管理部",
    ReportKind.MAJOR_QUALITY_REPORT: "品质管理部、分管领导",
    ReportKind.PROGRESS: "集团物业管理部",
    ReportKind.HOT_CASE_REPORT: "集团物业管理部",
    ReportKind.MAJOR_SPECIAL_REPORT: "集团物业管理部（品质管理部撰写）",
    ReportKind.GOVERNMENT_REPORT: "区/县物业行政主管部门",
    ReportKind.MAJOR_CHANGE: "集团物业管理部（电话＋紧急通知）",
}


def notify_staff(recipients: Iterable[Any], *, kind: str, subject: str, body: str, link: str = "",
                 project: Project | None = None, dedupe_key: str | None = None, now: dt.datetime,
                 working_hours: bool = False, urgent: bool | None = None) -> list[Any]:
    """Tell staff through ``apps.notify`` (one door, so tests can record what escalation sends);
    ``dedupe_key`` makes a repeat a no-op. ``working_hours``: hold the outgoing pushes until the
    project's next working moment (R-M17-11). ``urgent``: an urgent notice (also by SMS, R-M17-10);
    None = as configured for the kind."""
    users = [u for u in recipients if u is not None]
    return list(notify_services.notify_staff(users, kind=kind, subject=subject, body=body, link=link, project=project,
                                             dedupe_key=dedupe_key, now=now, respect_working_hours=working_hours,
                                             urgent=urgent))


def _link(ticket: Ticket) -> str:
    return f"/escalation/tickets/{ticket.pk}/"


# ------------------------------------------------------------------ evaluate / raise


def _evaluate_ticket(ticket: Ticket, *, now: dt.datetime, acting_user: User | None = None,
                     distinct_complainants: int | None = None) -> list[EscalationEvent]:
    """Apply the hot/major criteria to ``ticket`` at ``now`` (R-M3-01 … R-M3-05). Runs inside the
    caller's transaction (it locks the ticket row to raise the level): :func:`evaluate` is the public door.

    Each criterion met for the first time becomes an ``EscalationEvent`` (unique per ticket and rule,
    so two sweeps racing create it once); the ticket's level is raised, under its row lock and only
    ever upwards, through ``change_escalation_level``; the reports the new level calls for are
    created with their deadlines (R-M3-06, R-M3-08, R-M3-09) and staff are told after the commit.
    Returns the new events.
    """
    if ticket.kind != queries.COMPLAINT or ticket.status == queries.VOIDED:
        return []
    t = queries.thresholds_for(ticket.project)
    facts = queries.facts_for(ticket, now=now, distinct_complainants=distinct_complainants)
    found = rules.findings(facts, t, now=now)
    if not found:
        return []
    # Lock the ticket before inserting the rows that reference it: asking for the row lock only after
    # those inserts (which hold a key-share lock) lets two evaluations of one ticket deadlock.
    _locked_level(ticket)
    add_wd = queries.add_working_days_for(ticket.project)
    done = set(queries.raise_events(ticket).values_list("rule_id", flat=True))
    created: list[EscalationEvent] = []
    for f in sorted(found, key=lambda f: (rules.LEVEL_RANK[f.level], f.met_at)):
        if f.rule_id in done:
            continue
        duties = rules.report_duties(f.level, f.met_at, t, add_working_days=add_wd)
        event = _create_event_once(ticket, f, duties, acting_user=acting_user)
        if event is None:
            continue
        created.append(event)
        _raise_level(ticket, f.level, reason=f.reason, acting_user=acting_user, now=now)
        for duty in duties:
            _ensure_report(ticket, duty.kind, due_at=duty.due_at, start=f.met_at, event=event, now=now,
                           warn_fraction=t.warn_fraction)
        if f.level == rules.MAJOR:
            _ensure_volume(ticket, now=now)
            if ticket.closed_at is None:  # R-M3-08: progress is reported periodically from the major escalation
                _schedule_progress(ticket, after=f.met_at, now=now)
    if created:
        _notify_raised(ticket, created, now=now)
    return created


def _create_event_once(ticket: Ticket, f: rules.Finding, duties: Sequence[rules.ReportDuty],
                       *, acting_user: User | None) -> EscalationEvent | None:
    previous = queries.current_level(ticket)
    try:
        with transaction.atomic():
            return EscalationEvent.objects.create(
                ticket=ticket, kind=EventKind.RAISE, level=f.level, previous_level=previous or Level.NONE,
                rule_id=f.rule_id, reason=f.reason, raised_at=f.met_at,
                report_due_at=min((d.due_at for d in duties), default=None), raised_by=acting_user,
            )
    except IntegrityError:  # another worker recorded this rule first
        return None


def _locked_level(ticket: Ticket) -> str:
    """The ticket's committed level, its row locked for this transaction."""
    return Ticket.objects.select_for_update().values_list("escalation_level", flat=True).get(pk=ticket.pk)


def _raise_level(ticket: Ticket, level: str, *, reason: str, acting_user: User | None, now: dt.datetime) -> None:
    """Only ever upwards (R-M3-01): the row is locked, so two workers raising at once write once."""
    if rules.LEVEL_RANK[level] > rules.LEVEL_RANK[_locked_level(ticket)]:
        change_escalation_level(ticket, level=level, acting_user=acting_user, reason=reason, now=now)


def _ensure_report(ticket: Ticket, kind: str, *, due_at: dt.datetime | None, start: dt.datetime,
                   event: EscalationEvent | None, now: dt.datetime, warn_fraction: float = 0.75,
                   sequence: int = 1) -> EscalationReport:
    report, _ = EscalationReport.objects.get_or_create(
        ticket=ticket, kind=kind, sequence=sequence,
        defaults={"event": event, "recipients": RECIPIENTS[ReportKind(kind)], "created_at": now, "due_at": due_at,
                  "warn_at": rules.warn_at(start, due_at, warn_fraction) if due_at else None},
    )
    return report


def _ensure_volume(ticket: Ticket, *, now: dt.datetime) -> ArchiveVolume:
    """单独立卷 (R-M3-10): a major complaint gets its own archive volume, numbered ZD-<ticket number>."""
    volume, _ = ArchiveVolume.objects.get_or_create(
        ticket=ticket, defaults={"volume_no": f"ZD-{ticket.number}", "opened_at": now})
    return volume


def _notify_raised(ticket: Ticket, events: list[EscalationEvent], *, now: dt.datetime) -> None:
    top = max(events, key=lambda e: rules.LEVEL_RANK[e.level])
    label = Level(top.level).label
    recipients = queries.escalation_recipients(ticket.project)
    lines = [e.reason for e in events]
    due = min((e.report_due_at for e in events if e.report_due_at), default=None)
    if due:
        lines.append(f"报告时限：{due.astimezone(ticket.project.tz):%Y-%m-%d %H:%M}")
    keys = ",".join(sorted(e.rule_id for e in events))

    def send() -> None:
        notify_staff(
            recipients, kind=f"escalation_{top.level}", subject=f"{label}：{ticket.number}", body="\n".join(lines),
            link=_link(ticket), project=ticket.project, dedupe_key=f"escalation:{ticket.pk}:{keys}", now=now)

    transaction.on_commit(send)


@transaction.atomic
def evaluate(ticket: Ticket, *, now: dt.datetime, acting_user: User | None = None) -> list[EscalationEvent]:
    """Evaluate one ticket in a savepoint (the sweep, the intake job and ``flag_ticket`` call this)."""
    return _evaluate_ticket(ticket, now=now, acting_user=acting_user)


@transaction.atomic
def downgrade(ticket: Ticket, *, to_level: str, reason: str, acting_user: User, now: dt.datetime) -> EscalationEvent:
    """人工降级: only a person holding ``Cap.DOWNGRADE`` with a reason (R-M3-01, Appendix B #20).

    Criteria already recorded do not raise the ticket again; a *new* criterion still can."""
    if not has_cap(acting_user, Cap.DOWNGRADE, ticket.project):
        raise NotAllowed("只有经理及以上岗位可以降级")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise EscalationError("请填写降级原因（至少4个字）", field="reason", code="reason_required")
    if to_level not in rules.LEVEL_RANK:
        raise EscalationError("级别不正确", field="to_level")
    current = _locked_level(ticket)
    if rules.LEVEL_RANK[to_level] >= rules.LEVEL_RANK[current]:
        raise EscalationError("降级后的级别必须低于当前级别", field="to_level", code="not_lower", status=409)
    change_escalation_level(ticket, level=to_level, acting_user=acting_user, reason=f"人工降级：{reason}", now=now)
    return EscalationEvent.objects.create(
        ticket=ticket, kind=EventKind.DOWNGRADE, level=to_level, previous_level=current, rule_id="R-M3-01",
        reason=f"人工降级：{reason}", raised_at=now, raised_by=acting_user)


@transaction.atomic
def flag_ticket(ticket: Ticket, *, acting_user: User, now: dt.datetime, litigation: bool | None = None,
                media_exposed: bool | None = None, media_or_litigation_risk: bool | None = None,
                collective: bool | None = None, people_count: int | None = None,
                our_side: bool | None = None, attribution: str | None = None,
                source: str | None = None, reason: str = "") -> list[EscalationEvent]:
    """Record the escalation facts staff know (lawsuit, media, risk, collective size, 责任归属) and
    re-evaluate at once (R-M3-02 a/c, R-M3-03 a/b/c, R-M3-05). Needs ``Cap.ESCALATE``. The ticket
    fields are written by the tickets domain's own actions (timeline + field history); changing
    the attribution (ours / developer / municipal / customer / other) needs a reason (R-M3-05).
    ``our_side`` is the older yes/no form: False stands for "other" unless a non-ours attribution is
    already recorded. ``source`` (渠道/来源单位) changed to a group or government forward hands the
    complaint to 品质管理部 in the same edit (R-M3-11, POLICY P-10; the tickets domain's edit does it)."""
    if not has_cap(acting_user, Cap.ESCALATE, ticket.project):
        raise NotAllowed("没有升级投诉的权限")
    if attribution is None and our_side is not None:
        if our_side:
            attribution = Attribution.OURS
        elif ticket.attribution == Attribution.OURS:
            attribution = Attribution.OTHER
    changes: dict[str, Any] = {}
    for name, value in (("litigation", litigation), ("media_exposed", media_exposed),
                        ("media_or_litigation_risk", media_or_litigation_risk), ("collective", collective),
                        ("people_count", people_count), ("source", source)):
        if value is not None and getattr(ticket, name) != value:
            changes[name] = value
    try:
        if attribution is not None and attribution != ticket.attribution:
            determine_attribution(ticket=ticket, attribution=attribution, reason=reason, acting_user=acting_user,
                                  now=now)
        if changes:
            edit_ticket(ticket=ticket, changes=changes, reason=reason.strip() or "升级事实",
                        acting_user=acting_user, now=now)
    except TicketError as exc:
        err = EscalationError(exc.message, code=exc.code, status=exc.status)
        err.fields = exc.fields
        raise err from exc
    return evaluate(ticket, now=now, acting_user=acting_user)


# ------------------------------------------------------------------ reports


@transaction.atomic
def submit_report(report: EscalationReport, *, acting_user: User, now: dt.datetime, **fields: str) -> EscalationReport:
    """Fill and send a report (R-M3-06 … R-M3-10). Every field the report type requires must be
    filled; a sent report is final (a correction is a new progress report)."""
    if not has_cap(acting_user, Cap.ESCALATE, report.ticket.project):
        raise NotAllowed("没有报送升级报告的权限")
    if report.kind == ReportKind.MAJOR_SPECIAL_REPORT and not is_quality(acting_user, report.ticket.project):
        raise NotAllowed("重大投诉专题报告由品质管理部撰写")  # R-M3-10
    locked = EscalationReport.objects.select_for_update().get(pk=report.pk)
    if locked.sent_at is not None:
        raise EscalationError("报告已报送，不能修改", code="already_sent", status=409)
    unknown = set(fields) - {f for fs in REPORT_FIELDS.values() for f in fs}
    if unknown:
        raise EscalationError(f"未知字段：{', '.join(sorted(unknown))}", code="unknown_field")
    for name, value in fields.items():
        setattr(locked, name, (value or "").strip())
    missing = [n for n in REPORT_FIELDS[locked.kind] if not getattr(locked, n)]
    if missing:
        err = EscalationError("请填写报告的全部必填内容", code="missing_fields")
        err.fields = {n: ["必填"] for n in missing}
        raise err
    locked.sent_at, locked.sent_by = now, acting_user
    locked.save(update_fields=sorted({*REPORT_FIELDS[locked.kind], *fields.keys(), "sent_at", "sent_by"}))
    if locked.kind in (ReportKind.MAJOR_GROUP_REPORT, ReportKind.PROGRESS) and locked.ticket.closed_at is None:
        _schedule_progress(locked.ticket, after=now, now=now)  # R-M3-08: the next periodic progress report
    if locked.kind in CLOSEOUT_KINDS:  # R-M3-07 / R-M6-01: the close-out report becomes a library case
        jobs.publish("escalation.closeout_report_sent", key=f"closeout-report:{locked.pk}", report_id=locked.pk,
                     ticket_id=locked.ticket_id, kind=locked.kind, now=now.isoformat())
    return locked


CLOSEOUT_KINDS = (ReportKind.HOT_CASE_REPORT, ReportKind.MAJOR_SPECIAL_REPORT)


def is_quality(user: User, project: Project) -> bool:
    """Does ``user`` work in 品质管理部 (the company's quality department, R-M3-10, R-M3-11)?"""
    return bool(getattr(user, "is_superuser", False)) or Role.QUALITY in roles_in(user, project)


def closeout_due(ticket: Ticket, *, now: dt.datetime) -> dt.datetime | None:
    """When the close-out reports of a handled hot/major complaint are due (R-M3-07, R-M3-10): the
    company's (or project's) limit in working days when it set one, else "及时" — no hard limit, the
    project's soft target for "立即/及时" items when it has one (T-13)."""
    policy = queries.policy_for(ticket.project)
    days = policy.closeout_report_working_days if policy is not None else None
    if days:
        return queries.add_working_days_for(ticket.project)(now, days)
    due, _ = workday_queries.compute(ticket.project, clock=workday_policies.NONE, start=now)
    return due


def _schedule_progress(ticket: Ticket, *, after: dt.datetime, now: dt.datetime) -> EscalationReport:
    """R-M3-08: the next periodic progress report to the group, due one interval (the company's
    ``progress_interval_days``) after ``after`` — the moment the complaint became major for the first
    one, then the moment the last progress report was sent. At most one is open at a time: sending the
    first group report while the first progress report is still open schedules nothing new."""
    progress = EscalationReport.objects.filter(ticket=ticket, kind=ReportKind.PROGRESS)
    pending = progress.filter(sent_at=None).order_by("sequence").first()
    if pending is not None:
        return pending
    t = queries.thresholds_for(ticket.project)
    seq = (progress.aggregate(m=Max("sequence"))["m"] or 0) + 1
    due = after + dt.timedelta(days=t.progress_interval_days)
    return _ensure_report(ticket, ReportKind.PROGRESS, due_at=due, start=after, event=None, now=now,
                          warn_fraction=t.warn_fraction, sequence=seq)


MAJOR_CHANGE_FIELDS = ("situation_change", "current_handling", "phoned_to", "phoned_at")


@transaction.atomic
def report_major_change(ticket: Ticket, *, situation_change: str, current_handling: str, phoned_to: str,
                        phoned_at: dt.datetime | None, acting_user: User, now: dt.datetime) -> EscalationReport:
    """R-M3-08: a major change in the situation of a major complaint is reported to the 集团物业管理部 by
    the fastest means — by phone, and an urgent system notice. Records the phone report (what changed,
    the handling now, whom at the group it was phoned to and when) as a sent report in the complaint's
    volume, and sends the urgent notice (also by SMS) to the project's 客服主管/经理、管理处经理, the
    company's 品质管理部 and the company's leaders (分管领导, who also receive the major report, R-M3-09).
    Needs ``Cap.ESCALATE``; only for a major complaint."""
    if not has_cap(acting_user, Cap.ESCALATE, ticket.project):
        raise NotAllowed("没有报告重大投诉变化的权限")
    if ticket.kind != queries.COMPLAINT or ticket.status == queries.VOIDED:
        raise EscalationError("只有投诉可以报告事态变化", code="not_complaint", field="ticket")
    if _locked_level(ticket) != rules.MAJOR:
        raise EscalationError("只有重大投诉需要报告事态重大变化", code="not_major", status=409)
    situation_change, current_handling = (situation_change or "").strip(), (current_handling or "").strip()
    phoned_to = (phoned_to or "").strip()
    errors: dict[str, list[str]] = {}
    if len(situation_change) < 4:
        errors["situation_change"] = ["请说明事态发生了什么重大变化（至少4个字）"]
    if not current_handling:
        errors["current_handling"] = ["请填写目前处理情况"]
    if not phoned_to:
        errors["phoned_to"] = ["请填写电话报告的集团物业管理部人员"]
    elif len(phoned_to) > 100:
        errors["phoned_to"] = ["不能超过100个字"]
    if phoned_at is not None and phoned_at.tzinfo is None:  # a local time of the project (T-01)
        phoned_at = phoned_at.replace(tzinfo=ticket.project.tz)
    if phoned_at is None:
        errors["phoned_at"] = ["请填写电话报告时间"]
    elif phoned_at > now + RECEIVED_SKEW:
        errors["phoned_at"] = ["电话报告时间不能晚于现在"]
    elif phoned_at < ticket.received_at:
        errors["phoned_at"] = ["电话报告时间不能早于投诉受理时间"]
    if errors or phoned_at is None:
        err = EscalationError("请填写事态变化报告的全部必填内容", code="missing_fields")
        err.fields = errors
        raise err
    seq = (EscalationReport.objects.filter(ticket=ticket, kind=ReportKind.MAJOR_CHANGE)
           .aggregate(m=Max("sequence"))["m"] or 0) + 1
    report = EscalationReport.objects.create(
        ticket=ticket, kind=ReportKind.MAJOR_CHANGE, sequence=seq, recipients=RECIPIENTS[ReportKind.MAJOR_CHANGE],
        created_at=now, due_at=None, sent_at=now, sent_by=acting_user, situation_change=situation_change,
        current_handling=current_handling, phoned_to=phoned_to, phoned_at=phoned_at)
    recipients = queries.major_change_recipients(ticket.project)
    when = phoned_at.astimezone(ticket.project.tz)
    body = (f"{situation_change}\n目前处理情况：{current_handling}\n"
            f"已于 {when:%Y-%m-%d %H:%M} 电话报告集团物业管理部 {phoned_to}（报告人：{acting_user}）")
    report_id = report.pk

    def send() -> None:
        notify_staff(recipients, kind="escalation_major_change", subject=f"重大投诉事态重大变化：{ticket.number}",
                     body=body, link=_link(ticket), project=ticket.project, now=now, urgent=True,
                     dedupe_key=f"major-change:{report_id}")

    transaction.on_commit(send)
    return report


@transaction.atomic
def on_ticket_closed(ticket: Ticket, *, now: dt.datetime) -> list[EscalationReport]:
    """After a hot/major complaint is handled: the case report (R-M3-07) / special report (R-M3-10)
    becomes due (:func:`closeout_due`: the company's limit, else "及时" with the soft target, T-13;
    the sweep warns and reports a breach like any report); open progress reports are no longer needed."""
    out = []
    level = queries.current_level(ticket)
    due = closeout_due(ticket, now=now) if level in (rules.HOT, rules.MAJOR) else None
    warn = queries.thresholds_for(ticket.project).warn_fraction
    if level in (rules.HOT, rules.MAJOR):
        out.append(_ensure_report(ticket, ReportKind.HOT_CASE_REPORT, due_at=due, start=now, event=None, now=now,
                                  warn_fraction=warn))
    if level == rules.MAJOR:
        out.append(_ensure_report(ticket, ReportKind.MAJOR_SPECIAL_REPORT, due_at=due, start=now, event=None,
                                  now=now, warn_fraction=warn))
    EscalationReport.objects.filter(ticket=ticket, kind=ReportKind.PROGRESS, sent_at=None).delete()
    return out


@transaction.atomic
def close_volume(ticket: Ticket, *, acting_user: User, now: dt.datetime) -> ArchiveVolume:
    """结卷 a major complaint's separate volume (R-M3-10, R-M6-04): by 品质管理部, who writes its special
    report, once the case report and the special report are sent."""
    if not (has_cap(acting_user, Cap.ESCALATE, ticket.project) and is_quality(acting_user, ticket.project)):
        raise NotAllowed("重大投诉案卷由品质管理部结卷")
    volume = ArchiveVolume.objects.select_for_update().filter(ticket=ticket).first()
    if volume is None:
        raise EscalationError("该投诉没有单独立卷", code="no_volume", status=404)
    ok, missing = queries.can_archive(ticket)
    if not ok:
        raise EscalationError(f"尚缺：{missing}", code="report_missing", status=409)
    if volume.closed_at is None:
        volume.closed_at, volume.closed_by = now, acting_user
        volume.save(update_fields=["closed_at", "closed_by"])
    return volume


# ------------------------------------------------------------------ government major-event report (R-M3-14)


@transaction.atomic
def raise_government_report(ticket: Ticket, *, cause: str, acting_user: User, now: dt.datetime) -> EscalationReport:
    """R-M3-14 (optional per city): a safety hazard that cannot be removed within 8 hours, or a mass
    incident, must be reported to the district/county property authority. Only where the project's
    escalation policy enables it; raises one "government report required" task per ticket (an
    :class:`EscalationReport` to fill and mark sent — the record of the report) and tells staff."""
    if not has_cap(acting_user, Cap.ESCALATE, ticket.project):
        raise NotAllowed("没有升级投诉的权限")
    policy = queries.policy_for(ticket.project)
    if policy is None or not policy.government_report_enabled:
        raise EscalationError("本项目未启用政府重大事件报告（仅在地方法规要求时由管理员启用）",
                              code="not_enabled", status=409)
    if cause not in GovernmentEventCause.values:
        raise EscalationError("请选择需报告的事件类型", field="cause")
    label = GovernmentEventCause(cause).label
    report, created = EscalationReport.objects.get_or_create(
        ticket=ticket, kind=ReportKind.GOVERNMENT_REPORT, sequence=1,
        defaults={"recipients": policy.government_authority[:200], "created_at": now, "due_at": None,
                  "content": f"{label}。"})
    if created:
        notify_staff(queries.escalation_recipients(ticket.project), kind="escalation_government_report",
                     subject=f"需报告政府主管部门：{ticket.number}",
                     body=f"{label}，请及时报告{report.recipients}并登记报告内容。",
                     link=_link(ticket), project=ticket.project,
                     dedupe_key=f"government-report:{ticket.pk}", now=now)
    return report


# ------------------------------------------------------------------ visit problems (R-M3-13, R-M9-05)


@transaction.atomic
def report_visit_problem(ticket: Ticket, *, reason: str, acting_user: User, now: dt.datetime) -> Any:
    """R-M3-13: a problem found on a visit (走访) that the 客服专员 cannot solve promptly is reported
    at once to the 客服部主管 (and the 客服经理, who later classifies the result). Records the report
    on the ticket's timeline and notifies them; the 主管 then dispatches to the responsible department."""
    if ticket.channel != Channel.FIELD_VISIT:
        raise EscalationError("只有走访中发现的问题可以按走访问题上报", code="not_visit", field="ticket")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise EscalationError("请说明无法及时解决的原因（至少4个字）", field="reason", code="reason_required")
    try:
        event = add_note(ticket=ticket, text=f"走访问题上报客服主管：{reason}", acting_user=acting_user, now=now)
    except TicketError as exc:
        raise NotAllowed(exc.message) from exc
    bosses = queries.users_of(Membership.objects.filter(project_id=ticket.project_id,
                                                        role__in=(Role.CS_SUPERVISOR, Role.CS_MANAGER)))
    notify_staff(bosses, kind="visit_problem", subject=f"走访问题上报：{ticket.number}",
                 body=f"{reason}\n请通知责任部门、制定措施并协调解决。", link=f"/tickets/{ticket.pk}/",
                 project=ticket.project, dedupe_key=f"visit-problem:{event.pk}", now=now)
    return event


VISIT_RESULT_PREFIX = "走访问题处理结果报客服经理："


def report_visit_problem_result(ticket: Ticket, *, result: str, acting_user: User, now: dt.datetime) -> Any:
    """R-M3-13: the 客服主管 (or 客服经理) who coordinated the solution reports the result to the 客服经理 —
    on the ticket's timeline, the 客服经理 told to classify it."""
    if ticket.channel != Channel.FIELD_VISIT:
        raise EscalationError("只有走访中发现的问题按此上报", code="not_visit", field="ticket")
    if not roles_in(acting_user, ticket.project) & {Role.CS_SUPERVISOR, Role.CS_MANAGER}:
        raise NotAllowed("走访问题的处理结果由客服主管上报客服经理")
    result = (result or "").strip()
    if len(result) < 4:
        raise EscalationError("请填写处理结果（至少4个字）", field="result", code="result_required")
    try:
        event = add_note(ticket=ticket, text=f"{VISIT_RESULT_PREFIX}{result}", acting_user=acting_user, now=now)
    except TicketError as exc:
        raise NotAllowed(exc.message) from exc
    managers = queries.users_of(Membership.objects.filter(project_id=ticket.project_id, role=Role.CS_MANAGER))
    notify_staff(managers, kind="visit_problem_result", subject=f"走访问题处理结果：{ticket.number}，请分类并报总经理",
                 body=result[:200], link=f"/escalation/tickets/{ticket.pk}/", project=ticket.project,
                 dedupe_key=f"visit-problem-result:{event.pk}", now=now)
    return event


def classify_visit_problem(ticket: Ticket, *, classification: str, note: str = "", acting_user: User,
                           now: dt.datetime) -> Any:
    """R-M3-13: the 客服经理 classifies the reported result (责任归属: ours / developer / municipal / customer /
    other) and reports it to the 总经理 (物业总经理 of the company) — on the timeline, the 总经理 told."""
    if ticket.channel != Channel.FIELD_VISIT:
        raise EscalationError("只有走访中发现的问题按此上报", code="not_visit", field="ticket")
    if Role.CS_MANAGER not in roles_in(acting_user, ticket.project):
        raise NotAllowed("走访问题由客服经理分类并报总经理")
    if classification not in Attribution.values:
        raise EscalationError("请选择问题分类", field="classification", code="classification_required")
    if not TicketEvent.objects.filter(ticket=ticket, message__startswith=VISIT_RESULT_PREFIX).exists():
        raise EscalationError("客服主管尚未上报处理结果", code="no_result", status=409)
    label = Attribution(classification).label
    text = f"走访问题分类：{label}，已报总经理" + (f"。{note.strip()}" if note.strip() else "")
    try:
        event = add_note(ticket=ticket, text=text, acting_user=acting_user, now=now)
    except TicketError as exc:
        raise NotAllowed(exc.message) from exc
    heads = queries.users_of(Membership.objects.filter(company_id=ticket.project.company_id,
                                                       role=Role.GENERAL_MANAGER))
    notify_staff(heads, kind="visit_problem_classified", subject=f"走访问题报总经理：{ticket.number}（{label}）",
                 body=(note.strip() or ticket.content)[:200], link=f"/escalation/tickets/{ticket.pk}/",
                 project=ticket.project, dedupe_key=f"visit-problem-classified:{event.pk}", now=now)
    return event


# ------------------------------------------------------------------ leadership opinion (R-M3-12)


def ask_leadership_opinion(ticket: Ticket, *, now: dt.datetime) -> int:
    """R-M3-12 (POLICY P-10): a complaint that could not be resolved (未关闭) asks the 分管领导 (篇3) or the
    公司管理层 (篇4) for their handling opinion — a notice to each with the link to the escalation page,
    where they record it. Once per complaint; nothing when an opinion is already recorded."""
    if ticket.kind != queries.COMPLAINT or LeadershipOpinion.objects.filter(ticket=ticket).exists():
        return 0
    label, givers = queries.opinion_givers(ticket.project)
    if not givers:
        return 0
    notify_staff(givers, kind="escalation_opinion_requested", subject=f"未解决投诉请{label}出具处理意见：{ticket.number}",
                 body=(ticket.unresolved_analysis or ticket.content)[:200], link=f"/escalation/tickets/{ticket.pk}/",
                 project=ticket.project, dedupe_key=f"opinion-requested-{ticket.pk}", now=now)
    return len(givers)


def record_leadership_opinion(ticket: Ticket, *, opinion: str, given_on: dt.date, acting_user: User,
                              now: dt.datetime, given_by: User | None = None,
                              given_by_name: str = "") -> LeadershipOpinion:
    """Record the 分管领导/公司管理层 handling opinion on a complaint that could not be resolved
    (R-M3-12, P-10): the opinion, who gave it and the date. Needs ``Cap.ESCALATE`` (品质管理部,
    客服经理 …); a leader who is a user may record their own opinion."""
    leader_self = (given_by is not None and given_by.pk == acting_user.pk
                   and bool(roles_in(acting_user, ticket.project) & {Role.LEADERSHIP, Role.GENERAL_MANAGER}))
    if not (has_cap(acting_user, Cap.ESCALATE, ticket.project) or leader_self):
        raise NotAllowed("没有记录领导处理意见的权限")
    if ticket.kind != queries.COMPLAINT:
        raise EscalationError("只有投诉可以记录领导处理意见", code="not_complaint", field="ticket")
    opinion = (opinion or "").strip()
    if len(opinion) < 4:
        raise EscalationError("请填写处理意见（至少4个字）", field="opinion", code="opinion_required")
    name = (given_by_name or "").strip()
    if not name and given_by is not None:
        name = (getattr(given_by, "display_name", "") or given_by.get_full_name() or given_by.get_username()).strip()
    if not name:
        raise EscalationError("请填写提出意见的领导", field="given_by_name", code="leader_required")
    if given_on is None:
        raise EscalationError("请填写意见日期", field="given_on", code="date_required")
    tz = ticket.project.tz
    if given_on > now.astimezone(tz).date():
        raise EscalationError("意见日期不能晚于今天", field="given_on", code="future_date")
    if given_on < ticket.received_at.astimezone(tz).date():
        raise EscalationError("意见日期不能早于投诉受理日期", field="given_on", code="before_received")
    return LeadershipOpinion.objects.create(ticket=ticket, opinion=opinion, given_by=given_by,
                                            given_by_name=name[:100], given_on=given_on, recorded_at=now,
                                            recorded_by=acting_user)


# ------------------------------------------------------------------ same-complaint groups


def _lock_project_groups(project_id: int) -> None:
    """Serialise same-complaint grouping per project: two intakes of one project grouped at once
    would both add the same earlier complaint (a duplicate member key) or lock group and ticket rows
    in opposite orders (a deadlock). ``FOR NO KEY UPDATE`` does not block new tickets of the project
    (their foreign key takes only ``FOR KEY SHARE``). SQLite serialises writers anyway."""
    list(Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk", flat=True))


SIGNATURE_GRACE = dt.timedelta(minutes=10)
"""The watermark (:class:`SimilarityIndexState`) never passes a complaint recorded this recently: its
intake job (which stores its signature) may still be queued, or its transaction still open."""


def _watermark_sql(signing: int | None = None) -> str:
    """The statement that moves a project's watermark (:func:`advance_signed_below`); ``signing``: the
    complaint whose signature the same statement stores (its snapshot does not see that row yet)."""
    state = connection.ops.quote_name(SimilarityIndexState._meta.db_table)
    tickets = connection.ops.quote_name(Ticket._meta.db_table)
    sigs = connection.ops.quote_name(ComplaintSignature._meta.db_table)
    unsigned = (f"NOT EXISTS (SELECT 1 FROM {sigs} s WHERE s.ticket_id = t.id AND s.synonyms_key = %s "  # noqa: S608
                f"AND s.version = %s)")
    if signing is not None:
        unsigned = f"(t.id <> %s AND {unsigned})"
    return (f"INSERT INTO {state} (project_id, synonyms_key, version, signed_below) VALUES (%s, %s, %s, 0) "  # noqa: S608
            f"ON CONFLICT (project_id) DO UPDATE SET synonyms_key = excluded.synonyms_key, "
            f"version = excluded.version, signed_below = CASE "
            f"WHEN {state}.synonyms_key = excluded.synonyms_key AND {state}.version = excluded.version THEN "
            f"COALESCE((SELECT MIN(t.id) FROM {tickets} t WHERE t.project_id = %s AND t.kind = %s "
            f"AND t.status <> %s AND t.id >= {state}.signed_below AND (t.recorded_at > %s OR {unsigned})), "
            f"(SELECT MAX(t.id) + 1 FROM {tickets} t WHERE t.project_id = %s AND t.kind = %s "
            f"AND t.id >= {state}.signed_below), {state}.signed_below) ELSE 0 END RETURNING signed_below")


def _watermark_params(project_id: int, key: str, now: dt.datetime | None, signing: int | None = None) -> list[Any]:
    version = similarity.SIGNATURE_VERSION
    recent = connection.ops.adapt_datetimefield_value((now or clock.now()) - SIGNATURE_GRACE)
    return [project_id, key, version, project_id, queries.COMPLAINT, queries.VOIDED, recent,
            *([signing] if signing is not None else []), key, version, project_id, queries.COMPLAINT]


def advance_signed_below(project_id: int, key: str, *, now: dt.datetime | None = None) -> int:
    """Move the project's watermark to its first complaint (not voided) that has no current signature
    or was recorded within :data:`SIGNATURE_GRACE` — past its last complaint when there is none — and
    return it (issue 15). One statement; a project whose synonym table or signature layout changed
    starts again from 0. (A complaint whose transaction is still open is invisible here, as it is to
    the check itself; its own intake job stores its signature moments later.)"""
    with connection.cursor() as cur:
        cur.execute(_watermark_sql(), _watermark_params(project_id, key, now))
        return int(cur.fetchone()[0])


def _signature_writes(ticket: Ticket, row: dict[str, Any], *, count: list[str] | None, stale: bool,
                      keys: list[int], key: str) -> list[tuple[str, list[Any]]]:
    """The writes of :func:`record_signature`, in order: one more document in the project's n-gram
    frequencies (``count``: its grams and ``""``; None when it was counted before), the signature row
    (inserted or replaced), its gram-index rows (the old ones removed when ``stale``) and the
    project's watermark (last: it returns the new value)."""
    q = connection.ops.quote_name
    freq, sigs, grams = (q(m._meta.db_table) for m in (SimilarityGramFrequency, ComplaintSignature, ComplaintGram))
    out: list[tuple[str, list[Any]]] = []
    if count:
        values = ", ".join(["(%s, %s, 1)"] * len(count))
        out.append((f"INSERT INTO {freq} (project_id, gram, df) VALUES {values} "  # noqa: S608 - our tables
                    f"ON CONFLICT (project_id, gram) DO UPDATE SET df = {freq}.df + 1",
                    [x for g in count for x in (ticket.project_id, g)]))
    fields: dict[str, models.Field[Any, Any]] = {}
    names: dict[str, str] = {}  # field name → quoted column
    for name in row:
        field = ComplaintSignature._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        fields[name], names[name] = field, q(field.column)
    columns = ", ".join(names.values())
    updates = ", ".join(f"{names[n]} = excluded.{names[n]}" for n, f in fields.items() if not f.primary_key)
    out.append((f"INSERT INTO {sigs} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608
                f"ON CONFLICT (ticket_id) DO UPDATE SET {updates}",
                [f.get_db_prep_save(row[name], connection) for name, f in fields.items()]))
    if stale:
        out.append((f"DELETE FROM {grams} WHERE ticket_id = %s", [ticket.pk]))  # noqa: S608
    if keys:
        received = connection.ops.adapt_datetimefield_value(ticket.received_at)
        out.append((f"INSERT INTO {grams} (project_id, gram, ticket_id, received_at) "  # noqa: S608
                    f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(keys))}",
                    [x for g in keys for x in (ticket.project_id, g, ticket.pk, received)]))
    out.append((_watermark_sql(signing=ticket.pk), _watermark_params(ticket.project_id, key, None, ticket.pk)))
    return out


def record_signature(ticket: Ticket) -> ComplaintSignature:
    """Store the complaint's same-complaint signature once (issue 15): count it in the project's
    n-gram document frequencies, weigh its vector with that IDF, store it packed and add its grams
    and matters to the gram index (:class:`ComplaintGram`). Repeating it (a retried job) leaves the
    frequencies alone; a signature made under another synonym table or layout is remade.

    One read (the stored signature's key and the frequencies of the text's grams) and one write: on
    PostgreSQL the frequencies, the signature, its gram-index rows and the watermark are written by a
    single statement (data-modifying ``WITH``); SQLite, which has none, runs the same statements one
    after the other. Callers hold the project's grouping lock (:func:`_lock_project_groups`), so the
    frequencies read are those the write increments."""
    synonyms = queries.synonyms_for(ticket.project)
    key = queries.synonyms_key(synonyms)
    text = similarity.apply_synonyms(ticket.content or "", synonyms)
    _norm, grams, tps, asp, locs = similarity.text_features(text)
    stored, df = queries.signature_inputs(ticket.pk, ticket.project_id, grams)
    if stored is not None and stored == (key, similarity.SIGNATURE_VERSION):
        return ComplaintSignature.objects.get(ticket_id=ticket.pk)  # a retried job: nothing to do
    count = None
    if stored is None:  # one more document in the project's frequencies
        count = sorted({*grams, ""})
        df = {g: df.get(g, 0) + 1 for g in count}
    n_docs = df.pop("", 0)
    sig = similarity.Signature(similarity.hashed(similarity.weighted(grams, similarity.idf_from(df, n_docs))),
                               tps, asp, locs)
    values = {"ticket_id": ticket.pk, "project_id": ticket.project_id, "received_at": ticket.received_at,
              "synonyms_key": key, **queries.signature_row(sig)}
    writes = _signature_writes(ticket, values, count=count, stale=stored is not None,
                               keys=queries.index_keys(sig), key=key)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            ctes = ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(writes[:-1]))
            cur.execute(f"WITH {ctes} {writes[-1][0]}", [p for _sql, params in writes for p in params])
        else:
            for sql, params in writes:
                cur.execute(sql, params)
        signed_below = int(cur.fetchone()[0])
    row = ComplaintSignature(**values)
    row._state.adding, row._state.db = False, connection.alias
    # for candidates_for: where the complaints still to be scored from their text begin
    row.signed_below = signed_below  # type: ignore[attr-defined]
    return row


def backfill_signatures(project: Project, *, now: dt.datetime, batch: int = 500,
                        after_id: int = 0) -> tuple[int, int | None]:
    """Store the signatures of one batch of the project's complaints that have no current one, in id
    order from ``after_id`` (issue 15, ``manage.py similarity_backfill``): one transaction under the
    project's grouping lock, so a batch is stored whole or not at all and never races intake. Returns
    the number stored and the last id (None when nothing was left); the watermark is moved on."""
    key = queries.synonyms_key(queries.synonyms_for(project))
    todo = list(queries.unsigned_complaints(project, key).filter(pk__gt=after_id).order_by("pk")[:batch])
    with transaction.atomic(), queries.evaluation_cache():
        _lock_project_groups(project.pk)
        for ticket in todo:
            ticket.project = project
            record_signature(ticket)
        advance_signed_below(project.pk, key, now=now)
    return len(todo), (todo[-1].pk if todo else None)


@transaction.atomic
def attach_to_cluster(ticket: Ticket, *, now: dt.datetime) -> ClusterMember | None:
    """A complaint was received: find earlier complaints about the same matter and group them
    (R-M3-04). Joins the group of the best-matching candidate, or opens a suggested group.

    Safe to repeat (the intake job may be retried): a ticket already in a group returns ``None``,
    and the project's lock makes the membership checks hold until the commit."""
    if ticket.kind != queries.COMPLAINT:
        return None
    _lock_project_groups(ticket.project_id)
    if ClusterMember.objects.filter(ticket=ticket).exists():
        return None
    signature = record_signature(ticket)
    found = queries.candidates_for(ticket, now=now, signature=signature)
    if not found:
        return None
    # Join the group of the best-matching candidate that is in a live group: intakes running at once
    # may have left the best match itself ungrouped (its own job still queued) while others are grouped.
    memberships = {m.ticket_id: m for m in ClusterMember.objects.filter(ticket__in=[c.ticket for c in found])
                   .select_related("cluster")}
    live = [c for c in found if c.ticket.pk in memberships
            and memberships[c.ticket.pk].cluster.state != ClusterState.DISSOLVED]
    best = live[0] if live else found[0]
    if live:
        cluster = memberships[best.ticket.pk].cluster
    else:
        cluster = ComplaintCluster.objects.create(project=ticket.project, title=(best.ticket.content or "")[:200],
                                                  created_at=now)
    # the candidates in no group yet (the best one too, when it opens the group) join as well
    added = [ticket.pk]
    for c in found:
        if c.ticket.pk not in memberships:
            ClusterMember.objects.create(cluster=cluster, ticket=c.ticket, score=c.match.score, added_at=now)
            added.append(c.ticket.pk)
    member = ClusterMember.objects.create(cluster=cluster, ticket=ticket, score=best.match.score, added_at=now)
    _recount_and_evaluate_added(cluster, ticket, added, now=now)
    return member


HOT_SAME_COMPLAINT_RULE = "R-M3-02b"


def _recount_and_evaluate_added(cluster: ComplaintCluster, ticket: Ticket, added: Sequence[int], *,
                                now: dt.datetime) -> None:
    """Members ``added`` to ``cluster`` at intake (issue 15: the work does not grow with the group):
    recount the group once, evaluate the new members with that count, and the earlier members only
    when the count makes the group hot and they are not hot for it yet (R-M3-02 b — every member of
    the group has the same count, and nothing else of an earlier member changed)."""
    count = queries.cluster_distinct_complainants(ticket, now=now)
    previous = cluster.distinct_complainants
    if previous != count:
        cluster.distinct_complainants = count
        cluster.save(update_fields=["distinct_complainants"])
    ids = set(added)
    reaches = count >= queries.thresholds_for(cluster.project).hot_distinct_complainants
    confirmed = cluster.state == ClusterState.CONFIRMED
    if reaches and confirmed:
        ids |= set(cluster.members.exclude(ticket__escalation_events__rule_id=HOT_SAME_COMPLAINT_RULE)
                   .exclude(ticket__status=queries.VOIDED).values_list("ticket_id", flat=True))
    elif reaches and previous < count:  # R-M3-04: the system suggests, staff confirm — ask them to
        _ask_to_confirm(cluster, count=count, now=now)
    for t in Ticket.objects.filter(pk__in=ids).select_related("project").order_by("pk"):
        _evaluate_ticket(t, now=now, distinct_complainants=count if confirmed else 1)


def _ask_to_confirm(cluster: ComplaintCluster, *, count: int, now: dt.datetime) -> None:
    """A suggested group reached the hot threshold: the project's staff who manage groups (ESCALATE) and
    品质管理部 are asked to confirm or reject it; nothing is escalated until they confirm (R-M3-04)."""
    recipients = queries.escalation_recipients(cluster.project)
    link, subject = f"/escalation/clusters/{cluster.pk}/", f"疑似相同投诉 {count} 位不同投诉人，请确认是否为同一投诉"
    cluster_id = cluster.pk

    def send() -> None:
        notify_staff(recipients, kind="cluster_to_confirm", subject=subject, body=cluster.title, link=link,
                     project=cluster.project, now=now, dedupe_key=f"cluster-confirm-{cluster_id}-{count}")

    transaction.on_commit(send)


@transaction.atomic
def evaluate_complaint(ticket: Ticket, *, now: dt.datetime) -> None:
    """What a new complaint sets off (R-M3-02, R-M3-03, R-M3-04): group it with earlier complaints
    about the same matter (which evaluates the whole group), or else evaluate it alone. Idempotent:
    the events are unique per ticket and rule, the membership is checked under the project's lock."""
    with queries.evaluation_cache():  # the project's settings read once for the whole evaluation
        if attach_to_cluster(ticket, now=now) is None:
            _evaluate_ticket(ticket, now=now)


def _recount_and_evaluate(cluster: ComplaintCluster, *, now: dt.datetime, acting_user: User | None = None) -> None:
    """Recount the group's distinct complainants and evaluate every member, under the project's
    grouping lock and in ticket order (one lock order, so no two re-evaluations deadlock)."""
    _lock_project_groups(cluster.project_id)
    members = list(cluster.members.select_related("ticket__project").order_by("ticket_id"))
    if not members:
        return
    newest = max(members, key=lambda m: m.ticket.received_at).ticket
    cluster.distinct_complainants = queries.cluster_distinct_complainants(newest, now=now)
    cluster.save(update_fields=["distinct_complainants"])
    # R-M3-04: only a group staff confirmed counts for criterion (b); one count for the whole group
    count = cluster.distinct_complainants if cluster.state == ClusterState.CONFIRMED else 1
    for m in members:
        _evaluate_ticket(m.ticket, now=now, acting_user=acting_user, distinct_complainants=count)


def _require_cluster_cap(user: User, project: Project) -> None:
    if not has_cap(user, Cap.ESCALATE, project):
        raise NotAllowed("没有管理相同投诉组的权限")


@transaction.atomic
def confirm_cluster(cluster: ComplaintCluster, *, acting_user: User, now: dt.datetime,
                    title: str | None = None) -> ComplaintCluster:
    """Staff confirm that the group's tickets are the same complaint."""
    _require_cluster_cap(acting_user, cluster.project)
    if cluster.state == ClusterState.DISSOLVED:
        raise EscalationError("该组已解散", code="dissolved", status=409)
    cluster.state, cluster.confirmed_at, cluster.confirmed_by = ClusterState.CONFIRMED, now, acting_user
    if title:
        cluster.title = title.strip()[:200]
    cluster.save(update_fields=["state", "confirmed_at", "confirmed_by", "title"])
    _recount_and_evaluate(cluster, now=now, acting_user=acting_user)
    return cluster


@transaction.atomic
def reject_cluster(cluster: ComplaintCluster, *, acting_user: User, now: dt.datetime) -> ComplaintCluster:
    """Staff reject a group the system suggested (R-M3-04): its tickets are not the same complaint. The
    group is dissolved — its tickets count alone again and are not pulled back into it by a later
    intake — and each member is re-evaluated on its own. Levels already raised stay (they only go up
    automatically; a manager downgrades with a reason)."""
    _require_cluster_cap(acting_user, cluster.project)
    if cluster.state == ClusterState.DISSOLVED:
        raise EscalationError("该组已解散", code="dissolved", status=409)
    if cluster.state == ClusterState.CONFIRMED:
        raise EscalationError("已确认的组不能直接否定，请拆分", code="confirmed", status=409)
    cluster.state, cluster.confirmed_at, cluster.confirmed_by = ClusterState.DISSOLVED, now, acting_user
    cluster.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    for m in cluster.members.select_related("ticket__project").order_by("ticket_id"):
        _evaluate_ticket(m.ticket, now=now, acting_user=acting_user, distinct_complainants=1)
    return cluster


@transaction.atomic
def split_cluster(cluster: ComplaintCluster, *, ticket_ids: Iterable[int], acting_user: User,
                  now: dt.datetime, title: str = "") -> ComplaintCluster:
    """Move ``ticket_ids`` out of the group into a new confirmed group. Escalations already raised
    stay (levels only go up automatically)."""
    _require_cluster_cap(acting_user, cluster.project)
    ids = set(ticket_ids)
    moving = list(cluster.members.filter(ticket_id__in=ids))
    if not moving or len(moving) != len(ids):
        raise EscalationError("请选择本组中的投诉", field="ticket_ids")
    if len(moving) == cluster.members.count():
        raise EscalationError("不能把全部投诉都拆出", field="ticket_ids", code="split_all")
    # the tickets moved out form their own confirmed group, even a single one, so a later intake
    # does not pull them back into the group staff took them out of
    new = ComplaintCluster.objects.create(project=cluster.project, title=(title or cluster.title)[:200],
                                          state=ClusterState.CONFIRMED, created_at=now, confirmed_at=now,
                                          confirmed_by=acting_user)
    for m in moving:
        m.cluster, m.added_by, m.added_at = new, acting_user, now
        m.save(update_fields=["cluster", "added_by", "added_at"])
    cluster.state, cluster.confirmed_at, cluster.confirmed_by = ClusterState.CONFIRMED, now, acting_user
    cluster.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    for c in (cluster, new):
        _recount_and_evaluate(c, now=now, acting_user=acting_user)
    return new


@transaction.atomic
def merge_clusters(target: ComplaintCluster, others: Iterable[ComplaintCluster], *, acting_user: User,
                   now: dt.datetime) -> ComplaintCluster:
    """Merge groups of the same project into ``target`` (confirmed)."""
    _require_cluster_cap(acting_user, target.project)
    others = [o for o in others if o.pk != target.pk]
    if not others:
        raise EscalationError("请选择要合并的其他组", field="others")
    if any(o.project_id != target.project_id for o in others):
        raise EscalationError("只能合并同一项目的相同投诉组", field="others")
    for m in ClusterMember.objects.filter(cluster__in=others):
        m.cluster = target
        m.save(update_fields=["cluster"])
    for o in others:
        o.state = ClusterState.DISSOLVED
        o.save(update_fields=["state"])
    target.state, target.confirmed_at, target.confirmed_by = ClusterState.CONFIRMED, now, acting_user
    target.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    _recount_and_evaluate(target, now=now, acting_user=acting_user)
    return target


@transaction.atomic
def add_to_cluster(cluster: ComplaintCluster, ticket: Ticket, *, acting_user: User, now: dt.datetime) -> ClusterMember:
    """Staff add a ticket the matcher missed."""
    _require_cluster_cap(acting_user, cluster.project)
    if ticket.project_id != cluster.project_id or ticket.kind != queries.COMPLAINT:
        raise EscalationError("只能加入同一项目的投诉", field="ticket")
    if ClusterMember.objects.filter(ticket=ticket).exists():
        raise EscalationError("该投诉已在其他组中，请用合并", field="ticket", code="in_other_cluster", status=409)
    member = ClusterMember.objects.create(cluster=cluster, ticket=ticket, added_at=now, added_by=acting_user)
    _recount_and_evaluate(cluster, now=now, acting_user=acting_user)
    return member


@transaction.atomic
def mark_distinct(member: ClusterMember, *, distinct: bool, acting_user: User, now: dt.datetime) -> ClusterMember:
    """R-M3-04: an anonymous complainant counts only when staff mark them as a different person."""
    _require_cluster_cap(acting_user, member.cluster.project)
    member.marked_distinct = distinct
    member.save(update_fields=["marked_distinct"])
    _recount_and_evaluate(member.cluster, now=now, acting_user=acting_user)
    return member


# ------------------------------------------------------------------ developer legacy


@transaction.atomic
def forward_legacy(project: Project, *, month: dt.date, acting_user: User, now: dt.datetime,
                   document_no: str = "", note: str = "") -> LegacyForward:
    """R-M5-06 / R-M2-03: count the month's developer-legacy complaints and record the written
    forwarding to the developer's customer centre. Once per project and month."""
    if not has_cap(acting_user, Cap.ESCALATE, project):
        raise NotAllowed()
    month = month.replace(day=1)
    if month >= now.astimezone(project.tz).date().replace(day=1):
        raise EscalationError("只能转交已结束月份的统计", field="month", code="month_not_over")
    if LegacyForward.objects.filter(project=project, month=month).exists():
        raise EscalationError("该月已转交", field="month", code="already_forwarded", status=409)
    tickets = list(queries.legacy_tickets(project, month))
    return LegacyForward.objects.create(
        project=project, month=month, count=len(tickets), open_count=sum(1 for t in tickets if t.closed_at is None),
        ticket_numbers=[t.number for t in tickets], document_no=document_no.strip(), note=note.strip(),
        forwarded_at=now, forwarded_by=acting_user)
