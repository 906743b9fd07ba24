"""Satisfaction improvement plans (满意度提升计划, SPEC M15), one layer above the surveys.

- ``ImprovementPlan``: a yearly plan of the company per service line (R-M15-01: 安管, 工程, 保洁/绿化,
  客服) or the customer-lifecycle plan (R-M15-02).
- ``PlanAction``: one row — the line plan's columns (序号, 不满意问题分项, 原因概况, 计划概要, 需求支撑,
  完成时间, 责任人) or the lifecycle plan's (提升策略, 行动策略, 行动计划, 负责部门); each can link to the
  survey items (by item code, stable across questionnaire versions), complaint categories and visit
  problems that motivated it (R-M15-03), and carries its progress and evidence.
- ``PlanMeeting``: minutes of an improvement meeting linked to the rows it discussed (R-M15-03).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PlanKind(models.TextChoices):
    LINE = "line", _("条线提升计划")
    LIFECYCLE = "lifecycle", _("客户生命周期行动计划")


class PlanLine(models.TextChoices):
    SECURITY = "security", _("安管")
    ENGINEERING = "engineering", _("工程")
    CLEANING = "cleaning", _("保洁/绿化")
    CUSTOMER_SERVICE = "cs", _("客服")


class LifecycleStage(models.TextChoices):
    NEW_OWNER = "new_owner", _("新业主（销售、入伙、装修）")
    RUNNING_IN = "running_in", _("磨合期")
    NOT_MOVED_IN = "not_moved_in", _("未入住业主")
    LEGACY = "legacy", _("开发遗留问题")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已取消")


class ImprovementPlan(models.Model):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="improvement_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=PlanKind.choices)
    line = models.CharField(_("条线"), max_length=20, choices=PlanLine.choices, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    source_survey = models.ForeignKey("surveys.ProjectSurvey", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("依据的满意度调查"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("编制人"))
    created_at = models.DateTimeField(_("编制时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度提升计划")
        verbose_name_plural = _("满意度提升计划")
        ordering = ["-year", "kind", "line"]
        constraints = [models.UniqueConstraint(fields=["company", "year", "kind", "line"], name="improvement_plan_unique")]

    def __str__(self) -> str:
        return self.title


class PlanAction(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("序号"))
    item = models.CharField(_("不满意问题分项"), max_length=300)
    causes = models.TextField(_("原因概况"), blank=True)
    summary = models.TextField(_("计划概要"))
    support = models.CharField(_("需求支撑"), max_length=200, blank=True)
    stage = models.CharField(_("客户生命周期阶段"), max_length=20, choices=LifecycleStage.choices, blank=True)
    strategy = models.CharField(_("提升策略"), max_length=200, blank=True)
    action_strategy = models.CharField(_("行动策略"), max_length=200, blank=True)
    department = models.CharField(_("负责部门"), max_length=100, blank=True)
    due_on = models.DateField(_("完成时间"), null=True, blank=True)
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("责任人（员工）"))
    status = models.CharField(_("进度"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    progress = models.TextField(_("进展"), blank=True)
    evidence = models.TextField(_("完成证据"), blank=True)
    survey_items = models.JSONField(_("关联调查项目（代码）"), default=list, blank=True)
    complaint_categories = models.ManyToManyField("tickets.Category", blank=True, related_name="+",
                                                  verbose_name=_("关联投诉类别"))
    visit_problems = models.ManyToManyField("visits.VisitProblem", blank=True, related_name="+",
                                            verbose_name=_("关联走访问题"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("提升计划行")
        verbose_name_plural = _("提升计划行")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="improvement_action_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.item[:40]}"

    @property
    def incomplete(self) -> bool:
        """R-M15-01: a row without a completion time or a responsible person is flagged."""
        return self.due_on is None or not (self.responsible.strip() or self.owner_id)


class PlanMeeting(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("会议日期"))
    minutes = models.TextField(_("会议纪要"))
    actions = models.ManyToManyField(PlanAction, blank=True, related_name="meetings", verbose_name=_("讨论的计划行"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("提升会议纪要")
        verbose_name_plural = _("提升会议纪要")
        ordering = ["plan", "-held_on"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on}"
