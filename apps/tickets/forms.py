"""Forms of the ticket pages. They only validate input; every write goes through actions.py.

Field names equal the keyword arguments of the action they feed, so a view is
``actions.x(**form.cleaned_data, acting_user=…, now=…)``.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.tickets.choices import (
    Channel,
    Kind,
    ReplyChannel,
    ReplyKind,
    ReplyRecipient,
    ReturnVisitExemption,
    ReturnVisitMethod,
    ReviewDepartment,
    Satisfaction,
    Source,
    Urgency,
)
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
    submission_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
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
    internal_staff = forms.BooleanField(label=_("内部员工投诉"), required=False,
                                        help_text=_("投诉人是本公司员工（R-M1-17、P-08）"))
    agreed_feedback_at = LocalDateTimeField(label=_("与业主约定的反馈时间"), required=False,
                                            help_text=_("不能当场办结时必须与业主约定（R-M1-09）"))
    receiver = forms.TypedChoiceField(label=_("受理人"), required=False, coerce=int, empty_value=None, choices=(),
                                      help_text=_("默认为本人；代他人登记时选择实际受理人"))
    feelings = forms.CharField(label=_("顾客感受"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on_spot = forms.BooleanField(label=_("已当场处理完毕，业主认可"), required=False)
    handling_result = forms.CharField(label=_("当场处理结果"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, categories: list[tuple[int, str]] | None = None,
                 departments: list[tuple[int, str]] | None = None, receivers: list[tuple[int, str]] | None = None,
                 now: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or clock.now()
        self.fields["receiver"].choices = [("", _("—— 本人 ——")), *(receivers or [])]
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4().hex
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
        if data.get("resolved_on_spot") and not data.get("handling_result"):
            self.add_error("handling_result", _("当场处理完毕须填写处理结果（R-M1-09）"))
        if data.get("internal_staff") and data.get("kind") not in (None, Kind.COMPLAINT):
            self.add_error("internal_staff", _("只有投诉可以标记为内部员工投诉（R-M1-17）"))
        return data


class DispatchForm(forms.Form):
    """派工 / 改派 (R-M1-19, R-M2-01)."""

    department = forms.TypedChoiceField(label=_("责任部门"), coerce=int, choices=())
    assignee = forms.TypedChoiceField(label=_("处理人"), coerce=int, empty_value=None, required=False, choices=())
    instructions = forms.CharField(label=_("派工说明"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, departments: Any = (), assignees: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("—— 请选择 ——")), *departments]
        self.fields["assignee"].choices = [("", _("—— 由部门负责人指定 ——")), *assignees]


class HandlingForm(forms.Form):
    """现场调查、处理措施、处理结果、照片 (R-M2-01, R-M2-02)."""

    investigation = forms.CharField(label=_("现场调查情况"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("处理措施"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("处理结果"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    arrived_at = LocalDateTimeField(label=_("到场时间"), required=False)
    attachment = forms.FileField(label=_("照片/附件"), required=False)
    caption = forms.CharField(label=_("附件说明"), required=False, max_length=200)
    done = forms.BooleanField(label=_("处理完毕，通知前台"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(k) for k in ("investigation", "measures", "result", "arrived_at", "attachment")):
            raise forms.ValidationError(_("请至少填写调查情况、处理措施、处理结果或上传照片"))
        if data.get("done") and not data.get("result"):
            self.add_error("result", _("处理完毕时须填写处理结果（R-M2-18）"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    """报品质部处理措施 (R-M2-19)."""

    measures = forms.CharField(label=_("处理措施"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


OWNER_RESPONSES = [("pending", _("未表态")), ("agree", _("同意处理方案")), ("disagree", _("不同意，继续协商"))]


class ReplyForm(forms.Form):
    """回复 (R-M2-05, R-M2-13, R-M2-21): to the owner or to the 管理处主任; kind, channel, content, time,
    the owner's answer. Letters, faxes, emails and online replies to the owner are saved as drafts for
    review first (R-M2-08, R-M2-10)."""

    recipient = forms.ChoiceField(label=_("回复对象"), choices=ReplyRecipient.choices, initial=ReplyRecipient.OWNER,
                                  required=False,
                                  help_text=_("处理完毕须将结果同时回复业主和管理处主任（R-M2-21）"))
    kind = forms.ChoiceField(label=_("回复类型"), choices=ReplyKind.choices, initial=ReplyKind.RESULT)
    channel = forms.ChoiceField(label=_("回复方式"), choices=ReplyChannel.choices, initial=ReplyChannel.PHONE,
                                help_text=_("书面、传真、邮件、网上回复须先经审核（R-M2-08/R-M2-10），保存为草稿"))
    content = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    sent_at = LocalDateTimeField(label=_("回复时间"), required=False, help_text=_("留空为现在"))
    owner_response = forms.ChoiceField(label=_("业主意见"), choices=OWNER_RESPONSES, initial="pending")
    owner_words = forms.CharField(label=_("业主原话"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    """回复审核 (R-M2-08, R-M2-10, R-M2-12)."""

    reply = forms.TypedChoiceField(label=_("回复草稿"), coerce=int, choices=())
    department = forms.ChoiceField(label=_("审核部门"), choices=ReviewDepartment.choices)
    approved = forms.TypedChoiceField(label=_("审核结论"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("通过")), ("no", _("不通过"))])
    all_issues_covered = forms.BooleanField(label=_("已回应业主提出的全部问题（R-M2-12）"), required=False)
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, drafts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].choices = list(drafts)


class SendForm(forms.Form):
    """发出已审核的回复 (R-M2-08)."""

    reply = forms.TypedChoiceField(label=_("回复草稿"), coerce=int, choices=())
    owner_response = forms.ChoiceField(label=_("业主意见"), choices=OWNER_RESPONSES, initial="pending")
    owner_words = forms.CharField(label=_("业主原话"), required=False, max_length=2000)

    def __init__(self, *args: Any, drafts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].choices = list(drafts)


class OwnerResponseForm(forms.Form):
    """顾客对处理方案的意见 (R-M2-13): disagree keeps the ticket open for negotiation."""

    owner_response = forms.ChoiceField(label=_("业主意见"), choices=OWNER_RESPONSES[1:])
    owner_words = forms.CharField(label=_("业主原话"), required=False, max_length=2000)


class VerificationForm(forms.Form):
    """验证 (R-M4-01, R-M4-02): the staff verdict, kept apart from the owner's satisfaction."""

    passed = forms.TypedChoiceField(label=_("验证结论"), coerce=lambda v: v == "pass",
                                    choices=[("pass", _("措施已落实，通过")), ("fail", _("未落实，退回处理"))],
                                    initial="pass")
    notes = forms.CharField(label=_("验证情况"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    order = forms.CharField(label=_("整改指令/重新评估（不通过时必填）"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("passed") is False and not data.get("order"):
            self.add_error("order", _("验证不通过须填写整改指令或重新评估意见（R-M4-02）"))
        return data


class ReturnVisitForm(forms.Form):
    """回访 (R-M4-07, R-M4-09, R-M4-12): every attempt, including "unreachable"."""

    method = forms.ChoiceField(label=_("回访方式"), choices=ReturnVisitMethod.choices, initial=ReturnVisitMethod.PHONE)
    reached = forms.TypedChoiceField(label=_("是否联系上"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("已联系上")), ("no", _("联系不上"))], initial="yes")
    satisfaction = forms.ChoiceField(label=_("业主评价"), required=False,
                                     choices=[("", _("——")), *Satisfaction.choices])
    owner_words = forms.CharField(label=_("业主意见"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("备注"), required=False, max_length=1000)
    give_up = forms.BooleanField(label=_("多次联系不上，以“联系不上”结束回访（R-M4-12）"), required=False)
    open_question = forms.CharField(label=_("未能当场答复的问题"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("R-M4-10：业主提出、当场不能答复的问题，须同时约定答复时间"))
    answer_due_at = LocalDateTimeField(label=_("约定答复时间"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reached") and not data.get("satisfaction"):
            self.add_error("satisfaction", _("联系上业主时须记录满意度"))
        if data.get("open_question") and not data.get("answer_due_at"):
            self.add_error("answer_due_at", _("未能当场答复的问题须约定答复时间（R-M4-10）"))
        return data


class AnswerQuestionForm(forms.Form):
    """答复回访中提出的问题 (R-M4-10): the answer promised at the return visit."""

    visit = forms.TypedChoiceField(label=_("待答复的问题"), coerce=int, choices=())
    answer = forms.CharField(label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, questions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit"].choices = list(questions)


class ExemptionForm(forms.Form):
    """免回访 (R-M4-05): one of the listed cases, with the reason recorded."""

    exemption = forms.ChoiceField(label=_("免回访情形"), choices=ReturnVisitExemption.choices)
    note = forms.CharField(label=_("说明（敏感投诉必填）"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    """关闭 (R-M2-18) or 未关闭 (R-M2-16)."""

    result = forms.CharField(label=_("处理结果（已记录的可不填）"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    unresolved = forms.BooleanField(label=_("超出公司能力，以“未关闭”结案（仍计入统计）"), required=False)
    analysis = forms.CharField(label=_("案例分析（未关闭时必填）"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("降低顾客不满的措施（未关闭时必填）"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("unresolved"):
            if not data.get("analysis"):
                self.add_error("analysis", _("以“未关闭”结案须填写案例分析（R-M2-16）"))
            if not data.get("measures"):
                self.add_error("measures", _("以“未关闭”结案须填写降低顾客不满的措施（R-M2-16）"))
        return data


class InternalStaffForm(forms.Form):
    """内部员工投诉 (R-M1-17, POLICY P-08): set or clear the flag after intake (``edit_ticket``)."""

    internal_staff = forms.BooleanField(label=_("投诉人是本公司内部员工"), required=False)
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    agreed_feedback_at = LocalDateTimeField(label=_("与业主约定的反馈时间"), required=False)


class TransferForm(forms.Form):
    """书面转地产客户服务中心 (R-M2-03, R-M2-25)."""

    document_no = forms.CharField(label=_("函件编号"), required=False, max_length=60)
    content = forms.CharField(label=_("函件内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DeveloperResultForm(forms.Form):
    result = forms.CharField(label=_("地产处理结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class OwnerUpdateForm(forms.Form):
    """告知业主进展 (R-M2-03, R-M4-08)."""

    channel = forms.ChoiceField(label=_("方式"), choices=ReplyChannel.choices, initial=ReplyChannel.PHONE)
    content = forms.CharField(label=_("告知内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ClaimForm(forms.Form):
    """赔偿申请 (R-M2-24)."""

    amount = forms.DecimalField(label=_("索赔金额（元）"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    content = forms.CharField(label=_("索赔内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    involves_engineering_or_sales = forms.BooleanField(label=_("涉及工程或销售问题"), required=False)


class DecideForm(forms.Form):
    """赔偿审批 (R-M2-24, POLICY P-11): within the approver's role limit."""

    claim = forms.TypedChoiceField(label=_("赔偿申请"), coerce=int, choices=())
    approve = forms.TypedChoiceField(label=_("审批结论"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("批准")), ("no", _("驳回"))])
    approved_amount = forms.DecimalField(label=_("批准金额（元，默认申请金额）"), required=False, max_digits=12,
                                         decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("审批意见（驳回时必填）"), required=False, max_length=2000)

    def __init__(self, *args: Any, claims: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = list(claims)


class ReferForm(forms.Form):
    """转报地产/公司重大业务审批 (R-M2-24)."""

    claim = forms.TypedChoiceField(label=_("赔偿申请"), coerce=int, choices=())
    note = forms.CharField(label=_("转报说明"), max_length=2000)

    def __init__(self, *args: Any, claims: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = list(claims)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("视图名称"), max_length=100)
    query_string = forms.CharField(required=False, max_length=2000)


class InventoryForm(forms.Form):
    """日盘点 (R-M1-11): a day and, optionally, one receiver."""

    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    receiver = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
