"""The ticket pipeline's policies on the settings pages (:mod:`apps.org.settings_registry`)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Company, Project
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.org.settings_registry import FieldSpec, ModelRowSection, SettingsSection, register
from apps.tickets.models import CompensationLimit, TicketPolicy

register(ModelRowSection(
    key="ticket-policy", title=_("工单口径"), group=_("投诉处理"), model=TicketPolicy, order=30,
    description=_("结案条件、内部员工投诉是否计入统计、免回访范围、品质管理部负责的投诉与公司级跟进、"
                  "地产和市政处理的投诉告知业主进展的间隔、回访联系不上前的最少尝试次数"),
    specs=(
        FieldSpec("close_needs_manager_reply", _("结案须同时回复业主和管理处主任")),
        FieldSpec("count_internal_staff_complaints", _("内部员工投诉计入顾客投诉统计")),
        FieldSpec("no_contact_exemption", _("无联系方式免回访的范围")),
        FieldSpec("quality_owns", _("品质管理部负责的投诉")),
        FieldSpec("company_follow_up", _("公司级投诉由品质管理部")),
        FieldSpec("owner_update_interval_days", _("地产、市政处理的投诉告知业主进展的间隔（工作日）")),
        FieldSpec("return_visit_min_attempts", _("回访联系不上前至少尝试的次数")),
    ),
))


class CompensationLimitSection(SettingsSection):
    """赔偿审批权限: the largest amount each approving role may approve, company-wide (the route of a
    claim beyond them is the referral). Stored as the company's :class:`CompensationLimit` rows over the
    shipped defaults; blank = no limit, 0 = may not approve."""

    key = "compensation-limits"
    title = _("赔偿审批权限")
    group = _("投诉处理")
    description = _("各岗位可批准的赔偿金额上限（元）。超出所有岗位上限或涉及工程、销售问题的索赔须转报地产客户服务中心"
                    "或按公司重大业务审批流程办理")
    project_override = False
    order = 34

    @staticmethod
    def roles() -> list[str]:
        return sorted((r for r, info in ROLE_INFO.items() if Cap.APPROVE_COMPENSATION in info.caps),
                      key=lambda r: (ROLE_INFO[r].rank, r))

    def _limits(self, company: Company) -> tuple[dict[str, Decimal | None], bool]:
        rows = {(r.company_id, r.role): r.max_amount for r in
                CompensationLimit.objects.filter(Q(company=None) | Q(company=company)).order_by("pk")}
        own = any(company_id == company.pk for company_id, _role in rows)
        return {role: rows.get((company.pk, role), rows.get((None, role), Decimal(0))) for role in self.roles()}, own

    def values(self, company: Company, project: Project | None) -> tuple[dict[str, Any], str]:
        limits, own = self._limits(company)
        return {role: (str(v) if v is not None else None) for role, v in limits.items()}, ("company" if own else "default")

    def form(self, company: Company, project: Project | None, data: Mapping[str, Any] | None = None) -> forms.BaseForm:
        limits, _own = self._limits(company)
        form = forms.Form(data=data)
        for role in self.roles():
            form.fields[role] = forms.DecimalField(
                label=Role(role).label, required=False, min_value=Decimal(0), max_digits=12, decimal_places=2,
                help_text=_("留空 = 不设上限；0 = 不能审批"))
            form.initial[role] = limits[role]
        return form

    def save(self, company: Company, project: Project | None, form: forms.BaseForm, *, by: Any, reason: str) -> None:
        limits, _own = self._limits(company)
        for role in self.roles():
            amount = form.cleaned_data.get(role)
            if amount == limits[role] and not CompensationLimit.objects.filter(company=company, role=role).exists():
                continue
            CompensationLimit.objects.update_or_create(company=company, role=role, defaults={"max_amount": amount})

    def remove_override(self, company: Company, project: Project) -> bool:
        return False


register(CompensationLimitSection())
