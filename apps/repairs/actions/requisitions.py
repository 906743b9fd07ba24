"""材料申购 (R-M8-12): the engineering staff ask the 物业管理部 in time for common, spare and
consumable materials; the 物业管理部 (the project's 管理处经理 or a 综合管理部 member) agrees or not.

- :func:`request_materials` — lines of name, unit, quantity and what is still in stock, with the reason;
  every decider of the project gets a staff notice;
- :func:`decide_requisition` — approve or refuse (a refusal says why); nobody decides their own request.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.org.access import can_see_project
from apps.org.models import Membership, Project, User
from apps.repairs.access import may_decide_requisition, may_request_materials
from apps.repairs.actions._common import notify_people
from apps.repairs.errors import refuse
from apps.repairs.models import MaterialRequisition, RequisitionLine, RequisitionStatus
from apps.repairs.queries import parse_quantity

MAX_LINES = 30


def _stock(value: Any, index: int) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        stock = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise refuse("现有库存格式不正确", field=f"lines.{index}.in_stock") from None
    if stock < 0 or stock > Decimal("10000"):
        raise refuse("现有库存须在0–10000之间", field=f"lines.{index}.in_stock")
    return stock


def _deciders(project: Project) -> list[User]:
    ids = Membership.objects.filter(company_id=project.company_id).values("user_id")
    return [u for u in User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
            if may_decide_requisition(u, project)]


@transaction.atomic
def request_materials(*, project: Project, reason: str, lines: Sequence[Mapping[str, Any]], acting_user: User,
                      now: dt.datetime) -> MaterialRequisition:
    """申购 (R-M8-12): each line names the material, its unit, the quantity asked for and what is still
    in stock; at least one line; nothing is saved when a line is wrong."""
    if not can_see_project(acting_user, project):
        raise refuse("项目不存在", code="not_found", status=404)
    if not may_request_materials(acting_user, project):
        raise refuse("只有本项目工程部人员可以申购维修材料", code="forbidden", status=403)
    reason = (reason or "").strip()
    if not reason:
        raise refuse("请填写申购原因", field="reason")
    if len(reason) > 200:
        raise refuse("申购原因最多200个字", field="reason")
    rows = [(i, ln) for i, ln in enumerate(lines)
            if any(str(ln.get(k) or "").strip() for k in ("name", "unit", "quantity"))]
    if not rows:
        raise refuse("请至少填写一项材料", field="lines")
    if len(rows) > MAX_LINES:
        raise refuse(f"一张申购单最多{MAX_LINES}项", field="lines")
    cleaned = []
    for i, ln in rows:
        name, unit = str(ln.get("name") or "").strip(), str(ln.get("unit") or "").strip()
        if not name or len(name) > 100:
            raise refuse("请填写材料名称（最多100个字）", field=f"lines.{i}.name")
        if not unit or len(unit) > 20:
            raise refuse("请填写单位（最多20个字）", field=f"lines.{i}.unit")
        cleaned.append(RequisitionLine(name=name, unit=unit, quantity=parse_quantity(ln.get("quantity"),
                                                                                     field=f"lines.{i}.quantity"),
                                       in_stock=_stock(ln.get("in_stock"), i)))
    req = MaterialRequisition.objects.create(project=project, reason=reason, requested_by=acting_user,
                                             requested_at=now)
    for line in cleaned:
        line.requisition = req
    RequisitionLine.objects.bulk_create(cleaned)
    summary = "、".join(f"{ln.name}{ln.quantity.normalize():f}{ln.unit}" for ln in cleaned)
    notify_people([u for u in _deciders(project) if u.pk != acting_user.pk], kind="repair_requisition",
                  subject=f"材料申购待审批：{project.name}", body=f"{acting_user}：{summary[:150]}", project=project,
                  link="/repairs/requisitions/", dedupe_key=f"repair_requisition:{req.pk}", now=now)
    return req


@transaction.atomic
def decide_requisition(*, requisition: MaterialRequisition, approve: bool, note: str = "", acting_user: User,
                       now: dt.datetime) -> MaterialRequisition:
    """The 物业管理部 agrees or not (a refusal says why); nobody decides their own request."""
    req = MaterialRequisition.objects.select_for_update(of=("self",)).select_related("project").get(
        pk=requisition.pk)
    if not can_see_project(acting_user, req.project):
        raise refuse("申购单不存在", code="not_found", status=404)
    if not may_decide_requisition(acting_user, req.project):
        raise refuse("只有物业管理部可以审批材料申购", code="forbidden", status=403)
    if req.requested_by_id == acting_user.pk:
        raise refuse("不能审批自己的申购", code="own_request", status=403)
    if req.status != RequisitionStatus.REQUESTED:
        raise refuse("该申购单已审批", code="already_decided", status=409)
    note = (note or "").strip()
    if not approve and not note:
        raise refuse("不同意时请写明意见", field="note")
    if len(note) > 200:
        raise refuse("审批意见最多200个字", field="note")
    req.status = RequisitionStatus.APPROVED if approve else RequisitionStatus.REFUSED
    req.decided_by, req.decided_at, req.decision_note = acting_user, now, note
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    notify_people([req.requested_by], kind="repair_requisition",
                  subject=f"材料申购{'已同意' if approve else '未同意'}", body=note, project=req.project,
                  link="/repairs/requisitions/", dedupe_key=f"repair_requisition_decided:{req.pk}", now=now)
    return req
