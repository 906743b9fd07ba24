"""Forms of the ticket pages. They only validate input; every write goes through actions.py.

Field names equal the keyword arguments of the action they feed, so a view is
``actions.x(**form.cleaned_data, acting_user=…, now=…)``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.tickets.choices import Channel, Kind, Source, Urgency
from linli import clock

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(forms.DateTimeField):
    """``<input type=datetime-local>`` read in Asia/Shanghai (T-01), returned aware."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DT_FORMATS)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        moment = super().to_python(value)
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.SHANGHAI)
        return moment


class IntakeForm(forms.Form):
    """受理登记 (R-M1-03, R-M1-04, R-M1-05, R-M1-09): what the procedures require at intake.

    Ordered for a phone call: 房号/电话尾号 first, then the event, then classification.
    """

    household = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    complainant_surname = forms.CharField(label=_("诉求人姓氏"), max_length=20, required=False,
                                          widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("如：王")}))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    address = forms.CharField(label=_("地址（非本小区房屋时）"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.COMPLAINT)
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices, initial=Channel.PHONE)
    source = forms.ChoiceField(label=_("渠道（来源单位）"), choices=Source.choices, initial=Source.PROJECT)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    content = forms.CharField(label=_("事件"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    desired_outcome = forms.CharField(label=_("诉求人希望达到的结果"), required=False, max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    received_at = LocalDateTimeField(label=_("受理时间"), required=False,
                                     help_text=_("录入信函等时可早于现在；留空为现在"))
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None, choices=())
    department = forms.TypedChoiceField(label=_("责任部门"), required=False, coerce=int, empty_value=None, choices=())
    people_count = forms.IntegerField(label=_("人数"), min_value=1, initial=1, help_text=_("集体投诉填写人数"))
    media_exposed = forms.BooleanField(label=_("已被媒体曝光"), required=False)
    litigation = forms.BooleanField(label=_("已起诉"), required=False)
    media_or_litigation_risk = forms.BooleanField(label=_("可能引起诉讼或媒体曝光"), required=False)
    developer_matter = forms.BooleanField(label=_("地产遗留问题"), required=False)
    municipal = forms.BooleanField(label=_("市政配套问题"), required=False)
    agreed_feedback_at = LocalDateTimeField(label=_("与业主约定的反馈时间"), required=False,
                                            help_text=_("不能当场办结时必须与业主约定（R-M1-09）"))

    def __init__(self, *args: Any, categories: list[tuple[int, str]] | None = None,
                 departments: list[tuple[int, str]] | None = None, now: dt.datetime | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or clock.now()
        self.fields["category"].choices = [("", _("—— 请选择 ——")), *(categories or [])]
        self.fields["department"].choices = [("", _("—— 稍后派工 ——")), *(departments or [])]

    def clean_received_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > self.now + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("受理时间不能晚于现在"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("anonymous") and not (data.get("complainant_surname") or data.get("household")
                                               or data.get("phone")):
            self.add_error("complainant_surname", _("请填写诉求人姓氏、房号或电话；无法获得时勾选“匿名”（R-M1-05）"))
        return data


class DispatchForm(forms.Form):
    """派工 / 改派 (R-M1-19, R-M2-01)."""

    department = forms.TypedChoiceField(label=_("责任部门"), coerce=int, choices=())
    assignee = forms.TypedChoiceField(label=_("处理人"), coerce=int, empty_value=None, required=False, choices=())
    instructions = forms.CharField(label=_("派工说明"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, departments: list[tuple[int, str]] = (), assignees: list[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = list(departments)
        self.fields["assignee"].choices = [("", _("—— 由部门负责人指定 ——")), *assignees]


class HandlingForm(forms.Form):
    """现场调查、处理措施、处理结果 (R-M2-01)."""

    investigation = forms.CharField(label=_("现场调查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("处理措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("处理完毕，通知前台"), required=False)
    attachment = forms.FileField(label=_("照片/附件"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(k) for k in ("investigation", "measures", "result")):
            raise forms.ValidationError(_("请至少填写调查情况、处理措施或处理结果之一"))
        if data.get("done") and not data.get("result"):
            self.add_error("result", _("处理完毕时须填写处理结果（R-M2-18）"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    """回复业主 (R-M2-05, R-M2-13): channel, content, time, the owner's answer."""

    channel = forms.ChoiceField(label=_("回复方式"), choices=())
    content = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    replied_at = LocalDateTimeField(label=_("回复时间"), required=False, help_text=_("留空为现在"))
    owner_agrees = forms.TypedChoiceField(label=_("业主意见"), required=False, coerce=lambda v: {"yes": True, "no": False}.get(v),
                                          empty_value=None,
                                          choices=[("", _("未表态")), ("yes", _("同意处理方案")), ("no", _("不同意，继续协商"))])

    def __init__(self, *args: Any, channels: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(channels)


class VerificationForm(forms.Form):
    """验证 (R-M4-01, R-M4-02): staff verdict, kept apart from the owner's satisfaction."""

    passed = forms.TypedChoiceField(label=_("验证结论"), coerce=lambda v: v == "pass",
                                    choices=[("pass", _("措施已落实，通过")), ("fail", _("未落实，退回处理"))],
                                    widget=forms.RadioSelect)
    notes = forms.CharField(label=_("验证说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("passed") is False and not data.get("notes"):
            self.add_error("notes", _("退回时请写明原因或整改要求（R-M4-02）"))
        return data


class ReturnVisitForm(forms.Form):
    """回访 (R-M4-07, R-M4-09, R-M4-12): every attempt, including "unreachable"."""

    method = forms.ChoiceField(label=_("回访方式"), choices=())
    reached = forms.TypedChoiceField(label=_("是否联系上"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("已联系上")), ("no", _("联系不上"))], initial="yes")
    satisfaction = forms.ChoiceField(label=_("业主满意度"), required=False, choices=())
    owner_words = forms.CharField(label=_("业主意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, methods: list[tuple[str, str]] = (), satisfactions: list[tuple[str, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = list(methods)
        self.fields["satisfaction"].choices = [("", _("——")), *satisfactions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reached") and not data.get("satisfaction"):
            self.add_error("satisfaction", _("联系上业主时须记录满意度"))
        return data


class ExemptionForm(forms.Form):
    """免回访 (R-M4-05): one of the listed cases, with the reason recorded."""

    exemption = forms.ChoiceField(label=_("免回访情形"), choices=())
    reason = forms.CharField(label=_("说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, exemptions: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exemption"].choices = list(exemptions)


class CloseForm(forms.Form):
    """关闭 (R-M2-18) or 未关闭 (R-M2-16)."""

    result = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    unresolved = forms.BooleanField(label=_("超出公司能力，以“未关闭”结案（仍计入统计）"), required=False)
    analysis = forms.CharField(label=_("案例分析与缓解措施（未关闭时必填）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("unresolved") and not data.get("analysis"):
            self.add_error("analysis", _("以“未关闭”结案须填写案例分析与缓解措施（R-M2-16）"))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("视图名称"), max_length=100)
    query_string = forms.CharField(required=False, max_length=2000)


class InventoryForm(forms.Form):
    """日盘点 (R-M1-11): a day and, optionally, one receiver."""

    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    receiver = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
