"""Buildings, units, households and the people in them — the owner archive (业主档案, SPEC M7).

Personal data (names, phones, ID numbers, vehicles) is read through :mod:`apps.estates.masking`
and every unmasked read is logged (R-M7-01).
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.org.models import Project


class Building(models.Model):
    """楼栋."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=50, help_text=_("如 5栋"))
    sort_key = models.IntegerField(_("排序"), default=0)

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
    elderly_alone = models.BooleanField(_("空巢老人"), default=False, help_text=_("R-M7-08"))
    not_moved_in_reason = models.CharField(_("未入住原因"), max_length=200, blank=True, help_text=_("R-M7-07 入住动态表"))
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
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    move_in_date = models.DateField(_("入住日期"), null=True, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    elderly_alone = models.BooleanField(_("空巢老人"), default=False)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("以逗号分隔，如 空巢老人,VIP"))
    needs = models.TextField(_("需求与反馈"), blank=True, help_text=_("R-M7-05 客户档案"))
    active = models.BooleanField(_("在住"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业主/住户")
        verbose_name_plural = _("业主/住户")
        ordering = ["household", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.household}·{self.name[:1]}**"

    def save(self, *args: object, **kwargs: object) -> None:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        self.phone_tail = digits[-4:]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"phone_tail"}  # type: ignore[arg-type]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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
