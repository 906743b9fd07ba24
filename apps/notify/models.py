"""Notifications (SPEC M17): the staff inbox, outgoing deliveries with every attempt, per-project
quiet hours (R-M17-01, P-21) and the channel configuration.

- :class:`Notification` is the in-app channel: one row per staff member and notice. A repeated
  ``dedupe_key`` for the same recipient is refused by a unique constraint (the sweep contract).
- :class:`Delivery` is one message on one outgoing channel (email, SMS, WeCom/DingTalk group
  webhook) to staff or to an owner; :class:`DeliveryAttempt` records every try, failure and retry.
- :class:`QuietHoursPolicy` holds a project's windows; without a row the P-21 defaults apply.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.notify import channels, quiet_hours
from apps.org.models import Company, Project


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    FAX = "fax", _("传真（前台人工发送）")
    WECOM = "wecom", _("企业微信群")
    DINGTALK = "dingtalk", _("钉钉群")


GROUP_CHANNELS = (Channel.WECOM, Channel.DINGTALK)


class Audience(models.TextChoices):
    STAFF = "staff", _("员工")
    GROUP = "group", _("工作群")
    OWNER = "owner", _("业主/住户")


class DeliveryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待发（免打扰）")
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    RETRYING = "retrying", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("未发送（业主已关闭此类短信）")
    MANUAL = "manual", _("待前台人工传真")


PENDING_STATUSES = (DeliveryStatus.SCHEDULED, DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)
STATUS_COLOURS = {
    DeliveryStatus.SCHEDULED: "blue", DeliveryStatus.QUEUED: "grey", DeliveryStatus.SENDING: "grey",
    DeliveryStatus.RETRYING: "orange", DeliveryStatus.SENT: "green", DeliveryStatus.FAILED: "red",
    DeliveryStatus.SKIPPED: "grey", DeliveryStatus.MANUAL: "blue",
}


class Notification(models.Model):
    """站内通知: one notice to one staff member (the inbox)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("接收人"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"))
    kind = models.CharField(_("类型"), max_length=50)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # NULL, not "": the unique (recipient, dedupe_key) constraint must let notices without a key repeat
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True)  # noqa: DJ001
    urgent = models.BooleanField(_("紧急"), default=False, help_text=_("紧急内部通知（另发短信）"))

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=Q(dedupe_key__isnull=False),
                                    name="notify_notification_dedupe"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """一条外发消息: one message on one channel to one address (staff, work group or owner)."""

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("对象"), max_length=10, choices=Audience.choices)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="deliveries", verbose_name=_("站内通知"))
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("员工"))
    person = models.ForeignKey("estates.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("业主/住户"))
    config = models.ForeignKey("notify.ChannelConfig", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="deliveries", verbose_name=_("工作群"))
    address = models.CharField(_("地址"), max_length=300, help_text=_("邮箱、手机号或群机器人名称"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"))
    kind = models.CharField(_("类型"), max_length=50)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    emergency = models.BooleanField(_("紧急（不受免打扰限制）"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    created_at = models.DateTimeField(_("创建时间"))
    scheduled_for = models.DateTimeField(_("计划发送时间"), null=True, blank=True,
                                         help_text=_("因免打扰时段推迟到的时刻"))
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    lease_until = models.DateTimeField(_("发送占用至"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_ref = models.CharField(_("服务商回执"), max_length=200, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=250, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=["scheduled", "queued", "retrying"]),
                         name="notify_delivery_due"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="notify_delivery_lease"),
            models.Index(fields=["project", "-created_at"], name="notify_delivery_project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address} · {self.get_status_display()}"

    def get_status_color(self) -> str:
        return STATUS_COLOURS.get(DeliveryStatus(self.status), "grey")


class DeliveryAttempt(models.Model):
    """发送尝试: every try of a delivery, successful or not."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    error = models.TextField(_("错误"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    retry_at = models.DateTimeField(_("重试时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送尝试")
        verbose_name_plural = _("发送尝试")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="notify_attempt_number")]

    def __str__(self) -> str:
        return f"#{self.number} {'OK' if self.ok else self.error[:50]}"


def default_windows() -> list[list[str]]:
    return quiet_hours.dump_windows(quiet_hours.DEFAULT_WINDOWS)


class QuietHoursPolicy(models.Model):
    """免打扰时段 — POLICY P-21 per company (``project`` empty), a project row overrides it (R-M17-01).
    Without a row the defaults apply:
    [12:00, 14:00) and [21:00, 08:00), phone calls only, emergencies override."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="quiet_hours_policies", verbose_name=_("公司"))
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="quiet_hours_policy",
                                   null=True, blank=True, verbose_name=_("项目（留空=全公司）"))
    windows = models.JSONField(_("免打扰时段"), default=default_windows,
                               help_text=_('如 [["12:00", "14:00"], ["21:00", "08:00"]]；开始晚于结束表示跨午夜'))
    applies_to_calls = models.BooleanField(_("适用于电话"), default=True)
    applies_to_sms = models.BooleanField(_("适用于短信"), default=False, help_text=_("SPEC 默认只限制电话（解释）"))

    class Meta:
        verbose_name = _("免打扰时段")
        verbose_name_plural = _("免打扰时段")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="notify_quiet_company_unique"),
            models.CheckConstraint(condition=Q(project__isnull=False) | Q(company__isnull=False),
                                   name="notify_quiet_has_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · {quiet_hours.describe(self.parsed_windows())}"

    def clean(self) -> None:
        if self.project is not None and not self.company_id:
            self.company_id = self.project.company_id
        try:
            windows = quiet_hours.parse_windows(self.windows)
        except ValueError as exc:
            raise ValidationError({"windows": str(exc)}) from exc
        if windows:
            import datetime as dt

            try:
                quiet_hours.next_allowed_moment(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), windows,
                                                self.project.tz if self.project is not None else dt.UTC)
            except ValueError as exc:
                raise ValidationError({"windows": str(exc)}) from exc

    def parsed_windows(self) -> list[quiet_hours.Window]:
        return quiet_hours.parse_windows(self.windows)


DEFAULT_WARN_PERCENT = 75


class DeadlineReminderPolicy(models.Model):
    """期限提醒 (R-M17-11): when the deadline sweep warns the person holding a ticket — at this percentage
    of the time from a stage's start to its due time — per company (``project`` empty), a project row
    overrides it. Without a row the warning comes at 75 %. A change applies to deadlines stamped after
    it; stamped deadlines keep their warning moment."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="deadline_reminder_policies", verbose_name=_("公司"))
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="deadline_reminder_policy",
                                   null=True, blank=True, verbose_name=_("项目（留空=全公司）"))
    warn_percent = models.PositiveSmallIntegerField(
        _("提前提醒点（时限的百分比）"), default=DEFAULT_WARN_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("从时限开始计算，经过该百分比的时间后提醒处理人，如 75 表示时限过去四分之三时提醒"))

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = _("期限提醒")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(project=None),
                                    name="notify_deadline_reminder_company_unique"),
            models.CheckConstraint(condition=Q(project__isnull=False) | Q(company__isnull=False),
                                   name="notify_deadline_reminder_has_scope"),
            models.CheckConstraint(condition=Q(warn_percent__gte=1) & Q(warn_percent__lte=99),
                                   name="notify_deadline_reminder_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · {self.warn_percent}%"

    def clean(self) -> None:
        if self.project is not None and not self.company_id:
            self.company_id = self.project.company_id


class ChannelConfig(models.Model):
    """渠道配置 per company (or one project): a WeCom/DingTalk group robot, or the backend and on/off
    switch of email/SMS for the company. ``kinds`` limits a group to some notice kinds."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notify_channels",
                                verbose_name=_("公司"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("项目（留空=全公司）"))
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("如 品质部工作群"))
    enabled = models.BooleanField(_("启用"), default=True)
    backend = models.CharField(_("后端"), max_length=200, blank=True,
                               help_text=_("留空使用 settings.LINLI_NOTIFY_BACKENDS 的设置"))
    webhook_url = models.URLField(_("群机器人地址"), max_length=500, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人“加签”密钥"))
    kinds = models.CharField(_("通知类型"), max_length=500, blank=True,
                             help_text=_("逗号分隔，如 deadline_breach,escalation_report_breach；留空=全部"))

    class Meta:
        verbose_name = _("通知渠道配置")
        verbose_name_plural = _("通知渠道配置")
        ordering = ["company", "project", "channel", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.name or self.project or self.company}"

    def clean(self) -> None:
        if self.channel in GROUP_CHANNELS and self.enabled and not self.webhook_url:
            raise ValidationError({"webhook_url": _("工作群渠道需要群机器人地址")})
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})
        if self.backend:
            try:
                channels.load_backend_class(self.backend)
            except channels.BackendNotFound as exc:
                raise ValidationError({"backend": str(exc)}) from exc

    def kind_list(self) -> list[str]:
        return [k.strip() for k in self.kinds.split(",") if k.strip()]

    def wants(self, kind: str) -> bool:
        kinds = self.kind_list()
        return not kinds or kind in kinds


class StaffChannelPreference(models.Model):
    """员工的外发渠道: email on by default (when the user has an address), SMS off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference",
                                verbose_name=_("员工"))
    email = models.BooleanField(_("邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)
    sms_kinds = models.CharField(_("短信通知类型"), max_length=500, blank=True,
                                 help_text=_("逗号分隔；留空=全部（仅在启用短信时）"))

    class Meta:
        verbose_name = _("员工通知偏好")
        verbose_name_plural = _("员工通知偏好")

    def __str__(self) -> str:
        return str(self.user)


class MailKind(models.TextChoices):
    LETTER = "letter", _("信件")
    NEWSPAPER = "newspaper", _("报刊")
    PARCEL = "parcel", _("包裹")
    OTHER = "other", _("其他")


class MailItem(models.Model):
    """业主信件报刊 (R-M17-09, R-M20-01): the front desk receives owners' letters and newspapers,
    every day at a set time tells the stewards (楼宇员/管家) to collect them, the steward delivers.
    Record: received_at, notified_at, collected_at and delivered_at."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="mail_items")
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="mail_items", verbose_name=_("房号"))
    addressee = models.CharField(_("收件人"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=MailKind.choices, default=MailKind.LETTER)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("收件时间"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("收件人（前台）"))
    notified_at = models.DateTimeField(_("通知领取时间"), null=True, blank=True)
    collected_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("领取人"))
    delivered_at = models.DateTimeField(_("派送时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("派送人"))

    class Meta:
        verbose_name = _("信件报刊")
        verbose_name_plural = _("信件报刊")
        ordering = ["-received_at", "pk"]
        indexes = [models.Index(fields=["project", "notified_at"], name="notify_mail_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.addressee}"


class NoticeKind(models.TextChoices):
    DOOR_CODE = "door_code", _("门禁密码变更通知")
    ACTIVITY = "activity", _("社区活动通知")
    FESTIVAL = "festival", _("节日问候")
    WEATHER = "weather", _("天气等温馨提示")
    FEE = "fee", _("物业费缴费提醒（每月）")
    OTHER = "other", _("其他通知")


class OwnerNotice(models.Model):
    """业主群发短信 (SPEC M17): festival greetings and weather alerts (R-M17-06), the door-code notice
    at least 7 days ahead (R-M17-02) and the activity notice at least 3 days ahead, after approval
    (R-M17-03; an activity notice sent later still goes out but is recorded as a nonconformity,
    ``short_notice``), the monthly fee reminder (R-M17-07). One SMS per owner, held by the project's quiet
    hours (P-21)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="owner_notices")
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("楼栋（留空=全部）"))
    kind = models.CharField(_("类别"), max_length=20, choices=NoticeKind.choices)
    body = models.TextField(_("短信内容"))
    event_date = models.DateField(_("事项日期"), null=True, blank=True,
                                  help_text=_("门禁变更/活动的日期：门禁须提前7天、活动须提前3天通知"))
    approval_ref = models.CharField(_("审批记录"), max_length=100, blank=True,
                                    help_text=_("活动通知须填写审批人或审批单号"))
    approved_on = models.DateField(_("实施方案批准日期"), null=True, blank=True,
                                   help_text=_("活动通知：实施方案批准后才能通知业主"))
    elderly_only = models.BooleanField(
        _("仅发给空巢老人"), default=False,
        help_text=_("节日问候：只发给标记为空巢老人的住户（无论是否业主）"))
    short_notice = models.BooleanField(
        _("提前不足（不符合项）"), default=False,
        help_text=_("活动通知发布时距活动不足3天：照常通知业主，记为不符合"))
    created_at = models.DateTimeField(_("发送时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发送人"))
    recipients = models.PositiveIntegerField(_("已排队短信数"), default=0)
    no_phone = models.PositiveIntegerField(_("无手机号业主数"), default=0)
    emails = models.PositiveIntegerField(_("已排队邮件数"), default=0, help_text=_("缴费提醒：有邮箱的业主同时发邮件"))
    faxes = models.PositiveIntegerField(_("待人工传真数"), default=0,
                                        help_text=_("缴费提醒：有传真号码的业主由前台人工传真"))

    class Meta:
        verbose_name = _("业主群发通知")
        verbose_name_plural = _("业主群发通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d}"


class OwnerSmsOptOut(models.Model):
    """业主关闭的短信类别 (issue 19 item 6): one row per phone and topic switched off
    (``apps.notify.owner_topics``); no row means the topic is on."""

    phone = models.CharField(_("手机"), max_length=20)
    topic = models.CharField(_("短信类别"), max_length=20)
    created_at = models.DateTimeField(_("关闭时间"))

    class Meta:
        verbose_name = _("业主短信退订")
        verbose_name_plural = _("业主短信退订")
        ordering = ["phone", "topic"]
        constraints = [models.UniqueConstraint(fields=["phone", "topic"], name="notify_owner_sms_optout_unique")]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.topic}"
