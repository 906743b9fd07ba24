"""Front desk and building services (SPEC M20)."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage

USER = settings.AUTH_USER_MODEL


class PermitStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("已批准（装修中）")
    STOPPED = "stopped", _("停工整改")
    INSPECTED = "inspected", _("已验收")
    CLOSED = "closed", _("押金已退（结案）")


class DecorationPermit(models.Model):
    """R-M20-02/-12: the decoration formalities of one house: application, documents, deposit, approval,
    worker passes, checks, completion inspection, deposit return."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="decoration_permits",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="decoration_permits",
                                  verbose_name=_("房屋"))
    applicant = models.CharField(_("申请人"), max_length=50)
    contractor = models.CharField(_("装修单位"), max_length=100, blank=True)
    scope = models.TextField(_("装修项目"))
    planned_start = models.DateField(_("计划开工"))
    planned_end = models.DateField(_("计划完工"))
    documents = models.FileField(_("申请资料"), upload_to=UuidPath("desk/decoration"), storage=private_storage,
                                 blank=True)
    notice_explained = models.BooleanField(_("已讲解装修须知"), default=False)
    deposit = models.DecimalField(_("装修押金（元）"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(_("状态"), max_length=20, choices=PermitStatus.choices, default=PermitStatus.APPLIED)
    applied_at = models.DateTimeField(_("申请时间"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("批准人"))
    inspected_at = models.DateTimeField(_("完工验收时间"), null=True, blank=True)
    inspection_result = models.TextField(_("验收结果"), blank=True)
    deposit_returned = models.DecimalField(_("退还押金（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    deposit_returned_at = models.DateTimeField(_("退押金时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("装修许可")
        verbose_name_plural = _("装修许可")
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return f"{self.household} {self.get_status_display()}"


class WorkerPass(models.Model):
    """出入证 of a decoration worker, with photo and validity (R-M20-02)."""

    permit = models.ForeignKey(DecorationPermit, on_delete=models.PROTECT, related_name="passes",
                               verbose_name=_("装修许可"))
    number = models.CharField(_("证号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    photo = models.FileField(_("照片"), upload_to=UuidPath("desk/passes"), storage=private_storage)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    issued_at = models.DateTimeField(_("发证时间"))
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("发证人"))
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("装修工人出入证")
        verbose_name_plural = _("装修工人出入证")
        ordering = ["permit", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class CheckKind(models.TextChoices):
    WORKERS = "workers", _("每日装修工人检查")
    PATROL = "patrol", _("装修巡查")
    STOP = "stop", _("停工令")
    RESUME = "resume", _("复工")


class DecorationCheck(models.Model):
    """R-M20-04/-12: a decoration patrol or daily worker check by the steward; a stop order and resume."""

    permit = models.ForeignKey(DecorationPermit, on_delete=models.PROTECT, related_name="checks",
                               verbose_name=_("装修许可"))
    kind = models.CharField(_("类别"), max_length=20, choices=CheckKind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人"))
    workers_seen = models.PositiveSmallIntegerField(_("在场工人数"), default=0)
    workers_without_pass = models.PositiveSmallIntegerField(_("无证工人数（已劝离）"), default=0)
    debris_dumped = models.BooleanField(_("乱堆乱倒装修垃圾"), default=False)
    finding = models.TextField(_("发现的问题"), blank=True)
    ticket_id = models.PositiveIntegerField(_("转工单"), null=True, blank=True)

    class Meta:
        verbose_name = _("装修检查")
        verbose_name_plural = _("装修检查")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.permit} {self.get_kind_display()}"


class HouseKey(models.Model):
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="house_keys",
                                verbose_name=_("项目"))
    label = models.CharField(_("钥匙"), max_length=100, help_text=_("如 1栋101空置房钥匙、天台门钥匙"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("钥匙")
        verbose_name_plural = _("钥匙")
        ordering = ["project", "label"]
        constraints = [models.UniqueConstraint(fields=["project", "label"], name="desk_key_label_unique")]

    def __str__(self) -> str:
        return self.label


class KeyLoan(models.Model):
    """R-M20-03: who took which key, when, when it is due and when it came back."""

    key = models.ForeignKey(HouseKey, on_delete=models.PROTECT, related_name="loans", verbose_name=_("钥匙"))
    borrower = models.CharField(_("领用人"), max_length=50)
    purpose = models.CharField(_("用途"), max_length=200)
    taken_at = models.DateTimeField(_("领用时间"))
    due_at = models.DateTimeField(_("应还时间"))
    lent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    returned_to = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("接收人"))

    class Meta:
        verbose_name = _("钥匙领用登记")
        verbose_name_plural = _("钥匙领用登记")
        ordering = ["returned_at", "-taken_at"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=models.Q(returned_at__isnull=True),
                                               name="desk_key_out_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.borrower}"


class VacantHouseCheck(models.Model):
    """R-M20-04: the steward's check of a vacant house; a problem can become a ticket."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="vacant_checks",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="vacant_checks",
                                  verbose_name=_("房屋"))
    at = models.DateTimeField(_("检查时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人"))
    ok = models.BooleanField(_("正常"), default=True)
    finding = models.TextField(_("发现的问题"), blank=True)
    ticket_id = models.PositiveIntegerField(_("转工单"), null=True, blank=True)

    class Meta:
        verbose_name = _("空置房检查")
        verbose_name_plural = _("空置房检查")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.household} {self.at:%Y-%m-%d}"


class LogKind(models.TextChoices):
    SIGNAGE = "signage", _("标识维护")
    LEGACY = "legacy", _("遗留问题")
    HOUSE_INSPECTION = "house_inspection", _("验房")
    PEER_VISIT = "peer_visit", _("同行参观")
    TRANSFER_MEETING = "transfer_meeting", _("转项会议")


class DeskLog(models.Model):
    """Signage upkeep, legacy issues and house inspections (with the first responder who stays
    responsible until it closes, R-M20-14), peer-company visits, transfer meetings with the developer."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="desk_logs",
                                verbose_name=_("项目"))
    kind = models.CharField(_("类别"), max_length=30, choices=LogKind.choices)
    title = models.CharField(_("事项"), max_length=200)
    detail = models.TextField(_("详细记录"), blank=True)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    happened_on = models.DateField(_("日期"))
    first_responder = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("首问责任人"))
    recorded_at = models.DateTimeField(_("登记时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("楼宇事务记录")
        verbose_name_plural = _("楼宇事务记录")
        ordering = ["closed_at", "-happened_on"]

    def __str__(self) -> str:
        return self.title


class ButlerMeeting(models.Model):
    """R-M20-13: the butlers' daily meeting — attendance, shared logs, key issues analysed together."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="butler_meetings",
                                verbose_name=_("项目"))
    held_on = models.DateField(_("日期"))
    chair = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("主持人"))
    attendees = models.ManyToManyField("org.User", related_name="+", verbose_name=_("出席"))
    shared_logs = models.TextField(_("工作日志分享"))
    key_issues = models.TextField(_("重点问题及分析"), blank=True)
    help_arranged = models.TextField(_("现场协助安排"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("管家每日例会")
        verbose_name_plural = _("管家每日例会")
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["project", "held_on"], name="desk_meeting_daily")]

    def __str__(self) -> str:
        return f"{self.project} {self.held_on}"


class ConvenienceItem(models.Model):
    """R-M20-15: an item of the convenience inventory (toolbox, umbrellas, carts, chargers …)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="convenience_items",
                                verbose_name=_("项目"))
    name = models.CharField(_("物品"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    place = models.CharField(_("存放位置"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("便民物品")
        verbose_name_plural = _("便民物品")
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name


class ItemLoan(models.Model):
    item = models.ForeignKey(ConvenienceItem, on_delete=models.PROTECT, related_name="loans", verbose_name=_("物品"))
    borrower = models.CharField(_("借用人"), max_length=50)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    lent_at = models.DateTimeField(_("借出时间"))
    lent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("便民物品借用")
        verbose_name_plural = _("便民物品借用")
        ordering = ["returned_at", "-lent_at"]

    def __str__(self) -> str:
        return f"{self.item} {self.borrower}"
