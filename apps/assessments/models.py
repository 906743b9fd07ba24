"""Monthly staff assessment (员工考核, SPEC M14, section 4).

The deduction catalogue is versioned data per company; one sheet (StaffAssessment) per employee per
calendar month holds the entries, each picking a catalogue item and, for range items, a value in range
(R-M14-03); items that lead to discipline create a DisciplinaryReferral with 0 points. Events elsewhere
in Linli suggest entries (SuggestedEntry) that the 客服主管 accepts or dismisses.

Sheet flow: draft ──submit──▶ submitted ──sign off──▶ signed_off (frozen)
                   ◀──return── (the manager sends it back)
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def plain(value: Decimal | None) -> str:
    """5.00 → "5", 0.50 → "0.5", 10 → "10" (never "1E+1")."""
    return "" if value is None else format(value.normalize(), "f")


class Catalogue(models.Model):
    """A version of the deduction catalogue (考核实施细则) of a company."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    version = models.CharField(_("版本"), max_length=50)
    is_default = models.BooleanField(_("当前使用"), default=False)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("考核细则版本")
        verbose_name_plural = _("考核细则版本")
        constraints = [models.UniqueConstraint(fields=["company", "version"], name="assessments_catalogue_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class ItemUnit(models.TextChoices):
    OCCURRENCE = "occurrence", _("每次")
    MISSING_ITEM = "missing_item", _("每缺一项")
    FINDING = "finding", _("每次发现")
    COMPLAINT = "complaint", _("每次投诉")


class ItemOutcome(models.TextChoices):
    POINTS = "points", _("扣分")
    DISCIPLINARY = "disciplinary", _("处分（不扣分）")


class CatalogueItem(models.Model):
    """One deduction item: a fixed amount (min = max) or a range the assessor picks inside (R-M14-03)."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=20)
    area = models.CharField(_("考核内容"), max_length=100)
    behaviour = models.CharField(_("行为"), max_length=200)
    min_points = models.DecimalField(_("最少扣分"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("最多扣分"), max_digits=6, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("计扣单位"), max_length=20, choices=ItemUnit.choices, default=ItemUnit.OCCURRENCE)
    outcome = models.CharField(_("结果"), max_length=20, choices=ItemOutcome.choices, default=ItemOutcome.POINTS)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("考核扣分项")
        verbose_name_plural = _("考核扣分项")
        ordering = ["catalogue", "order"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="assessments_item_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.behaviour}"

    @property
    def is_range(self) -> bool:
        return self.min_points is not None and self.max_points is not None and self.min_points != self.max_points

    @property
    def configured(self) -> bool:
        return self.outcome == ItemOutcome.DISCIPLINARY or (self.min_points is not None and self.max_points is not None)

    @property
    def points_label(self) -> str:
        if self.outcome == ItemOutcome.DISCIPLINARY:
            return str(_("处分，不扣分"))
        if not self.configured:
            return str(_("未设定"))
        if self.is_range:
            return f"{plain(self.min_points)}–{plain(self.max_points)}"
        return plain(self.min_points)


class AssessmentPolicy(models.Model):
    """The starting score of a sheet (R-M14-02: not given in the seed), per company with a project
    override (project empty = the company's value)."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starting_score = models.DecimalField(_("考核起始分"), max_digits=6, decimal_places=2, default=Decimal("100"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核设置")
        verbose_name_plural = _("考核设置")
        constraints = [models.UniqueConstraint(fields=["company", "project"], name="assessments_policy_unique"),
                       models.UniqueConstraint(fields=["company"], condition=Q(project__isnull=True),
                                               name="assessments_policy_one_company_default")]

    def __str__(self) -> str:
        return f"{self.project or self.company}: {self.starting_score}"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("考核中")
    SUBMITTED = "submitted", _("已提交，待签核")
    SIGNED_OFF = "signed_off", _("已签核（冻结）")


class StaffAssessment(models.Model):
    """One employee's assessment sheet for one calendar month (R-M14-01)."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("部门"))
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments",
                                 verbose_name=_("员工"))
    period = models.DateField(_("考核月份"), help_text=_("该月1日"))
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核细则"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("考核人"))
    starting_score = models.DecimalField(_("起始分"), max_digits=6, decimal_places=2)
    status = models.CharField(_("状态"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("签核人"))
    signed_off_at = models.DateTimeField(_("签核时间"), null=True, blank=True)
    sign_off_note = models.TextField(_("签核意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("员工月度考核")
        verbose_name_plural = _("员工月度考核")
        ordering = ["-period", "project", "employee"]
        constraints = [models.UniqueConstraint(fields=["employee", "period"], name="assessments_one_sheet_per_month")]
        indexes = [models.Index(fields=["project", "period"], name="assessments_sheet_proj_period")]

    def __str__(self) -> str:
        return f"{self.employee} · {self.period:%Y-%m}"

    @property
    def frozen(self) -> bool:
        return self.status == SheetStatus.SIGNED_OFF


class EntrySource(models.TextChoices):
    DEPARTMENT_CHECK = "department_check", _("部门考核")
    DAILY_INSPECTION = "daily_inspection", _("日常检查")
    COMPANY_INSPECTION = "company_inspection", _("公司月检/季检")
    CUSTOMER_PRAISE = "customer_praise", _("顾客表扬")
    CUSTOMER_COMPLAINT = "customer_complaint", _("顾客投诉")
    MANAGER_SPOT_CHECK = "manager_spot_check", _("经理抽查")


class AssessmentEntry(models.Model):
    """One entry of a sheet: an item × quantity at a value (R-M14-03), or a praise (no points)."""

    sheet = models.ForeignKey(StaffAssessment, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("扣分项"))
    source = models.CharField(_("来源"), max_length=30, choices=EntrySource.choices)
    value = models.DecimalField(_("每次扣分"), max_digits=6, decimal_places=2, default=Decimal("0"))
    quantity = models.PositiveIntegerField(_("次数/项数"), default=1)
    points = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, default=Decimal("0"))
    occurred_on = models.DateField(_("发生日期"))
    note = models.TextField(_("事实描述"), blank=True)
    evidence_url = models.CharField(_("相关记录"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"))
    removed_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    removed_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.sheet} {self.item.code if self.item else self.get_source_display()} {self.points}"


class DisciplinaryReferral(models.Model):
    """处分转介 (R-M14-03): an item that gives discipline instead of points (1.3 …)."""

    entry = models.OneToOneField(AssessmentEntry, on_delete=models.PROTECT, related_name="referral")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("员工"))
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("转介时间"))
    facts = models.TextField(_("事实"))
    decision = models.TextField(_("处理决定"), blank=True)

    class Meta:
        verbose_name = _("处分转介")
        verbose_name_plural = _("处分转介")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.employee} {self.created_at:%Y-%m-%d}"


class SuggestionKind(models.TextChoices):
    PRAISE = "praise", _("顾客表扬")
    COMPLAINT = "complaint", _("有效投诉")
    MISSED_DEADLINE = "missed_deadline", _("工单超时")
    UNSATISFIED_VISIT = "unsatisfied_visit", _("回访不满意")
    VISIT_SHORTFALL = "visit_shortfall", _("走访计划未完成")
    INSPECTION = "inspection", _("检查不合格")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("已忽略")


class SuggestedEntry(models.Model):
    """An event that may belong on an employee's sheet (R-M14-02, -04, -05): the 客服主管 accepts it (an
    entry is made) or dismisses it with a reason. ``event_key`` makes each event suggest once."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("员工"))
    period = models.DateField(_("考核月份"))
    kind = models.CharField(_("事件"), max_length=30, choices=SuggestionKind.choices)
    source = models.CharField(_("来源"), max_length=30, choices=EntrySource.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    summary = models.CharField(_("摘要"), max_length=300)
    url = models.CharField(_("相关记录"), max_length=300, blank=True)
    event_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.PENDING)
    entry = models.ForeignKey(AssessmentEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(_("忽略原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("建议考核记录")
        verbose_name_plural = _("建议考核记录")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["employee", "period", "status"], name="assessments_sugg_emp_period")]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_kind_display()} {self.summary[:30]}"
