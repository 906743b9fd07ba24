"""Buildings, units, households and the people in them — the owner archive (业主档案, SPEC M7).

Personal data (names, phones, ID numbers, vehicles) is read through :mod:`apps.estates.masking`
and every unmasked read is logged (R-M7-01).
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage
from apps.estates.masking import FIELD_LABELS
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap


class Building(models.Model):
    """楼栋."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=50, help_text=_("如 5栋"))
    sort_key = models.IntegerField(_("排序"), default=0)
    steward = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="stewarded_buildings",
        verbose_name=_("楼宇管家"),
        help_text=_("客服楼宇员/管家，楼内报修派工单同时通知其跟进"))

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["project", "sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="estates_building_unique")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """单元."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("单元"), max_length=50, help_text=_("如 2单元"))

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="estates_unit_unique")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.name}"


class OccupancyStatus(models.TextChoices):
    OCCUPIED = "occupied", _("已入住")
    NOT_MOVED_IN = "not_moved_in", _("未入住")
    VACANT = "vacant", _("空置")
    DECORATING = "decorating", _("装修中")


class Household(models.Model):
    """户 (房号): one dwelling or shop unit in a project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="households")
    room_no = models.CharField(_("房号"), max_length=30, help_text=_("如 1502"))
    label = models.CharField(_("完整房号"), max_length=100, db_index=True, help_text=_("如 5栋2单元1502，自动生成"))
    area_m2 = models.DecimalField(_("面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=OccupancyStatus.choices, default=OccupancyStatus.OCCUPIED)
    move_in_date = models.DateField(_("入住日期"), null=True, blank=True)
    warranty_end = models.DateField(_("保修期至"), null=True, blank=True)
    elderly_alone = models.BooleanField(_("空巢老人"), default=False, help_text=_("标记为定期走访和特别关照的对象"))
    not_moved_in_reason = models.CharField(_("未入住原因"), max_length=200, blank=True, help_text=_("入住动态表"))
    notes = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["project", "label"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room_no"], name="estates_household_unique"),
        ]
        indexes = [models.Index(fields=["project", "room_no"], name="estates_hh_project_room")]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def make_label(building: str, unit: str | None, room_no: str) -> str:
        return f"{building}{unit or ''}{room_no}"


class PersonKind(models.TextChoices):
    OWNER = "owner", _("业主")
    RESIDENT = "resident", _("住户")
    TENANT = "tenant", _("租户")
    SHOP_TENANT = "shop_tenant", _("商户")


class Person(models.Model):
    """业主/住户/租户/商户 — personal data, masked by default (R-M7-01, R-M7-03)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="persons")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="persons")
    kind = models.CharField(_("身份"), max_length=20, choices=PersonKind.choices, default=PersonKind.OWNER)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机"), max_length=30, blank=True)
    phone2 = models.CharField(_("其他电话"), max_length=30, blank=True)
    phone_tail = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("电子邮箱"), max_length=254, blank=True,
                              help_text=_("缴费提醒等通知同时发到该邮箱"))
    fax = models.CharField(_("传真"), max_length=30, blank=True, help_text=_("缴费提醒等通知由前台人工传真"))
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    move_in_date = models.DateField(_("入住日期"), null=True, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    elderly_alone = models.BooleanField(_("空巢老人"), default=False)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("以逗号分隔，如 空巢老人,VIP"))
    needs = models.TextField(_("需求与反馈"), blank=True, help_text=_("客户档案"))
    contract_ref = models.CharField(_("物业服务合同编号"), max_length=50, blank=True,
                                    help_text=_("与业主签订的标准物业服务合同"))
    active = models.BooleanField(_("在住"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业主/住户")
        verbose_name_plural = _("业主/住户")
        ordering = ["household", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.household}·{self.name[:1]}**"

    def save(self, *args: Any, **kwargs: Any) -> None:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        self.phone_tail = digits[-4:]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"phone_tail"}
        super().save(*args, **kwargs)


class Vehicle(models.Model):
    """车辆 (optional; used for parking cards)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("车牌"), max_length=20)
    parking_space = models.CharField(_("车位"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")

    def __str__(self) -> str:
        return self.plate


class ArchiveGrant(models.Model):
    """查阅授权: the department head's consent to consult the owner archive (R-M7-01 未经部门负责人同意不得查阅).

    Created and revoked only through :mod:`apps.estates.actions`; ``granted_by`` must hold
    ``Cap.GRANT_ARCHIVE_ACCESS`` in ``project``. Nothing is deleted: a grant ends by ``valid_until``
    or by revocation.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="archive_grants")
    grantee = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="archive_grants",
                                verbose_name=_("被授权人"))
    granted_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="archive_grants_given",
                                   verbose_name=_("授权人"))
    reason = models.CharField(_("授权事由"), max_length=200)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    created_at = models.DateTimeField(_("授权时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="archive_grants_revoked", verbose_name=_("撤销人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("档案查阅授权")
        verbose_name_plural = _("档案查阅授权")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["grantee", "project", "valid_until"], name="estates_grant_lookup")]

    def __str__(self) -> str:
        return f"{self.grantee} · {self.project} · {self.reason}"

    def is_valid_at(self, moment: object) -> bool:
        return self.revoked_at is None and self.valid_from <= moment < self.valid_until  # type: ignore[operator]


class AccessAction(models.TextChoices):
    VIEW = "view", _("查看完整信息")
    EXPORT = "export", _("导出")
    EXPORT_MASKED = "export_masked", _("导出（已遮蔽）")
    API_VIEW = "api_view", _("接口查看完整信息")
    REFUSED = "refused", _("拒绝查看（未经授权）")
    PRINT = "print", _("打印（完整信息）")
    PRINT_MASKED = "print_masked", _("打印（已遮蔽）")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an access-log row."""


class CustomerDataAccessLog(models.Model):
    """顾客资料查阅记录 (R-M7-01 查看有记录): who read which owner's data, when, why, on which screen.

    Append-only: ``save`` refuses updates, ``delete`` refuses, the admin is read-only.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="access_logs")
    user = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="customer_data_reads",
                             verbose_name=_("查阅人"))
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("操作"), max_length=20, choices=AccessAction.choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="access_logs", verbose_name=_("房屋"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="access_logs", verbose_name=_("业主/住户"))
    fields = models.CharField(_("显示的字段"), max_length=200, blank=True)
    reason = models.CharField(_("查阅事由"), max_length=200)
    screen = models.CharField(_("页面/接口"), max_length=100)
    grant = models.ForeignKey(ArchiveGrant, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="uses", verbose_name=_("授权依据"))
    row_count = models.PositiveIntegerField(_("导出行数"), null=True, blank=True)

    class Meta:
        verbose_name = _("顾客资料查阅记录")
        verbose_name_plural = _("顾客资料查阅记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "-at"], name="estates_accesslog_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("顾客资料查阅记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("顾客资料查阅记录不可删除")

    @property
    def field_labels(self) -> str:
        return "、".join(str(FIELD_LABELS.get(f, f)) for f in self.fields.split(",") if f)


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    INVALID = "invalid", _("有错误")
    COMMITTED = "committed", _("已导入")
    DISCARDED = "discarded", _("已放弃")


class ImportJob(models.Model):
    """业主名册导入: one uploaded workbook, its parsed rows, row-level errors and the commit result."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="roster_imports")
    created_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="roster_imports")
    created_at = models.DateTimeField(_("上传时间"))
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    household_count = models.PositiveIntegerField(_("房屋数"), default=0)
    person_count = models.PositiveIntegerField(_("人员数"), default=0)
    rows = models.JSONField(_("解析后的数据"), default=list, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class ArchiveCustodian(models.Model):
    """顾客资料保管人 (R-M7-01 "a designated person keeps the customer data"), one per project."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="archive_custodian",
                                   verbose_name=_("项目"))
    custodian = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="archives_kept",
                                  verbose_name=_("保管人"))
    since = models.DateField(_("起始日期"))
    notes = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如 纸质档案存放位置"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("顾客资料保管人")
        verbose_name_plural = _("顾客资料保管人")

    def __str__(self) -> str:
        return f"{self.project} · {self.custodian}"

    def clean(self) -> None:


        if self.custodian_id and self.project_id and not access.has_cap(
                self.custodian, Cap.UNMASK_PERSONAL_DATA, self.project):
            raise ValidationError({"custodian": _("保管人须是本项目有权查看顾客资料的客服人员")})


class DecorationRecordKind(models.TextChoices):
    LIST = "list", _("装修电子清单")
    PHOTO = "photo", _("照片")
    VIDEO = "video", _("视频")
    RECORDING = "recording", _("录音")
    PROGRESS = "progress", _("装修进度")
    PROBLEM = "problem", _("装修问题")


MEDIA_KINDS = frozenset({DecorationRecordKind.PHOTO, DecorationRecordKind.VIDEO, DecorationRecordKind.RECORDING})


class DecorationRecord(models.Model):
    """装修档案 (R-M7-09): per household, the electronic list, photo/video/recording library and the
    progress and problems of the decoration. Media are personal data (R-M7-10): the file is opened
    only through :func:`apps.estates.actions.open_decoration_media`, which logs the read."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decoration_records")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decoration_records",
                                  verbose_name=_("房屋"))
    kind = models.CharField(_("类别"), max_length=20, choices=DecorationRecordKind.choices)
    note = models.TextField(_("说明"), blank=True)
    file = models.FileField(_("文件"), upload_to=UuidPath("estates/decoration"), storage=private_storage,
                            blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("装修档案")
        verbose_name_plural = _("装修档案")
        ordering = ["household", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_kind_display()}"


class CallRecording(models.Model):
    """通话录音 (R-M7-07 录音留存): the recording of a call to an owner — the 入住动态表 calls to owners not
    yet moved in first — kept with the household's archive. Recordings are personal data (R-M7-10): the
    file opens only through :func:`apps.estates.actions.open_call_recording` (a role with customer data in
    its work, a reason, a VIP household's grant, a steward's own buildings), which logs the read. Kept:
    no action deletes one."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="call_recordings")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="call_recordings",
                                  verbose_name=_("房屋"))
    called_at = models.DateTimeField(_("通话时间"))
    note = models.CharField(_("通话内容摘要"), max_length=200)
    file = models.FileField(_("录音文件"), upload_to=UuidPath("estates/calls"), storage=private_storage)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("通话录音")
        verbose_name_plural = _("通话录音")
        ordering = ["household", "-called_at", "-id"]
        indexes = [models.Index(fields=["household", "called_at"], name="estates_callrec_hh_at")]

    def __str__(self) -> str:
        return f"{self.household} · {self.called_at:%Y-%m-%d %H:%M}"
