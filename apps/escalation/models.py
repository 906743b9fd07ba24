"""热点/重大投诉 records: thresholds, same-complaint clusters, escalation events and reports, the separate
archive volume of major complaints, and the monthly developer-legacy forwarding (SPEC M3, M5, M6, M20)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.escalation import rules
from apps.org.models import Company, Project


class Level(models.TextChoices):
    """投诉级别 (R-M3-01). Values match ``Ticket.escalation_level``."""

    NONE = rules.NONE, _("一般")
    HOT = rules.HOT, _("热点投诉")
    MAJOR = rules.MAJOR, _("重大投诉")


LEVEL_COLOURS = {Level.NONE: "grey", Level.HOT: "orange", Level.MAJOR: "red"}


class WindowMode(models.TextChoices):
    ROLLING_MONTH = rules.ROLLING_MONTH, _("滚动一个月 [t−1月, t]")
    CALENDAR_MONTH = rules.CALENDAR_MONTH, _("自然月")
    ROLLING_30_DAYS = rules.ROLLING_30_DAYS, _("滚动30天")


class EscalationPolicy(models.Model):
    """升级阈值 — POLICY P-12 (and P-29 window) per company, optionally overridden per project.

    A row with ``project`` empty is the company default; a row with a project overrides it. Without
    any row the SPEC defaults (:class:`apps.escalation.rules.Thresholds`) apply.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="escalation_policies")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="escalation_policies", verbose_name=_("项目（留空=全公司）"))
    hot_distinct_complainants = models.PositiveSmallIntegerField(_("热点：一个月内不同投诉人数 ≥"), default=3)
    hot_collective_people = models.PositiveSmallIntegerField(_("热点：集体投诉人数 ≥"), default=3)
    hot_unresolved_days = models.PositiveSmallIntegerField(_("热点：未解决天数 ≥"), default=7)
    hot_report_hours = models.PositiveSmallIntegerField(_("热点：上报时限（小时）"), default=4)
    major_collective_people = models.PositiveSmallIntegerField(_("重大：集体投诉人数 ≥"), default=10)
    major_unresolved_months = models.PositiveSmallIntegerField(_("重大：未解决月数 ≥"), default=1)
    major_group_report_hours = models.PositiveSmallIntegerField(_("重大：报集团时限（小时）"), default=4)
    major_quality_report_working_days = models.PositiveSmallIntegerField(_("重大：报品质部时限（工作日）"), default=1)
    progress_interval_days = models.PositiveSmallIntegerField(_("重大：进展报告间隔（天）"), default=7)
    window = models.CharField(_("相同投诉统计窗口"), max_length=20, choices=WindowMode.choices,
                              default=WindowMode.ROLLING_MONTH)
    warn_fraction = models.FloatField(_("预警点（时限比例）"), default=0.75)
    similarity_threshold = models.FloatField(_("相同投诉相似度阈值"), default=0.35)

    class Meta:
        verbose_name = _("升级阈值（P-12）")
        verbose_name_plural = _("升级阈值（P-12）")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="escalation_policy_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="escalation_policy_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · P-12"

    def thresholds(self) -> rules.Thresholds:
        return rules.Thresholds(
            hot_distinct_complainants=self.hot_distinct_complainants,
            hot_collective_people=self.hot_collective_people,
            hot_unresolved_days=self.hot_unresolved_days,
            hot_report_hours=self.hot_report_hours,
            major_collective_people=self.major_collective_people,
            major_unresolved_months=self.major_unresolved_months,
            major_group_report_hours=self.major_group_report_hours,
            major_quality_report_working_days=self.major_quality_report_working_days,
            progress_interval_days=self.progress_interval_days,
            window=self.window,
            warn_fraction=self.warn_fraction,
        )


class LegacyForward(models.Model):
    """地产遗留问题月度统计与转交 — R-M5-06 (POLICY P-05), R-M2-03, R-M20-14.

    One row per project and month: the count of developer-legacy complaints, the ticket numbers
    (a snapshot), and when/by whom the list was forwarded in writing to the developer's customer
    centre (地产客户服务中心) and reported to 品质管理部.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="legacy_forwards")
    month = models.DateField(_("统计月份"), help_text=_("该月1日"))
    count = models.PositiveIntegerField(_("地产遗留投诉数"))
    open_count = models.PositiveIntegerField(_("其中未关闭"), default=0)
    ticket_numbers = models.JSONField(_("工单号"), default=list)
    recipient = models.CharField(_("接收方"), max_length=100, default="地产客户服务中心")
    document_no = models.CharField(_("转交文件编号"), max_length=50, blank=True)
    note = models.TextField(_("说明"), blank=True)
    forwarded_at = models.DateTimeField(_("转交时间"))
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("地产遗留问题转交")
        verbose_name_plural = _("地产遗留问题转交")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="escalation_legacy_forward_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} 地产遗留 {self.count}"
