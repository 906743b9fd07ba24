"""Every write of the 《不合格/纠正、预防措施报告》 (NCR/CAPA) — SPEC R-M2-04, R-M19-08.

- :func:`raise_ncr` — a department manager (``Cap.RAISE_NCR``: 客服经理, 管理处经理, 部门负责人,
  品质管理部) contacts the 管理者代表 about a matter beyond the department's authority or needing a
  company decision. The report awaits signature; handling of the ticket is held
  (:func:`apps.tickets.actions.hold_handling`, released by signing or withdrawing).
- :func:`sign_ncr` / :func:`return_ncr` — the 管理者代表 only (``Cap.SIGN_NCR``) signs (签发) it, after
  which handling may start, or sends it back for more information.
- :func:`update_ncr` — the raising side fills in or corrects the report; on a returned report this
  resubmits it for signature; on a signed one it records cause, correction and the actions taken.
- :func:`verify_ncr` — verification of the effectiveness of the corrective action (``Cap.VERIFY_NCR``:
  管理者代表, 品质管理部) closes the report; "not effective" keeps it open.
- :func:`withdraw_ncr` — the raising side withdraws an unsigned report raised by mistake.

Conventions as apps.tickets.actions: keyword-only, ``acting_user`` and ``now``, ``transaction.atomic()``
(a savepoint in the caller's transaction),
:class:`QualityError` with a Chinese message, ``code``, ``field`` and HTTP ``status``; each step
writes an :class:`NcrEvent` and a note on the ticket's timeline; notices leave after the commit.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.core.errors import DomainError
from apps.notify import actions as notify_services
from apps.org import access
from apps.org.access import can_see_project, has_cap
from apps.org.models import Department, Project
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.quality import gate, queries
from apps.quality.models import (
    OPEN_NCR_STATUSES,
    UNSIGNED_STATUSES,
    NcrEvent,
    NcrEventKind,
    NcrStatus,
    NonconformityReport,
)
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import OPEN_STATUSES, TERMINAL_STATUSES, TicketEventKind, TicketStatus
from apps.tickets.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from apps.org.models import User

__all__ = ["QualityError", "may_act_as_raiser", "raise_ncr", "update_ncr", "sign_ncr", "return_ncr", "verify_ncr", "withdraw_ncr",
           "TEXT_FIELDS"]

# The report's free-text fields the raising side writes (form/API names = model field names).
TEXT_FIELDS = ("nonconformity", "beyond_authority_reason", "cause_analysis", "correction", "corrective_action",
               "preventive_action")
MAX_TEXT = 4000
MIN_FACT = 4  # characters: "不合格事实" and the reason must say something


class QualityError(DomainError):
    """A refused NCR action: Chinese ``message``, stable ``code``, ``field`` and HTTP ``status``."""


def _forbid(message: str) -> QualityError:
    return QualityError(message, code="forbidden", status=403)


def _require(user: User, cap: str, project: Any, message: str) -> None:
    if not can_see_project(user, project):
        raise QualityError("记录不存在", code="not_found", status=404)
    if not has_cap(user, cap, project):
        raise _forbid(message)


def _require_raising_side(user: User, report: NonconformityReport, message: str, *, withdrawing: bool = False
                          ) -> None:
    """Who may change or withdraw a report on the raising side (R-M2-04): ``Cap.RAISE_NCR`` in its
    project and either the raiser, a company-level role, or someone ranking at least as high as the
    raiser in the project. A 部门负责人 acts only on reports of a department they head: there they may
    fill in cause and actions (their department does the work) but withdraw only when they rank at
    least as high as the raiser. Otherwise any 部门负责人 could withdraw a colleague's report and lift
    the gate on the ticket."""
    _require(user, Cap.RAISE_NCR, report.project, message)
    if user.pk == report.raised_by_id or access.is_company_level(user):
        return
    project = report.project
    raising_roles = {r for r in access.roles_in(user, project) if Cap.RAISE_NCR in ROLE_INFO[r].caps}
    own_department = report.department_id is not None and report.department_id in access.departments_headed(user)
    if raising_roles == {Role.DEPT_HEAD}:
        if not own_department:
            raise _forbid("部门负责人只能处理本部门的不合格报告")
        if not withdrawing:
            return
    if access.rank_in(user, project) < access.rank_in(report.raised_by, project):
        raise _forbid(f"只有提出人 {report.raised_by} 或同级以上的经理可以{'撤回' if withdrawing else '修改'}该报告")


def may_act_as_raiser(user: User, report: NonconformityReport, *, withdrawing: bool = False) -> bool:
    """For pages: would :func:`update_ncr` (or :func:`withdraw_ncr`) let ``user`` act on ``report``?"""
    try:
        _require_raising_side(user, report, "", withdrawing=withdrawing)
    except QualityError:
        return False
    return True


def _lock(report: NonconformityReport) -> NonconformityReport:
    list(NonconformityReport.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True))
    report.refresh_from_db()
    return report


def _save(report: NonconformityReport, fields: list[str] | None, *, acting_user: User, reason: str) -> None:
    """Save with a history entry that says who and why (django-simple-history, STYLE §8)."""
    report._history_user = acting_user  # type: ignore[attr-defined]
    report._change_reason = reason[:100]  # type: ignore[attr-defined]
    if fields is None:
        report.save()
    else:
        report.save(update_fields=fields)


def _clean_texts(values: dict[str, Any]) -> dict[str, str]:
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise QualityError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise QualityError("内容应为文字", field=name)
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise QualityError(f"内容过长（最多{MAX_TEXT}字）", field=name, code="too_long")
        out[name] = text
    return out


def _check_required(report_values: dict[str, str]) -> None:
    if len(report_values.get("nonconformity", "")) < MIN_FACT:
        raise QualityError("请填写不合格事实（至少4个字）", field="nonconformity", code="required")
    if len(report_values.get("beyond_authority_reason", "")) < MIN_FACT:
        raise QualityError("请说明超出部门处理权限或需报请公司决定的原因（至少4个字）",
                           field="beyond_authority_reason", code="required")


def _record(report: NonconformityReport, kind: str, *, acting_user: User | None, now: dt.datetime,
            old: str, message: str = "") -> NcrEvent:
    """The report's own event plus a note on the ticket's timeline (R-M2-26: who, when, why)."""
    event = NcrEvent.objects.create(report=report, at=now, acting_user=acting_user, kind=kind, old_status=old,
                                    new_status=report.status, message=message)
    label = NcrEventKind(kind).label
    text = f"《不合格/纠正、预防措施报告》{report.number} {label}" + (f"：{message}" if message else "")
    TicketEvent.objects.create(ticket_id=report.ticket_id, at=now, acting_user=acting_user, kind=TicketEventKind.NOTE,
                               message=text[:1000], extra={"ncr": report.pk, "ncr_event": kind})
    return event


def _notify(recipients: list[Any], *, kind: str, subject: str, body: str, report: NonconformityReport,
            now: dt.datetime, dedupe: str) -> None:
    people = [u for u in recipients if u is not None]
    if not people:
        return
    report_id, project_id = report.pk, report.project_id

    def send() -> None:
        notify_services.notify_staff(people, kind=kind, subject=subject, body=body, link=reverse("quality:ncr_detail", args=[report_id]),
                                     project=Project.objects.filter(pk=project_id).first(), dedupe_key=dedupe,
                                     now=now)

    transaction.on_commit(send)


def _notify_reps(report: NonconformityReport, event: NcrEvent, *, now: dt.datetime, again: bool = False) -> None:
    ticket = report.ticket
    _notify(queries.management_reps(report.company_id), kind="ncr_awaiting_signature",
            subject=f"{'补充后' if again else ''}待签发：{report.number}（工单 {ticket.number}）",
            body=report.nonconformity[:200], report=report, now=now,
            dedupe=f"ncr-sign-{event.pk}")


# ---------------------------------------------------------------- raise


@transaction.atomic()
def raise_ncr(*, ticket: Ticket, acting_user: User, now: dt.datetime, nonconformity: str,
              beyond_authority_reason: str, department: Department | None = None, cause_analysis: str = "",
              correction: str = "", corrective_action: str = "", preventive_action: str = "") -> NonconformityReport:
    """提出《不合格/纠正、预防措施报告》 (R-M2-04): the department manager contacts the 管理者代表.

    One open report per ticket (409 ``ncr_open``); the ticket must be open. The report is numbered
    NCR-<year>-<NNNN> per company and year and waits for the 管理者代表's signature; every 管理者代表
    of the company is told."""
    project = ticket.project
    _require(acting_user, Cap.RAISE_NCR, project, "只有部门经理（客服经理、管理处经理、部门负责人）可以提出不合格报告")
    list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True))
    ticket.refresh_from_db()
    if ticket.status not in OPEN_STATUSES:
        raise QualityError("工单已结束，不能提出不合格报告", code="ticket_closed", status=409)
    texts = _clean_texts({"nonconformity": nonconformity, "beyond_authority_reason": beyond_authority_reason,
                          "cause_analysis": cause_analysis, "correction": correction,
                          "corrective_action": corrective_action, "preventive_action": preventive_action})
    _check_required(texts)
    if not queries.management_reps(project.company_id):
        raise QualityError("公司尚未设置管理者代表，无法提交不合格报告", code="no_management_rep", status=409)
    if department is not None and (department.company_id != project.company_id
                                   or department.project_id not in (None, project.pk)):
        raise QualityError("部门不属于该项目", field="department")
    existing = NonconformityReport.objects.filter(ticket=ticket, status__in=OPEN_NCR_STATUSES).first()
    if existing is not None:
        raise QualityError(f"该工单已有未关闭的不合格报告 {existing.number}", code="ncr_open", status=409)
    year = queries.local_year(project, now)
    seq = queries.next_seq(project.company, year)
    try:
        with transaction.atomic():
            report = NonconformityReport(
                company_id=project.company_id, project=project, ticket=ticket, year=year, seq=seq,
                number=queries.format_number(year, seq), status=NcrStatus.AWAITING_SIGNATURE,
                department=department or ticket.department, raised_by=acting_user, raised_at=now, updated_at=now,
                **texts)
            _save(report, None, acting_user=acting_user, reason="提出")
    except IntegrityError:  # a concurrent raise for the same ticket won (the partial unique index)
        raise QualityError("该工单已有未关闭的不合格报告", code="ncr_open", status=409) from None
    event = _record(report, NcrEventKind.RAISED, acting_user=acting_user, now=now, old="",
                    message=texts["beyond_authority_reason"][:200])
    ticket_actions.hold_handling(ticket=ticket, code=gate.CODE, message=gate.blocked_message(report),
                                 acting_user=acting_user, now=now)
    _notify_reps(report, event, now=now)
    return report


# ---------------------------------------------------------------- the raising side edits / resubmits


@transaction.atomic()
def update_ncr(*, report: NonconformityReport, acting_user: User, now: dt.datetime,
               **fields: Any) -> NonconformityReport:
    """Fill in or correct the report (``Cap.RAISE_NCR`` in its project).

    Returned → awaiting signature again (resubmitted; the 管理者代表 are told); at least one field
    must change. Signed: the cause, correction and actions taken are recorded (the facts the
    管理者代表 signed stay as signed). A report awaiting signature cannot be edited (409
    ``awaiting_signature``: the 管理者代表 signs what they read — withdraw and raise again instead).
    Closed or withdrawn reports are final (409). Only the raising side (see _require_raising_side)."""
    _require_raising_side(acting_user, report, "无权修改不合格报告")
    _lock(report)
    if report.status not in OPEN_NCR_STATUSES:
        raise QualityError("报告已关闭或撤回，不能修改", code="ncr_final", status=409)
    if report.status == NcrStatus.AWAITING_SIGNATURE:
        # the 管理者代表 must sign exactly the text they read: no edits while it awaits signature
        raise QualityError("报告正待管理者代表签发，不能修改；如需更正请撤回后重新提出，或待退回补充后修改",
                           code="awaiting_signature", status=409)
    texts = _clean_texts(fields)
    if report.status == NcrStatus.SIGNED:
        frozen = {"nonconformity", "beyond_authority_reason"} & {k for k, v in texts.items()
                                                                 if v != getattr(report, k)}
        if frozen:
            name = sorted(frozen)[0]
            raise QualityError("已签发的报告不能修改不合格事实和提请原因", field=name, code="signed_fixed", status=409)
    changed = [k for k, v in texts.items() if v != getattr(report, k)]
    for name in changed:
        setattr(report, name, texts[name])
    _check_required({k: getattr(report, k) for k in TEXT_FIELDS})
    old = report.status
    resubmit = old == NcrStatus.RETURNED
    if not changed:
        raise QualityError("没有修改任何内容" + ("，请补充管理者代表要求的内容后再提交" if resubmit else ""),
                           code="no_change")
    if resubmit:
        report.status = NcrStatus.AWAITING_SIGNATURE
    report.updated_at = now
    _save(report, None, acting_user=acting_user, reason="补充后重新提交" if resubmit else "修改/补充")
    labels = {f.name: str(f.verbose_name) for f in NonconformityReport._meta.fields}
    message = "、".join(labels[k] for k in changed)
    event = _record(report, NcrEventKind.RESUBMITTED if resubmit else NcrEventKind.UPDATED,
                    acting_user=acting_user, now=now, old=old, message=message)
    if resubmit:
        _notify_reps(report, event, now=now, again=True)
    return report


# ---------------------------------------------------------------- the 管理者代表


def _ticket_status(report: NonconformityReport) -> str:
    """The ticket's current status (read fresh: the report's cached ticket may predate a void)."""
    return str(Ticket.objects.filter(pk=report.ticket_id).values_list("status", flat=True).get())


def _sign_side(report: NonconformityReport, acting_user: User, message: str) -> None:
    _require(acting_user, Cap.SIGN_NCR, report.project, message)


@transaction.atomic()
def sign_ncr(*, report: NonconformityReport, opinion: str, acting_user: User, now: dt.datetime) -> NonconformityReport:
    """签发 (R-M2-04, R-M19-08): only a 管理者代表. After this, handling of the ticket may start; the
    raiser is told. Signing twice → 409 ``already_signed``; a returned report must be resubmitted first;
    the raiser cannot sign their own report (403 ``own_report``, separation of duties); a report of a
    closed/unresolved/voided ticket is not signed (409 ``ticket_finished``)."""
    _sign_side(report, acting_user, "只有管理者代表可以签发不合格报告")
    _lock(report)
    opinion = (opinion or "").strip()
    if report.raised_by_id == acting_user.pk:
        raise QualityError("不能签发自己提出的不合格报告（提出与签发须由不同的人）", code="own_report", status=403)
    if report.status in {NcrStatus.SIGNED, NcrStatus.CLOSED}:
        raise QualityError(f"报告 {report.number} 已由 {report.signed_by} 签发", code="already_signed", status=409)
    if report.status == NcrStatus.RETURNED:
        raise QualityError("报告已退回补充，须提出人补充后重新提交", code="ncr_returned", status=409)
    if report.status != NcrStatus.AWAITING_SIGNATURE:
        raise QualityError("报告已撤回，不能签发", code="ncr_final", status=409)
    ticket_status = _ticket_status(report)
    if ticket_status in TERMINAL_STATUSES:
        raise QualityError(f"工单状态为“{TicketStatus(ticket_status).label}”，不能签发", code="ticket_finished",
                           status=409)
    if not opinion:
        raise QualityError("请填写管理者代表意见", field="opinion", code="required")
    if len(opinion) > MAX_TEXT:
        raise QualityError(f"内容过长（最多{MAX_TEXT}字）", field="opinion", code="too_long")
    old = report.status
    report.status = NcrStatus.SIGNED
    report.signed_by, report.signed_at, report.sign_opinion = acting_user, now, opinion
    report.updated_at = now
    _save(report, ["status", "signed_by", "signed_at", "sign_opinion", "updated_at"],
          acting_user=acting_user, reason="签发")
    _record(report, NcrEventKind.SIGNED, acting_user=acting_user, now=now, old=old, message=opinion[:200])
    ticket_actions.release_handling(ticket=report.ticket, code=gate.CODE, acting_user=acting_user, now=now)
    _notify([report.raised_by], kind="ncr_signed", subject=f"不合格报告 {report.number} 已签发，可以开始处理",
            body=opinion[:200], report=report, now=now, dedupe=f"ncr-signed-{report.pk}")
    return report


@transaction.atomic()
def return_ncr(*, report: NonconformityReport, reason: str, acting_user: User, now: dt.datetime
               ) -> NonconformityReport:
    """退回补充: the 管理者代表 sends an awaiting report back for more information (still unsigned:
    handling stays blocked). The raiser is told."""
    _sign_side(report, acting_user, "只有管理者代表可以退回不合格报告")
    _lock(report)
    reason = (reason or "").strip()
    if report.status != NcrStatus.AWAITING_SIGNATURE:
        raise QualityError(f"报告当前状态为“{report.get_status_display()}”，不能退回", code="not_awaiting",
                           status=409)
    if len(reason) < MIN_FACT:
        raise QualityError("请填写退回原因（至少4个字）", field="reason", code="required")
    if len(reason) > MAX_TEXT:
        raise QualityError(f"内容过长（最多{MAX_TEXT}字）", field="reason", code="too_long")
    old = report.status
    report.status = NcrStatus.RETURNED
    report.return_reason = reason
    report.updated_at = now
    _save(report, ["status", "return_reason", "updated_at"],
          acting_user=acting_user, reason="退回补充")
    event = _record(report, NcrEventKind.RETURNED, acting_user=acting_user, now=now, old=old, message=reason[:200])
    _notify([report.raised_by], kind="ncr_returned", subject=f"不合格报告 {report.number} 被退回补充",
            body=reason[:200], report=report, now=now, dedupe=f"ncr-returned-{event.pk}")
    return report


# ---------------------------------------------------------------- verification of effectiveness


@transaction.atomic()
def verify_ncr(*, report: NonconformityReport, note: str, acting_user: User, now: dt.datetime,
               effective: bool = True) -> NonconformityReport:
    """效果验证: after handling, the corrective action is checked (``Cap.VERIFY_NCR``: 管理者代表,
    品质管理部). Needs a signed report whose correction and corrective action are filled in, and a
    ticket whose handling is finished. Effective → closed; not effective → stays signed (the
    department acts again) and the raiser is told."""
    _require(acting_user, Cap.VERIFY_NCR, report.project, "只有管理者代表或品质管理部可以验证纠正措施效果")
    _lock(report)
    note = (note or "").strip()
    if report.status != NcrStatus.SIGNED:
        raise QualityError(f"报告当前状态为“{report.get_status_display()}”，不能验证", code="not_signed", status=409)
    if _ticket_status(report) == TicketStatus.VOIDED:
        raise QualityError("工单已作废，不能验证纠正措施效果", code="ticket_voided", status=409)
    if len(note) < MIN_FACT:
        raise QualityError("请填写验证情况（至少4个字）", field="note", code="required")
    if len(note) > MAX_TEXT:
        raise QualityError(f"内容过长（最多{MAX_TEXT}字）", field="note", code="too_long")
    if effective:
        if not report.correction or not report.corrective_action:
            raise QualityError("请先由责任部门填写纠正和纠正措施，再验证效果", code="actions_missing", status=409)
        if report.ticket.status in {TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.HANDLING, TicketStatus.TRANSFERRED, TicketStatus.REOPENED}:
            raise QualityError("工单尚未处理完成，不能验证关闭", code="handling_not_done", status=409)
    old = report.status
    if effective:
        report.status = NcrStatus.CLOSED
        report.verified_by, report.verified_at, report.effectiveness_note = acting_user, now, note
        report.updated_at = now
        _save(report, ["status", "verified_by", "verified_at", "effectiveness_note", "updated_at"],
              acting_user=acting_user, reason="验证有效，关闭")
        _record(report, NcrEventKind.VERIFIED, acting_user=acting_user, now=now, old=old, message=note[:200])
    else:
        report.updated_at = now
        _save(report, ["updated_at"],
              acting_user=acting_user, reason="验证未通过")
        event = _record(report, NcrEventKind.NOT_EFFECTIVE, acting_user=acting_user, now=now, old=old,
                        message=note[:200])
        _notify([report.raised_by], kind="ncr_not_effective", subject=f"不合格报告 {report.number} 验证未通过",
                body=note[:200], report=report, now=now, dedupe=f"ncr-not-effective-{event.pk}")
    return report


@transaction.atomic()
def withdraw_ncr(*, report: NonconformityReport, reason: str, acting_user: User, now: dt.datetime
                 ) -> NonconformityReport:
    """撤回: the raising side withdraws an unsigned report (raised by mistake, or the matter turned out
    to be within the department's authority). Handling is no longer blocked."""
    _require_raising_side(acting_user, report, "无权撤回不合格报告", withdrawing=True)
    _lock(report)
    reason = (reason or "").strip()
    if report.status not in UNSIGNED_STATUSES:
        raise QualityError("只能撤回尚未签发的报告", code="not_unsigned", status=409)
    if len(reason) < MIN_FACT:
        raise QualityError("请填写撤回原因（至少4个字）", field="reason", code="required")
    old = report.status
    report.status = NcrStatus.WITHDRAWN
    report.updated_at = now
    _save(report, ["status", "updated_at"],
          acting_user=acting_user, reason="撤回")
    _record(report, NcrEventKind.WITHDRAWN, acting_user=acting_user, now=now, old=old, message=reason[:200])
    ticket_actions.release_handling(ticket=report.ticket, code=gate.CODE, acting_user=acting_user, now=now)
    return report


@transaction.atomic()
def withdraw_for_voided_ticket(*, ticket: Ticket, now: dt.datetime) -> list[NonconformityReport]:
    """A voided ticket takes its unsigned report with it: withdrawn by the system (no acting user), so
    it leaves the 管理者代表's 待签发 list and count. Signed reports stay (verification is refused on a
    voided ticket, see :func:`verify_ncr`). Run by the job ``quality.withdraw_for_voided_ticket`` (apps.quality.jobs), which reacts to
    ``tickets.status_changed`` when the new status is 作废."""
    done = []
    for report in (NonconformityReport.objects.select_for_update()
                   .filter(ticket_id=ticket.pk, status__in=UNSIGNED_STATUSES)):
        old = report.status
        report.status = NcrStatus.WITHDRAWN
        report.updated_at = now
        _save(report, ["status", "updated_at"], acting_user=None, reason="工单作废，自动撤回")  # type: ignore[arg-type]
        _record(report, NcrEventKind.WITHDRAWN, acting_user=None, now=now, old=old,
                message=f"工单 {ticket.number} 已作废，报告自动撤回")
        done.append(report)
    if done:
        ticket_actions.release_handling(ticket=ticket, code=gate.CODE, acting_user=None, now=now)
    return done
