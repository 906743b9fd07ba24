"""Owner visits (业主走访/回访, SPEC M9) and the problems owners raise during them.

- ``Visit`` is one line of the 业主回访记录表 / 客户回访记录表 (R-M9-03): who was visited, how, by whom,
  what was communicated and the owner's opinions recorded in detail. It is filed with the project's
  客服部 (R-M6-06): ``filed_department`` is set by :func:`apps.visits.actions.record_visit` and never
  points at another department. A visit is never deleted; a wrong one is voided with a reason and
  every correction is kept by django-simple-history with its reason.
- ``VisitProblem`` is a problem raised during the visit (R-M9-03/-04): answered on the spot, or open
  until it is solved or found impossible to solve (with the reason). A complaint raised during a
  visit enters the complaint procedure as a ticket linked here (R-M9-11).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VisitCategory(models.TextChoices):
    """走访类别 (R-M9-01)."""

    PERIODIC = "periodic", _("定期走访")
    SPECIAL = "special", _("专项走访")
    COMPLAINT_RETURN = "complaint_return", _("投诉回访")
    PAID_SERVICE_RETURN = "paid_service_return", _("有偿服务回访")
    REPAIR_RETURN = "repair_return", _("维修工单回访")


class VisitMethod(models.TextChoices):
    """走访方式 (R-M9-01)."""

    PHONE = "phone", _("电话")
    FACE_TO_FACE = "face_to_face", _("上门面谈")
    PATROL = "patrol", _("日常巡视")
    ONLINE = "online", _("网上")


class ProblemStatus(models.TextChoices):
    """走访问题处理状态 (R-M9-03, R-M9-04, R-M5-12)."""

    ON_SPOT = "on_spot", _("当场解决")
    OPEN = "open", _("待解决")
    SOLVED = "solved", _("已解决")
    CANNOT_SOLVE = "cannot_solve", _("无法解决")


# R-M5-12: "not yet solved or cannot be solved"
UNSOLVED_STATUSES: tuple[str, ...] = (ProblemStatus.OPEN, ProblemStatus.CANNOT_SOLVE)
STATUS_COLOURS: dict[str, str] = {ProblemStatus.ON_SPOT: "green", ProblemStatus.OPEN: "orange",
                                  ProblemStatus.SOLVED: "green", ProblemStatus.CANNOT_SOLVE: "red"}


class Visit(models.Model):
    """业主走访/回访记录 (业主回访记录表, R-M9-03), filed by the project's 客服部 (R-M6-06)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="visits",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="visits",
                                  verbose_name=_("房屋"))
    person = models.ForeignKey("estates.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="visits", verbose_name=_("被访人"))
    category = models.CharField(_("走访类别"), max_length=30, choices=VisitCategory.choices)
    method = models.CharField(_("走访方式"), max_length=20, choices=VisitMethod.choices)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits_made",
                                verbose_name=_("走访人"))
    visited_at = models.DateTimeField(_("走访时间"))
    visited_on = models.DateField(_("走访日期"), help_text=_("项目时区的日期，按年/月统计用"))
    communicated = models.TextField(_("沟通内容"), help_text=_("介绍的近期主要工作、对已有问题采取的措施等"))
    opinions = models.TextField(_("业主意见（详细记录）"))
    # R-M17-01: a phone visit inside the quiet hours is saved only with an emergency reason
    emergency_reason = models.CharField(_("紧急原因（免打扰时段致电）"), max_length=200, blank=True)
    filed_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="filed_visits",
                                         verbose_name=_("归档部门"), help_text=_("项目客服部"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("作废人"))
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业主走访记录")
        verbose_name_plural = _("业主走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["project", "visited_on"], name="visits_visit_project_day"),
                   models.Index(fields=["household", "visited_on"], name="visits_visit_household_day")]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on} {self.get_category_display()}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class VisitProblem(models.Model):
    """走访中业主提出的问题 (R-M9-03, R-M9-04): answered on the spot, or followed until solved or
    found impossible to solve (with the reason); a complaint links to its ticket (R-M9-11)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="problems", verbose_name=_("走访记录"))
    description = models.TextField(_("问题描述"))
    category = models.ForeignKey("tickets.Category", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("问题分类"))
    status = models.CharField(_("状态"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    answer = models.TextField(_("答复/处理结果"), blank=True)
    cannot_reason = models.TextField(_("无法解决原因"), blank=True)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="visit_problems", verbose_name=_("责任部门"))
    resolved_at = models.DateTimeField(_("解决/结论时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("处理人"))
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="visit_problem", verbose_name=_("转投诉工单"))
    created_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访问题")
        verbose_name_plural = _("走访问题")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.description[:40]

    def get_status_color(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")


# ---------------------------------------------------------------- the visit programme (M9)


class CycleMode(models.TextChoices):
    """走访周期 — POLICY P-17 (R-M9-12)."""

    QUARTER = "calendar_quarter", _("每个自然季度至少一次")
    MONTHS = "every_n_months", _("距上次走访每隔N个月")


class VisitProgrammeSettings(models.Model):
    """走访计划设置: P-17 (visit cycle), P-18 (first visit of a new owner), the interval for the elderly
    living alone (R-M9-18) — per company, optionally overridden per project. Without a row the SPEC
    defaults apply (:data:`apps.visits.programme.DEFAULTS`)."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="visit_programme_settings",
                                verbose_name=_("公司"))
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="visit_programme_settings", verbose_name=_("项目（留空=全公司）"))
    cycle_mode = models.CharField(_("定期走访周期"), max_length=20, choices=CycleMode.choices,
                                  default=CycleMode.QUARTER)
    cycle_months = models.PositiveSmallIntegerField(_("间隔月数（按月周期时）"), default=3)
    new_owner_days = models.PositiveSmallIntegerField(_("新业主入住后首次上门走访（天）"), default=3)
    elderly_interval_days = models.PositiveSmallIntegerField(_("空巢老人走访间隔（天）"), default=30)
    warn_days = models.PositiveSmallIntegerField(_("到期前提醒（天）"), default=7)
    starts_on = models.DateField(_("走访计划起始日期"), null=True, blank=True,
                                 help_text=_("从未走访的房屋视为自该日起进入周期；留空=本季度第一天"))
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("修改人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访周期设置")
        verbose_name_plural = _("走访周期设置")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="visits_programme_settings_unique"),
            models.UniqueConstraint(fields=["company"], condition=models.Q(project=None),
                                    name="visits_programme_settings_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · {self.get_cycle_mode_display()}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class ApprovedPlan(models.Model):
    """What a plan the 物业总经理 approves keeps (the monthly visit plan, R-M9-10, and the annual return-visit plan,
    R-M9-13): its status and version, who drew it up, the submission and the decision, and a change after
    approval (which sends it back for re-approval)."""

    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("编制人"))
    drawn_at = models.DateTimeField(_("编制时间"))
    submitted_at = models.DateTimeField(_("提交审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    changed_after_approval = models.BooleanField(_("批准后曾变更"), default=False)
    change_reason = models.CharField(_("变更原因"), max_length=200, blank=True)

    class Meta:
        abstract = True


class VisitPlan(ApprovedPlan):
    """登门拜访月度工作计划 (R-M9-10, R-M9-09): drawn up by the 客服部主管, approved by the 物业总经理
    before it runs; a change after approval sends it back for re-approval."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="visit_plans",
                                verbose_name=_("项目"))
    month = models.DateField(_("计划月份"), help_text=_("该月1日"))
    requirements = models.TextField(_("走访内容与要求"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月度走访计划")
        verbose_name_plural = _("月度走访计划")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="visits_plan_one_per_month")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} 走访计划"


class VisitPlanItem(models.Model):
    """One household in a monthly plan, with the staff member who is to visit it."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("计划"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("房屋"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("走访人"))
    note = models.CharField(_("走访事项"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("走访计划明细")
        verbose_name_plural = _("走访计划明细")
        ordering = ["plan", "household__label"]
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="visits_plan_item_once")]

    def __str__(self) -> str:
        return str(self.household)


class VisitRoundSummary(models.Model):
    """走访汇总 (R-M9-07): the 客服专员 summarises the month's visit records; the 客服部主管 and the 经理
    review and sign, then the 物业总经理 reviews — three sign-offs, in that order."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="visit_summaries",
                                verbose_name=_("项目"))
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    summary = models.TextField(_("汇总内容"))
    visit_count = models.PositiveIntegerField(_("走访次数"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("汇总人"))
    prepared_at = models.DateTimeField(_("汇总时间"))
    supervisor_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+", verbose_name=_("客服部主管签字"))
    supervisor_signed_at = models.DateTimeField(_("主管签字时间"), null=True, blank=True)
    manager_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name=_("经理签字"))
    manager_signed_at = models.DateTimeField(_("经理签字时间"), null=True, blank=True)
    gm_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("物业总经理审阅"))
    gm_signed_at = models.DateTimeField(_("总经理审阅时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访汇总")
        verbose_name_plural = _("走访汇总")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="visits_summary_one_per_month")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} 走访汇总"


class FollowUpKind(models.TextChoices):
    PROGRESS = "progress", _("责任部门反馈整改进展")
    RETURN_VISIT = "return_visit", _("客服回访整改结果")


class VisitProblemFollowUp(models.Model):
    """整改跟进 (R-M9-06, R-M9-08, R-M9-20): the responsible department reports its measures and
    progress to the CS department; the CS department return-visits the owner on the result, and work
    continues until the owner is satisfied."""

    problem = models.ForeignKey(VisitProblem, on_delete=models.PROTECT, related_name="follow_ups",
                                verbose_name=_("走访问题"))
    kind = models.CharField(_("类别"), max_length=20, choices=FollowUpKind.choices)
    text = models.TextField(_("内容"))
    satisfied = models.BooleanField(_("业主满意"), null=True, blank=True)
    # a return visit to the owner: by phone it follows the quiet hours (R-M17-01)
    method = models.CharField(_("回访方式"), max_length=20, choices=VisitMethod.choices, blank=True)
    emergency_reason = models.CharField(_("紧急原因（免打扰时段致电）"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("填写人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("走访问题整改跟进")
        verbose_name_plural = _("走访问题整改跟进")
        ordering = ["problem", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# ---------------------------------------------------------------- early occupancy (R-M9-16, R-M9-17)


class EarlyCareKind(models.TextChoices):
    """磨合期业户关怀 (R-M9-16): the four kinds of care the seed names."""

    INTERVIEW = "interview", _("磨合期访谈（反馈跟进）")
    ALARM = "alarm", _("上门协助开通居家报警系统")
    GATE_CARDS = "gate_cards", _("高峰时段门岗派发服务卡")
    ONSITE_DESK = "onsite_desk", _("入住现场办公")


# The kinds done for one household; the others are held at the gate or the site office for many owners.
HOUSEHOLD_CARE_KINDS: tuple[str, ...] = (EarlyCareKind.INTERVIEW, EarlyCareKind.ALARM)


class EarlyCare(models.Model):
    """磨合期业户关怀记录 (R-M9-16): an interview of a newly moved-in owner with the feedback followed up
    until it is closed, help switching on the home alarm system, service cards handed out at the gates at
    peak times, the on-site service desk when owners first move in."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="early_care",
                                verbose_name=_("项目"))
    kind = models.CharField(_("关怀类别"), max_length=20, choices=EarlyCareKind.choices)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("房屋"))
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    served = models.PositiveIntegerField(_("服务业户/派发张数"), null=True, blank=True)
    note = models.TextField(_("情况记录"))
    feedback = models.TextField(_("业户反馈（待跟进）"), blank=True)
    follow_up = models.TextField(_("反馈跟进结果"), blank=True)
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("跟进人"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("磨合期业户关怀")
        verbose_name_plural = _("磨合期业户关怀")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["project", "held_at"], name="visits_early_care_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"

    @property
    def awaiting_follow_up(self) -> bool:
        return bool(self.feedback) and self.followed_up_at is None


class NotMovedInCall(models.Model):
    """未入住业主电话回访 (R-M9-17, R-M7-07): staff call an owner who has not moved in and record why; the
    household's reason in the 入住动态表 is updated in the same step
    (:func:`apps.estates.actions.record_not_moved_in_reason`)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="not_moved_in_calls",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="not_moved_in_calls",
                                  verbose_name=_("房屋"))
    person = models.ForeignKey("estates.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("通话业主"))
    called_at = models.DateTimeField(_("通话时间"))
    reached = models.BooleanField(_("已接通"), default=True)
    reason = models.CharField(_("未入住原因"), max_length=200, blank=True)
    note = models.TextField(_("通话记录"), blank=True)
    # R-M17-01: a call inside the quiet hours is saved only with an emergency reason
    emergency_reason = models.CharField(_("紧急原因（免打扰时段致电）"), max_length=200, blank=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("致电人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("未入住业主电话记录")
        verbose_name_plural = _("未入住业主电话记录")
        ordering = ["-called_at", "-id"]
        indexes = [models.Index(fields=["household", "called_at"], name="visits_nmi_call_hh")]

    def __str__(self) -> str:
        return f"{self.household} {self.called_at:%Y-%m-%d}"


# ---------------------------------------------------------------- the annual plan (R-M9-13)


class ReturnMeasure(models.TextChoices):
    """回访目标的衡量项 (R-M9-13): what an annual plan sets a target for; the year-end review reads each
    from the records (:func:`apps.visits.annual.progress`)."""

    TICKET_RETURN_VISITS = "ticket_return_visits", _("工单回访完成数（次）")
    TICKET_RETURN_RATE = "ticket_return_rate", _("工单回访率（%）")
    RESIDENT_VISITS = "resident_visits", _("住户走访回访次数（次）")
    HOUSEHOLD_COVERAGE = "household_coverage", _("住户走访覆盖率（%）")


RATE_MEASURES: frozenset[str] = frozenset({ReturnMeasure.TICKET_RETURN_RATE, ReturnMeasure.HOUSEHOLD_COVERAGE})


class AnnualVisitPlan(ApprovedPlan):
    """年度工作计划中的回访工作 (R-M9-13): the office director (办公室主任 / 管理处经理) puts return visits to
    residents in the year's work plan with targets, the 物业总经理 approves it (a change after approval
    goes back for re-approval, as the monthly plans, R-M9-10), and the year-end review sets the targets
    against the return visits actually done."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="annual_visit_plans",
                                verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    duties = models.TextField(_("回访工作职责与安排"))
    review = models.TextField(_("年终回访工作总结"), blank=True)
    review_figures = models.JSONField(_("总结时的完成情况"), default=list, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("总结人"))
    reviewed_at = models.DateTimeField(_("总结时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度回访工作计划")
        verbose_name_plural = _("年度回访工作计划")
        ordering = ["-year", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="visits_annual_plan_one_per_year")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年度回访工作计划"


class AnnualVisitTarget(models.Model):
    """One target of an annual plan: a measure for the whole year (``quarter`` 0) or one quarter (1–4)."""

    plan = models.ForeignKey(AnnualVisitPlan, on_delete=models.CASCADE, related_name="targets",
                             verbose_name=_("年度计划"))
    measure = models.CharField(_("衡量项"), max_length=30, choices=ReturnMeasure.choices)
    quarter = models.PositiveSmallIntegerField(_("季度（0=全年）"), default=0)
    value = models.PositiveIntegerField(_("目标值"))

    class Meta:
        verbose_name = _("年度回访目标")
        verbose_name_plural = _("年度回访目标")
        ordering = ["plan", "measure", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure", "quarter"], name="visits_annual_target_once"),
            models.CheckConstraint(condition=models.Q(quarter__lte=4), name="visits_annual_target_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} Q{self.quarter}: {self.value}"
