"""Forms of the audit pages: they only parse input — the rules are in apps.audits.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.audits.models import AuditKind, DeductionMode, FindingResult, StandardVersion
from apps.org.models import Project

DATE = forms.DateInput(attrs={"type": "date"})


def bind_refusal(form: forms.Form, exc: Any) -> None:
    """A refused action on the form: the message at the top, and beside the field at fault."""
    form.add_error(None, exc.message)
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for m in messages:
                form.add_error(name, m)


class OpenAuditForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=AuditKind.choices)
    version = forms.ModelChoiceField(label=_("标准版本"), queryset=StandardVersion.objects.none(), required=False,
                                     help_text=_("留空 = 默认版本"))
    audited_on = forms.DateField(label=_("审核日期"), widget=DATE)
    period_start = forms.DateField(label=_("检查期间自"), widget=DATE)
    period_end = forms.DateField(label=_("检查期间至"), widget=DATE)

    def __init__(self, *args: Any, projects: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        cast(forms.ModelChoiceField, self.fields["version"]).queryset = versions


class AnswerForm(forms.Form):
    # no answer is preselected: an item sent without a choice is refused beside the field, never
    # recorded as the first choice (issue 23: every form refuses an empty post with a clear message)
    result = forms.ChoiceField(label=_("结果"), choices=[("", _("请选择结果")), *[c for c in FindingResult.choices if c[0]]])
    count = forms.IntegerField(label=_("不符合次数"), min_value=1, max_value=1000, initial=1, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.CharField(label=_("证据记录链接"), required=False, max_length=300)
    override_reason = forms.CharField(label=_("推翻预检的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.TypedChoiceField(label=_("责任人"), choices=[("", "---------")], coerce=int, required=False,
                                         empty_value=None)
    revise_reason = forms.CharField(label=_("更改原因"), required=False, max_length=100,
                                    help_text=_("已作答的项目更改时填写"))

    def __init__(self, *args: Any, staff: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:  # choices computed once per page, not one query per item's form
            cast(forms.TypedChoiceField, self.fields["responsible"]).choices = [("", "---------"), *staff]


class CompleteForm(forms.Form):
    summary = forms.CharField(label=_("审核结论"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    purpose = forms.ChoiceField(label=_("用途"), choices=StandardVersion.Purpose.choices)
    name = forms.CharField(label=_("标准名称"), max_length=100)
    version = forms.CharField(label=_("版本号"), max_length=50)
    file = forms.FileField(label=_("督导标准表（.xlsx）"))


class RowForm(forms.Form):
    check_method = forms.CharField(label=_("检查方法"), max_length=200)
    mode = forms.ChoiceField(label=_("扣分方式"), choices=DeductionMode.choices)
    per_item = forms.DecimalField(label=_("每项扣分"), max_digits=6, decimal_places=2, min_value=0)
    cap = forms.DecimalField(label=_("最多扣分"), max_digits=6, decimal_places=2, min_value=0, required=False)
    count_deductions = forms.CharField(label=_("按项数扣分表"), required=False, help_text=_("如 4:0.2, 3:0.1"))
    reason = forms.CharField(label=_("修改原因"), max_length=100)

    def clean_count_deductions(self) -> dict[str, str]:
        raw = (self.cleaned_data.get("count_deductions") or "").strip()
        table: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in raw.replace("，", ",").split(","))):
            k, sep, v = part.replace("：", ":").partition(":")
            if not sep:
                raise forms.ValidationError(_("格式应为“项数:扣分”，用逗号分隔"))
            table[k.strip()] = v.strip()
        return table


class NcrForm(forms.Form):
    beyond_authority_reason = forms.CharField(label=_("需报请处理的原因"), widget=forms.Textarea(attrs={"rows": 2}))
