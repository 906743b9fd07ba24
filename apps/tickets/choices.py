"""Vocabulary shared by the ticket pipeline and the deadline policies (SPEC M1, M2, M8).

These codes are stable: policy rows (apps.workdays), the API and integrations use them.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Re-exported: the keys of the limit policies live in the calendar layer (apps.workdays.keys).
from apps.workdays.keys import DEFAULT_REPLY_CLASS as DEFAULT_REPLY_CLASS
from apps.workdays.keys import Channel as Channel
from apps.workdays.keys import Kind as Kind
from apps.workdays.keys import ReplyClass as ReplyClass
from apps.workdays.keys import Urgency as Urgency


class Source(models.TextChoices):
    """投诉渠道 — the organisation it came through (R-M1-03)."""

    PROJECT = "project", _("管理处")
    COMPANY = "company", _("物业公司")
    DEVELOPER = "developer", _("地产客户服务中心")
    GROUP_HQ = "group_hq", _("集团总部")
    GOVERNMENT = "government", _("政府部门")
    WEBSITE = "website", _("网站")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")


class Stage(models.TextChoices):
    """Deadline stages of a ticket (API contract: issue 4 item 9)."""

    ACKNOWLEDGE = "acknowledge", _("受理确认")
    RESPOND = "respond", _("响应处理")
    REPLY = "reply", _("回复业主")
    ARRIVE = "arrive", _("到场")
    COMPLETE = "complete", _("完成")
    RETURN_VISIT = "return_visit", _("回访")
    REPORT = "report", _("上报")


# ---------------------------------------------------------------- added by tickets-core (issue 4)


class TicketStatus(models.TextChoices):
    """工单状态 — the pipeline of R-M2-26 (transitions in apps.tickets.transitions.ALLOWED)."""

    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派工")
    HANDLING = "handling", _("处理中")
    TRANSFERRED = "transferred", _("已转地产（跟进中）")
    HANDLED = "handled", _("已处理（待回复）")
    REPLIED = "replied", _("已回复（待验证）")
    VERIFIED = "verified", _("已验证（待回访）")
    RETURN_VISITED = "return_visited", _("已回访（待关闭）")
    REOPENED = "reopened", _("重新处理")
    CLOSED = "closed", _("已关闭")
    UNRESOLVED = "unresolved", _("未关闭")
    VOIDED = "voided", _("已作废")


STATUS_COLOURS: dict[str, str] = {
    TicketStatus.RECEIVED: "blue",
    TicketStatus.DISPATCHED: "indigo",
    TicketStatus.HANDLING: "purple",
    TicketStatus.TRANSFERRED: "brown",
    TicketStatus.HANDLED: "teal",
    TicketStatus.REPLIED: "cyan",
    TicketStatus.VERIFIED: "green",
    TicketStatus.RETURN_VISITED: "lime",
    TicketStatus.REOPENED: "orange",
    TicketStatus.CLOSED: "grey",
    TicketStatus.UNRESOLVED: "red",
    TicketStatus.VOIDED: "black",
}

# Statuses in which a ticket still needs work (for queues, inventory and "still open").
OPEN_STATUSES: frozenset[str] = frozenset({
    TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.HANDLING, TicketStatus.TRANSFERRED,
    TicketStatus.HANDLED, TicketStatus.REPLIED, TicketStatus.VERIFIED, TicketStatus.RETURN_VISITED,
    TicketStatus.REOPENED,
})
# Finished tickets that count in statistics (R-M2-16: 未关闭 still counts). Voided ones never count.
FINISHED_STATUSES: frozenset[str] = frozenset({TicketStatus.CLOSED, TicketStatus.UNRESOLVED})


class EscalationLevel(models.TextChoices):
    """投诉级别 written only by apps.escalation (R-M3-01)."""

    NONE = "none", _("一般")
    HOT = "hot", _("热点")
    MAJOR = "major", _("重大")


class ReplyKind(models.TextChoices):
    """What a reply to the owner is (R-M2-07, R-M2-11, R-M2-13)."""

    ACKNOWLEDGE = "acknowledge", _("受理告知/礼节性回复")
    RESPONSE = "response", _("处理回应")
    PROGRESS = "progress", _("进展告知")
    MEASURES = "measures", _("处理措施")
    RESULT = "result", _("处理结果")
    NEGOTIATION = "negotiation", _("协商沟通")
    EXPLANATION = "explanation", _("解释说明（无理投诉）")


class ReplyRecipient(models.TextChoices):
    OWNER = "owner", _("业主/顾客")
    PROJECT_MANAGER = "project_manager", _("管理处主任")


class ReplyChannel(models.TextChoices):
    """How a reply reached the owner; letter/fax = written, email, online need reviews (R-M2-08/-10)."""

    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("当面")
    LETTER = "letter", _("书面函件")
    FAX = "fax", _("传真")
    EMAIL = "email", _("电子邮件")
    ONLINE = "online", _("网上回帖/APP/微信")
    SMS = "sms", _("短信")


class OwnerResponse(models.TextChoices):
    """The customer's answer to a proposed solution (R-M2-13)."""

    PENDING = "pending", _("待确认")
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")


class ReviewDepartment(models.TextChoices):
    """Who reviews an outgoing reply (R-M2-08, R-M2-10, POLICY P-09)."""

    QUALITY = "quality", _("品质管理部")
    OFFICE = "office", _("办公室")


class VerificationResult(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("不通过")


class ReturnVisitMethod(models.TextChoices):
    """回访方式 (R-M4-07)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    ONLINE = "online", _("网上回帖")
    QUESTIONNAIRE = "questionnaire", _("问卷")


class Satisfaction(models.TextChoices):
    """业主评价 (R-M4-07, R-M4-09) — the owner's verdict, kept apart from the staff verification."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ReturnVisitOutcome(models.TextChoices):
    PENDING = "pending", _("进行中")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("联系不上")


class Attribution(models.TextChoices):
    """责任归属 (R-M3-05): where the cause of non-resolution lies; the hot/major time criteria count only
    while it is ours. Default ours until someone changes it with a reason."""

    OURS = "ours", _("我方原因")
    DEVELOPER = "developer", _("开发商原因")
    MUNICIPAL = "municipal", _("市政原因")
    CUSTOMER = "customer", _("顾客原因")
    OTHER = "other", _("其他原因")


class ReturnVisitExemption(models.TextChoices):
    """免回访 (R-M4-05, POLICY P-07)."""

    ON_SPOT = "on_spot", _("A 现场即时处理并经顾客确认满意")
    NO_CONTACT = "no_contact", _("B 匿名或无法确定联系方式")
    SENSITIVE = "sensitive", _("C 不便回访的敏感投诉")


class CompensationStatus(models.TextChoices):
    """赔偿申请 (R-M2-24, POLICY P-11)."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    REFERRED = "referred", _("已报地产/公司重大业务审批")


class TicketEventKind(models.TextChoices):
    """时间线事件 (R-M2-26: every transition records who, when and why)."""

    RECEIVED = "received", _("受理")
    STATUS = "status", _("状态变更")
    EDITED = "edited", _("修改")
    CLASSIFIED = "classified", _("分类")
    DISPATCHED = "dispatched", _("派工")
    REASSIGNED = "reassigned", _("改派")
    ACCEPTED = "accepted", _("接单")
    HANDED_BACK = "handed_back", _("退单")
    HANDLING = "handling", _("处理记录")
    TRANSFERRED = "transferred", _("转地产")
    OWNER_UPDATE = "owner_update", _("告知业主进展")
    ESCALATED = "escalated", _("上报品质管理部")
    REPORTED = "reported", _("报品质部处理措施")
    REPLY = "reply", _("回复")
    REVIEW = "review", _("回复审核")
    VERIFICATION = "verification", _("验证")
    RETURN_VISIT = "return_visit", _("回访")
    EXEMPTED = "exempted", _("免回访")
    COMPENSATION = "compensation", _("赔偿")
    CLOSED = "closed", _("关闭")
    REOPENED = "reopened", _("重新打开")
    VOIDED = "voided", _("作废")
    NOTE = "note", _("备注")
    DEADLINE = "deadline", _("时限")


KIND_PREFIX: dict[str, str] = {
    Kind.COMPLAINT: "TS",
    Kind.REPAIR: "BX",
    Kind.SUGGESTION: "JY",
    Kind.CONSULTATION: "ZX",
    Kind.PRAISE: "BY",
    Kind.NEED: "XQ",
    Kind.PAID_SERVICE: "YC",
    Kind.SPECIAL_SERVICE: "TY",
    Kind.INCIDENT: "SG",
    Kind.DISPUTE: "JF",
}
"""Number prefix per kind: TS-YG-20261122-0007 (投诉), BX-… (报修) …"""

# Kinds whose handling is verified by a supervisor (R-M4-01) and return-visited (R-M4-04, R-M4-11).
VERIFY_KINDS: frozenset[str] = frozenset({Kind.COMPLAINT, Kind.REPAIR, Kind.NEED, Kind.PAID_SERVICE,
                                          Kind.SPECIAL_SERVICE, Kind.INCIDENT, Kind.DISPUTE})
# SPEC M8 (issue 17): kinds worked on a repair work order (apps.repairs); their return-visit clock
# starts at the end of service (R-M8-07, AS-23), not at verification.
WORK_ORDER_KINDS: frozenset[str] = frozenset({Kind.REPAIR, Kind.PAID_SERVICE})
# R-M2-23: an incident gets a return visit (by the 客服主管).
RETURN_VISIT_KINDS: frozenset[str] = frozenset(
    {Kind.COMPLAINT, Kind.REPAIR, Kind.SUGGESTION, Kind.NEED, Kind.PAID_SERVICE, Kind.SPECIAL_SERVICE,
     Kind.INCIDENT, Kind.DISPUTE}
)
# R-M2-21 (interpretation): kinds a responsible department handles whose result is replied to the resident
# *and* to the 管理处主任 before closing (TicketPolicy.close_needs_manager_reply). Left out: consultations and
# praise (closed with just the result, no handling); suggestions (the 管理处主任 decides on them himself,
# R-M1-15); paid and special/agency services (orders whose result is the service delivered and charged, not a
# complaint or visit of 制度1 #5).
MANAGER_REPLY_KINDS: frozenset[str] = frozenset({Kind.COMPLAINT, Kind.REPAIR, Kind.NEED, Kind.INCIDENT, Kind.DISPUTE})
# Reply kinds that carry the handling result (R-M2-15 explanation of an unreasonable complaint included).
RESULT_REPLY_KINDS: frozenset[str] = frozenset({ReplyKind.RESULT, ReplyKind.EXPLANATION})
# Channels where the owner is talking to the receiver, so a feedback time can be agreed (R-M1-09).
ORAL_CHANNELS: frozenset[str] = frozenset({Channel.PHONE, Channel.VISIT, Channel.FIELD_VISIT})
# Statuses after which nothing more happens in the cycle (closed, 未关闭, voided).
TERMINAL_STATUSES: frozenset[str] = frozenset({TicketStatus.CLOSED, TicketStatus.UNRESOLVED, TicketStatus.VOIDED})
