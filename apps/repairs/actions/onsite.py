"""On site (R-M8-03…R-M8-14): arrival, diagnosis and charge, the owner's consent, start of work,
materials, photos, completion with labour hours and the site checklist, the next visit agreed with
the owner, and the owner's acceptance signature or refusal."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import logging
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from apps.core.files import IMAGES, FileRefused, check_upload
from apps.org.models import User
from apps.repairs.access import may_approve_wiring, require_work
from apps.repairs.actions._common import lock, save_order, ticket_step
from apps.repairs.errors import RepairError, refuse
from apps.repairs.models import (
    SITE_CHECKLIST,
    ChargeConsent,
    ChargeLine,
    ConsentAnswer,
    ConsentKind,
    LeaderConsent,
    MaterialUse,
    NextVisit,
    PhotoPhase,
    PriceItem,
    PriceItemKind,
    RepairOrder,
    RepairPhoto,
)
from apps.repairs.queries import (
    CENT,
    CHECKLIST_KEYS,
    REQUIRED_AT_COMPLETION,
    checklist_unmet,
    compute_charge,
    consent_valid,
    latest_consent,
    leaders,
    parse_quantity,
    resolve_price_items,
    same_local_day,
)
from apps.tickets import actions as ta
from apps.tickets.choices import TicketStatus as S

log = logging.getLogger(__name__)
MAX_SIGNATURE_BYTES = 512 * 1024


@transaction.atomic
def record_arrival(*, order: RepairOrder, acting_user: User, now: dt.datetime,
                   arrived_at: dt.datetime | None = None) -> RepairOrder:
    """到场 (R-M8-03): the arrival time meets the ``arrive`` deadline (in time or late)."""
    require_work(acting_user, order)
    at = arrived_at or now
    if at < order.ticket.received_at:
        raise refuse("到场时间不能早于报修时间", field="arrived_at")
    if order.arrived_at is not None:
        raise refuse("已登记到场", code="already_arrived", status=409)
    ticket_step(ta.record_handling, ticket=order.ticket, arrived_at=at, investigation="", acting_user=acting_user,
                now=now)
    lock(order)
    order.arrived_at = at
    order.worker = order.worker or acting_user
    save_order(order, ["arrived_at", "worker"], acting_user=acting_user, reason="到场")
    return order


@transaction.atomic
def diagnose(*, order: RepairOrder, diagnosis: str, chargeable: bool, acting_user: User, now: dt.datetime,
             items: Sequence[tuple[Any, Any]] = ()) -> RepairOrder:
    """故障诊断与是否收费 (R-M8-08 b, R-M8-15): a chargeable repair lists the price-list items and
    quantities; the charge is computed from the list. Only before work starts; changing the charge
    voids an earlier consent (the owner must agree to the new amount)."""
    require_work(acting_user, order)
    if not diagnosis.strip():
        raise refuse("请填写故障诊断", field="diagnosis")
    if order.work_started_at is not None:
        raise refuse("已开工，不能再修改诊断和收费", code="work_started", status=409)
    lines: list[dict[str, Any]] = []
    if chargeable:
        if not items:
            raise refuse("收费维修须选择收费项目", field="items")
        lines, _total = compute_charge(resolve_price_items(order, items, now))
    ticket_step(ta.record_handling, ticket=order.ticket, investigation=f"诊断：{diagnosis.strip()}",
                acting_user=acting_user, now=now)
    lock(order)
    old = [(line.item_id, line.quantity) for line in order.charge_lines.all()]
    new = [(line["item"].pk, line["quantity"]) for line in lines]
    order.charge_lines.all().delete()
    ChargeLine.objects.bulk_create([ChargeLine(order=order, **line) for line in lines])
    order.diagnosis = diagnosis.strip()
    order.chargeable = bool(chargeable)
    order.worker = order.worker or acting_user
    save_order(order, ["diagnosis", "chargeable", "worker"], acting_user=acting_user,
               reason="诊断（收费）" if chargeable else "诊断（不收费）")
    if old != new and order.consents.exists():
        log.info("charge of %s changed: earlier consent no longer applies", order.ticket.number)
    return order


@transaction.atomic
def record_consent(*, order: RepairOrder, agreed: bool, owner_name: str, explanation: str, acting_user: User,
                   now: dt.datetime, reported_to: User | None = None) -> ChargeConsent:
    """业主确认收费 (R-M8-08 b): the reason and price were explained; the owner agrees or not.
    Records who, when and the amount (= the computed charge). An agreed charge names the person in
    charge the technician reported it to (a leader of the project: 工程部/部门负责人, 客服主管/经理,
    管理处经理)."""
    require_work(acting_user, order)
    lock(order)
    if order.chargeable is not True:
        raise refuse("该工单不收费，无需确认", code="not_chargeable", status=409)
    if order.work_started_at is not None:
        raise refuse("收费须在开工前向业主说明并经同意", code="work_started", status=409)
    if not owner_name.strip():
        raise refuse("请填写确认的业主/住户姓名", field="owner_name")
    if not explanation.strip():
        raise refuse("请填写向业主说明的收费原因", field="explanation")
    if agreed and reported_to is None:
        raise refuse("收费项目须报告负责人，请选择已报告的负责人", field="reported_to")
    if reported_to is not None and reported_to.pk not in {u.pk for u in leaders(order.ticket.project)}:
        raise refuse("负责人不属于该项目", field="reported_to")
    return ChargeConsent.objects.create(
        order=order, answer=ConsentAnswer.AGREED if agreed else ConsentAnswer.DECLINED, amount=order.quote_total,
        explanation=explanation.strip(), owner_name=owner_name.strip(), at=now, recorded_by=acting_user,
        reported_to=reported_to)


@transaction.atomic
def start_work(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> RepairOrder:
    """开工 (R-M8-08 b): refused on a chargeable order until the owner agreed to the current charge;
    refused before arrival and before the diagnosis decided whether a charge applies."""
    require_work(acting_user, order)
    lock(order)
    if order.ticket.status not in {S.HANDLING, S.DISPATCHED}:
        raise refuse("工单不在处理中，不能开工", code="invalid_transition", status=409)
    if order.arrived_at is None:
        raise refuse("请先登记到场", code="not_arrived", status=409)
    if order.work_started_at is not None:
        raise refuse("已开工", code="already_started", status=409)
    if order.chargeable is None:
        raise refuse("请先诊断并确定是否收费", code="diagnosis_required", status=409)
    if order.chargeable:
        consent = latest_consent(order)
        if consent is not None and consent.answer == ConsentAnswer.DECLINED and consent.amount == order.quote_total:
            raise refuse("业主不同意收费，不能开工", code="consent_declined", status=409)
        if not consent_valid(order):
            raise refuse("收费项目须先向业主说明价格并经业主同意后才能开工", code="consent_required",
                         status=409)
    order.work_started_at = now
    order.worker = order.worker or acting_user
    save_order(order, ["work_started_at", "worker"], acting_user=acting_user, reason="开工")
    return order


@transaction.atomic
def add_material(*, order: RepairOrder, item: PriceItem | int | None = None, quantity: Any, acting_user: User,
                 now: dt.datetime, name: str = "", unit: str = "") -> MaterialUse:
    """材料登记 (R-M8-09, R-M8-12): every material used is logged with its quantity — a material of
    the project's published list (``item``) or any other (common, spare or consumable stock such as
    tubes, bulbs, tape) by ``name`` and ``unit``. Only after work started and before completion."""
    require_work(acting_user, order)
    name, unit = (name or "").strip(), (unit or "").strip()
    if item is None or item == "":
        if not name:
            raise refuse("请选择价目表中的材料或填写材料名称", field="name")
        if len(name) > 100:
            raise refuse("材料名称最多100个字", field="name")
        if not unit:
            raise refuse("请填写单位", field="unit")
        if len(unit) > 20:
            raise refuse("单位最多20个字", field="unit")
    elif name:
        raise refuse("价目表中的材料不需要再填写名称", field="name")
    qty = parse_quantity(quantity)
    lock(order)
    if order.work_started_at is None:
        raise refuse("开工后才能登记材料", code="not_started", status=409)
    if order.completed_at is not None:
        raise refuse("已完工，不能再登记材料", code="completed", status=409)
    if item is None or item == "":
        return MaterialUse.objects.create(order=order, item=None, name=name, unit=unit, quantity=qty,
                                          recorded_by=acting_user, recorded_at=now)
    ((resolved, _qty),) = resolve_price_items(order, [(item, qty)], now, kind=PriceItemKind.MATERIAL)
    return MaterialUse.objects.create(order=order, item=resolved, name=resolved.name, unit=resolved.unit,
                                      quantity=qty, recorded_by=acting_user, recorded_at=now)


@transaction.atomic
def add_photo(*, order: RepairOrder, phase: str, file: Any, acting_user: User, now: dt.datetime) -> RepairPhoto:
    """维修前/后照片: a JPEG, PNG, WebP or GIF image by its content, at most ``LINLI_UPLOAD_MAX_BYTES``,
    stored privately under a UUID name (issue 14 item 3)."""
    require_work(acting_user, order)
    if phase not in PhotoPhase.values:
        raise refuse("照片阶段不正确", field="phase")
    try:
        check_upload(file, allowed=IMAGES, field="file")
    except FileRefused as exc:
        raise refuse(exc.message, field="file", code=exc.code) from None
    lock(order)
    photo = RepairPhoto(order=order, phase=phase, uploaded_by=acting_user, uploaded_at=now)
    photo.file.save(file.name, file, save=False)
    photo.save()
    return photo


def _labour(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise refuse("工时格式不正确", field="labour_hours") from None
    if hours <= 0 or hours > 1000:
        raise refuse("工时须大于 0", field="labour_hours")
    return hours


def _checklist(order: RepairOrder, items: Mapping[str, Any] | None) -> dict[str, bool]:
    merged = dict(order.checklist or {})
    for key, value in (items or {}).items():
        if key not in CHECKLIST_KEYS:
            raise refuse(f"未知的检查项：{key}", field="checklist")
        merged[key] = bool(value)
    return merged


@transaction.atomic
def complete_repair(*, order: RepairOrder, result: str, labour_hours: Any, acting_user: User, now: dt.datetime,
                    late_explanation: str = "", checklist: Mapping[str, Any] | None = None,
                    wiring_changed: bool = False, wiring_approved_by: User | None = None,
                    checklist_note: str = "") -> RepairOrder:
    """完工 (R-M8-04…R-M8-06, R-M8-09): result and labour hours; meets the ``complete`` deadline
    through the pipeline (ticket → 已处理). A repair finished after the day it was reported needs
    the explanation given to the owner (R-M8-05) — written here or as an agreed next visit (rework
    after a return visit is not held to the day of the report).

    The site checklist (SITE_CHECKLIST, R-M8-14, R-M8-08 f) is stored; the site cleaned and the tools
    counted are required (R-M8-11, R-M8-12); any other item not done needs ``checklist_note``, the
    worker's explanation, and stays flagged on the order. Changing the original wiring or decoration needs the consent
    the 工程部经理 gave on the order before (R-M8-11; ``wiring_approved_by`` is taken from it, never
    from the worker)."""
    require_work(acting_user, order)
    hours = _labour(labour_hours)
    if not result.strip():
        raise refuse("请填写维修结果", field="result")
    items = _checklist(order, checklist)
    missing = [k for k in REQUIRED_AT_COMPLETION if not items.get(k)]
    if missing:
        labels = {k: str(label) for k, label, _rule in SITE_CHECKLIST}
        raise RepairError("完工前须确认：" + "、".join(labels[k] for k in missing),
                          code="checklist_incomplete", fields={"checklist": [labels[k] for k in missing]})
    unmet = checklist_unmet(items)
    note = (checklist_note or "").strip()
    if unmet and not note:
        labels = {k: str(label) for k, label, _rule in SITE_CHECKLIST}
        raise RepairError("以下上门服务规范未做到，须说明原因：" + "、".join(labels[k] for k in unmet),
                          code="checklist_unexplained", fields={"checklist_note": [labels[k] for k in unmet]})
    if len(note) > 500:
        raise refuse("说明最多500个字", field="checklist_note")
    if wiring_changed:
        # R-M8-11: the 工程部经理 consented himself, before completion (request_consent / decide_consent)
        consent = (LeaderConsent.objects.filter(order=order, kind=ConsentKind.WIRING, approved=True)
                   .select_related("decided_by").order_by("-decided_at").first())
        if consent is None or consent.decided_by is None \
                or not may_approve_wiring(consent.decided_by, order.ticket.project):
            raise refuse("改动原有线路或装修须先申请并经工程部经理同意", field="wiring_approved_by",
                         code="wiring_consent_required")
        wiring_approved_by = consent.decided_by
    major = (LeaderConsent.objects.filter(order=order, kind=ConsentKind.MAJOR)
             .order_by("-requested_at", "-id").first())
    if major is not None and major.approved is not True:
        # R-M8-15 (9): a major problem is not handled privately — the leader decides how it goes on
        raise refuse("已上报的重大问题须负责人同意继续处理后才能完工" if major.decided_at is None
                     else "负责人未同意自行处理该重大问题，不能完工", code="major_problem", status=409)
    if order.work_started_at is None:
        raise refuse("尚未开工，不能完工", code="not_started", status=409)
    if order.completed_at is not None:
        raise refuse("已完工", code="already_completed", status=409)
    ticket = order.ticket
    explanation = late_explanation.strip()
    if ticket.cycle == 0 and order.hard_limit_at is not None and now > order.hard_limit_at and not explanation:
        # AS-22 / R-M8-04: past the hard limit the reason told to the owner is written at completion
        # (an earlier next-visit reason was given for a time within the limit)
        raise refuse("已超过最迟完工时限，须填写向业主说明的原因", field="late_explanation",
                     code="explanation_required")
    if ticket.cycle == 0 and not same_local_day(ticket.project, ticket.received_at, now) and not explanation:
        last_next = order.next_visits.order_by("-recorded_at").first()
        if last_next is None:
            raise refuse("未能当天完成的维修须填写向业主说明的原因", field="late_explanation",
                         code="explanation_required")
        explanation = last_next.reason
    ticket_step(ta.record_handling, ticket=ticket, result=result.strip(), done=True, acting_user=acting_user, now=now)
    lock(order)
    order.completed_at = now
    order.labour_hours = hours
    order.late_explanation = explanation
    order.worker = order.worker or acting_user
    order.checklist = items
    order.checklist_note = note if unmet else ""
    order.wiring_changed = bool(wiring_changed)
    order.wiring_approved_by = wiring_approved_by if wiring_changed else None
    save_order(order, ["completed_at", "labour_hours", "late_explanation", "worker", "checklist", "checklist_note",
                       "wiring_changed", "wiring_approved_by"], acting_user=acting_user, reason="完工")
    return order


@transaction.atomic
def agree_next_visit(*, order: RepairOrder, agreed_at: dt.datetime, reason: str, acting_user: User,
                     now: dt.datetime) -> NextVisit:
    """约定再次上门 (R-M8-08 c, R-M8-05): cannot finish now → the reason told to the owner and the
    next visit time agreed with them (a follow-up appointment on the timeline)."""
    require_work(acting_user, order)
    if not reason.strip():
        raise refuse("请填写未能解决的原因", field="reason")
    if agreed_at <= now:
        raise refuse("约定时间须晚于现在", field="agreed_at")
    if order.completed_at is not None:
        raise refuse("已完工", code="already_completed", status=409)
    local = agreed_at.astimezone(order.ticket.project.tz)
    if order.hard_limit_at is not None and order.ticket.cycle == 0 and agreed_at > order.hard_limit_at:
        # AS-22 / R-M8-04: "最多2个工作日" — a next visit may not push the repair past the hard limit
        latest = order.hard_limit_at.astimezone(order.ticket.project.tz)
        raise refuse(f"约定时间不能晚于最迟完工时限（{latest:%Y-%m-%d %H:%M}）", field="agreed_at",
                     code="beyond_hard_limit")
    ticket_step(ta.add_note, ticket=order.ticket, acting_user=acting_user, now=now,
                text=f"约定再次上门 {local:%Y-%m-%d %H:%M}：{reason.strip()}")
    lock(order)
    visit = NextVisit.objects.create(order=order, agreed_at=agreed_at, reason=reason.strip(),
                                     recorded_by=acting_user, recorded_at=now)
    order.agreed_visit_at = agreed_at
    save_order(order, ["agreed_visit_at"], acting_user=acting_user, reason="约定再次上门")
    return visit


def _decode_png(data: str | bytes) -> bytes:
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("data:"):
            header, _, text = text.partition(",")
            if "image/png" not in header:
                raise refuse("签名须为 PNG 图片", field="signature")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise refuse("签名数据不正确", field="signature") from None
    else:
        raw = data
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise refuse("签名图片太大", field="signature")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise refuse("签名须为 PNG 图片", field="signature")
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
        alpha = img.getchannel("A") if "A" in img.getbands() else img.convert("L").point(lambda p: 255 - p)
        blank = alpha.getbbox() is None
    except Exception:  # noqa: BLE001 - any decoding problem is bad input
        raise refuse("签名图片无法识别", field="signature") from None
    if blank:
        raise refuse("请业主在屏幕上签名", field="signature", code="blank_signature")
    return raw


@transaction.atomic
def sign_acceptance(*, order: RepairOrder, signature: str | bytes, signed_name: str, acting_user: User,
                    now: dt.datetime, quality_ok: bool, cosmetic_ok: bool | None = None) -> RepairOrder:
    """业主验收签名 (R-M8-08 e, R-M8-09, R-M8-13): a PNG drawn on the screen, stored with the
    signer's name, time and the acceptance quality check: the function restored (``quality_ok``, asked
    every time, never assumed) and, for cosmetic work, no colour difference or unevenness
    (``cosmetic_ok``; None = no cosmetic work). A repair passes only when both hold."""
    require_work(acting_user, order)
    png = _decode_png(signature)
    if not signed_name.strip():
        raise refuse("请填写签名人姓名", field="signed_name")
    lock(order)
    if order.completed_at is None:
        raise refuse("完工后才能请业主签名验收", code="not_completed", status=409)
    if order.signed_at is not None:
        raise refuse("业主已签名", code="already_signed", status=409)
    order.signature.save("signature.png", ContentFile(png), save=False)  # stored as <uuid>.png
    order.signed_name, order.signed_at, order.quality_ok = signed_name.strip(), now, bool(quality_ok)
    order.cosmetic_ok = None if cosmetic_ok is None else bool(cosmetic_ok)
    order.refused_at, order.refusal_reason = None, ""
    save_order(order, ["signature", "signed_name", "signed_at", "quality_ok", "cosmetic_ok", "refused_at",
                       "refusal_reason"],
               acting_user=acting_user, reason="业主签名验收")
    return order


@transaction.atomic
def refuse_acceptance(*, order: RepairOrder, reason: str, acting_user: User, now: dt.datetime) -> RepairOrder:
    """业主拒签 with the reason (R-M8-08 e): the refusal is kept; verification then decides."""
    require_work(acting_user, order)
    if not reason.strip():
        raise refuse("请填写业主拒签的原因", field="reason")
    lock(order)
    if order.completed_at is None:
        raise refuse("完工后才能请业主验收", code="not_completed", status=409)
    if order.signed_at is not None:
        raise refuse("业主已签名", code="already_signed", status=409)
    order.refused_at, order.refusal_reason, order.quality_ok = now, reason.strip(), False
    save_order(order, ["refused_at", "refusal_reason", "quality_ok"], acting_user=acting_user, reason="业主拒签")
    return order


@transaction.atomic
def record_owner_confirmation(*, order: RepairOrder, fixed: bool, owner_name: str, reason: str = "",
                              now: dt.datetime) -> RepairOrder:
    """业主网上确认 (issue 19 item 3; R-M8-08 e, R-M8-09, R-M8-13): the owner, signed in to their own
    account with the phone registered on the household, confirms from there that the completed repair
    is fixed — the same acceptance record as :func:`sign_acceptance` (name, time, quality check), the
    sign-in standing for the drawn signature — or says it is not, with the reason, recorded as
    :func:`refuse_acceptance` does (the refusal is kept; verification then decides and, failed,
    reopens the ticket under the pipeline's rules). No staff actor: the history row says who.

    An owner may confirm after an earlier refusal (as a signature after a refusal on site); a signed
    order is final."""
    name = owner_name.strip()[:50]
    reason = reason.strip()
    if not fixed and not reason:
        raise refuse("请说明哪里还没有修好", field="reason")
    lock(order)
    if order.completed_at is None:
        raise refuse("维修完工后才能确认", code="not_completed", status=409)
    if order.signed_at is not None:
        raise refuse("已确认验收", code="already_signed", status=409)
    if fixed:
        order.signed_name, order.signed_at, order.quality_ok = name, now, True
        order.refused_at, order.refusal_reason = None, ""
        save_order(order, ["signed_name", "signed_at", "quality_ok", "refused_at", "refusal_reason"],
                   acting_user=None, reason=f"业主网上确认已修好（{name}）")
    else:
        if order.refused_at is not None:
            raise refuse("您已反馈未修好，物业正在核实处理", code="already_refused", status=409)
        order.refused_at, order.refusal_reason, order.quality_ok = now, reason, False
        save_order(order, ["refused_at", "refusal_reason", "quality_ok"], acting_user=None,
                   reason=f"业主网上反馈未修好（{name}）")
    return order
