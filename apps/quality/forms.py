"""Forms of the NCR pages. They only collect the fields; the rules (required facts, lengths, who
may do what) are in apps.quality.actions, whose Chinese messages are shown on the page."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Department


def _text(label: Any, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}),
                           strip=True)


class NcrTextsForm(forms.Form):
    nonconformity = _text(_("不合格事实"), 3)
    beyond_authority_reason = _text(_("超出部门处理权限/需报请公司决定的原因"), 2)
    cause_analysis = _text(_("原因分析"), 2)
    correction = _text(_("纠正（对不合格的处置）"), 2)
    corrective_action = _text(_("纠正措施"), 2)
    preventive_action = _text(_("预防措施"), 2)


class NcrActionsForm(forms.Form):
    """After signing: the facts the 管理者代表 signed stay; the department records what it did."""

    cause_analysis = _text(_("原因分析"), 2)
    correction = _text(_("纠正（对不合格的处置）"), 2)
    corrective_action = _text(_("纠正措施"), 2)
    preventive_action = _text(_("预防措施"), 2)


class RaiseForm(NcrTextsForm):
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.filter(
            Q(project=project) | Q(project=None, company_id=project.company_id)).order_by("project_id", "name")
        self.order_fields(["department"])


class SignForm(forms.Form):
    opinion = _text(_("管理者代表意见"), 2)


class ReturnForm(forms.Form):
    reason = _text(_("退回原因（需补充的内容）"), 2)


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(label=_("验证结论"), choices=[("1", _("纠正措施有效，关闭报告")),
                                                                    ("0", _("未达到效果，继续整改"))],
                                       coerce=lambda v: v == "1", initial="1")
    note = _text(_("验证情况"), 2)


class WithdrawForm(forms.Form):
    reason = _text(_("撤回原因"), 2)
