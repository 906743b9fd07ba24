"""Satisfaction surveys (满意度调查, SPEC M10).

- ``SurveyPolicy``: P-19 (how often) and P-20 (who gets a questionnaire) with the SPEC defaults, the
  targets and the day counts of the timeline, per company with an optional project override. P-28
  (a calendar-day deadline on a rest day) is the calendar's own setting (``apps.workdays``).
- ``Questionnaire`` (versioned, built by 客服部) with its ``QuestionItem`` rows and ``ScaleOption``
  answer scale; which options count as "satisfied" is data (R-M10-02).
- ``SurveyCampaign``: issued by 品质部 to chosen projects; ``ProjectSurvey`` is one project's part
  with its sample (minimum, seed, explanation), milestones and ``SurveyDeadline`` rows.
- ``SampledHousehold``: one questionnaire per household — distributed (when, by whom, channel,
  sign-off) and recovered (when, signed or anonymous, answers in ``SurveyAnswer``).
- ``AnswerLink``: the one-time link per household for answering online (only a hash is stored).
- ``OpenLetter`` (R-M10-07) and ``FollowUp`` (R-M10-08 … R-M10-10).
- ``FeedbackEntry``: the 《与客户沟通登记表》 — each owner opinion logged and classified by department
  (R-M10-06); ``SurveySupervision``: the 综合管理部's and 客服部经理's supervision and guidance of the
  survey work, and ``SampledHousehold.assigned_to``: the 客服部's assignment of the field work (R-M10-13).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Frequency(models.TextChoices):
    """P-19 (R-M10-01)."""

    TWICE_EACH_HALF = "twice_each_half", _("每年不少于2次，且每半年至少1次")
    TWICE_A_YEAR = "twice_a_year", _("每年不少于2次")
    ONCE_A_YEAR = "once_a_year", _("每年至少1次")


class Scope(models.TextChoices):
    """P-20 (R-M10-03)."""

    SAMPLE = "sample", _("抽样（按比例随机、均匀分布）")
    ALL = "all", _("全体业主")


class SurveyPolicy(models.Model):
    """满意度调查口径 per company (``project`` empty) or one project (override)."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="survey_policies")
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="survey_policies", verbose_name=_("项目（留空=全公司）"))
    frequency = models.CharField(_("调查频次"), max_length=20, choices=Frequency.choices,
                                 default=Frequency.TWICE_EACH_HALF)
    scope = models.CharField(_("发放范围"), max_length=10, choices=Scope.choices, default=Scope.SAMPLE)
    rate_young = models.DecimalField(_("发放比例（项目不满规定年限）"), max_digits=4, decimal_places=3,
                                     default=Decimal("0.300"))
    rate_old = models.DecimalField(_("发放比例（项目满规定年限）"), max_digits=4, decimal_places=3,
                                   default=Decimal("0.150"))
    old_years = models.PositiveSmallIntegerField(_("规定年限（年，含）"), default=5)
    recovery_rate = models.DecimalField(_("回收率不低于"), max_digits=4, decimal_places=3, default=Decimal("0.750"))
    satisfaction_target = models.DecimalField(_("满意率目标"), max_digits=4, decimal_places=3,
                                              default=Decimal("0.950"))
    concentrated_share = models.DecimalField(_("集中问题：提及比例不低于"), max_digits=4, decimal_places=3,
                                             default=Decimal("0.100"))
    distribution_days = models.PositiveSmallIntegerField(_("收到后发放（天）"), default=3)
    recovery_days = models.PositiveSmallIntegerField(_("发放后回收（天）"), default=10)
    statistics_days = models.PositiveSmallIntegerField(_("回收后统计（天）"), default=3)
    letter_days = models.PositiveSmallIntegerField(_("回收后公开信（天）"), default=14)
    submission_days = models.PositiveSmallIntegerField(_("公开信发布后报品质部（天）"), default=5)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度调查口径")
        verbose_name_plural = _("满意度调查口径")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="surveys_policy_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="surveys_policy_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · 满意度调查口径"


class ServiceLine(models.TextChoices):
    """条线 / 部门 the questionnaire items are grouped by (R-M10-06, R-M15-01)."""

    CUSTOMER_SERVICE = "cs", _("客服")
    SECURITY = "security", _("安管")
    ENGINEERING = "engineering", _("工程")
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("绿化")
    DEVELOPER = "developer", _("开发公司工程")
    OVERALL = "overall", _("总体")


class Aspect(models.TextChoices):
    """R-M10-11: every questionnaire covers attitude, quality and efficiency."""

    ATTITUDE = "attitude", _("服务态度")
    QUALITY = "quality", _("服务质量")
    EFFICIENCY = "efficiency", _("服务效率")
    OTHER = "other", _("其他")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class Questionnaire(models.Model):
    """调查问卷 — one version. A published version is never edited: a change is a new version."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="questionnaires")
    code = models.SlugField(_("问卷代码"), max_length=40)
    title = models.CharField(_("问卷标题"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=QuestionnaireStatus.choices,
                              default=QuestionnaireStatus.DRAFT)
    intro = models.TextField(_("致业主（说明调查目的）"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("编制人"))
    created_at = models.DateTimeField(_("编制时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["company", "code", "version"], name="surveys_q_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ScaleOption(models.Model):
    """An answer option of the questionnaire's scale; ``satisfied`` says whether it counts (R-M10-02).
    ``key`` is the digit keyed for it on the fast keying screen."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="options")
    key = models.PositiveSmallIntegerField(_("按键"))
    label = models.CharField(_("选项"), max_length=30)
    satisfied = models.BooleanField(_("计为满意"), default=False)

    class Meta:
        verbose_name = _("答案选项")
        verbose_name_plural = _("答案选项")
        ordering = ["questionnaire", "key"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="surveys_option_key")]

    def __str__(self) -> str:
        return f"{self.key}. {self.label}"


class QuestionItem(models.Model):
    """调查项目. ``code`` stays the same across versions (trends and improvement plans follow it);
    one item per questionnaire is the overall verdict (``overall``) the satisfaction rate counts."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("项目代码"), max_length=40)
    line = models.CharField(_("条线/部门"), max_length=20, choices=ServiceLine.choices)
    aspect = models.CharField(_("方面"), max_length=20, choices=Aspect.choices, default=Aspect.OTHER)
    text = models.CharField(_("题目"), max_length=200)
    free_text = models.BooleanField(_("文字题（不打分）"), default=False)
    overall = models.BooleanField(_("总体满意度（计算满意率）"), default=False)

    class Meta:
        verbose_name = _("调查项目")
        verbose_name_plural = _("调查项目")
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "order"], name="surveys_item_order"),
            models.UniqueConstraint(fields=["questionnaire", "code"], name="surveys_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class SurveyCampaign(models.Model):
    """满意度调查 issued by 品质部 to chosen projects with one questionnaire version."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="survey_campaigns")
    title = models.CharField(_("调查名称"), max_length=100)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="campaigns",
                                      verbose_name=_("问卷版本"))
    received_on = models.DateField(_("管理处收到日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("下发人（品质部）"))
    issued_at = models.DateTimeField(_("下发时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    """The timeline of one project's survey (R-M10-04 … R-M10-08)."""

    DISTRIBUTE = "distribute", _("发放")
    RECOVER = "recover", _("回收")
    STATISTICS = "statistics", _("统计分析")
    LETTER = "letter", _("公开信")
    SUBMIT = "submit", _("报品质部")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


class ProjectSurvey(models.Model):
    """One project's part of a campaign: its sample and its timeline."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.PROTECT, related_name="project_surveys")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="surveys",
                                verbose_name=_("项目"))
    received_on = models.DateField(_("收到日期"))
    scope = models.CharField(_("发放范围"), max_length=10, choices=Scope.choices)
    households = models.PositiveIntegerField(_("户数（基数）"), default=0)
    age_years = models.PositiveSmallIntegerField(_("项目年限（年）"), null=True, blank=True)
    age_from = models.DateField(_("年限起算日"), null=True, blank=True)
    rate = models.DecimalField(_("发放比例"), max_digits=4, decimal_places=3)
    minimum = models.PositiveIntegerField(_("最低发放份数"), default=0)
    explanation = models.CharField(_("最低份数说明"), max_length=300, blank=True)
    seed = models.BigIntegerField(_("抽样种子"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("抽样人"))
    below_minimum_reason = models.CharField(_("低于最低份数的原因"), max_length=300, blank=True)
    distribution_done_at = models.DateTimeField(_("发放完成"), null=True, blank=True)
    recovery_done_at = models.DateTimeField(_("回收完成"), null=True, blank=True)
    recovery_due = models.DateTimeField(_("回收截止"), null=True, blank=True)
    statistics_done_at = models.DateTimeField(_("统计完成"), null=True, blank=True)
    statistics_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("统计人"))
    summary_sent_at = models.DateTimeField(_("统计汇总报总经理时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报品质部时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("报送人"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目满意度调查")
        verbose_name_plural = _("项目满意度调查")
        ordering = ["-received_on", "project__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "project"], name="surveys_ps_unique")]
        indexes = [models.Index(fields=["project", "received_on"], name="surveys_ps_project_day")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.project}"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class SurveyDeadline(models.Model):
    """One stage's deadline (P-28 through apps.workdays), with the sweep's warning/breach claims."""

    survey = models.ForeignKey(ProjectSurvey, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    start_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"))
    warn_at = models.DateTimeField(_("预警时间"))
    rule = models.CharField(_("依据"), max_length=100)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    breach_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("调查时限")
        verbose_name_plural = _("调查时限")
        ordering = ["survey", "due_at"]
        constraints = [models.UniqueConstraint(fields=["survey", "stage"], name="surveys_deadline_stage")]
        indexes = [models.Index(fields=["met_at", "due_at"], name="surveys_deadline_open")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_stage_display()}"


class Channel(models.TextChoices):
    PAPER = "paper", _("纸质问卷")
    SMS = "sms", _("短信链接")
    PORTAL = "portal", _("业主账户")


class AnsweredVia(models.TextChoices):
    KEYED = "keyed", _("纸质录入")
    IMPORT = "import", _("Excel导入")
    ONLINE = "online", _("线上作答")
    API = "api", _("接口")


class SampledHousehold(models.Model):
    """One household's questionnaire (R-M10-04, R-M10-05)."""

    survey = models.ForeignKey(ProjectSurvey, on_delete=models.CASCADE, related_name="sample")
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="survey_samples")
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, related_name="+")
    added_by_hand = models.BooleanField(_("手工加入"), default=False)
    added_reason = models.CharField(_("加入原因"), max_length=200, blank=True)
    distributed_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    distributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("发放人"))
    channel = models.CharField(_("发放方式"), max_length=10, choices=Channel.choices, blank=True)
    signed_off = models.BooleanField(_("业主已签收"), default=False)
    recovered_at = models.DateTimeField(_("回收时间"), null=True, blank=True)
    recovered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("回收人"))
    anonymous = models.BooleanField(_("匿名（业主未签名）"), default=False)
    answered_via = models.CharField(_("作答方式"), max_length=10, choices=AnsweredVia.choices, blank=True)
    overall_satisfied = models.BooleanField(_("总体满意"), null=True, blank=True)
    comment = models.TextField(_("业主意见"), blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("发放回收负责人"))

    class Meta:
        verbose_name = _("调查户")
        verbose_name_plural = _("调查户")
        ordering = ["survey", "household__label"]
        constraints = [models.UniqueConstraint(fields=["survey", "household"], name="surveys_sample_unique")]
        indexes = [models.Index(fields=["survey", "building"], name="surveys_sample_building")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.household}"


class SurveyAnswer(models.Model):
    """One answered item; ``satisfied`` is the option's flag at the time (a snapshot for the SQL rates)."""

    response = models.ForeignKey(SampledHousehold, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionItem, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(ScaleOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    satisfied = models.BooleanField(null=True, blank=True)
    text = models.TextField(_("文字意见"), blank=True)

    class Meta:
        verbose_name = _("答卷明细")
        verbose_name_plural = _("答卷明细")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="surveys_answer_unique")]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.item_id}"


class AnswerLink(models.Model):
    """One-time answer link of a household: no login, expiring, used once. Only the hash is kept."""

    response = models.ForeignKey(SampledHousehold, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("作答链接")
        verbose_name_plural = _("作答链接")

    def __str__(self) -> str:
        return f"{self.response} · {self.expires_at:%Y-%m-%d}"


class OpenLetter(models.Model):
    """公开信 (R-M10-07): concentrated issues, the text, the 管理者代表's approval, the posting."""

    survey = models.OneToOneField(ProjectSurvey, on_delete=models.PROTECT, related_name="letter")
    title = models.CharField(_("标题"), max_length=200)
    issues = models.JSONField(_("集中/突出问题"), default=list, blank=True)
    body = models.TextField(_("正文"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("起草人"))
    drafted_at = models.DateTimeField(_("起草时间"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审批人（管理者代表）"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    publication = models.ForeignKey("portal.Publication", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("公告栏发布"))
    posted_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("发布人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公开信")
        verbose_name_plural = _("公开信")

    def __str__(self) -> str:
        return self.title


class FollowUpKind(models.TextChoices):
    """R-M10-09 (001 12.9–12.12) and R-M10-10 (004 制度6 四.一.2)."""

    GM_MEETING = "gm_meeting", _("总经理专题会议")
    DEPT_MEETING = "dept_meeting", _("部门会议（整改措施、责任人）")
    RECTIFICATION = "rectification", _("部门整改报告")
    RETURN_VISIT = "return_visit", _("客服部回访")
    EXPLANATION = "explanation", _("暂不能解决问题的解释")
    VERIFICATION = "verification", _("品质部验证")
    SPOT_CHECK = "spot_check", _("品质部抽查")


class FollowUp(models.Model):
    survey = models.ForeignKey(ProjectSurvey, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("类别"), max_length=20, choices=FollowUpKind.choices)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("部门"))
    held_on = models.DateField(_("日期"))
    summary = models.TextField(_("内容/结论"))
    satisfied = models.BooleanField(_("业主对结果满意"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调查后续跟进")
        verbose_name_plural = _("调查后续跟进")
        ordering = ["survey", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_kind_display()}"


class FeedbackDepartment(models.TextChoices):
    """R-M10-06 (001 12.8): the departments the 客服主管 classifies satisfaction and opinions by."""

    CUSTOMER_SERVICE = "cs", _("客服部")
    SECURITY = "security", _("安保部")
    ENGINEERING = "engineering", _("工程部")
    ENVIRONMENT = "environment", _("环境管理部")
    DEVELOPER = "developer", _("开发公司工程部")


# The questionnaire's service lines by the department that answers for them (R-M10-06); the overall
# verdict belongs to no department.
LINE_DEPARTMENT: dict[str, str] = {
    ServiceLine.CUSTOMER_SERVICE: FeedbackDepartment.CUSTOMER_SERVICE,
    ServiceLine.SECURITY: FeedbackDepartment.SECURITY,
    ServiceLine.ENGINEERING: FeedbackDepartment.ENGINEERING,
    ServiceLine.CLEANING: FeedbackDepartment.ENVIRONMENT,
    ServiceLine.GREENING: FeedbackDepartment.ENVIRONMENT,
    ServiceLine.DEVELOPER: FeedbackDepartment.DEVELOPER,
}


class FeedbackEntry(models.Model):
    """One line of the 《与客户沟通登记表》 (R-M10-06): an owner's opinion from a recovered questionnaire
    (or given otherwise during the survey), classified by department."""

    survey = models.ForeignKey(ProjectSurvey, on_delete=models.CASCADE, related_name="feedback")
    response = models.ForeignKey(SampledHousehold, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="feedback", verbose_name=_("问卷"))
    department = models.CharField(_("归口部门"), max_length=20, choices=FeedbackDepartment.choices)
    opinion = models.TextField(_("业主意见"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("登记人"))
    logged_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("与客户沟通登记")
        verbose_name_plural = _("与客户沟通登记表")
        ordering = ["survey", "department", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "department"], condition=Q(response__isnull=False),
                                               name="surveys_feedback_once_per_department")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_department_display()}"


class SurveySupervision(models.Model):
    """督导记录 (R-M10-13): the 物业综合管理部 or the 客服部经理 checks how the project runs the survey
    and gives guidance."""

    survey = models.ForeignKey(ProjectSurvey, on_delete=models.CASCADE, related_name="supervisions")
    held_on = models.DateField(_("督导日期"))
    findings = models.TextField(_("检查情况"))
    guidance = models.TextField(_("指导意见"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("督导人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调查督导记录")
        verbose_name_plural = _("调查督导记录")
        ordering = ["survey", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.held_on}"
