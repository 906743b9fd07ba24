"""Tables of the activities app (SPEC M12); see the package docstring."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage
from apps.org.roles import Role


class PlanPeriod(models.TextChoices):
    ANNUAL = "annual", _("年度")
    QUARTERLY = "quarterly", _("季度")


class ActivityPlan(models.Model):
    """社区文化活动计划 (R-M12-01): annual or quarterly, with its planned activities."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="activity_plans",
                                verbose_name=_("项目"))
    period = models.CharField(_("计划周期"), max_length=20, choices=PlanPeriod.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    title = models.CharField(_("计划名称"), max_length=100)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("编制人"))
    drawn_at = models.DateTimeField(_("编制时间"))

    class Meta:
        verbose_name = _("社区活动计划")
        verbose_name_plural = _("社区活动计划")
        ordering = ["-year", "-quarter", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "year", "period", "quarter"],
                                               name="activities_plan_once")]

    def __str__(self) -> str:
        return self.title


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("社区文化活动")
    CAMPAIGN_MONTH = "campaign_month", _("宣传月")
    CONVENIENCE_DAY = "convenience_day", _("便民服务日")
    FESTIVAL = "festival", _("节日活动")
    FORUM = "forum", _("住户座谈会")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    APPROVED = "approved", _("实施方案已批准")
    ANNOUNCED = "announced", _("已通知")
    RECORDED = "recorded", _("已记录")


class Activity(models.Model):
    """一次社区活动 with its implementation plan (实施方案), approvals, notice and record."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.PROTECT, related_name="activities",
                             verbose_name=_("活动计划"))
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="activities",
                                verbose_name=_("项目"))
    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.CULTURE)
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    implementation_plan = models.TextField(_("实施方案"))
    budget = models.DecimalField(_("费用预算（元）"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=20, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("负责人"))
    plan_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("方案批准人"))
    plan_approved_at = models.DateTimeField(_("方案批准时间"), null=True, blank=True)
    cost_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("费用审批人"))
    cost_approved_at = models.DateTimeField(_("费用审批时间"), null=True, blank=True)
    notice_text = models.TextField(_("活动通知"), blank=True)
    notice_published_at = models.DateTimeField(_("通知发布时间"), null=True, blank=True)
    notice_days_ahead = models.IntegerField(_("提前天数"), null=True, blank=True)
    notice_late = models.BooleanField(_("通知不足3天（不合格）"), default=False)
    summary = models.TextField(_("活动记录"), blank=True)
    participants = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    participant_notes = models.TextField(_("参加人员/签到"), blank=True)
    feedback = models.TextField(_("业主反馈"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    invited_not_moved_in = models.PositiveIntegerField(_("已邀请未入住业主"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["project", "held_on"], name="activities_project_day")]

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="photos", verbose_name=_("活动"))
    file = models.FileField(_("照片"), upload_to=UuidPath("activities/photos"), storage=private_storage)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")

    def __str__(self) -> str:
        return f"{self.activity} 照片"


class ActivityCostLimit(models.Model):
    """活动费用审批权限 (R-M12-05): the most a role may approve; a setting per company."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("公司"))
    role = models.CharField(_("岗位"), max_length=30, choices=Role.choices)
    limit = models.DecimalField(_("审批限额（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("活动费用审批权限")
        verbose_name_plural = _("活动费用审批权限")
        constraints = [models.UniqueConstraint(fields=["company", "role"], name="activities_cost_limit_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ≤ {self.limit}"


class BoardItemKind(models.TextChoices):
    ESTATE_PLAN_CHANGE = "estate_plan_change", _("小区规划变更说明")
    MANAGEMENT_TEAM = "management_team", _("管理团队公示")
    ADOPTED_SUGGESTION = "adopted_suggestion", _("采纳建议整改公示")
    RULES_PROMOTION = "rules_promotion", _("法规宣传")
    ACTIVITY_PHOTOS = "activity_photos", _("活动照片")
