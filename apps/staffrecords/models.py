"""Staff records (SPEC M19). A certificate (证书/资质) of a staff member with type, number, issuer and
validity (R-M19-10); an expired one is flagged, one expiring within ``WARN_DAYS`` is warned about."""
from __future__ import annotations

import datetime as dt

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
