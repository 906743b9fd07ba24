"""The keys a limit policy is chosen by (SPEC §0, R-M1-04, POLICY P-22): what kind of request, how it
arrived, the reply class its channel maps to and its urgency.

They belong to the calendar layer because the limit table (``LimitRule``) is keyed by them; the ticket
pipeline (apps.tickets.choices) re-exports them as its own vocabulary. The codes are stable: policy
rows, the API and integrations use them.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """诉求类型."""

    COMPLAINT = "complaint", _("投诉")
    REPAIR = "repair", _("报修")
    SUGGESTION = "suggestion", _("建议")
    CONSULTATION = "consultation", _("咨询")
    PRAISE = "praise", _("表扬")
    NEED = "need", _("需求")
    PAID_SERVICE = "paid_service", _("有偿服务")
    # R-M1-16: special/agency service (特约/代办, e.g. 家政), an owner's accident or incident (R-M2-23)
    # and a dispute between residents (R-M20-05)
    SPECIAL_SERVICE = "special_service", _("特约/代办服务")
    INCIDENT = "incident", _("事故事件")
    DISPUTE = "dispute", _("住户间纠纷")


class Channel(models.TextChoices):
    """投诉方式 — how it arrived (R-M1-04)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("信函")
    SUGGESTION_BOX = "suggestion_box", _("意见箱")
    FAX = "fax", _("传真")
    EMAIL = "email", _("电子邮件")
    ONLINE = "online", _("网上（网站/APP/微信）")
    DEVELOPER_TRANSFER = "developer_transfer", _("地产转来")
    GROUP_TRANSFER = "group_transfer", _("集团转来")
    GOVERNMENT_PETITION = "government_petition", _("政府信访")
    OWNERS_COMMITTEE = "owners_committee", _("业委会书面平台")
    FIELD_VISIT = "field_visit", _("走访/回访中提出")


class ReplyClass(models.TextChoices):
    """Reply class a channel maps to for deadlines (R-M1-04, POLICY P-22)."""

    ORAL = "oral", _("口头")
    WRITTEN = "written", _("书面")
    EMAIL = "email", _("邮件")
    ONLINE = "online", _("网上")


# R-M1-04 default mapping (POLICY P-22: a company may change it in the policy table).
DEFAULT_REPLY_CLASS: dict[str, str] = {
    Channel.PHONE: ReplyClass.ORAL,
    Channel.VISIT: ReplyClass.ORAL,
    Channel.FIELD_VISIT: ReplyClass.ORAL,
    Channel.LETTER: ReplyClass.WRITTEN,
    Channel.SUGGESTION_BOX: ReplyClass.WRITTEN,
    Channel.FAX: ReplyClass.WRITTEN,
    Channel.OWNERS_COMMITTEE: ReplyClass.WRITTEN,
    Channel.DEVELOPER_TRANSFER: ReplyClass.WRITTEN,
    Channel.GROUP_TRANSFER: ReplyClass.WRITTEN,
    Channel.GOVERNMENT_PETITION: ReplyClass.WRITTEN,
    Channel.EMAIL: ReplyClass.EMAIL,
    Channel.ONLINE: ReplyClass.ONLINE,
}


# Who reviews the answer to a written complaint (R-M2-08, POLICY P-09): the codes of the ticket pipeline's
# review departments (apps.tickets.choices.ReviewDepartment) each choice requires. Default: 品质管理部
# + 办公室 (篇4; 篇3 names the 总经理办公室, the same review).
WRITTEN_REVIEWERS: dict[str, tuple[str, ...]] = {
    "quality_office": ("quality", "office"),
    "quality": ("quality",),
}
DEFAULT_WRITTEN_REVIEWERS = "quality_office"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
