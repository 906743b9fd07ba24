"""Every write of the inspections app (SPEC M18). Keyword-only, ``acting_user`` and ``now`` passed in,
:class:`InspectionError` (a :class:`~apps.core.errors.DomainError`) with a Chinese message, the field and
the HTTP status. Each action is one ``transaction.atomic()``: nothing half-written.

Reactions: a finding handed on calls ``apps.tickets`` / ``apps.quality`` actions in the same transaction
(a); a finding with a responsible employee publishes ``staff.performance_event`` (b, durable job) for the
staff-assessment module; an out-of-range pool reading tells the project's managers at once (a).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from apps.core import files, jobs
from apps.core.errors import DomainError
from apps.inspections import access, queries
from apps.inspections.models import (
    CheckKind,
    CheckTemplate,
    DailyLevel,
    EmergencyPlan,
    Evaluation,
    EvaluationKind,
    Exemption,
    Finding,
    FindingCause,
    FindingStatus,
    Inspection,
    InspectionPhoto,
    InspectionRound,
    InspectionStatus,
    PoolLimits,
    PoolReading,
    RoundStatus,
    WarningKind,
    WarningNight,
)
from apps.notify.actions import notify_staff
from apps.org.access import can_see_project, has_cap
from apps.org.models import Department, Project, User
from apps.org.roles import Cap
from apps.quality import actions as quality_actions
from apps.quality.models import NonconformityReport
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind, Source
from apps.tickets.models import Ticket

MAX_FINDINGS = 30
MAX_SIGNATURE_BYTES = 512 * 1024
NIGHT_STARTS, NIGHT_ENDS = 18, 6  # a night post check is made between 18:00 and 06:00 the next morning


class InspectionError(DomainError):
    """A refused inspections action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> InspectionError:
    return InspectionError(message, field=field, code=code)


def _require(user: User, project: Project, *, manage: bool = False) -> None:
    if not can_see_project(user, project):
        raise InspectionError("项目不存在", field="project", code="not_found", status=404)
    ok = access.can_manage(user, project) if manage else access.can_record(user, project)
    if not ok:
        message = "只有管理处经理或品质管理部可以进行此操作" if manage else "没有记录检查的权限"
        raise InspectionError(message, code="forbidden", status=403)


def decode_signature(data: str | bytes | None, field: str, who: str) -> bytes:
    """A PNG drawn on the screen (signature_pad's data URL, as the repairs app takes it); blank refused."""
    if not data:
        raise _refuse(f"请{who}在屏幕上签名", field, code="signature_required")
    raw: bytes
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("data:"):
            header, _, text = text.partition(",")
            if "image/png" not in header:
                raise _refuse("签名须为 PNG 图片", field)
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _refuse("签名数据不正确", field) from None
    else:
        raw = data
    if len(raw) > MAX_SIGNATURE_BYTES or not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _refuse("签名须为 PNG 图片", field)
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
        alpha = img.getchannel("A") if "A" in img.getbands() else img.convert("L").point(lambda p: 255 - p)
        blank = alpha.getbbox() is None
    except Exception:  # noqa: BLE001 - any decoding problem is bad input
        raise _refuse("签名图片无法识别", field) from None
    if blank:
        raise _refuse(f"请{who}在屏幕上签名", field, code="signature_required")
    return raw


def night_of(moment: dt.datetime, project: Project) -> dt.date:
    """The night a night post check belongs to (18:00 → 06:00 the next morning, project time)."""
    local = moment.astimezone(project.tz)
    if local.hour >= NIGHT_STARTS:
        return local.date()
    if local.hour < NIGHT_ENDS:
        return local.date() - dt.timedelta(days=1)
    raise _refuse("夜间查岗须在18:00至次日06:00之间", "inspected_at", code="not_night")


# R-M18-06: a patrol's findings are assigned to a person; R-M18-13: the electrician records how each
# problem was handled.
NEEDS_RESPONSIBLE = {CheckKind.PATROL, CheckKind.EQUIPMENT_ROOM}
NEEDS_HANDLING = {CheckKind.ELECTRICIAN}


def _clean_finding(raw: Mapping[str, Any], project: Project, i: int, kind: str = "") -> dict[str, Any]:
    f = f"findings.{i}"
    description = (raw.get("description") or "").strip()
    if not description:
        raise _refuse(f"请填写第{i + 1}条不合格的描述", f"{f}.description")
    cause = raw.get("cause") or FindingCause.OTHER
    if cause not in FindingCause.values:
        raise _refuse("不合格原因不正确", f"{f}.cause")
    exemption = raw.get("exemption") or ""
    if exemption not in Exemption.values:
        raise _refuse("免记录情形不正确", f"{f}.exemption")
    if cause == FindingCause.STAFF and exemption:
        raise _refuse("员工失职造成的不合格必须记录，不能按“半小时内关闭”或“客观反复出现”免记", f"{f}.exemption",
                      code="staff_not_exempt")
    responsible = raw.get("responsible")
    if responsible is not None and (not responsible.is_active or not can_see_project(responsible, project)):
        raise _refuse("责任人不是本项目员工", f"{f}.responsible")
    if cause == FindingCause.STAFF and responsible is None:
        raise _refuse("员工失职须填写责任人", f"{f}.responsible")
    if kind in NEEDS_RESPONSIBLE and responsible is None:
        raise _refuse("巡查发现的问题须落实到责任人", f"{f}.responsible", code="responsible_required")
    if exemption == Exemption.HANDLING_PLAN and kind != CheckKind.PROPERTY_STATE:
        raise _refuse("“已有处理方案的物业缺陷”只用于物业状态评估", f"{f}.exemption")
    if kind in NEEDS_HANDLING and not (raw.get("closure_note") or "").strip():
        raise _refuse(f"请如实填写第{i + 1}个问题的处理情况", f"{f}.closure_note", code="handling_required")
    department = raw.get("department")
    if department is not None and department.project_id not in (None, project.pk):
        raise _refuse("责任部门不属于该项目", f"{f}.department")
    if department is not None and department.company_id != project.company_id:
        raise _refuse("责任部门不属于该项目", f"{f}.department")
    handed_up = cause == FindingCause.COMPANY and bool(raw.get("handed_up"))
    if handed_up and raw.get("closed"):
        # R-M18-09: handed up to the company, the 管理处 still verifies the fix before it is closed
        raise _refuse("已用故障转呈单转呈公司的问题，须由管理处验证解决后再关闭", f"{f}.closed", code="verify_first")
    closed = bool(raw.get("closed")) or (bool(exemption) and exemption != Exemption.HANDLING_PLAN)
    return {"description": description, "cause": cause, "exemption": exemption, "responsible": responsible,
            "department": department, "specialty": (raw.get("specialty") or "")[:20],
            "closure_note": (raw.get("closure_note") or "").strip()[:300], "item": raw.get("item"),
            "status": FindingStatus.CLOSED if closed else FindingStatus.OPEN,
            "handed_up": handed_up}


@transaction.atomic
def record_inspection(*, project: Project, kind: str, inspected_at: dt.datetime | None, scope: str,
                      acting_user: User, now: dt.datetime, level: str = "", template: CheckTemplate | None = None,
                      summary: str = "", all_normal: bool = False, findings: Sequence[Mapping[str, Any]] = (),
                      photos: Sequence[Any] = (), inspector_signature: str | bytes | None = None,
                      checked_person: str = "", checked_signature: str | bytes | None = None,
                      complete: bool = True, round: InspectionRound | None = None) -> Inspection:  # noqa: A002
    """记录检查 (R-M18-01 … R-M18-18) on a phone: photos, signatures, one nonconformity a line.

    - daily checks name their level (R-M18-02); the 仓库月检 records the result whether or not all is
      normal (R-M18-05);
    - R-M18-03: each line has its cause; an exemption (closed within 30 min / objective and recurring)
      only when the cause is not staff failure; staff failure names the responsible employee;
    - R-M18-04 / AS-38: a night post check is made between 18:00 and 06:00, names the post and cannot
      be complete without the signatures of the checker and of the person checked;
    - each line with a responsible employee publishes ``staff.performance_event`` (R-M14-05)."""
    _require(acting_user, project)
    if kind not in CheckKind.values:
        raise _refuse("请选择检查类别", "kind")
    if template is not None:
        if (not template.active or template.company_id not in (None, project.company_id)
                or template.project_id not in (None, project.pk)):
            raise _refuse("检查表不可用", "template")
        if template.kind != kind:
            raise _refuse("检查表与检查类别不一致", "template")
        level = level or template.level
    if kind == CheckKind.DAILY:
        if level not in DailyLevel.values:
            raise _refuse("日检须选择检查层次（管理处主任、专业主管、操作层）", "level")
    elif level:
        raise _refuse("只有日检有检查层次", "level")
    if inspected_at is None or inspected_at.tzinfo is None:
        raise _refuse("请填写检查时间", "inspected_at")
    if inspected_at > now + dt.timedelta(minutes=5):
        raise _refuse("检查时间不能晚于当前时间", "inspected_at")
    scope = (scope or "").strip()
    if not scope:
        raise _refuse("请填写检查范围或岗位", "scope")
    if len(findings) > MAX_FINDINGS:
        raise _refuse(f"一次检查最多记录{MAX_FINDINGS}条不合格", "findings")
    cleaned = [_clean_finding(raw, project, i, kind) for i, raw in enumerate(findings)]
    if kind == CheckKind.WAREHOUSE and not all_normal and not cleaned:
        raise _refuse("仓库月检无论是否正常都须记录：请勾选“全部正常”或填写不合格", "all_normal")
    if all_normal and cleaned:
        raise _refuse("已填写不合格，不能同时勾选“全部正常”", "all_normal")
    night = night_of(inspected_at, project) if kind == CheckKind.NIGHT_POST else None
    needs_checked = kind == CheckKind.NIGHT_POST or (template is not None and template.requires_checked_signature)
    checked_person = (checked_person or "").strip()
    inspector_png = checked_png = None
    if complete:
        if needs_checked:
            if not checked_person:
                raise _refuse("请填写被检查人", "checked_person")
            checked_png = decode_signature(checked_signature, "checked_signature", "被检查人")
            inspector_png = decode_signature(inspector_signature, "inspector_signature", "检查人")
        elif inspector_signature:
            inspector_png = decode_signature(inspector_signature, "inspector_signature", "检查人")
    else:
        if inspector_signature:
            inspector_png = decode_signature(inspector_signature, "inspector_signature", "检查人")
        if checked_signature:
            checked_png = decode_signature(checked_signature, "checked_signature", "被检查人")
    files.check_count(photos, field="photos")
    for photo in photos:
        files.check_upload(photo, allowed=files.IMAGES, field="photos")
    if round is not None:
        round = InspectionRound.objects.select_for_update().get(pk=round.pk)
        if round.project_id != project.pk or round.status != RoundStatus.SCHEDULED:
            raise _refuse("该检查安排不可用", "round")
    insp = Inspection(project=project, template=template, round=round, kind=kind, level=level,
                      inspected_at=inspected_at, night_of=night, inspector=acting_user, scope=scope[:200],
                      summary=(summary or "").strip(), all_normal=all_normal, checked_person=checked_person[:50],
                      status=InspectionStatus.COMPLETE if complete else InspectionStatus.DRAFT,
                      completed_at=now if complete else None, recorded_at=now)
    if inspector_png:
        insp.inspector_signature.save("signature.png", ContentFile(inspector_png), save=False)
    if checked_png:
        insp.checked_signature.save("signature.png", ContentFile(checked_png), save=False)
    insp._change_reason = "记录检查"  # type: ignore[attr-defined]
    insp._history_user = acting_user  # type: ignore[attr-defined]
    insp.save()
    for photo in photos:
        InspectionPhoto.objects.create(inspection=insp, file=photo, uploaded_at=now)
    for data in cleaned:
        finding = Finding.objects.create(inspection=insp, created_at=now, **data)
        if finding.responsible_id is not None:
            _performance_event(finding, insp)
    if round is not None and complete:
        round.status = RoundStatus.DONE
        round.save(update_fields=["status"])
    return insp


# The quality department's building checks count as company inspections on an assessment sheet.
COMPANY_CHECKS = {CheckKind.MONTHLY, CheckKind.QUARTERLY, CheckKind.ANNUAL}


def _performance_event(finding: Finding, insp: Inspection) -> None:
    """R-M14-05: a nonconformity with a responsible employee feeds the staff assessment (durable job;
    the assessment module reacts without importing this app). The payload uses the assessment module's
    documented kinds (``inspection``; before issue 23 it sent ``nonconformity``, which failed the job)."""
    jobs.publish("staff.performance_event", key=f"inspection-finding:{finding.pk}",
                 employee_id=finding.responsible_id, project_id=insp.project_id,
                 occurred_at=insp.inspected_at.isoformat(), kind="inspection",
                 source="company_inspection" if insp.kind in COMPANY_CHECKS else "daily_inspection",
                 summary=f"{insp.get_kind_display()}：{finding.description[:200]}",
                 url=f"/inspections/{insp.pk}/")


@transaction.atomic
def complete_inspection(*, inspection: Inspection, acting_user: User, now: dt.datetime,
                        inspector_signature: str | bytes | None = None, checked_person: str = "",
                        checked_signature: str | bytes | None = None) -> Inspection:
    """Complete a draft (a night post check gets its two signatures here, AS-38)."""
    _require(acting_user, inspection.project)
    insp = Inspection.objects.select_for_update(of=("self",)).select_related("project", "template").get(pk=inspection.pk)
    if insp.status == InspectionStatus.COMPLETE:
        raise InspectionError("该检查已完成", code="already_complete", status=409)
    needs_checked = insp.kind == CheckKind.NIGHT_POST or (insp.template is not None
                                                          and insp.template.requires_checked_signature)
    person = (checked_person or insp.checked_person).strip()
    fields = ["status", "completed_at", "checked_person"]
    if needs_checked:
        if not person:
            raise _refuse("请填写被检查人", "checked_person")
        if checked_signature or not insp.checked_signature:
            png = decode_signature(checked_signature, "checked_signature", "被检查人")
            insp.checked_signature.save("signature.png", ContentFile(png), save=False)
            fields.append("checked_signature")
    if inspector_signature or (needs_checked and not insp.inspector_signature):
        png = decode_signature(inspector_signature, "inspector_signature", "检查人")
        insp.inspector_signature.save("signature.png", ContentFile(png), save=False)
        fields.append("inspector_signature")
    insp.status, insp.completed_at, insp.checked_person = InspectionStatus.COMPLETE, now, person[:50]
    insp._change_reason = "完成检查"  # type: ignore[attr-defined]
    insp._history_user = acting_user  # type: ignore[attr-defined]
    insp.save(update_fields=fields)
    if insp.round_id is not None:
        InspectionRound.objects.filter(pk=insp.round_id, status=RoundStatus.SCHEDULED).update(status=RoundStatus.DONE)
    return insp


def _lock_finding(finding: Finding, acting_user: User) -> Finding:
    fresh = Finding.objects.select_for_update(of=("self",)).select_related("inspection__project", "inspection__inspector",
                                                               "department").get(pk=finding.pk)
    if not can_see_project(acting_user, fresh.inspection.project):
        raise InspectionError("不合格项不存在", code="not_found", status=404)
    if fresh.ticket_id is not None or fresh.ncr_id is not None:
        raise InspectionError("该不合格项已转出", code="already_handed_on", status=409)
    return fresh


@transaction.atomic
def finding_to_ticket(*, finding: Finding, acting_user: User, now: dt.datetime, kind: str = Kind.REPAIR,
                      department: Department | None = None) -> Ticket:
    """不合格项转内部工单: received in the tickets pipeline as a written internal report by the inspector
    (channel 信函: a written record, no oral feedback time), linked to the line."""
    finding = _lock_finding(finding, acting_user)
    _require(acting_user, finding.inspection.project)
    if kind not in (Kind.REPAIR, Kind.NEED, Kind.SUGGESTION):
        raise _refuse("工单类型只能是报修、需求或建议", "kind")
    insp = finding.inspection
    source = Source.COMPANY if has_cap(insp.inspector, Cap.VIEW_REPORTS, None) and insp.kind in (
        CheckKind.MONTHLY, CheckKind.QUARTERLY) else Source.PROJECT
    ticket = ticket_actions.receive_ticket(
        project=insp.project, kind=kind, channel=Channel.LETTER, source=source, acting_user=acting_user, now=now,
        content=f"内部检查发现（{insp.get_kind_display()} {insp.inspected_at.astimezone(insp.project.tz):%Y-%m-%d}"
                f"，{insp.scope}）：{finding.description}",
        complainant_surname=str(insp.inspector)[:20], phone=getattr(insp.inspector, "phone", "") or "",
        department=department or finding.department, received_at=min(insp.inspected_at, now))
    finding.ticket = ticket
    finding.save(update_fields=["ticket"])
    return ticket


@transaction.atomic
def finding_to_ncr(*, finding: Finding, acting_user: User, now: dt.datetime, beyond_authority_reason: str,
                   department: Department | None = None) -> NonconformityReport:
    """不合格项转《不合格/纠正、预防措施报告》: the line is received as an internal ticket and the NCR is
    raised on it (``apps.quality.actions.raise_ncr``: ``Cap.RAISE_NCR``), in one transaction."""
    if not has_cap(acting_user, Cap.RAISE_NCR, finding.inspection.project):
        raise InspectionError("只有部门经理以上或品质管理部可以提出不合格报告", code="forbidden", status=403)
    ticket = finding_to_ticket(finding=finding, acting_user=acting_user, now=now, kind=Kind.NEED,
                               department=department)
    report = quality_actions.raise_ncr(ticket=ticket, acting_user=acting_user, now=now,
                                       nonconformity=finding.description,
                                       beyond_authority_reason=beyond_authority_reason,
                                       department=department or finding.department)
    Finding.objects.filter(pk=finding.pk).update(ncr=report)
    return report


@transaction.atomic
def close_finding(*, finding: Finding, note: str, acting_user: User, now: dt.datetime) -> Finding:
    """Record how a tracked line was closed (R-M18-03); at the next building check the fix is verified
    (R-M18-07)."""
    fresh = Finding.objects.select_for_update(of=("self",)).select_related("inspection__project").get(pk=finding.pk)
    _require(acting_user, fresh.inspection.project)
    if fresh.status == FindingStatus.CLOSED:
        raise InspectionError("该不合格项已关闭", code="closed", status=409)
    note = (note or "").strip()
    if len(note) < 2:
        raise _refuse("请填写关闭情况", "note")
    fresh.status, fresh.closure_note = FindingStatus.CLOSED, note[:300]
    fresh.save(update_fields=["status", "closure_note"])
    return fresh


# ---------------------------------------------------------------- night post checks (R-M18-04)


@transaction.atomic
def enter_warning_night(*, project: Project, night: dt.date, kind: str, acting_user: User,
                        now: dt.datetime) -> WarningNight:
    """登记台风/暴雨预警: that night needs a night post check (AS-38)."""
    _require(acting_user, project)
    if kind not in WarningKind.values:
        raise _refuse("请选择预警类型", "kind")
    if night is None:
        raise _refuse("请填写日期", "night_of")
    if WarningNight.objects.filter(project=project, night_of=night, kind=kind).exists():
        raise InspectionError("该日已登记此预警", field="night_of", code="exists", status=409)
    return WarningNight.objects.create(project=project, night_of=night, kind=kind, entered_by=acting_user,
                                       entered_at=now)


# ---------------------------------------------------------------- rounds


@transaction.atomic
def schedule_round(*, project: Project, template: CheckTemplate, due_on: dt.date, assignee: User,
                   acting_user: User, now: dt.datetime) -> InspectionRound:
    """安排检查: a template, a due date, the person responsible (reminded before and at the due date)."""
    _require(acting_user, project, manage=True)
    if template is None or not template.active or template.company_id not in (None, project.company_id):
        raise _refuse("检查表不可用", "template")
    if due_on is None or due_on < now.astimezone(project.tz).date():
        raise _refuse("到期日期不能早于今天", "due_on")
    if assignee is None or not assignee.is_active or not access.can_record(assignee, project):
        raise _refuse("负责人须为本项目可以记录检查的员工", "assignee")
    return InspectionRound.objects.create(project=project, template=template, due_on=due_on, assignee=assignee,
                                          scheduled_by=acting_user, scheduled_at=now)


# ---------------------------------------------------------------- pool log (R-M18-16)

# Physically possible values; a reading outside them is a typing error and refused.
POSSIBLE = {"ph": (Decimal(0), Decimal(14)), "br": (Decimal(0), Decimal(100)),
            "footbath_cl": (Decimal(0), Decimal(1000)), "kids_cl": (Decimal(0), Decimal(100))}
LABELS = {"ph": "pH", "br": "BR", "footbath_cl": "浸脚池余氯", "kids_cl": "儿童池新水余氯"}


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _refuse(f"{LABELS[field]}须为数字", field) from None
    low, high = POSSIBLE[field]
    if not d.is_finite() or not low <= d <= high:
        raise _refuse(f"{LABELS[field]}数值不可能（应在{low}–{high}之间），请核对", field, code="impossible")
    return d


@transaction.atomic
def record_pool_reading(*, project: Project, taken_at: dt.datetime | None, acting_user: User, now: dt.datetime,
                        ph: Any = None, br: Any = None, footbath_cl: Any = None, kids_cl: Any = None,
                        filter_cleaned: bool = False, footbath_changed: bool = False,
                        fresh_water_added: bool = False, note: str = "") -> PoolReading:
    """泳池卫生记录 (R-M18-16): impossible values refused; values outside the limits flagged at once and
    the project's managers told."""
    _require(acting_user, project)
    if taken_at is None or taken_at.tzinfo is None:
        raise _refuse("请填写记录时间", "taken_at")
    if taken_at > now + dt.timedelta(minutes=5):
        raise _refuse("记录时间不能晚于当前时间", "taken_at")
    values = {"ph": _decimal(ph, "ph"), "br": _decimal(br, "br"), "footbath_cl": _decimal(footbath_cl, "footbath_cl"),
              "kids_cl": _decimal(kids_cl, "kids_cl")}
    if all(v is None for v in values.values()) and not (filter_cleaned or footbath_changed or fresh_water_added):
        raise _refuse("请至少填写一项读数或操作", "ph")
    limits = queries.pool_limits(project)
    flags = queries.pool_flags(values, limits)
    reading = PoolReading.objects.create(project=project, taken_at=taken_at, recorded_by=acting_user,
                                         filter_cleaned=filter_cleaned, footbath_changed=footbath_changed,
                                         fresh_water_added=fresh_water_added, note=(note or "").strip()[:200],
                                         flagged=bool(flags), flags="；".join(flags)[:300], **values)
    if flags:
        managers = queries.project_managers(project)
        if managers:
            notify_staff(managers, kind="pool_out_of_range", subject=f"泳池水质超限：{project.name}",
                         body="；".join(flags), link=f"/inspections/pool/?project={project.pk}", project=project,
                         dedupe_key=f"pool-reading:{reading.pk}", now=now, urgent=True)
    return reading


@transaction.atomic
def save_pool_limits(*, project: Project, acting_user: User, now: dt.datetime, **values: Any) -> PoolLimits:
    """泳池水质限值 of one project (R-M18-16), set by the 管理处经理 or 品质管理部: a low limit above its
    high one, a negative or an impossible limit (pH above 14) is refused; later readings are flagged
    against the new limits."""
    _require(acting_user, project, manage=True)
    unknown = set(values) - POOL_LIMIT_FIELDS
    if unknown:
        raise _refuse("未知的限值项目", sorted(unknown)[0])
    for key in POOL_LIMIT_FIELDS - {"ph_min", "ph_max", "br_min", "br_max"}:
        if key in values and values[key] is None:
            raise _refuse("请填写此限值", key)
    for key in ("ph_min", "ph_max"):
        v = values.get(key)
        if v is not None and v > 14:
            raise _refuse("pH 限值数值不可能（应在0–14之间）", key, code="impossible")
    for key in ("footbath_change_hours", "filter_cleanings_per_day"):
        v = values.get(key)
        if v is not None and not (0 if key == "filter_cleanings_per_day" else 1) <= v <= 24:
            raise _refuse("次数或间隔应在1–24之间" if key == "footbath_change_hours" else "次数应在0–24之间", key)
    row = (PoolLimits.objects.select_for_update().filter(project=project).first()
           or PoolLimits(company_id=project.company_id, project=project))
    for low, high, label in (("footbath_cl_min", "footbath_cl_max", "浸脚池余氯"), ("kids_cl_min", "kids_cl_max", "儿童池余氯"),
                             ("ph_min", "ph_max", "pH"), ("br_min", "br_max", "BR")):
        a, b = values.get(low), values.get(high)
        if a is not None and b is not None and a > b:
            raise _refuse(f"{label}下限不能高于上限", low)
        if (a is not None and a < 0) or (b is not None and b < 0):
            raise _refuse(f"{label}限值不能为负数", low)
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    return row


POOL_LIMIT_FIELDS = {"footbath_cl_min", "footbath_cl_max", "kids_cl_min", "kids_cl_max", "ph_min", "ph_max", "br_min",
                     "br_max", "footbath_change_hours", "filter_cleanings_per_day"}


def _clean(value: str | None, label: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise _refuse(f"请填写{label}", field)
    if len(text) > limit:
        raise _refuse(f"{label}不能超过{limit}字", field)
    return text


@transaction.atomic
def record_evaluation(*, project: Project, kind: str, held_on: dt.date | None, body: str, result: str,
                      acting_user: User, now: dt.datetime, attachment: Any = None) -> Evaluation:
    """年度与外部评价 (R-M18-11): ISO internal audit, management review, specialist ratings, customer,
    government and certification-body evaluations with their result and proof (certificate, report).
    Recorded by the 管理处经理 or 品质管理部; a date in the future or an attachment that is not a
    document or image is refused."""
    _require(acting_user, project, manage=True)
    if kind not in EvaluationKind.values:
        raise _refuse("请选择评价类别", "kind")
    if held_on is None:
        raise _refuse("请填写日期", "held_on")
    if held_on > clock_today(project, now):
        raise _refuse("评价日期不能晚于今天", "held_on")
    body_text = _clean(body, "评价机构", "body", 100)
    result_text = _clean(result, "结果", "result", 4000)
    if attachment is not None:
        files.check_upload(attachment, field="attachment")
    return Evaluation.objects.create(company_id=project.company_id, project=project, kind=kind, held_on=held_on,
                                     body=body_text, result=result_text, attachment=attachment or "")


@transaction.atomic
def issue_emergency_plan(*, project: Project, emergency: str, version: str, issued_on: dt.date | None,
                         organisation: str, acting_user: User, now: dt.datetime) -> EmergencyPlan:
    """应急预案 (R-M18-15): one plan per type of emergency, each naming the organisation, the people and
    the concrete measures; a new version supersedes the last one. The same version twice is refused."""
    _require(acting_user, project, manage=True)
    kind = _clean(emergency, "突发事件类型", "emergency", 50)
    ver = _clean(version, "版本", "version", 20)
    if issued_on is None:
        raise _refuse("请填写发布日期", "issued_on")
    if issued_on > clock_today(project, now):
        raise _refuse("发布日期不能晚于今天", "issued_on")
    text = _clean(organisation, "组织、人员与措施", "organisation", 8000)
    if len(text) < 10:
        raise _refuse("请写明组织、人员与具体措施，以便事发时立即启动", "organisation")
    if EmergencyPlan.objects.select_for_update().filter(project=project, emergency=kind, version=ver).exists():
        raise InspectionError(f"{kind}应急预案 {ver} 版已存在，请使用新的版本号", field="version", code="conflict",
                              status=409)
    return EmergencyPlan.objects.create(project=project, emergency=kind, version=ver, issued_on=issued_on,
                                        organisation=text)


def clock_today(project: Project, now: dt.datetime) -> dt.date:
    return now.astimezone(project.tz).date()

