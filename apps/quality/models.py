"""《不合格/纠正、预防措施报告》 — the NCR/CAPA report of the ISO-style complaint procedure (SPEC R-M2-04,
R-M19-08; seed 002 篇5 §4.3–§4.4).

A department manager raises it when a complaint is beyond the department's authority or needs a
company decision; the 管理者代表 signs it (签发) — and only then may handling start (the gate in
:mod:`apps.quality.gate`). The department then records cause, correction, corrective and preventive
actions; the report is closed after the effectiveness of the action has been verified.

Status flow (``actions`` is the only code that assigns ``status``)::

    awaiting_signature ──sign──▶ signed ──verify (effective)──▶ closed
          │   ▲                    │
    return│   │update (resubmit)   └─verify (not effective): stays signed
          ▼   │
        returned ──withdraw──▶ withdrawn   (awaiting_signature may be withdrawn too)
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NcrStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("待管理者代表签发")
    RETURNED = "returned", _("退回补充")
    SIGNED = "signed", _("已签发（处理中）")
    CLOSED = "closed", _("已验证关闭")
    WITHDRAWN = "withdrawn", _("已撤回")


# Raised but not yet signed: handling of the ticket must not start (R-M2-04).
UNSIGNED_STATUSES: frozenset[str] = frozenset({NcrStatus.AWAITING_SIGNATURE, NcrStatus.RETURNED})
# At most one of these per ticket.
OPEN_NCR_STATUSES: frozenset[str] = UNSIGNED_STATUSES | {NcrStatus.SIGNED}


class NcrEventKind(models.TextChoices):
    RAISED = "raised", _("提出")
    UPDATED = "updated", _("修改/补充")
    RESUBMITTED = "resubmitted", _("补充后重新提交")
    RETURNED = "returned", _("退回补充")
    SIGNED = "signed", _("签发")
    VERIFIED = "verified", _("验证有效，关闭")
    NOT_EFFECTIVE = "not_effective", _("验证未通过")
    WITHDRAWN = "withdrawn", _("撤回")


class NcrCounter(models.Model):
    """The last number used per company and year (gapless, taken in the raising transaction)."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "year"], name="quality_ncrcounter_unique")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.year} #{self.last}"


class NonconformityReport(models.Model):
    """不合格/纠正、预防措施报告 — one per matter beyond a department's authority (R-M2-04)."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="ncr_reports",
                                verbose_name=_("项目"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="ncr_reports",
                               verbose_name=_("工单"))
    number = models.CharField(_("报告编号"), max_length=30)
    year = models.PositiveIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=20, choices=NcrStatus.choices,
                              default=NcrStatus.AWAITING_SIGNATURE)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任部门"))
    nonconformity = models.TextField(_("不合格事实"))
    beyond_authority_reason = models.TextField(_("超出部门权限/需公司决定的原因"))
    cause_analysis = models.TextField(_("原因分析"), blank=True)
    correction = models.TextField(_("纠正（对不合格的处置）"), blank=True)
    corrective_action = models.TextField(_("纠正措施"), blank=True)
    preventive_action = models.TextField(_("预防措施"), blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("提出人（部门经理）"))
    raised_at = models.DateTimeField(_("提出时间"))
    return_reason = models.TextField(_("退回原因"), blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("签发人（管理者代表）"))
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    sign_opinion = models.TextField(_("管理者代表意见"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    effectiveness_note = models.TextField(_("效果验证"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    history = HistoricalRecords()  # field diffs of every edit (STYLE §8); the steps are NcrEvent rows

    class Meta:
        verbose_name = _("不合格/纠正、预防措施报告")
        verbose_name_plural = _("不合格/纠正、预防措施报告")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="quality_ncr_unique_number"),
            models.UniqueConstraint(fields=["company", "year", "seq"], name="quality_ncr_unique_seq"),
            models.UniqueConstraint(fields=["ticket"], name="quality_ncr_one_open_per_ticket",
                                    condition=Q(status__in=["awaiting_signature", "returned", "signed"])),
        ]
        indexes = [models.Index(fields=["status", "project"], name="quality_ncr_status_project")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NCR_STATUSES

    @property
    def blocks_handling(self) -> bool:
        return self.status in UNSIGNED_STATUSES


class NcrEvent(models.Model):
    """The report's audit trail: who did what, when and why (also mirrored on the ticket timeline)."""

    report = models.ForeignKey(NonconformityReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("操作人"))
    kind = models.CharField(_("事件"), max_length=20, choices=NcrEventKind.choices)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("不合格报告记录")
        verbose_name_plural = _("不合格报告记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.at}"
