"""Forms of the ticket pages, and the translation of form/API data into action keyword arguments.

The forms only validate input; every write goes through :mod:`apps.tickets.actions`. The functions at
the end turn a form's ``cleaned_data`` or an API payload (same field names) into the keyword arguments
of the typed action a view or endpoint calls, e.g.
``actions.dispatch_ticket(ticket=t, **forms.dispatch_kwargs(t, data), acting_user=…, now=…)``.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.files import ATTACHMENTS, FileRefused, check_upload
from apps.core.validation import (
    check_moment,
    check_past_moment,
    check_planned_moment,
    form_check,
    validate_date,
    validate_past_moment,
    validate_planned_moment,
)
from apps.estates.models import Person
from apps.org import access as org_access
from apps.org.models import Department, Project, User
from apps.tickets.actions import TicketError
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
    TicketStatus,
    Urgency,
)
from apps.tickets.models import (
    Category,
    CompensationClaim,
    DeveloperTransfer,
    Dispatch,
    PublishedChannelKind,
    Reply,
    SuggestionBoxOpening,
    Ticket,
)
from apps.tickets.queries import household_in
from apps.tickets.transitions import InvalidTransition
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
        return form_check(check_moment, moment)  # 2000-01-01 … 2100-12-31 (issue 14 item 2)


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
    people_count = forms.IntegerField(label=_("人数"), min_value=1, max_value=100000, initial=1, help_text=_("集体投诉填写人数"))
    media_exposed = forms.BooleanField(label=_("已被媒体曝光"), required=False)
    litigation = forms.BooleanField(label=_("已起诉"), required=False)
    media_or_litigation_risk = forms.BooleanField(label=_("可能引起诉讼或媒体曝光"), required=False)
    developer_matter = forms.BooleanField(label=_("地产遗留问题"), required=False)
    municipal = forms.BooleanField(label=_("市政配套问题"), required=False)
    internal_staff = forms.BooleanField(label=_("内部员工投诉"), required=False,
                                        help_text=_("投诉人是本公司员工"))
    agreed_feedback_at = LocalDateTimeField(label=_("与业主约定的反馈时间"), required=False,
                                            help_text=_("不能当场办结时必须与业主约定"))
    agreed_extension_reason = forms.CharField(
        label=_("业主要求延后的原因"), required=False, max_length=200,
        help_text=_("约定时间晚于渠道回复时限时填写；不填则仍按渠道时限回复"))
    receiver = forms.TypedChoiceField(label=_("受理人"), required=False, coerce=int, empty_value=None, choices=(),
                                      help_text=_("默认为本人；代他人登记时选择实际受理人"))
    feelings = forms.CharField(label=_("顾客感受"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on_spot = forms.BooleanField(label=_("已当场处理完毕，业主认可"), required=False)
    handling_result = forms.CharField(label=_("当场处理结果"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    suggestion_box_opening = forms.TypedChoiceField(
        label=_("意见箱开箱记录"), required=False, coerce=int, empty_value=None, choices=(),
        help_text=_("意见箱来件选择所属的开箱记录"))
    issued_by_quality = forms.BooleanField(label=_("品质部下发的投诉记录表"), required=False,
                                           help_text=_("品质管理部下发给项目处理；项目须在一个工作日内上报处理措施"))
    quality_due_at = LocalDateTimeField(label=_("要求完成时间"), required=False,
                                        help_text=_("品质部下发时填写项目须完成处理的时间"))
    courtesy = forms.ChoiceField(label=_("结束受理时"), required=False,
                                 choices=[("", _("—— 请选择 ——")), ("apology", _("已向顾客致歉")),
                                          ("thanks", _("已向顾客致谢"))],
                                 help_text=_("受理结束时向顾客致歉或致谢"))

    def __init__(self, *args: Any, categories: list[tuple[int, str]] | None = None,
                 departments: list[tuple[int, str]] | None = None, receivers: list[tuple[int, str]] | None = None,
                 now: dt.datetime | None = None, box_openings: list[tuple[int, str]] | None = None,
                 company_level: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["suggestion_box_opening"]).choices = [
            ("", _("—— 无 ——")), *(box_openings or [])]
        if not company_level:  # R-M2-19: only 品质管理部 issues a record to a project
            del self.fields["issued_by_quality"], self.fields["quality_due_at"]
        self.now = now or clock.now()
        cast(forms.ChoiceField, self.fields["receiver"]).choices = [("", _("—— 本人 ——")), *(receivers or [])]
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4().hex
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("—— 请选择 ——")), *(categories or [])]
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", _("—— 稍后派工 ——")), *(departments or [])]

    def clean_received_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > self.now + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("受理时间不能晚于现在"))
        return form_check(lambda v: check_past_moment(v, self.now), value)

    def clean_agreed_feedback_at(self) -> dt.datetime | None:
        return form_check(lambda v: check_planned_moment(v, self.now), self.cleaned_data.get("agreed_feedback_at"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("anonymous") and not (data.get("complainant_surname") or data.get("household")
                                               or data.get("phone")):
            self.add_error("complainant_surname", _("请填写诉求人姓氏、房号或电话；无法获得时勾选“匿名”"))
        if data.get("resolved_on_spot") and not data.get("handling_result"):
            self.add_error("handling_result", _("当场处理完毕须填写处理结果"))
        if data.get("internal_staff") and data.get("kind") not in (None, Kind.COMPLAINT):
            self.add_error("internal_staff", _("只有投诉可以标记为内部员工投诉"))
        if data.get("quality_due_at") and not data.get("issued_by_quality"):
            self.add_error("quality_due_at", _("只有品质部下发的投诉记录表才设完成时间"))
        return data

    def clean_quality_due_at(self) -> dt.datetime | None:
        return form_check(lambda v: check_planned_moment(v, self.now), self.cleaned_data.get("quality_due_at"))


class DispatchForm(forms.Form):
    """派工 / 改派 (R-M1-19, R-M2-01)."""

    department = forms.TypedChoiceField(label=_("责任部门"), coerce=int, choices=())
    assignee = forms.TypedChoiceField(label=_("处理人"), coerce=int, empty_value=None, required=False, choices=())
    instructions = forms.CharField(label=_("派工说明"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, departments: Any = (), assignees: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", _("—— 请选择 ——")), *departments]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", _("—— 由部门负责人指定 ——")), *assignees]


class HandlingForm(forms.Form):
    """现场调查、处理措施、处理结果、照片 (R-M2-01, R-M2-02)."""

    investigation = forms.CharField(label=_("现场调查情况"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("处理措施"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("处理结果"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    arrived_at = LocalDateTimeField(validators=[validate_past_moment], label=_("到场时间"), required=False)
    attachment = forms.FileField(label=_("照片/附件"), required=False)
    caption = forms.CharField(label=_("附件说明"), required=False, max_length=200)
    done = forms.BooleanField(label=_("处理完毕，通知前台"), required=False)

    def clean_attachment(self) -> Any:
        """Checked by content, not by name (issue 14 item 3): the message shows beside the field."""
        file = self.cleaned_data.get("attachment")
        if file:
            try:
                check_upload(file, allowed=ATTACHMENTS, field="attachment")
            except FileRefused as exc:
                raise forms.ValidationError(exc.message) from None
        return file

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(k) for k in ("investigation", "measures", "result", "arrived_at", "attachment")):
            raise forms.ValidationError(_("请至少填写调查情况、处理措施、处理结果或上传照片"))
        if data.get("done") and not data.get("result"):
            self.add_error("result", _("处理完毕时须填写处理结果"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class QualityOpinionForm(forms.Form):
    """品质管理部核实与处理意见 (R-M1-10)."""

    fact_check = forms.CharField(label=_("与管理处或责任部门核实的情况"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": _("请填写与管理处或责任部门核实的情况")})
    opinion = forms.CharField(label=_("处理意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写处理意见")})


class ReportForm(forms.Form):
    """报品质管理部 (R-M2-19: handling measures, later the result; R-M2-10: an online complaint's facts and
    proposed measures)."""

    facts = forms.CharField(label=_("调查到的事实（网上投诉必填）"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("处理措施"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("处理结果（处理完毕后报告）"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class OnlineNotificationForm(forms.Form):
    """网上投诉通知 (R-M2-09): 品质管理部's information administrator forwards and telephones."""

    emailed = forms.BooleanField(label=_("已邮件转发责任部门负责人及管理处指定岗位"), required=False)
    phoned = forms.BooleanField(label=_("已电话通知管理处经理或指定岗位"), required=False)
    note = forms.CharField(label=_("备注（收件人、接电话的人等）"), required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not (self.cleaned_data.get("emailed") or self.cleaned_data.get("phoned")):
            self.add_error("emailed", _("请选择已邮件转发或已电话通知"))
        return self.cleaned_data


class GmReportForm(forms.Form):
    """事故事件报告物业总经理 (R-M2-23)."""

    report = forms.CharField(label=_("报告内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写报告内容")})


class SuggestionDecisionForm(forms.Form):
    """合理化建议是否采纳 (R-M1-15): the 管理处主任 decides; adopted → measures posted publicly."""

    adopted = forms.TypedChoiceField(label=_("决定"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("采纳，制定整改措施")), ("no", _("不采纳"))])
    measures = forms.CharField(label=_("整改措施"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    posted_where = forms.CharField(label=_("张榜公布位置"), required=False, max_length=200)
    posted_on = forms.DateField(label=_("张榜日期"), required=False, validators=[validate_date],
                                widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("不采纳的理由"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class BoxOpeningForm(forms.Form):
    """意见箱开箱登记 (R-M1-12)."""

    opened_at = LocalDateTimeField(label=_("开箱时间"), validators=[validate_past_moment])
    opened_by = forms.TypedChoiceField(label=_("开箱人"), required=False, coerce=int, empty_value=None, choices=(),
                                       help_text=_("默认为本人"))
    slip_count = forms.IntegerField(label=_("意见条数"), min_value=0, max_value=10000, initial=0)
    note = forms.CharField(label=_("备注"), required=False, max_length=1000)

    def __init__(self, *args: Any, staff: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["opened_by"]).choices = [("", _("—— 本人 ——")), *staff]


OWNER_RESPONSES = [("pending", _("未表态")), ("agree", _("同意处理方案")), ("disagree", _("不同意，继续协商"))]


class ReplyForm(forms.Form):
    """回复 (R-M2-05, R-M2-13, R-M2-21): to the owner or to the 管理处主任; kind, channel, content, time,
    the owner's answer. Letters, faxes, emails and online replies to the owner are saved as drafts for
    review first (R-M2-08, R-M2-10)."""

    recipient = forms.ChoiceField(label=_("回复对象"), choices=ReplyRecipient.choices, initial=ReplyRecipient.OWNER,
                                  required=False,
                                  help_text=_("处理完毕须将结果同时回复业主和管理处主任"))
    kind = forms.ChoiceField(label=_("回复类型"), choices=ReplyKind.choices, initial=ReplyKind.RESULT)
    channel = forms.ChoiceField(label=_("回复方式"), choices=ReplyChannel.choices, initial=ReplyChannel.PHONE,
                                help_text=_("书面、传真、邮件、网上回复，以及对书面、邮件、网上投诉的处理措施、结果或解释（即使电话或当面告知），须先经审核，保存为草稿"))
    content = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    sent_at = LocalDateTimeField(validators=[validate_past_moment], label=_("回复时间"), required=False, help_text=_("留空为现在"))
    owner_response = forms.ChoiceField(label=_("业主意见"), choices=OWNER_RESPONSES, initial="pending")
    owner_words = forms.CharField(label=_("业主原话"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    """回复审核 (R-M2-08, R-M2-10, R-M2-12)."""

    reply = forms.TypedChoiceField(label=_("回复草稿"), coerce=int, choices=())
    department = forms.ChoiceField(label=_("审核部门"), choices=ReviewDepartment.choices)
    approved = forms.TypedChoiceField(label=_("审核结论"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("通过")), ("no", _("不通过"))])
    # R-M2-12: the online-reply checklist (an online reply is sent only when all four are confirmed)
    sincere = forms.BooleanField(label=_("态度诚恳"), required=False)
    no_shifting_blame = forms.BooleanField(label=_("没有推诿责任"), required=False)
    all_issues_covered = forms.BooleanField(label=_("已回应业主提出的全部问题"), required=False)
    professionally_correct = forms.BooleanField(label=_("专业内容正确"), required=False,
                                                help_text=_("网上回复须以上四项全部确认，方可发出"))
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, drafts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reply"]).choices = list(drafts)


class SendForm(forms.Form):
    """发出已审核的回复 (R-M2-08)."""

    reply = forms.TypedChoiceField(label=_("回复草稿"), coerce=int, choices=())
    owner_response = forms.ChoiceField(label=_("业主意见"), choices=OWNER_RESPONSES, initial="pending")
    owner_words = forms.CharField(label=_("业主原话"), required=False, max_length=2000)

    def __init__(self, *args: Any, drafts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reply"]).choices = list(drafts)


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
        super().clean()
        data = self.cleaned_data
        if data.get("passed") is False and not data.get("order"):
            self.add_error("order", _("验证不通过须填写整改指令或重新评估意见"))
        return data


class ReturnVisitForm(forms.Form):
    """回访 (R-M4-07, R-M4-09, R-M4-12): every attempt, including "unreachable"."""

    method = forms.ChoiceField(label=_("回访方式"), choices=ReturnVisitMethod.choices, initial=ReturnVisitMethod.PHONE)
    reached = forms.TypedChoiceField(label=_("是否联系上"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("已联系上")), ("no", _("联系不上"))], initial="yes")
    satisfaction = forms.ChoiceField(label=_("业主评价"), required=False,
                                     choices=[("", _("——")), *Satisfaction.choices])
    owner_words = forms.CharField(label=_("业主意见"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("请业主对投诉受理、处理措施和处理结果提出意见"))
    note = forms.CharField(label=_("备注"), required=False, max_length=1000)
    give_up = forms.BooleanField(label=_("多次联系不上，以“联系不上”结束回访"), required=False)
    open_question = forms.CharField(label=_("未能当场答复的问题"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("业主提出、当场不能答复的问题，须同时约定答复时间"))
    answer_due_at = LocalDateTimeField(validators=[validate_planned_moment], label=_("约定答复时间"), required=False)
    emergency_reason = forms.CharField(label=_("紧急回访原因"), required=False, max_length=500,
                                       help_text=_("免打扰时段（午休、晚间）内电话回访须填写紧急原因"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reached") and not data.get("satisfaction"):
            self.add_error("satisfaction", _("联系上业主时须记录满意度"))
        if (data.get("reached") and data.get("method") in (ReturnVisitMethod.PHONE, ReturnVisitMethod.VISIT)
                and not (data.get("owner_words") or "").strip()):
            self.add_error("owner_words", _("联系上业主时须记录业主对投诉受理、处理措施和处理结果的意见"))
        if data.get("open_question") and not data.get("answer_due_at"):
            self.add_error("answer_due_at", _("未能当场答复的问题须约定答复时间"))
        return data


class AnswerQuestionForm(forms.Form):
    """答复回访中提出的问题 (R-M4-10): the answer promised at the return visit."""

    visit = forms.TypedChoiceField(label=_("待答复的问题"), coerce=int, choices=())
    answer = forms.CharField(label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, questions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["visit"]).choices = list(questions)


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
    unreasonable = forms.BooleanField(label=_("不合理投诉，已向顾客解释说明，以“不合理投诉——已解释”结案"),
                                      required=False)
    reason = forms.CharField(label=_("判定为不合理投诉的理由（选上一项时必填）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("unreasonable"):
            if data.get("unresolved"):
                self.add_error("unreasonable", _("“未关闭”和“不合理投诉——已解释”只能选一种"))
            if not data.get("reason"):
                self.add_error("reason", _("请填写判定为不合理投诉的理由"))
        if data.get("unresolved"):
            if not data.get("analysis"):
                self.add_error("analysis", _("以“未关闭”结案须填写案例分析"))
            if not data.get("measures"):
                self.add_error("measures", _("以“未关闭”结案须填写降低顾客不满的措施"))
        return data


class InternalStaffForm(forms.Form):
    """内部员工投诉 (R-M1-17, POLICY P-08): set or clear the flag after intake (``edit_ticket``)."""

    internal_staff = forms.BooleanField(label=_("投诉人是本公司内部员工"), required=False)
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)


VALIDITY_CHOICES = [("", _("未判定")), ("yes", _("有效投诉")), ("no", _("无效投诉"))]


class JudgeForm(forms.Form):
    """投诉判定: 有效投诉 (R-M1-18, set by the handler or a supervisor) and 重要投诉 (R-M2-22)."""

    valid_complaint = forms.ChoiceField(label=_("有效性"), choices=VALIDITY_CHOICES, required=False)
    criterion = forms.TypedChoiceField(label=_("判定依据"), required=False, coerce=int, empty_value=None,
                                       help_text=_("本公司的有效投诉判定标准；须与判定结果一致"))
    important = forms.BooleanField(label=_("重要投诉"), required=False)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500,
                             help_text=_("判定为无效投诉须说明理由（或选择无效投诉的判定依据）"))

    def __init__(self, *args: Any, criteria: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if criteria:
            cast(forms.ChoiceField, self.fields["criterion"]).choices = [("", "—"), *criteria]
        else:
            del self.fields["criterion"]


def judge_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """投诉判定 (page or API) → :func:`actions.judge_complaint` keyword arguments. The page sends
    "yes"/"no"/"" for validity; the API sends true/false/null; a key left out is not changed."""
    out: dict[str, Any] = {"reason": _text(data, "reason")}
    if "valid_complaint" in data:
        value = data["valid_complaint"]
        out["valid_complaint"] = {"yes": True, "no": False, "": None}.get(value, value) if isinstance(value, str) else value
    if "important" in data and data["important"] is not None:
        out["important"] = bool(data["important"])
    if data.get("criterion") is not None:
        out["criterion"] = data["criterion"]
    return out


class AgreedTimeForm(forms.Form):
    """约定反馈时间 after intake (R-M2-06): a new agreed time, and the customer's reason when they asked
    for a time later than the channel limit."""

    agreed_feedback_at = LocalDateTimeField(validators=[validate_planned_moment], label=_("与业主约定的反馈时间"))
    agreed_extension_reason = forms.CharField(
        label=_("业主要求延后的原因"), required=False, max_length=200,
        help_text=_("约定时间晚于渠道回复时限时填写；不填则仍按渠道时限回复"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    agreed_feedback_at = LocalDateTimeField(validators=[validate_planned_moment], label=_("与业主约定的反馈时间"), required=False)


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


class RecordFormForm(forms.Form):
    """记录表投诉 (R-M2-17): list the complaint on the 《顾客投诉处理记录表》 and name its handler."""

    handler = forms.ModelChoiceField(label=_("具体处理人"), queryset=User.objects.none(), required=False,
                                     help_text=_("由部门负责人指定；处理人本人列入时可留空"))
    reason = forms.CharField(label=_("说明"), max_length=500, required=False,
                             help_text=_("如：需协调多个部门，预计超过一个工作日"))

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            cast(forms.ModelChoiceField, self.fields["handler"]).queryset = staff


class CoordinatorForm(forms.Form):
    """市政配套协调人 (R-M2-03)."""

    coordinator = forms.ModelChoiceField(label=_("协调人"), queryset=User.objects.none(),
                                         help_text=_("负责协调和跟进市政配套问题的员工"))

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            cast(forms.ModelChoiceField, self.fields["coordinator"]).queryset = staff


class ChannelPublicationForm(forms.Form):
    """投诉渠道公布 (R-M1-01): one published channel of a project."""

    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    kind = forms.ChoiceField(label=_("渠道"), choices=PublishedChannelKind.choices)
    value = forms.CharField(label=_("内容"), max_length=200, help_text=_("电话、地址、邮箱、联系人或岗位名称"))
    published_on = forms.DateField(label=_("公布日期"), validators=[validate_date],
                                   widget=forms.DateInput(attrs={"type": "date"}))
    where_posted = forms.CharField(label=_("张贴位置"), max_length=200, help_text=_("如：大堂公告栏、各单元电梯厅"))

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects


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
        cast(forms.ChoiceField, self.fields["claim"]).choices = list(claims)


class ReferForm(forms.Form):
    """转报地产/公司重大业务审批 (R-M2-24)."""

    claim = forms.TypedChoiceField(label=_("赔偿申请"), coerce=int, choices=())
    note = forms.CharField(label=_("转报说明"), max_length=2000)

    def __init__(self, *args: Any, claims: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["claim"]).choices = list(claims)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("视图名称"), max_length=100)
    query_string = forms.CharField(required=False, max_length=2000)


class InventoryForm(forms.Form):
    """日盘点 (R-M1-11): a day and, optionally, one receiver."""

    day = forms.DateField(validators=[validate_date], label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    receiver = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


# ---------------------------------------------------------------- interface data → action keyword arguments
#
# A page's ``form.cleaned_data`` and an API payload carry the same names; these functions turn them into
# the keyword arguments of the typed action the view or endpoint calls, resolving ids into rows of the
# ticket's project (another project's rows are refused like bad input, 422).


def invalid(field: str, message: str) -> TicketError:
    return TicketError(message, field=field, code="invalid", status=422)


def _text(data: dict[str, Any], name: str) -> str:
    return (data.get(name) or "").strip()


def _pk(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid(name, "请选择记录") from None


def household_and_person(project: Project, household_id: Any, person_id: Any) -> tuple[Any, Any]:
    """Resolve the intake form's hidden ids; another project's rows are refused like bad input."""
    household = None
    person = None
    if household_id not in (None, ""):
        household = household_in(project, household_id)
        if household is None:
            raise invalid("household", "房屋不存在或不属于该项目")
    if person_id not in (None, ""):
        person = Person.objects.filter(project=project, pk=int(person_id)).first()
        if person is None:
            raise invalid("person", "业主不存在或不属于该项目")
    return household, person


def category_or_none(category_id: Any, *, project: Project) -> Category | None:
    if category_id in (None, ""):
        return None
    row = (Category.objects.filter(pk=int(category_id), active=True)
           .filter(Q(company__isnull=True) | Q(company_id=project.company_id)).first())
    if row is None:
        raise invalid("category", "分类不存在或不可用")
    return row


def department_or_none(department_id: Any, *, project: Project, field: str = "department") -> Department | None:
    if department_id in (None, ""):
        return None
    row = (Department.objects.filter(pk=int(department_id))
           .filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id)).first())
    if row is None:
        raise invalid(field, "部门不存在或不属于该项目")
    return row


def user_or_none(user_id: Any, *, project: Project, field: str) -> User | None:
    if user_id in (None, ""):
        return None
    row = User.objects.filter(pk=int(user_id), is_active=True).first()
    if row is None or not org_access.can_see_project(row, project):
        raise invalid(field, "人员不存在或不属于该项目")
    return row


INTAKE_NULLABLE = {"household", "person", "category", "department", "agreed_feedback_at", "received_at",
                   "quality_due_at", "suggestion_box_opening"}
INTAKE_TEXTS = ("complainant_surname", "phone", "address", "desired_outcome", "feelings", "online_url",
                "agreed_extension_reason", "handling_result", "courtesy")


def box_opening_or_none(opening_id: Any, *, project: Project) -> SuggestionBoxOpening | None:
    """R-M1-12: the suggestion-box opening a slip came from (an opening of the same project)."""
    if opening_id in (None, ""):
        return None
    row = SuggestionBoxOpening.objects.filter(pk=int(opening_id), project=project).first()
    if row is None:
        raise invalid("suggestion_box_opening", "开箱记录不存在或不属于该项目")
    return row


def recent_box_openings(project: Project, *, limit: int = 14) -> list[tuple[int, str]]:
    """The project's latest openings for the intake form's choice (newest first)."""
    rows = SuggestionBoxOpening.objects.filter(project=project).select_related("opened_by").order_by("-opened_at", "-pk")
    return [(o.pk, f"{clock.local(o.opened_at, project.tz):%Y-%m-%d %H:%M} {o.opened_by}") for o in rows[:limit]]


def intake_kwargs(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """受理 (R-M1-03…R-M1-13): the intake form's or the API's fields → :func:`actions.receive_ticket`
    keyword arguments (ids resolved in ``project``; an empty value leaves the action's default)."""
    data = dict(data)
    data.pop("submission_key", None)
    data.pop("project", None)
    data["household"], data["person"] = household_and_person(project, data.pop("household", None),
                                                              data.pop("person", None))
    data["category"] = category_or_none(data.get("category"), project=project)
    data["department"] = department_or_none(data.get("department"), project=project)
    data["receiver"] = user_or_none(data.get("receiver"), project=project, field="receiver")
    data["suggestion_box_opening"] = box_opening_or_none(data.get("suggestion_box_opening"), project=project)
    data = {k: v for k, v in data.items() if v is not None or k in INTAKE_NULLABLE}
    for name in INTAKE_TEXTS:
        if name in data and data[name] is None:
            data[name] = ""
    return data


def dispatch_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    department = department_or_none(data.get("department"), project=ticket.project)
    if department is None:
        raise invalid("department", "请选择责任部门")
    return {"department": department,
            "assignee": user_or_none(data.get("assignee"), project=ticket.project, field="assignee"),
            "instructions": _text(data, "instructions"), "due_at": data.get("due_at")}


def current_dispatch(ticket: Ticket) -> Dispatch:
    """The 派工单 that 接单 accepts (409 when the ticket has none)."""
    dispatch = ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()
    if dispatch is None:
        raise InvalidTransition(ticket.status, TicketStatus.HANDLING)
    return dispatch


def handling_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    files = [f for f in (data.get("attachments") or []) if f]
    if data.get("attachment"):
        files.append(data["attachment"])
    caption = _text(data, "caption")
    return {"investigation": _text(data, "investigation"), "measures": _text(data, "measures"),
            "result": _text(data, "result"), "done": bool(data.get("done")), "arrived_at": data.get("arrived_at"),
            "attachments": [(f, caption) for f in files]}


def reason(data: dict[str, Any]) -> str:
    return _text(data, "reason")


def reply_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": data.get("kind") or ReplyKind.RESULT, "channel": data.get("channel") or "",
            "content": _text(data, "content"), "recipient": data.get("recipient") or ReplyRecipient.OWNER,
            "owner_response": data.get("owner_response") or "pending", "owner_words": _text(data, "owner_words"),
            "sent_at": data.get("sent_at")}


def reply_of(ticket: Ticket, data: dict[str, Any]) -> Reply:
    row = ticket.replies.filter(pk=_pk(data, "reply")).first()
    if row is None:
        raise invalid("reply", "回复不存在")
    return row


def review_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    return {"reply": reply_of(ticket, data), "department": data.get("department") or "",
            "approved": bool(data.get("approved")), "note": _text(data, "note"),
            "all_issues_covered": bool(data.get("all_issues_covered")), "sincere": bool(data.get("sincere")),
            "no_shifting_blame": bool(data.get("no_shifting_blame")),
            "professionally_correct": bool(data.get("professionally_correct"))}


def send_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    return {"reply": reply_of(ticket, data), "owner_response": data.get("owner_response") or "pending",
            "owner_words": _text(data, "owner_words")}


def owner_response_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    reply = reply_of(ticket, data) if data.get("reply") else (
        ticket.replies.filter(sent_at__isnull=False, kind=ReplyKind.RESULT).order_by("-sent_at", "-id").first())
    if reply is None:
        raise invalid("reply", "没有可登记意见的回复")
    return {"reply": reply, "owner_response": data.get("owner_response") or "",
            "owner_words": _text(data, "owner_words")}


def verify_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"passed": bool(data.get("passed")), "notes": _text(data, "notes"), "order": _text(data, "order")}


def return_visit_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"method": data.get("method") or "", "reached": bool(data.get("reached")),
            "satisfaction": data.get("satisfaction") or "", "owner_words": _text(data, "owner_words"),
            "note": _text(data, "note"), "give_up": bool(data.get("give_up")),
            "open_question": _text(data, "open_question"), "answer_due_at": data.get("answer_due_at"),
            "emergency_reason": _text(data, "emergency_reason")}


def answer_question_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    visit = ticket.return_visits.filter(pk=_pk(data, "visit")).first()
    if visit is None:
        raise invalid("visit", "回访记录不存在")
    return {"visit": visit, "answer": _text(data, "answer")}


def exempt_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"reason": data.get("exemption") or "", "note": _text(data, "note")}


def close_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"result": _text(data, "result"), "unresolved": bool(data.get("unresolved")),
            "analysis": _text(data, "analysis"), "measures": _text(data, "measures"),
            "unreasonable": bool(data.get("unreasonable")), "reason": _text(data, "reason")}


def claim_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    amount = data.get("amount")
    if amount in (None, ""):
        raise invalid("amount", "请填写金额")
    return {"amount": Decimal(str(amount)), "content": _text(data, "content"),
            "involves_engineering_or_sales": bool(data.get("involves_engineering_or_sales"))}


def claim_of(ticket: Ticket, data: dict[str, Any]) -> CompensationClaim:
    row = ticket.compensation_claims.filter(pk=_pk(data, "claim")).first()
    if row is None:
        raise invalid("claim", "赔偿申请不存在")
    return row


def decide_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    return {"claim": claim_of(ticket, data), "approve": bool(data.get("approve")),
            "approved_amount": data.get("approved_amount"), "note": _text(data, "note")}


def refer_kwargs(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    return {"claim": claim_of(ticket, data), "note": _text(data, "note")}


def transfer_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"content": _text(data, "content"), "document_no": _text(data, "document_no")}


def developer_transfer_of(ticket: Ticket, data: dict[str, Any]) -> DeveloperTransfer:
    row = ticket.developer_transfers.filter(pk=_pk(data, "transfer")).first() if data.get("transfer") else \
        ticket.developer_transfers.filter(result="").order_by("-sent_at").first()
    if row is None:
        raise invalid("transfer", "转地产记录不存在")
    return row


def owner_update_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {"channel": data.get("channel") or "", "content": _text(data, "content")}


def internal_staff_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """内部员工投诉标记 (R-M1-17) → :func:`actions.edit_ticket` keyword arguments."""
    return {"changes": {"internal_staff": bool(data.get("internal_staff"))},
            "reason": _text(data, "reason") or "内部员工投诉标记"}


class ValidityCriterionForm(forms.Form):
    """有效投诉判定标准 (R-M1-18): one criterion of the company's list."""

    label = forms.CharField(label=_("判定标准"), max_length=100)
    valid = forms.TypedChoiceField(label=_("判定结果"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("有效投诉")), ("no", _("无效投诉"))])
    position = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class StaffNamedForm(forms.Form):
    """被表扬/投诉的员工 (R-M14-02): the staff member a praise or complaint is about."""

    staff = forms.ModelChoiceField(label=_("被表扬/投诉的员工"), queryset=User.objects.none(), required=False,
                                   help_text=_("留空 = 取消"))

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff
