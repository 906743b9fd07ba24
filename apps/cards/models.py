"""IC cards and door codes (SPEC M11). Register entries are never edited or deleted."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage

USER = settings.AUTH_USER_MODEL


class CardSettings(models.Model):
    """Per-project card and door-code policies with the SPEC defaults (R-M11-06: 7 days, quarterly)."""

    project = models.OneToOneField("org.Project", on_delete=models.PROTECT, related_name="card_settings",
                                   verbose_name=_("项目"))
    notice_lead_days = models.PositiveSmallIntegerField(_("门禁密码提前通知天数"), default=7)
    rotation_months = models.PositiveSmallIntegerField(_("门禁密码更换周期（月）"), default=3)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("IC卡与门禁设置")
        verbose_name_plural = _("IC卡与门禁设置")

    def __str__(self) -> str:
        return f"{self.project}"


class CardOfficer(models.Model):
    """R-M11-01: the person who issues and authorises IC cards in a project, and their stand-in."""

    project = models.OneToOneField("org.Project", on_delete=models.PROTECT, related_name="card_officer",
                                   verbose_name=_("项目"))
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("IC卡管理员"))
    stand_in = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("代理人"))
    named_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("指定人"))
    named_at = models.DateTimeField(_("指定时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("IC卡管理员")
        verbose_name_plural = _("IC卡管理员")

    def __str__(self) -> str:
        return f"{self.project} {self.officer}"


class CardKind(models.TextChoices):
    OWNER = "owner", _("业主卡")
    RESIDENT = "resident", _("住户卡")
    STAFF = "staff", _("员工卡")
    PARKING = "parking", _("停车卡")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("使用中")
    LOST = "lost", _("已挂失")
    RETRIEVED = "retrieved", _("已收回")
    CANCELLED = "cancelled", _("已注销")


class ICCard(models.Model):
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="ic_cards",
                                verbose_name=_("项目"))
    number = models.CharField(_("卡号"), max_length=40)
    kind = models.CharField(_("卡类别"), max_length=20, choices=CardKind.choices)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="ic_cards", verbose_name=_("房屋"))
    holder_name = models.CharField(_("持卡人"), max_length=50)
    staff = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="ic_cards",
                              verbose_name=_("员工"))
    plate = models.CharField(_("车牌"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    issued_at = models.DateTimeField(_("发卡时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("IC卡")
        verbose_name_plural = _("IC卡")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="cards_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class EntryKind(models.TextChoices):
    ISSUED = "issued", _("发放")
    LOST = "lost", _("挂失")
    REPLACED = "replaced", _("补办")
    RETRIEVED = "retrieved", _("收回")
    CANCELLED = "cancelled", _("注销")


class VerificationMethod(models.TextChoices):
    PHONE = "phone", _("电话核实")
    IN_PERSON = "in_person", _("当面核实")
    VIDEO = "video", _("视频核实")


class CardRegisterEntry(models.Model):
    """One line of the 《IC卡发放/异常情况登记表》."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="card_entries",
                                verbose_name=_("项目"))
    card = models.ForeignKey(ICCard, on_delete=models.PROTECT, related_name="entries", verbose_name=_("IC卡"))
    kind = models.CharField(_("登记类别"), max_length=20, choices=EntryKind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    applicant_name = models.CharField(_("申请人"), max_length=50, blank=True)
    applicant_is_owner = models.BooleanField(_("车主本人办理"), default=True)
    authorisation_doc = models.FileField(_("车主书面授权书"), upload_to=UuidPath("cards/auth"), storage=private_storage,
                                         blank=True)
    licence_doc = models.FileField(_("行驶证"), upload_to=UuidPath("cards/licence"), storage=private_storage, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verification_method = models.CharField(_("核实方式"), max_length=20, choices=VerificationMethod.choices, blank=True)
    verified_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("核实人"))
    replaces = models.ForeignKey(ICCard, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("补办的原卡"))
    note = models.CharField(_("异常情况/说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("IC卡发放/异常情况登记")
        verbose_name_plural = _("IC卡发放/异常情况登记表")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.card} {self.get_kind_display()}"


class CardRetrievalTask(models.Model):
    """R-M11-05: a staff member transferred or gone — their card is to be retrieved and registered."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="card_retrievals",
                                verbose_name=_("项目"))
    card = models.OneToOneField(ICCard, on_delete=models.PROTECT, related_name="retrieval_task",
                                verbose_name=_("IC卡"))
    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    staff_status = models.CharField(_("员工状态"), max_length=20)
    opened_at = models.DateTimeField(_("开立时间"))
    closed_by = models.OneToOneField(CardRegisterEntry, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="closes_task", verbose_name=_("收回登记"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("IC卡收回任务")
        verbose_name_plural = _("IC卡收回任务")
        ordering = ["closed_at", "-opened_at"]

    def __str__(self) -> str:
        return f"{self.staff} {self.card}"


class CardQuarterlyReview(models.Model):
    """R-M11-02: the 《IC卡季度整理表》 of one project and quarter."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="card_reviews",
                                verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    counts = models.JSONField(_("统计"), default=dict)
    anomalies = models.TextField(_("发现的异常"), blank=True)
    handling = models.TextField(_("处理情况"), blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("整理人"))
    reviewed_at = models.DateTimeField(_("整理时间"))

    class Meta:
        verbose_name = _("IC卡季度整理表")
        verbose_name_plural = _("IC卡季度整理表")
        constraints = [models.UniqueConstraint(fields=["project", "year", "quarter"], name="cards_review_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}Q{self.quarter}"


class IssuingPasswordChange(models.Model):
    """R-M11-03: the issuing computer's password was changed — date and person; never the password."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="card_password_changes",
                                verbose_name=_("项目"))
    changed_on = models.DateField(_("更改日期"))
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("更改人"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("发卡电脑密码更改记录")
        verbose_name_plural = _("发卡电脑密码更改记录")
        ordering = ["-changed_on"]

    def __str__(self) -> str:
        return f"{self.project} {self.changed_on}"


class AccessRegistration(models.Model):
    """R-M11-07: a resident let in without their card, registered in detail."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="access_registrations",
                                verbose_name=_("项目"))
    at = models.DateTimeField(_("时间"))
    name = models.CharField(_("姓名"), max_length=50)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    identity = models.CharField(_("身份"), max_length=50, help_text=_("如 业主、家属、装修工人、访客"))
    reason = models.CharField(_("未带卡原因/核实情况"), max_length=200)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("未带卡出入登记")
        verbose_name_plural = _("未带卡出入登记")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d}"


class DoorKind(models.TextChoices):
    LOBBY = "lobby", _("大堂门")
    UNIT = "unit", _("单元门")


class Door(models.Model):
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="doors", verbose_name=_("项目"))
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, related_name="doors",
                                 verbose_name=_("楼栋"))
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="doors",
                             verbose_name=_("单元"), help_text=_("大堂门留空"))
    kind = models.CharField(_("类别"), max_length=20, choices=DoorKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("门禁")
        verbose_name_plural = _("门禁")
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name


class DoorCodeChange(models.Model):
    """R-M11-06: a code change of one door; the code itself is not stored here."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="door_code_changes",
                                verbose_name=_("项目"))
    door = models.ForeignKey(Door, on_delete=models.PROTECT, related_name="changes", verbose_name=_("门禁"))
    effective_on = models.DateField(_("生效日期"))
    first_notice_on = models.DateField(_("首次通知日期"), null=True, blank=True)
    lead_days = models.IntegerField(_("提前通知天数"), null=True, blank=True)
    late_notice = models.BooleanField(_("通知不足期限（不符合项）"), default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("门禁密码更换")
        verbose_name_plural = _("门禁密码更换")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.door} {self.effective_on}"


class NoticeChannel(models.TextChoices):
    MAILBOX = "mailbox", _("信箱通知单")
    PHONE = "phone", _("电话告知")
    SMS = "sms", _("短信")
    BOARD = "board", _("公告栏（不含密码）")


class DoorCodeNotice(models.Model):
    change = models.ForeignKey(DoorCodeChange, on_delete=models.PROTECT, related_name="notices",
                               verbose_name=_("密码更换"))
    channel = models.CharField(_("通知方式"), max_length=20, choices=NoticeChannel.choices)
    at = models.DateTimeField(_("通知时间"))
    households_reached = models.PositiveIntegerField(_("通知户数"), default=0)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("门禁密码通知记录")
        verbose_name_plural = _("门禁密码通知记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.change} {self.get_channel_display()}"
