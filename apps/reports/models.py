"""Fixed reports with a review → approval → frozen lifecycle, and the complaint case library.

- ``Report`` (月底投诉汇总表, 投诉公布, 季度投诉分析报告, 管理服务报告, 工作简报, 地产遗留问题统计, 公司投诉
  统计分析报告 — SPEC M5): generated as a draft, reviewed, approved and then frozen. A frozen report
  keeps the figures it was approved with (``figures`` JSON snapshot) and never changes when ticket
  data is edited later; a correction is a new version (``supersedes``) (issue 7 item 3, R-M5-18).
- ``CaseLibraryEntry`` (顾客投诉案例库, R-M6-01): anonymised write-ups shared across the company.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.org.models import Company, Project


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    APPROVED = "approved", _("已批准（冻结）")
    SUPERSEDED = "superseded", _("已被新版本取代")


class Report(models.Model):
    """A fixed report on one period for one project (or company-wide when ``project`` is empty)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="reports")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    duty_code = models.CharField(_("报告类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    cadence = models.CharField(_("周期"), max_length=20)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    due_at = models.DateTimeField(_("应提交时间"))
    rule_id = models.CharField(_("依据"), max_length=20, blank=True)
    recipients = models.CharField(_("报送对象"), max_length=200, blank=True)
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    sections = models.JSONField(_("正文"), default=dict, blank=True,
                                help_text=_("分析、原因、经验教训、改进措施等段落"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("生成时间"))
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # R-M5-08: the department head reviews, then the 分管领导 approves (``approved_*``)
    reviewed_at = models.DateTimeField(_("部门负责人审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    # R-M5-08: the 管理服务报告 is posted on the intranet (18th), then a notice invites owners to read it (20th)
    intranet_posted_at = models.DateTimeField(_("内网公布时间"), null=True, blank=True)
    notice_posted_at = models.DateTimeField(_("告示张贴时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布/报送时间"), null=True, blank=True)
    published_where = models.CharField(_("公布位置"), max_length=200, blank=True)
    approval_flags = models.JSONField(_("批准时确认的数字不符"), default=list, blank=True,
                                      help_text=_("正文数字与报告数据不一致、经批准人核对确认的条目"))
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by")

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-period_start", "duty_code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["company", "project", "duty_code", "period_start", "version"],
                                    name="reports_report_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def frozen(self) -> bool:
        return self.status in (ReportStatus.APPROVED, ReportStatus.SUPERSEDED)


class CaseKind(models.TextChoices):
    TYPICAL = "typical", _("典型投诉")
    HOT = "hot", _("热点投诉")
    MAJOR = "major", _("重大投诉")
    IMPORTANT = "important", _("重要投诉")


class CaseLibraryEntry(models.Model):
    """顾客投诉案例库 entry (R-M6-01): readable by every company user; personal data removed."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="cases")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    source_ticket_number = models.CharField(_("来源工单"), max_length=40, blank=True)
    kind = models.CharField(_("案例类型"), max_length=20, choices=CaseKind.choices, default=CaseKind.TYPICAL)
    title = models.CharField(_("标题"), max_length=200)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    background = models.TextField(_("事件经过"))
    handling = models.TextField(_("处理过程与结果"))
    lessons = models.TextField(_("经验教训"), blank=True)
    corrective_measures = models.TextField(_("纠正/预防措施"), blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True)
    source_ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("来源工单（热点/重大专题报告）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("投诉案例")
        verbose_name_plural = _("投诉案例库")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source_ticket"], name="reports_case_once_per_ticket")]

    def __str__(self) -> str:
        return self.title


class ReportSettings(models.Model):
    """Company choices for reporting duties (POLICY P-04, P-05) and reminder lead time."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="report_settings")
    company_analysis_cadence = models.CharField(
        _("公司投诉分析周期"), max_length=20, default="quarterly",
        choices=[("quarterly", _("每季度")), ("half_yearly", _("每半年"))],
    )
    legacy_cadence = models.CharField(
        _("地产遗留问题统计周期"), max_length=20, default="monthly",
        choices=[("monthly", _("每月（全部项目）")), ("quarterly", _("每季度（新项目及分期项目）"))],
    )
    remind_days_before = models.PositiveSmallIntegerField(_("提前提醒天数"), default=3)
    visit_statistics_days_after = models.PositiveSmallIntegerField(
        _("年度走访统计报送期限"), default=15, validators=[MaxValueValidator(31)],
        help_text=_("0 = 当年12月31日前；N = 次年1月N日前（默认15日）。报物业总经理审阅"))
    record_retention_years = models.PositiveSmallIntegerField(
        _("用户投诉记录保存年限"), null=True, blank=True,
        help_text=_("留空 = 永久妥善保存；到期记录仅列出供人工复核，系统不会自动删除"))

    class Meta:
        verbose_name = _("报告设置")
        verbose_name_plural = _("报告设置")

    def __str__(self) -> str:
        return f"{self.company} 报告设置"


# POLICY P-30 (R-M5-13): per-company targets; these defaults apply until the company changes them.
DEFAULT_TARGETS: dict[str, dict[str, float | str]] = {
    # 有效投诉率 ≤ 1% (R-M5-13): valid complaints ÷ households per year — not the validity rate (valid ÷
    # complaints, R-M5-10), which has no target unless the company sets one
    "valid_complaints_per_household": {"value": 1.0, "op": "<="},
    "return_visit_rate": {"value": 100.0, "op": ">="},  # 回访处理率 100%
    "visit_feedback_rate": {"value": 100.0, "op": ">="},  # 回访反馈处理率 100% (R-M4-13)
    "reply_on_time_rate": {"value": 100.0, "op": ">="},  # 4 个工作日内回复 100%
    "satisfaction_rate": {"value": 95.0, "op": ">="},  # 满意率 ≥ 95%
    "repair_visit_on_time_rate": {"value": 100.0, "op": ">="},  # 报修 48 小时内回访 100% (制度9 #8)
    "stairway_lights_rate": {"value": 90.0, "op": ">="},  # 楼道灯完好率 ≥ 90% (制度9 #13.5)
}


# the measures a company may give a target (P-30): the defaults' and the validity rate
TARGETABLE = frozenset(DEFAULT_TARGETS) | {"valid_complaint_rate"}


def default_targets() -> dict[str, dict[str, float | str]]:
    return {k: dict(v) for k, v in DEFAULT_TARGETS.items()}


class KpiSettings(models.Model):
    """Company choices for the KPIs: targets (POLICY P-30) and the repeat-complaint window."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="kpi_settings")
    targets = models.JSONField(_("指标目标值"), default=default_targets, blank=True,
                               help_text=_('如 {"satisfaction_rate": {"value": 95, "op": ">="}}'))
    repeat_window_days = models.PositiveSmallIntegerField(
        _("重复投诉统计窗口（天）"), default=90,
        help_text=_("同一房屋、同一类别在此天数内再次投诉即计为重复投诉"))
    # R-M5-10: the front desk's monthly rates — the seeds give no formulas, so the company chooses them
    validity_base = models.CharField(
        _("投诉有效率的分母"), max_length=20, default="complaints",
        choices=[("complaints", _("当月受理的全部投诉")), ("tickets", _("当月受理的全部诉求（投诉、报修、建议）"))],
        help_text=_("投诉有效率 = 当月认定的有效投诉 ÷ 所选分母"))
    timely_basis = models.CharField(
        _("处理及时率的统计口径"), max_length=20, default="due",
        choices=[("due", _("当月到期的投诉：回复和完成均在时限内的比例")),
                 ("received", _("当月受理的投诉：已到期的各环节时限均按时完成的比例"))],
        help_text=_("处理及时率 = 按时的投诉 ÷ 所选口径的投诉"))

    class Meta:
        verbose_name = _("统计指标设置")
        verbose_name_plural = _("统计指标设置")

    def __str__(self) -> str:
        return f"{self.company} 统计指标设置"


class UtilityStatistics(models.Model):
    """半年度水电统计 (R-M5-17): the 管理处's water and electricity figures for one half-year against
    the targets, with its analysis, reported to the management department every half year."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="utility_statistics")
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    water_m3 = models.DecimalField(_("用水量（吨）"), max_digits=12, decimal_places=2)
    water_target_m3 = models.DecimalField(_("用水指标（吨）"), max_digits=12, decimal_places=2)
    electricity_kwh = models.DecimalField(_("用电量（度）"), max_digits=12, decimal_places=2)
    electricity_target_kwh = models.DecimalField(_("用电指标（度）"), max_digits=12, decimal_places=2)
    analysis = models.TextField(_("分析"))
    reported_at = models.DateTimeField(_("上报时间"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("半年度水电统计")
        verbose_name_plural = _("半年度水电统计")
        ordering = ["-period_start", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "period_start"], name="reports_utility_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.period_start:%Y-%m}"


class StairwayLightCount(models.Model):
    """楼道灯完好情况 (R-M5-13, R-M8-06: ≥ 90 % of stairway lights working, 制度9 #13.5): the 管理处 counts the
    stairway lights and the working ones once a month; the rate is measured against the company's target."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="stairway_light_counts")
    month = models.DateField(_("统计月份"), help_text=_("当月第一天"))
    lights_total = models.PositiveIntegerField(_("楼道灯总数"))
    lights_working = models.PositiveIntegerField(_("完好的楼道灯"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("楼道灯完好情况")
        verbose_name_plural = _("楼道灯完好情况")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="reports_stairway_lights_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.lights_working / self.lights_total, 2) if self.lights_total else None
