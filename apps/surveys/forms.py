"""Forms of the survey pages. They parse and present; every rule is in :mod:`apps.surveys.actions`."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.estates.models import Building
from apps.org.models import Department, Project, User
from apps.surveys.models import (
    Aspect,
    Channel,
    FeedbackDepartment,
    FollowUpKind,
    Frequency,
    QuestionItem,
    Questionnaire,
    QuestionnaireStatus,
    Scope,
    ServiceLine,
)

LABELS_HELP = _("一行一个完整房号（如 5栋2单元1502），也可用逗号分隔")


def split_labels(text: str) -> list[str]:
    out: list[str] = []
    for line in (text or "").replace("，", ",").replace(",", "\n").splitlines():
        line = line.strip()
        if line and line not in out:
            out.append(line)
    return out


class PolicyForm(forms.Form):
    frequency = forms.ChoiceField(label=_("调查频次"), choices=Frequency.choices)
    scope = forms.ChoiceField(label=_("发放范围"), choices=Scope.choices)
    rate_young = forms.DecimalField(label=_("发放比例（项目不满规定年限，如 0.3 = 30%）"), max_digits=4, decimal_places=3)
    rate_old = forms.DecimalField(label=_("发放比例（项目满规定年限，如 0.15 = 15%）"), max_digits=4, decimal_places=3)
    old_years = forms.IntegerField(label=_("规定年限（年，含）"))
    recovery_rate = forms.DecimalField(label=_("回收率不低于（如 0.75）"), max_digits=4, decimal_places=3)
    satisfaction_target = forms.DecimalField(label=_("满意率目标（如 0.95）"), max_digits=4, decimal_places=3)
    concentrated_share = forms.DecimalField(label=_("集中问题：不满意提及比例不低于（如 0.1）"), max_digits=4,
                                            decimal_places=3)
    distribution_days = forms.IntegerField(label=_("收到后发放（天）"))
    recovery_days = forms.IntegerField(label=_("发放后回收（天）"))
    statistics_days = forms.IntegerField(label=_("回收后统计（天）"))
    letter_days = forms.IntegerField(label=_("回收后公开信（天）"))
    submission_days = forms.IntegerField(label=_("公开信发布后报品质部（天）"))


class QuestionnaireForm(forms.Form):
    code = forms.CharField(label=_("问卷代码（字母数字，新版本沿用）"), max_length=40)
    title = forms.CharField(label=_("问卷标题"), max_length=100)
    intro = forms.CharField(label=_("致业主（调查目的与填写说明）"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    options = forms.CharField(label=_("答案选项（一行一个，计为满意的选项后加 *）"),
                              widget=forms.Textarea(attrs={"rows": 5}),
                              initial="非常满意 *\n满意 *\n一般\n不满意\n非常不满意")

    def option_rows(self) -> list[dict[str, Any]]:
        rows = []
        for line in self.cleaned_data["options"].splitlines():
            line = line.strip()
            if line:
                satisfied = line.endswith("*")
                rows.append({"label": line.rstrip("*").strip(), "satisfied": satisfied})
        return rows


class ItemForm(forms.Form):
    code = forms.CharField(label=_("项目代码（跨版本不变）"), max_length=40)
    line = forms.ChoiceField(label=_("条线/部门"), choices=ServiceLine.choices)
    aspect = forms.ChoiceField(label=_("方面"), choices=Aspect.choices)
    text = forms.CharField(label=_("题目"), max_length=200)
    free_text = forms.BooleanField(label=_("文字题（不打分）"), required=False)
    overall = forms.BooleanField(label=_("总体满意度（计算满意率）"), required=False)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("调查名称"), max_length=100)
    questionnaire = forms.ModelChoiceField(label=_("问卷版本"), queryset=Questionnaire.objects.none())
    received_on = forms.DateField(label=_("管理处收到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    projects = forms.ModelMultipleChoiceField(label=_("下发项目"), queryset=Project.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, company_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(  # type: ignore[attr-defined]
            company_id__in=company_ids, status=QuestionnaireStatus.PUBLISHED)
        self.fields["projects"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
            company_id__in=company_ids, active=True).order_by("code")


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("抽样户数（留空 = 最低份数）"), required=False, min_value=1)
    reason = forms.CharField(label=_("低于最低份数的原因"), max_length=300, required=False)
    seed = forms.IntegerField(label=_("抽样种子（留空随机；填写已用种子可复现）"), required=False, min_value=0)


class HouseholdsForm(forms.Form):
    op = forms.ChoiceField(label=_("操作"), choices=[("add", _("加入样本")), ("remove", _("移出样本"))])
    labels = forms.CharField(label=_("房号"), widget=forms.Textarea(attrs={"rows": 3}), help_text=LABELS_HELP)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class DistributeForm(forms.Form):
    labels = forms.CharField(label=_("房号（留空 = 全部未发放的样本户）"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, help_text=LABELS_HELP)
    channel = forms.ChoiceField(label=_("发放方式"), choices=Channel.choices)
    signed_off = forms.BooleanField(label=_("业主已在文件签收单上签收"), required=False)
    distributed_at = forms.DateTimeField(label=_("发放时间（留空 = 现在）"), required=False,
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class KeyForm(forms.Form):
    """One paper questionnaire keyed with the keyboard: house number, a digit per item, Enter."""

    household = forms.CharField(label=_("房号"), max_length=100,
                                widget=forms.TextInput(attrs={"autofocus": "autofocus", "autocomplete": "off"}))
    anonymous = forms.BooleanField(label=_("业主未签名（匿名）"), required=False)
    comment = forms.CharField(label=_("业主意见"), required=False, widget=forms.TextInput())

    def __init__(self, *args: Any, items: list[QuestionItem], keys: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            if item.free_text:
                self.fields[f"q_{item.code}"] = forms.CharField(label=f"{item.order}. {item.text}", required=False)
            else:
                self.fields[f"q_{item.code}"] = forms.CharField(
                    label=f"{item.order}. {item.text}", required=False, max_length=1,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "1", "size": "2",
                                                  "pattern": f"[{min(keys)}-{max(keys)}]", "class": "key-digit",
                                                  "autocomplete": "off"}))

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(f"q_{item.code}", "") for item in self.items}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class LetterForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    issues = forms.CharField(label=_("业主意见集中或突出的问题（一行一个）"), widget=forms.Textarea(attrs={"rows": 4}))
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=FollowUpKind.choices)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(), required=False)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("内容/结论"), widget=forms.Textarea(attrs={"rows": 3}))
    satisfied = forms.NullBooleanField(label=_("业主对结果满意（验证/抽查/回访）"), required=False,
                                       widget=forms.Select(choices=[("unknown", "—"), ("true", _("满意")),
                                                                    ("false", _("不满意"))]))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(project=project)  # type: ignore[attr-defined]


class FeedbackForm(forms.Form):
    """A line of the 《与客户沟通登记表》 (R-M10-06)."""

    household = forms.CharField(label=_("房号（留空=非问卷意见）"), max_length=50, required=False)
    department = forms.ChoiceField(label=_("归口部门"), choices=FeedbackDepartment.choices)
    opinion = forms.CharField(label=_("业主意见（留空=取问卷上的意见）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    """The 客服部 assigns the field work by building or house (R-M10-13)."""

    assignee = forms.ModelChoiceField(label=_("发放回收负责人"), queryset=User.objects.none())
    buildings = forms.ModelMultipleChoiceField(label=_("楼栋"), queryset=Building.objects.none(), required=False)
    labels = forms.CharField(label=_("或房号"), required=False, help_text=LABELS_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, project: Project, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in staff]).order_by("username")
        self.fields["buildings"].queryset = Building.objects.filter(  # type: ignore[attr-defined]
            project=project).order_by("sort_key", "name")


class SupervisionForm(forms.Form):
    """督导记录 (R-M10-13)."""

    held_on = forms.DateField(label=_("督导日期"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(label=_("检查情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(label=_("指导意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    """The owner's own answer page (one-time link): a choice per scored item, free text."""

    comment = forms.CharField(label=_("其他意见和建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: list[QuestionItem], options: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        choices = [(str(o.key), o.label) for o in options]
        for item in items:
            name = f"q_{item.code}"
            if item.free_text:
                self.fields[name] = forms.CharField(label=item.text, required=False,
                                                    widget=forms.Textarea(attrs={"rows": 2}))
            else:
                self.fields[name] = forms.ChoiceField(label=item.text, choices=choices, widget=forms.RadioSelect,
                                                      required=item.overall)

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(f"q_{item.code}", "") for item in self.items}
