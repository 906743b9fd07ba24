"""Staff records (SPEC M19). A certificate (证书/资质) of a staff member with type, number, issuer and
validity (R-M19-10); an expired one is flagged, one expiring within ``WARN_DAYS`` is warned about.
Also the directory's change log (R-M19-12), owners' service contracts with their corrections (R-M19-14)
and the stewards' building patrols, a finding needing action linked to its internal ticket (R-M19-04). Training sessions and takeover inspections are ``apps.org`` models
(``TrainingSession``, ``TakeoverInspection``) written by this app's actions."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

WARN_DAYS = 60  # a certificate expiring within this many days is shown as 即将到期 (interpretation)


class CertificateKind(models.TextChoices):
    PROPERTY_MANAGEMENT = "property_management", _("物业管理从业资格证")
    POST = "post", _("岗位证书")
    ELECTRICIAN = "electrician", _("电工证")
    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    FIRE_SAFETY = "fire_safety", _("消防设施操作员证")
    HEALTH = "health", _("健康证")
    OTHER = "other", _("其他")


class ExpiryState(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")


class Certificate(models.Model):
    """证书/资质 of one staff member (R-M19-10). ``valid_until`` empty = long-term (长期有效)."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("持证人"))
    kind = models.CharField(_("证书类型"), max_length=30, choices=CertificateKind.choices)
    name = models.CharField(_("证书名称"), max_length=100)
    number = models.CharField(_("证书编号"), max_length=60)
    issuer = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    updated_at = models.DateTimeField(_("更新时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("员工证书")
        verbose_name_plural = _("员工证书")
        ordering = ["valid_until", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "kind", "number"],
                                               name="staffrecords_certificate_unique_number")]
        indexes = [models.Index(fields=["company", "valid_until"], name="staffrecords_cert_expiry")]

    def __str__(self) -> str:
        return f"{self.holder} · {self.name}（{self.number}）"

    def state_on(self, today: dt.date) -> str:
        if self.valid_until is None or self.valid_until - today > dt.timedelta(days=WARN_DAYS):
            return ExpiryState.VALID
        if self.valid_until < today:
            return ExpiryState.EXPIRED
        return ExpiryState.EXPIRING


class DirectoryChange(models.Model):
    """内部通讯录的修改记录 (R-M19-12): a staff member's phone, extension or employee number changed on
    the directory page or the API — who changed what, when, and the values before and after."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("员工"))
    before = models.JSONField(_("修改前"), default=dict)
    after = models.JSONField(_("修改后"), default=dict)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("修改人"))
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("通讯录修改记录")
        verbose_name_plural = _("通讯录修改记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.changed_at:%Y-%m-%d}"


class ServiceContract(models.Model):
    """物业服务合同 (R-M19-14): the standard property service contract signed with an owner — its number,
    signing date and term. The owner's ``contract_ref`` follows the latest one."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="service_contracts",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="service_contracts",
                                  verbose_name=_("房屋"))
    owner = models.ForeignKey("estates.Person", on_delete=models.PROTECT, related_name="service_contracts",
                              verbose_name=_("业主"))
    number = models.CharField(_("合同编号"), max_length=50)
    signed_on = models.DateField(_("签订日期"))
    valid_until = models.DateField(_("合同期至"), null=True, blank=True, help_text=_("留空表示长期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["project", "-signed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="staffrecords_contract_unique_number")]

    def __str__(self) -> str:
        return self.number


class ServiceContractChange(models.Model):
    """物业服务合同的更正记录 (R-M19-14): a registered contract corrected — who, when, the values before
    and after, and why."""

    contract = models.ForeignKey(ServiceContract, on_delete=models.PROTECT, related_name="changes",
                                 verbose_name=_("物业服务合同"))
    before = models.JSONField(_("修改前"), default=dict)
    after = models.JSONField(_("修改后"), default=dict)
    reason = models.CharField(_("更正原因"), max_length=200)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("修改人"))
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("合同更正记录")
        verbose_name_plural = _("合同更正记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contract} {self.changed_at:%Y-%m-%d}"


PATROL_CHECKS: tuple[tuple[str, Any], ...] = (
    ("cleaning_ok", _("保洁")),
    ("security_ok", _("安全秩序")),
    ("facilities_ok", _("公共设施与水电设施")),
    ("signage_ok", _("标识标牌")),
    ("decoration_ok", _("装修巡查")),
)


class BuildingPatrol(models.Model):
    """楼宇日常巡查 (R-M19-04 (9), with (1) decoration patrols, (2) supervising cleaning and security,
    (5) signage and (16) utility facilities): one patrol of a building by its steward, each area marked
    normal or not; anything not normal needs a finding."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="building_patrols",
                                verbose_name=_("项目"))
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, related_name="patrols",
                                 verbose_name=_("楼栋"))
    steward = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="building_patrols",
                                verbose_name=_("巡查人"))
    patrolled_at = models.DateTimeField(_("巡查时间"))
    cleaning_ok = models.BooleanField(_("保洁"), default=True)
    security_ok = models.BooleanField(_("安全秩序"), default=True)
    facilities_ok = models.BooleanField(_("公共设施与水电设施"), default=True)
    signage_ok = models.BooleanField(_("标识标牌"), default=True)
    decoration_ok = models.BooleanField(_("装修巡查"), default=True)
    findings = models.TextField(_("发现的问题"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("内部工单"), help_text=_("需要处理的发现转成的内部工单"))

    class Meta:
        verbose_name = _("楼宇巡查记录")
        verbose_name_plural = _("楼宇巡查记录")
        ordering = ["-patrolled_at", "-id"]
        indexes = [models.Index(fields=["project", "patrolled_at"], name="staffrecords_patrol_when")]

    def __str__(self) -> str:
        return f"{self.building} {self.patrolled_at:%Y-%m-%d}"

    @property
    def problems(self) -> list[str]:
        return [str(label) for name, label in PATROL_CHECKS if not getattr(self, name)]
