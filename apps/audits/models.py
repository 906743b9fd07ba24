"""The supervision standard (督导标准) as versioned data, audits of a project under one version and
the company's own inspections scored the same way (SPEC M13, section 3).

A version is editable while no audit uses it (``StandardVersion.in_use``); then it is frozen, so an
audit scored under an older version keeps its meaning when the company loads a new one (R-M13-01).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StandardVersion(models.Model):
    """One version of a scoring standard of a company (R-M13-01, R-M13-05, R-M13-06)."""

    class Purpose(models.TextChoices):
        SUPERVISION = "supervision", _("顾客关系督导标准")
        MANAGEMENT_STATE = "management_state", _("管理状态评分标准（月检/季检）")

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices, default=Purpose.SUPERVISION)
    name = models.CharField(_("标准名称"), max_length=100)
    version = models.CharField(_("版本"), max_length=50)
    is_default = models.BooleanField(_("默认版本"), default=False, help_text=_("新审核默认使用的版本"))
    truncated_note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督导标准版本")
        verbose_name_plural = _("督导标准版本")
        ordering = ["company", "purpose", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "purpose", "version"],
                                               name="audits_standard_unique_version")]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    @property
    def in_use(self) -> bool:
        return self.audits.exists()

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.indicators.all()), Decimal("0"))


class Indicator(models.Model):
    """一级指标 with its points (人员素质 4, 顾客信息 8, 顾客关系 5 …)."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("一级指标"), max_length=50)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("一级指标")
        verbose_name_plural = _("一级指标")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="audits_indicator_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"


class DeductionMode(models.TextChoices):
    PER_ITEM = "per_item", _("每项不符合扣分")
    PER_BEHAVIOUR = "per_behaviour", _("按发现的不符合行为次数扣分")
    BY_COUNT = "by_count", _("按不符合项数扣分")


class StandardRow(models.Model):
    """二级/三级指标: a row of the table with its check method, deduction rule and cap (R-M13-02, -03).

    ``cap`` empty = no cap stated: the cap is the indicator's remaining points (R-M13-02). ``BY_COUNT``
    reads the deduction from ``count_deductions`` by the number of failed items (the alternative reading
    of row B1, policy P-24: ``{"4": "0.2", "3": "0.1"}``)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=20)
    level2 = models.CharField(_("二级指标"), max_length=100)
    level3 = models.CharField(_("三级指标"), max_length=100, blank=True)
    check_method = models.CharField(_("检查方法"), max_length=200)
    deduction_text = models.CharField(_("扣分标准"), max_length=200, blank=True)
    mode = models.CharField(_("扣分方式"), max_length=20, choices=DeductionMode.choices, default=DeductionMode.PER_ITEM)
    per_item = models.DecimalField(_("每项扣分"), max_digits=6, decimal_places=2, default=Decimal("0.1"))
    cap = models.DecimalField(_("最多扣分"), max_digits=6, decimal_places=2, null=True, blank=True)
    count_deductions = models.JSONField(_("按项数扣分表"), default=dict, blank=True)
    evidence_link = models.CharField(_("证据记录链接"), max_length=200, blank=True,
                                     help_text=_("检查对应的系统记录列表，如 /tickets/"))

    class Meta:
        verbose_name = _("督导标准条目")
        verbose_name_plural = _("督导标准条目")
        ordering = ["indicator__order", "order"]
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="audits_row_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.level2}{'/' + self.level3 if self.level3 else ''}"


class StandardItem(models.Model):
    """检查标准: one check item of a row; ``deduction`` overrides the row's per-item amount (B1: 0.2/0.1)."""

    row = models.ForeignKey(StandardRow, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=20)
    text = models.TextField(_("检查标准"))
    deduction = models.DecimalField(_("本项扣分"), max_digits=6, decimal_places=2, null=True, blank=True)
    precheck = models.CharField(_("系统预检"), max_length=80, blank=True, help_text=_("预检项代码"))

    class Meta:
        verbose_name = _("检查标准")
        verbose_name_plural = _("检查标准")
        ordering = ["row__indicator__order", "row__order", "order"]
        constraints = [models.UniqueConstraint(fields=["row", "code"], name="audits_item_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class AuditKind(models.TextChoices):
    SUPERVISION = "supervision", _("督导审核")
    MONTHLY = "monthly", _("公司月检")
    QUARTERLY = "quarterly", _("公司季检")


class AuditStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPLETED = "completed", _("已完成")


class Audit(models.Model):
    """An audit (督导) or company inspection (月检/季检, R-M13-06) of one project under one version."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="audits", verbose_name=_("项目"))
    version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="audits",
                                verbose_name=_("标准版本"))
    kind = models.CharField(_("类型"), max_length=20, choices=AuditKind.choices, default=AuditKind.SUPERVISION)
    audited_on = models.DateField(_("审核日期"))
    period_start = models.DateField(_("检查期间自"))
    period_end = models.DateField(_("检查期间至"))
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("审核人"))
    status = models.CharField(_("状态"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.OPEN)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2)
    summary = models.TextField(_("审核结论"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督导审核")
        verbose_name_plural = _("督导审核")
        ordering = ["-audited_on", "-id"]
        indexes = [models.Index(fields=["project", "audited_on"], name="audits_audit_project_date")]

    def __str__(self) -> str:
        return f"{self.project} · {self.audited_on} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", args=[self.pk])


class FindingResult(models.TextChoices):
    PENDING = "", _("未作答")
    CONFORM = "conform", _("符合")
    NONCONFORM = "nonconform", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class AuditFinding(models.Model):
    """The answer to one check item (R-M13-02) with evidence, the system's suggestion (R-M13-04) and,
    for a company inspection, the person responsible (R-M14-05)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=20, choices=FindingResult.choices, blank=True, default="")
    count = models.PositiveIntegerField(_("不符合次数"), default=1, help_text=_("人员素质按发现的不符合行为次数"))
    note = models.TextField(_("说明"), blank=True)
    evidence_url = models.CharField(_("证据记录链接"), max_length=300, blank=True)
    suggested = models.CharField(_("系统预检结果"), max_length=20, blank=True)
    suggestion_summary = models.TextField(_("系统预检说明"), blank=True)
    suggestion_evidence = models.JSONField(_("系统预检证据"), default=list, blank=True)
    override_reason = models.TextField(_("推翻预检的理由"), blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("责任人"))
    ncr_id = models.PositiveIntegerField(_("不合格报告"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("作答人"))
    answered_at = models.DateTimeField(_("作答时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审核结果")
        verbose_name_plural = _("审核结果")
        ordering = ["item__row__indicator__order", "item__row__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="audits_finding_unique_item")]

    def __str__(self) -> str:
        return f"{self.audit_id} {self.item.code} {self.result}"

    @property
    def overridden(self) -> bool:
        """The auditor answered differently from a definite system suggestion (R-M13-04)."""
        return bool(self.result) and self.suggested in (FindingResult.CONFORM, FindingResult.NONCONFORM) \
            and self.result != self.suggested
