"""The ticket pipeline's records (SPEC M1, M2, M4, M6; ARCHITECTURE "One pipeline").

Every owner request (投诉/报修/建议/咨询/表扬 …) is a :class:`Ticket`. Everything that happens to it
is a row of its own (dispatches, replies, reviews, verifications, return visits and their attempts,
compensation claims, developer transfers, owner updates) plus a :class:`TicketEvent` timeline row
written by the action that did it (apps.tickets.actions). Rows are never deleted: a wrong ticket is
voided with a reason (R-M6-02: the ticket with all its records is the complaint file).

Writes go only through apps.tickets.actions; ``status`` is assigned only by ``actions._move``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage
from apps.org.roles import Role
from apps.tickets.choices import (
    STATUS_COLOURS,
    TERMINAL_STATUSES,  # noqa: F401 - re-exported for the interface layer (filters.py)
    Attribution,
    Channel,
    CompensationStatus,
    EscalationLevel,
    Kind,
    OwnerResponse,
    ReplyChannel,
    ReplyKind,
    ReplyRecipient,
    ReturnVisitExemption,
    ReturnVisitMethod,
    ReturnVisitOutcome,
    ReviewDepartment,
    Satisfaction,
    Source,
    Stage,
    TicketEventKind,
    TicketStatus,
    Urgency,
    VerificationResult,
)


class Category(models.Model):
    """投诉分类 tree (安管/工程/环境(保洁, 绿化)/客服/收费/地产遗留/市政配套 …), editable in the admin.

    ``company`` empty = the shipped default tree shared by every company (issue 4 item 2)."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="ticket_categories")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    class_one = models.BooleanField(_("一类客户投诉"), default=False, help_text=_("须立即回访"))

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="tickets_category_unique_code")]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id and self.parent else self.name

    @property
    def path(self) -> str:
        return str(self)


class SuggestionBoxOpening(models.Model):
    """意见箱开箱记录 (R-M1-12): opened daily at a set time by a named person; each slip becomes a
    ticket linked here. A day without a row is flagged (apps.tickets.inventory)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="box_openings")
    opened_at = models.DateTimeField(_("开箱时间"))
    local_date = models.DateField(_("开箱日期"), help_text=_("项目时区的日期"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("开箱人"))
    slip_count = models.PositiveIntegerField(_("意见条数"), default=0)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("意见箱开箱记录")
        verbose_name_plural = _("意见箱开箱记录")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["project", "local_date"], name="tickets_box_project_day")]

    def __str__(self) -> str:
        return f"{self.project} {self.local_date} 开箱"


class TicketCounter(models.Model):
    """Gapless per-day numbering (ARCHITECTURE finding): one row per (project, local day, prefix),
    incremented by an upsert in the same transaction as the ticket insert (apps.tickets.numbering)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数器")
        verbose_name_plural = _("工单编号计数器")
        constraints = [models.UniqueConstraint(fields=["project", "day", "prefix"], name="tickets_counter_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.day} {self.prefix} #{self.last}"


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> TicketQuerySet:
        from apps.tickets.choices import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def counted(self) -> TicketQuerySet:
        """Tickets that count in statistics: everything but voided ones (R-M2-16 未关闭 included)."""
        return self.exclude(status=TicketStatus.VOIDED)


class Ticket(models.Model):
    """诉求工单 — one owner request of any kind through one pipeline (R-M1-03…R-M1-18, R-M2-26).

    The Linli ticket is the single electronic register (R-M1-06) and, with its rows, the complaint
    file (R-M6-02). ``status`` changes only through ``apps.tickets.actions._move``."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="tickets",
                                verbose_name=_("项目"))
    number = models.CharField(_("编号"), max_length=60, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    source = models.CharField(_("投诉渠道"), max_length=20, choices=Source.choices, default=Source.PROJECT)
    channel = models.CharField(_("投诉方式"), max_length=30, choices=Channel.choices)
    reply_class = models.CharField(_("回复类别"), max_length=20, blank=True, editable=False)
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=20, choices=TicketStatus.choices,
                              default=TicketStatus.RECEIVED, editable=False)
    received_at = models.DateTimeField(_("受理时间"), help_text=_("可早于录入时间（补录信函）"))
    recorded_at = models.DateTimeField(_("录入时间"), editable=False)
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_received",
                                 verbose_name=_("受理人"))
    # who the customer is (R-M1-05)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="tickets", verbose_name=_("房屋"))
    person = models.ForeignKey("estates.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="tickets", verbose_name=_("业主/住户"))
    complainant_surname = models.CharField(_("顾客姓氏"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址/房号"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    # what happened and what the owner wants (R-M1-05)
    content = models.TextField(_("事件内容"))
    feelings = models.TextField(_("顾客感受"), blank=True)
    desired_outcome = models.TextField(_("顾客意愿"), blank=True, help_text=_("顾客想通过投诉达到的意愿"))
    online_url = models.URLField(_("网帖地址"), blank=True, max_length=500)
    # classification (issue 4 item 2)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
                                 verbose_name=_("分类"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="tickets", verbose_name=_("责任部门"))
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="tickets_handled", verbose_name=_("处理人"))
    people_count = models.PositiveIntegerField(_("投诉人数"), default=1)
    collective = models.BooleanField(_("集体投诉"), default=False)
    media_exposed = models.BooleanField(_("已被媒体曝光"), default=False)
    litigation = models.BooleanField(_("已诉讼"), default=False)
    media_or_litigation_risk = models.BooleanField(_("可能诉讼/曝光"), default=False, help_text=_("业主表示可能诉讼或向媒体曝光，计入热点投诉判定"))
    our_side = models.BooleanField(_("我方原因"), default=True, help_text=_("投诉原因在我方；热点/重大投诉的时间条件只在我方原因时计算"))
    attribution = models.CharField(_("责任归属"), max_length=20, choices=Attribution.choices, default=Attribution.OURS,
                                   help_text=_("未解决的原因在谁；热点/重大投诉的时间条件只在我方原因时计算"))
    attribution_reason = models.CharField(_("责任归属认定理由"), max_length=1000, blank=True)
    attribution_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("责任归属认定人"))
    attribution_at = models.DateTimeField(_("责任归属认定时间"), null=True, blank=True)
    developer_matter = models.BooleanField(_("地产问题"), default=False)
    municipal = models.BooleanField(_("市政配套"), default=False)
    # R-M2-03: the person designated to coordinate and follow up a municipal (市政配套) complaint
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="tickets_coordinated", editable=False,
                                    verbose_name=_("市政配套协调人"))
    # R-M2-03: the last reminder that a progress notice to the owner is due (once per due moment)
    owner_update_reminded_at = models.DateTimeField(_("进展告知提醒时间"), null=True, blank=True, editable=False)
    valid_complaint = models.BooleanField(_("有效投诉"), null=True, blank=True, help_text=_("按公司的有效投诉判定依据认定"))
    validity_criterion = models.ForeignKey("tickets.ValidityCriterion", on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+", verbose_name=_("判定依据"))
    staff_named = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="tickets_naming", verbose_name=_("被表扬/投诉的员工"),
                                    help_text=_("员工考核的依据"))
    important = models.BooleanField(_("重要投诉"), default=False, help_text=_("人工标记"))
    internal_staff = models.BooleanField(
        _("内部员工投诉"), default=False,
        help_text=_("投诉人是本公司内部员工；按公司设置决定是否计入顾客投诉统计"))
    sensitive = models.BooleanField(_("敏感投诉"), default=False)
    record_form = models.BooleanField(_("记录表投诉"), default=False, help_text=_("有一定难度、需较长时间处理的投诉，登记在投诉记录表中跟进"))
    # R-M2-17: when it was listed on the 《顾客投诉处理记录表》 and by whom (None = automatically, not
    # closed by the end of the first working day)
    record_form_at = models.DateTimeField(_("列入记录表时间"), null=True, blank=True, editable=False)
    record_form_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", editable=False, verbose_name=_("列入记录表人"))
    escalation_level = models.CharField(_("投诉级别"), max_length=10, choices=EscalationLevel.choices,
                                        default=EscalationLevel.NONE, editable=False)
    # deadlines agreed with the owner (R-M1-09, R-M2-06)
    agreed_feedback_at = models.DateTimeField(_("与业主约定的反馈时间"), null=True, blank=True)
    agreed_extension_reason = models.CharField(_("顾客要求延后的原因"), max_length=200, blank=True,
                                               help_text=_("顾客要求更晚时间时填写"))
    # company level (R-M1-10, R-M2-14, R-M2-19)
    held_by_quality = models.BooleanField(_("已上报品质管理部"), default=False, editable=False)
    # R-M2-04: handling held by a higher module (apps.quality while its report awaits the 管理者代表's
    # signature): the code handling actions answer with (409) and the message shown; "" = not held
    handling_hold = models.CharField(_("暂停处理"), max_length=40, blank=True, default="", editable=False)
    handling_hold_message = models.CharField(_("暂停处理说明"), max_length=300, blank=True, default="",
                                             editable=False)
    escalated_to_quality_at = models.DateTimeField(_("上报品质部时间"), null=True, blank=True, editable=False)
    issued_by_quality = models.BooleanField(_("品质部下发"), default=False, editable=False)
    # R-M2-19: the time by which the project finishes handling, set by 品质部 when it issues the record
    quality_due_at = models.DateTimeField(_("品质部要求完成时间"), null=True, blank=True, editable=False)
    # R-M1-05: the intake checklist ends with an apology or a thank-you to the customer
    courtesy = models.CharField(_("致歉/致谢"), max_length=10, blank=True, default="",
                                choices=[("apology", _("已向顾客致歉")), ("thanks", _("已向顾客致谢"))])
    transferred_to_developer_at = models.DateTimeField(_("转地产时间"), null=True, blank=True, editable=False)
    # R-M2-02: first site investigation/verification (expected on the day of intake, soft deadline)
    investigated_at = models.DateTimeField(_("调查核实时间"), null=True, blank=True, editable=False)
    # R-M2-02: end of the intake day (project time) for a complaint; investigated at or after it = late
    investigation_due_at = models.DateTimeField(_("当日调查核实期限"), null=True, blank=True, editable=False)
    # R-M2-09: online complaint found by 品质管理部 — emailed to the department head and the
    # designated post, and telephoned to the 管理处经理 or designated post
    online_emailed_at = models.DateTimeField(_("网上投诉邮件转发时间"), null=True, blank=True, editable=False)
    online_phoned_at = models.DateTimeField(_("网上投诉电话通知时间"), null=True, blank=True, editable=False)
    # R-M2-23: an owner's accident/incident is reported to the 物业总经理
    gm_reported_at = models.DateTimeField(_("报告总经理时间"), null=True, blank=True, editable=False)
    # R-M1-10: 品质管理部's fact check with the 管理处 / responsible department and its handling opinion
    quality_fact_check = models.TextField(_("品质管理部核实情况"), blank=True, default="", editable=False)
    quality_opinion = models.TextField(_("品质管理部处理意见"), blank=True, default="", editable=False)
    quality_opinion_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", editable=False, verbose_name=_("出具意见人"))
    quality_opinion_at = models.DateTimeField(_("出具意见时间"), null=True, blank=True, editable=False)
    suggestion_box_opening = models.ForeignKey(SuggestionBoxOpening, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="tickets", verbose_name=_("意见箱开箱"))
    # handling result and closure (R-M2-15, R-M2-16, R-M2-18)
    resolved_on_spot = models.BooleanField(_("现场即时处理"), default=False)
    handling_result = models.TextField(_("处理结果"), blank=True)
    unreasonable = models.BooleanField(_("无理投诉（已解释）"), default=False)
    # R-M2-15, R-M2-26: the side exit 不合理投诉——已解释 (who and when: closed_by/closed_at; why: the reason)
    unreasonable_close = models.BooleanField(_("以“不合理投诉——已解释”结案"), default=False, editable=False)
    unreasonable_reason = models.TextField(_("不合理投诉的判定理由"), blank=True)
    unresolved_analysis = models.TextField(_("案例分析"), blank=True, help_text=_("超出公司能力范围、无法解决时的原因分析"))
    unresolved_measures = models.TextField(_("降低不满的措施"), blank=True)
    return_visit_exemption = models.CharField(_("免回访原因"), max_length=20, blank=True,
                                              choices=ReturnVisitExemption.choices)
    return_visit_exemption_note = models.TextField(_("免回访说明"), blank=True)
    return_visit_exemption_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("免回访批准人"),
    )
    reopen_count = models.PositiveIntegerField(_("重开次数"), default=0, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    unresolved_close = models.BooleanField(_("未关闭结案"), default=False, editable=False)
    void_reason = models.TextField(_("作废原因"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求工单")
        verbose_name_plural = _("诉求工单")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-received_at"], name="tickets_project_received"),
            models.Index(fields=["project", "status"], name="tickets_project_status"),
            models.Index(fields=["receiver", "recorded_at"], name="tickets_receiver_recorded"),
            models.Index(fields=["department", "status"], name="tickets_department_status"),
            models.Index(fields=["household", "-received_at"], name="tickets_household_received"),
            # company-wide lists (品质管理部, leadership) page through every project newest first
            models.Index(fields=["-received_at", "-id"], name="tickets_received"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_status_color(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def cycle(self) -> int:
        """Handling cycle: 0 first time, +1 per reopening (R-M4-09)."""
        return self.reopen_count

    @property
    def is_open(self) -> bool:
        from apps.tickets.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or (self.person_id and self.person and self.person.phone))


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def open(self) -> DeadlineQuerySet:
        """Still running: not met and not cancelled (served by the partial indexes)."""
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def overdue(self, now: dt.datetime) -> DeadlineQuerySet:
        """Past due (overdue is a query, never a flag — ARCHITECTURE "Time")."""
        return self.filter(due_at__lt=now)

    def warning(self, now: dt.datetime) -> DeadlineQuerySet:
        return self.filter(warn_at__lte=now, due_at__gte=now)

    def due_between(self, start: dt.datetime, end: dt.datetime) -> DeadlineQuerySet:
        return self.filter(due_at__gte=start, due_at__lt=end)


class TicketPolicy(models.Model):
    """工单口径 — company choices of the ticket pipeline that are interpretations or policies; a row
    with a project overrides the company row; without any row the defaults below apply.

    - ``close_needs_manager_reply`` (R-M2-21, interpretation): when handling is finished the result is
      replied to the resident *and* to the 管理处主任 ("事事有着落、件件有回音"), so a normal close
      needs both sent replies of the current cycle (see ``apps.tickets.actions._close_blockers``).
    - ``count_internal_staff_complaints`` (R-M1-17, POLICY P-08): whether complaints by internal
      staff count as customer complaints in statistics (default: excluded, 002 篇4).
    - ``no_contact_exemption`` (R-M4-05, POLICY P-07): "no contact" exempts any channel (篇4, default)
      or online complaints only (篇3).
    - ``quality_owns`` (R-M3-11, R-M3-12, POLICY P-10): 篇4 (default) — group and government transfers,
      管理处 escalations and online complaints are company level; 篇3 — group and government only.
    - ``company_follow_up`` (R-M4-01, R-M4-03, POLICY P-13): what 品质管理部 does for company-level
      complaints after the project's verification: verify (篇4, default) or the return visit (篇3).
    - ``owner_update_interval_days`` (R-M2-03, interpretation): working days between progress notices
      to the owner on complaints the developer or the municipality handles; 0 (default) = no reminder.
    - ``return_visit_min_attempts`` (R-M4-12): attempts before a return visit may end as 联系不上; the
      seeds give no number (default 3).
    """

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="ticket_policies")
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="ticket_policies", verbose_name=_("项目（留空=全公司）"))
    close_needs_manager_reply = models.BooleanField(
        _("结案须同时回复业主和管理处主任"), default=True,
        help_text=_("开启时，投诉、报修等经处理的工单须有本轮已发出的业主结果回复和管理处主任回复才能结案"))
    count_internal_staff_complaints = models.BooleanField(
        _("内部员工投诉计入顾客投诉统计"), default=False,
        help_text=_("默认不计入（002 篇4“不包括内部职员的投诉”）；篇3 作“不掩盖内部员工的投诉”"))
    no_contact_exemption = models.CharField(
        _("无联系方式免回访的范围"), max_length=20, default="any_channel",
        choices=[("any_channel", _("匿名或无联系方式的投诉均免回访（篇4）")),
                 ("online_only", _("仅网上投诉无联系方式时免回访（篇3）"))])
    quality_owns = models.CharField(
        _("品质管理部负责的投诉"), max_length=20, default="b4",
        choices=[("b4", _("集团、政府转来，管理处上报及网上投诉；未解决投诉由公司管理层出具意见（篇4）")),
                 ("b3", _("集团、政府转来的投诉；未解决投诉由分管领导出具意见（篇3）"))])
    company_follow_up = models.CharField(
        _("公司级投诉由品质管理部"), max_length=20, default="verify",
        choices=[("verify", _("验证纠正措施的落实（篇4）")), ("return_visit", _("回访顾客（篇3）"))])
    owner_update_interval_days = models.PositiveSmallIntegerField(
        _("地产、市政处理的投诉告知业主进展的间隔（工作日）"), default=0, blank=True,  # left out of a form: kept
        validators=[MaxValueValidator(60)],
        help_text=_("0 = 不提醒；超过该间隔未告知业主进展时，提醒跟进人"))
    return_visit_min_attempts = models.PositiveSmallIntegerField(
        _("回访联系不上前至少尝试的次数"), default=3, blank=True,  # left out of a form: kept
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("至少尝试这么多次（每次记录时间和方式）后，回访才能以“联系不上”结束"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工单口径")
        verbose_name_plural = _("工单口径")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="tickets_policy_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="tickets_policy_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · 工单口径"

    def clean(self) -> None:
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})


class ValidityCriterion(models.Model):
    """有效投诉判定标准 (R-M1-18): the company's list of criteria a handler picks from when judging a
    complaint valid or invalid. The seeds give none, so the list is the company's own data, kept by its
    administrators on the staff page 有效投诉判定标准; a criterion in use is retired, never deleted."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="validity_criteria",
                                verbose_name=_("公司"))
    label = models.CharField(_("判定标准"), max_length=100)
    valid = models.BooleanField(_("判定结果"), choices=[(True, _("有效投诉")), (False, _("无效投诉"))])
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("有效投诉判定标准")
        verbose_name_plural = _("有效投诉判定标准")
        ordering = ["company", "-valid", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "label"], name="tickets_validity_criterion_unique")]

    def __str__(self) -> str:
        return self.label


class Deadline(models.Model):
    """时限 — one row per stage (and handling cycle) of a ticket, stamped from apps.workdays policies
    when the starting event happens (R-M2-05…R-M2-11, R-M2-19, R-M4-04; T-04…T-13).

    ``due_at`` is the effective due time (for ``reply``: the earlier of the agreed feedback time
    and the procedure limit, R-M2-06); ``limit_due_at`` keeps the procedure's own limit for
    statistics. ``due_at`` empty = "立即/及时" soft item shown as due now (T-13). ``warn_at`` =
    start + 75% of the limit. ``met_at`` is set by the action that fulfils the stage;
    ``cancelled_at`` when the ticket ends without meeting it (voided, closed otherwise)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="deadlines")
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    cycle = models.PositiveIntegerField(_("处理轮次"), default=0)
    start_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    limit_due_at = models.DateTimeField(_("制度时限"), null=True, blank=True)
    agreed = models.BooleanField(_("按约定时间"), default=False)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    met_in_time = models.BooleanField(_("按时完成"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    provisional = models.BooleanField(_("暂定（日历未确认）"), default=False)
    rule = models.CharField(_("依据"), max_length=200, blank=True)
    policy_id = models.IntegerField(_("时限策略"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "stage", "cycle"], name="tickets_deadline_unique_stage"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="tickets_deadline_open_due",
                         condition=Q(met_at__isnull=True, cancelled_at__isnull=True)),
            models.Index(fields=["warn_at"], name="tickets_deadline_open_warn",
                         condition=Q(met_at__isnull=True, cancelled_at__isnull=True, warned_at__isnull=True)),
            models.Index(fields=["ticket", "stage"], name="tickets_deadline_ticket_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.stage} {self.due_at}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < now

    def time_left(self, now: dt.datetime) -> dt.timedelta | None:
        if self.due_at is None or not self.is_open:
            return None
        return self.due_at - now


class TicketEvent(models.Model):
    """工单时间线 — written by each action (R-M2-26: who, when, why; issue 4 item 8)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("操作人"))
    kind = models.CharField(_("事件"), max_length=20, choices=TicketEventKind.choices)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(_("说明"), blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="tickets_event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at}"


class Dispatch(models.Model):
    """派工单 (R-M1-19, R-M2-01): the ticket handed to a department and (optionally) a person.

    One row per assignment; ``active`` marks the current one. Reassigning ends the old row
    (``ended_at`` + ``end_reason``); handing back records ``handed_back_at`` and the reason."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="dispatches")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="dispatches",
                                   verbose_name=_("责任部门"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="dispatches", verbose_name=_("处理人"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("派工时间"))
    instructions = models.TextField(_("派工说明"), blank=True)
    due_at = models.DateTimeField(_("要求完成时间"), null=True, blank=True)
    active = models.BooleanField(default=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    investigation = models.TextField(_("现场调查"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    result = models.TextField(_("处理结果"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    handed_back_at = models.DateTimeField(_("退单时间"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("派工单")
        verbose_name_plural = _("派工单")
        ordering = ["-dispatched_at", "-id"]
        indexes = [
            models.Index(fields=["department", "active"], name="tickets_dispatch_dept_active"),
            models.Index(fields=["assignee", "active"], name="tickets_dispatch_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.department}"


class Attachment(models.Model):
    """附件/照片 of a ticket (site photos, letters, printed online posts R-M6-03)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=UuidPath("tickets"), storage=private_storage)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.caption or self.file.name}"


class Reply(models.Model):
    """回复 to the owner (or to the 管理处主任, R-M2-21): channel, content, time, and the owner's
    answer to a proposed solution (R-M2-13). Written/email/online replies need reviews before they
    are sent (R-M2-08, R-M2-10): ``sent_at`` stays empty on a draft until ``send_reply``."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="replies")
    kind = models.CharField(_("回复类型"), max_length=20, choices=ReplyKind.choices, default=ReplyKind.RESULT)
    recipient = models.CharField(_("回复对象"), max_length=20, choices=ReplyRecipient.choices,
                                 default=ReplyRecipient.OWNER)
    channel = models.CharField(_("回复方式"), max_length=20, choices=ReplyChannel.choices)
    content = models.TextField(_("回复内容"))
    owner_response = models.CharField(_("顾客意见"), max_length=20, choices=OwnerResponse.choices,
                                      default=OwnerResponse.PENDING)
    owner_words = models.TextField(_("顾客原话"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("回复人"))
    created_at = models.DateTimeField(_("登记时间"))
    sent_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    all_issues_covered = models.BooleanField(_("已回应全部问题"), default=False, help_text=_("网上回复须诚恳、不推诿，回应业主提出的每一个问题"))
    cycle = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("回复")
        verbose_name_plural = _("回复")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_kind_display()}"


class ReplyReview(models.Model):
    """回复审核 (R-M2-08, R-M2-10, R-M2-12, POLICY P-09): reviewer, time and result per department."""

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="reviews")
    department = models.CharField(_("审核部门"), max_length=20, choices=ReviewDepartment.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"))
    approved = models.BooleanField(_("通过"))
    all_issues_covered = models.BooleanField(_("已回应全部问题"), default=False)
    # R-M2-12: the rest of the online-reply checklist the approver confirms
    sincere = models.BooleanField(_("态度诚恳"), default=False)
    no_shifting_blame = models.BooleanField(_("没有推诿责任"), default=False)
    professionally_correct = models.BooleanField(_("专业内容正确"), default=False)
    note = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("回复审核")
        verbose_name_plural = _("回复审核")
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self.reply_id} {self.department} {'✓' if self.approved else '✗'}"


class Verification(models.Model):
    """验证 (R-M4-01, R-M4-02): by the 管理处经理 or a supervisor (主管以上) — the staff verdict,
    kept apart from the owner's verdict on the return visit."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="verifications")
    cycle = models.PositiveIntegerField(default=0)
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"))
    result = models.CharField(_("结果"), max_length=10, choices=VerificationResult.choices)
    notes = models.TextField(_("验证情况"), blank=True)
    order = models.TextField(_("整改指令/重新评估"), blank=True, help_text=_("不通过时必填"))
    # R-M4-03, POLICY P-13 (篇4): after the 管理处's verification, 品质管理部 verifies a company-level complaint
    level = models.CharField(_("验证层级"), max_length=10, default="project",
                             choices=[("project", _("管理处验证")), ("company", _("品质管理部验证"))])

    class Meta:
        verbose_name = _("验证")
        verbose_name_plural = _("验证")
        ordering = ["verified_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.cycle} {self.result}"

    @property
    def passed(self) -> bool:
        return self.result == VerificationResult.PASS


class ReturnVisit(models.Model):
    """回访 (R-M4-04, R-M4-07, R-M4-09, R-M4-12): one per handling cycle, with every attempt.
    ``satisfaction`` is the owner's verdict (满意/基本满意/不满意)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="return_visits")
    cycle = models.PositiveIntegerField(default=0)
    outcome = models.CharField(_("回访结果"), max_length=20, choices=ReturnVisitOutcome.choices,
                               default=ReturnVisitOutcome.PENDING)
    method = models.CharField(_("回访方式"), max_length=20, choices=ReturnVisitMethod.choices, blank=True)
    satisfaction = models.CharField(_("业主评价"), max_length=20, choices=Satisfaction.choices, blank=True)
    owner_words = models.TextField(_("业主意见"), blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("回访人"))
    completed_at = models.DateTimeField(_("回访完成时间"), null=True, blank=True)
    # R-M4-10: a question the owner raised that could not be answered on the spot, the time promised for
    # the answer (a follow-up due time) and the answer given.
    open_question = models.TextField(_("待答复的问题"), blank=True)
    answer_due_at = models.DateTimeField(_("约定答复时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["cycle", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "cycle"], name="tickets_return_visit_cycle")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.cycle} {self.outcome}"


class ReturnVisitAttempt(models.Model):
    """回访尝试: every call or visit, including 联系不上 (R-M4-12)."""

    return_visit = models.ForeignKey(ReturnVisit, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField(_("时间"))
    method = models.CharField(_("方式"), max_length=20, choices=ReturnVisitMethod.choices)
    reached = models.BooleanField(_("联系上"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("回访尝试")
        verbose_name_plural = _("回访尝试")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.return_visit_id} {self.at:%Y-%m-%d %H:%M} {self.method}"


class CompensationLimit(models.Model):
    """赔偿审批权限 (R-M2-24, POLICY P-11): the largest amount each role may approve. Data rows with
    defaults (migration); an empty ``max_amount`` = no limit. ``company`` empty = default."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    role = models.CharField(_("岗位"), max_length=30)
    max_amount = models.DecimalField(_("审批上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("赔偿审批权限")
        verbose_name_plural = _("赔偿审批权限")
        constraints = [models.UniqueConstraint(fields=["company", "role"], name="tickets_comp_limit_unique")]

    def __str__(self) -> str:
        return f"{self.company_id or '*'} {self.role} {self.max_amount}"


class CompensationClaim(models.Model):
    """赔偿申请 (R-M2-24): amount, content and approvals; beyond every limit → referred to the
    developer's centre / the company's major-business approval."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="compensation_claims")
    amount = models.DecimalField(_("索赔金额（元）"), max_digits=12, decimal_places=2)
    content = models.TextField(_("索赔内容"))
    involves_engineering_or_sales = models.BooleanField(_("涉及工程或销售问题"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=CompensationStatus.choices,
                              default=CompensationStatus.PENDING)
    approved_amount = models.DecimalField(_("批准金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("赔偿申请")
        verbose_name_plural = _("赔偿申请")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} ¥{self.amount}"

    @property
    def amount_decimal(self) -> Decimal:
        return Decimal(self.amount)


class DeveloperTransfer(models.Model):
    """转地产书面函件 (R-M2-03, R-M2-25): the written transfer to the developer's customer centre."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="developer_transfers")
    sent_at = models.DateTimeField(_("发函时间"))
    document_no = models.CharField(_("函件编号"), max_length=60, blank=True)
    content = models.TextField(_("函件内容"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.TextField(_("地产处理结果"), blank=True)
    result_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("转地产记录")
        verbose_name_plural = _("转地产记录")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.document_no}".strip()


class OwnerUpdate(models.Model):
    """告知业主进展 (R-M2-03, R-M4-08): periodic progress notices for matters the company follows."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="owner_updates")
    at = models.DateTimeField(_("时间"))
    channel = models.CharField(_("方式"), max_length=20, choices=ReplyChannel.choices)
    content = models.TextField(_("内容"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("进展告知")
        verbose_name_plural = _("进展告知")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.at:%Y-%m-%d %H:%M} {self.channel}"


class DailyInventory(models.Model):
    """日盘点 (R-M1-11): one per receiver per calendar day with received tickets, confirmed by the
    receiver. The lists themselves are queries (apps.tickets.inventory)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    ticket_count = models.PositiveIntegerField(_("当日受理数"), default=0)
    open_count = models.PositiveIntegerField(_("未结数"), default=0)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("日盘点")
        verbose_name_plural = _("日盘点")
        constraints = [models.UniqueConstraint(fields=["project", "receiver", "day"], name="tickets_inventory_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.receiver_id} {self.day}"


class SavedView(models.Model):
    """保存的筛选视图 of the ticket list (issue 4 item 9)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_ticket_views")
    name = models.CharField(_("名称"), max_length=60)
    query_string = models.TextField(_("筛选条件"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="tickets_savedview_unique")]

    def __str__(self) -> str:
        return self.name


class PublishedChannelKind(models.TextChoices):
    """What a published complaint channel is (R-M1-01)."""

    COMPANY_POST = "company_post", _("公司指定投诉岗位")
    PROJECT_POST = "project_post", _("管理处指定投诉岗位")
    COMPANY_PHONE = "company_phone", _("公司投诉电话")
    PROJECT_PHONE = "project_phone", _("管理处投诉电话")
    FAX = "fax", _("传真")
    EMAIL = "email", _("电子邮箱")
    POSTAL_ADDRESS = "postal_address", _("通信地址")
    CONTACT_PERSON = "contact_person", _("联系人")
    SUGGESTION_BOX = "suggestion_box", _("顾客意见箱")
    RECEPTION_OFFICE = "reception_office", _("接待处地点及电话")


class ChannelPublication(models.Model):
    """投诉渠道公布记录 (R-M1-01): after take-over the project publishes each complaint channel —
    its value, the date published and where it was posted. Audit row B1.3 (M13) checks it."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="channel_publications",
                                verbose_name=_("项目"))
    kind = models.CharField(_("渠道"), max_length=30, choices=PublishedChannelKind.choices)
    value = models.CharField(_("内容"), max_length=200)
    published_on = models.DateField(_("公布日期"))
    where_posted = models.CharField(_("张贴位置"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("投诉渠道公布记录")
        verbose_name_plural = _("投诉渠道公布记录")
        ordering = ["project", "kind", "-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}：{self.value}"


class IntakePost(models.Model):
    """指定投诉受理岗位 (R-M1-07): the post(s) of a 管理处 that receive complaints and fill the
    complaint form. With no row the service centre's front desk (物管员/客服前台) is the post.
    A ticket recorded by anyone else is passed on to these posts (R-M1-08)."""

    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="intake_posts",
                                verbose_name=_("项目"))
    role = models.CharField(_("岗位"), max_length=30)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指定受理岗位")
        verbose_name_plural = _("指定受理岗位")
        ordering = ["project", "role"]
        constraints = [models.UniqueConstraint(fields=["project", "role"], name="tickets_intake_post_unique")]

    def __str__(self) -> str:
        return f"{self.project} {self.role}"

    def clean(self) -> None:

        if self.role not in Role.values:
            raise ValidationError({"role": _("岗位不存在")})


class SuggestionDecision(models.Model):
    """合理化建议的处理决定 (R-M1-15): the 管理处主任 adopts a suggestion (with the rectification
    measures, posted publicly — 张榜公布) or declines it. One per suggestion ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="suggestion_decision")
    adopted = models.BooleanField(_("采纳"))
    measures = models.TextField(_("整改措施/方案"), blank=True)
    posted_where = models.CharField(_("张榜位置"), max_length=200, blank=True)
    posted_on = models.DateField(_("张榜日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("建议处理决定")
        verbose_name_plural = _("建议处理决定")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {'adopted' if self.adopted else 'not adopted'}"


class Commendation(models.Model):
    """"爱我小区"表彰名单 (R-M1-15): the resident whose suggestion was adopted is commended and gets
    priority in the "文明户" selection (``civilised_priority``, queried per household)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="commendation")
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    resident_name = models.CharField(_("住户"), max_length=60)
    listed_on = models.DateField(_("上榜日期"))
    civilised_priority = models.BooleanField(_("文明户评选优先"), default=True)

    class Meta:
        verbose_name = _("爱我小区表彰")
        verbose_name_plural = _("爱我小区表彰")
        ordering = ["-listed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.resident_name} {self.listed_on}"
