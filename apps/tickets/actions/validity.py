"""有效投诉判定标准 (R-M1-18): the company's administrators and 品质管理部 keep the list of criteria a
handler picks from when judging a complaint (:func:`~apps.tickets.actions.judgement.judge_complaint`)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.tickets.access import may_manage_complaint_settings
from apps.tickets.actions.base import _forbid, _refuse
from apps.tickets.models import Ticket, ValidityCriterion

if TYPE_CHECKING:
    from apps.org.models import Company, User


@transaction.atomic()
def save_validity_criterion(*, company: Company, acting_user: User, now: dt.datetime, label: str, valid: bool,
                            position: int = 0, active: bool = True,
                            criterion: ValidityCriterion | None = None) -> ValidityCriterion:
    """Add a criterion, or change one (``criterion``); a criterion is retired (``active=False``), never
    deleted, so the verdicts that rest on it keep their reason. History row with who and when."""
    if not may_manage_complaint_settings(acting_user, company.pk):
        raise _forbid("只有公司系统管理员或品质管理部可以维护有效投诉判定标准")
    label = label.strip()
    if not label:
        raise _refuse("请填写判定标准", field="label")
    if len(label) > 100:
        raise _refuse("判定标准不能超过100个字", field="label")
    if criterion is not None and criterion.company_id != company.pk:
        raise _refuse("判定标准不存在", code="not_found", status=404)
    clash = ValidityCriterion.objects.filter(company=company, label=label)
    if criterion is not None:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise _refuse("已有同名的判定标准", field="label", code="duplicate", status=409)
    row = criterion or ValidityCriterion(company=company)
    if criterion is not None and criterion.valid != bool(valid) and _in_use(criterion):
        raise _refuse("已有投诉按此标准判定，不能改变其判定结果；请停用后新增一条", field="valid", status=409)
    row.label, row.valid, row.position, row.active = label, bool(valid), max(0, int(position)), bool(active)
    row._change_reason = f"{'修改' if criterion else '新增'}判定标准（{now:%Y-%m-%d %H:%M}）"  # type: ignore[attr-defined]
    row._history_user = acting_user  # type: ignore[attr-defined]
    row.save()
    return row


def _in_use(criterion: ValidityCriterion) -> bool:
    return Ticket.objects.filter(validity_criterion=criterion).exists()
