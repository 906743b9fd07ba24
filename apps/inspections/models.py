"""Tables of the inspections app (SPEC M18); see the package docstring."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage


class CheckKind(models.TextChoices):
    """检查类别 (R-M18-01 and the other checks of M18)."""

    DAILY = "daily", _("日检")
    PATROL = "patrol", _("巡查")
    MONTHLY = "monthly", _("月检（品质部楼检）")
    QUARTERLY = "quarterly", _("季检（品质部楼检）")
    ANNUAL = "annual", _("年度评比")
    NIGHT_POST = "night_post", _("夜间查岗")
    WAREHOUSE = "warehouse", _("仓库月检")
    EQUIPMENT_ROOM = "equipment_room", _("设备房巡查")
    PROPERTY_STATE = "property_state", _("物业状态评估")
    HEAD_OFFICE = "head_office", _("总部办公检查")
    ELECTRICIAN = "electrician", _("电工巡楼点检")
    COMMON_PARTS = "common_parts", _("共用部位巡查")
    SAFETY_SURVEY = "safety_survey", _("共用部位安全普查")
    LIGHTNING = "lightning", _("防雷检测")
    EMERGENCY_DRILL = "emergency_drill", _("应急预案演练")
    CLEANING = "cleaning", _("保洁检查")
    STEWARD = "steward", _("楼宇员巡楼")


class DailyLevel(models.TextChoices):
    """日检的三个层次 (R-M18-02)."""

    DIRECTOR = "director", _("管理处主任综合检查")
    SPECIALIST = "specialist", _("专业主管专业检查")
    OPERATOR = "operator", _("操作层自查巡查")


class CheckTemplate(models.Model):
    """检查表模板: what a kind of check looks at, as data. A row without company is the shipped default;
    a company (or project) may add its own."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("公司（留空=系统默认）"))
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("项目（留空=全公司）"))
    kind = models.CharField(_("检查类别"), max_length=20, choices=CheckKind.choices)
    level = models.CharField(_("日检层次"), max_length=20, choices=DailyLevel.choices, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    interval_days = models.PositiveSmallIntegerField(_("检查周期（天）"), null=True, blank=True,
                                                     help_text=_("如每日1、每周7、每月30、每年365"))
    requires_checked_signature = models.BooleanField(_("须被检查人签字"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")
        ordering = ["kind", "level", "name"]

    def __str__(self) -> str:
        return self.name


class CheckItem(models.Model):
    template = models.ForeignKey(CheckTemplate, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("模板"))
    text = models.CharField(_("检查项目"), max_length=200)
    specialty = models.CharField(_("专业"), max_length=20, blank=True,
                                 help_text=_("工程、安管、环境、客服等，月检通报按专业分析"))
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["template", "sort", "id"]

    def __str__(self) -> str:
        return self.text


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待检查")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class InspectionRound(models.Model):
    """A scheduled check with its due date and the person responsible (shown in the calendar and
    reminded before and at its due date)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="inspection_rounds",
                                verbose_name=_("项目"))
    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT, related_name="rounds",
                                 verbose_name=_("检查表"))
    due_on = models.DateField(_("到期日期"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("负责人"))
    status = models.CharField(_("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("安排人"))
    scheduled_at = models.DateTimeField(_("安排时间"))

    class Meta:
        verbose_name = _("检查安排")
        verbose_name_plural = _("检查安排")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["project", "status", "due_on"], name="insp_round_due")]

    def __str__(self) -> str:
        return f"{self.template} {self.due_on}"


class WarningKind(models.TextChoices):
    TYPHOON = "typhoon", _("台风预警")
    RAINSTORM = "rainstorm", _("暴雨预警")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("未完成")
    COMPLETE = "complete", _("已完成")


class Inspection(models.Model):
    """检查记录 (R-M18-01): kind, date, inspector, scope and findings. A night post check (R-M18-04)
    also has the post and the two signatures (checker and the person checked); it cannot be complete
    without the signature of the person checked (AS-38)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="inspections",
                                verbose_name=_("项目"))
    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("检查表"))
    round = models.OneToOneField(InspectionRound, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="inspection", verbose_name=_("检查安排"))
    kind = models.CharField(_("检查类别"), max_length=20, choices=CheckKind.choices)
    level = models.CharField(_("日检层次"), max_length=20, choices=DailyLevel.choices, blank=True)
    inspected_at = models.DateTimeField(_("检查时间"))
    night_of = models.DateField(_("夜班日期"), null=True, blank=True, help_text=_("夜间查岗：所属夜晚（18:00至次日06:00）"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections_made",
                                  verbose_name=_("检查人"))
    scope = models.CharField(_("检查范围/岗位"), max_length=200)
    summary = models.TextField(_("检查情况"), blank=True)
    all_normal = models.BooleanField(_("全部正常"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=InspectionStatus.choices,
                              default=InspectionStatus.DRAFT)
    inspector_signature = models.FileField(_("检查人签名"), upload_to=UuidPath("inspections/signatures"),
                                           storage=private_storage, blank=True)
    checked_person = models.CharField(_("被检查人"), max_length=50, blank=True)
    checked_signature = models.FileField(_("被检查人签名"), upload_to=UuidPath("inspections/signatures"),
                                         storage=private_storage, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-inspected_at", "-id"]
        indexes = [models.Index(fields=["project", "kind", "inspected_at"], name="insp_project_kind_at"),
                   models.Index(fields=["project", "night_of"], name="insp_project_night")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.inspected_at:%Y-%m-%d}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos",
                                   verbose_name=_("检查记录"))
    file = models.FileField(_("照片"), upload_to=UuidPath("inspections/photos"), storage=private_storage)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return f"{self.inspection} 照片"


class FindingCause(models.TextChoices):
    STAFF = "staff", _("员工失职")
    FACILITY = "facility", _("设施设备")
    ENVIRONMENT = "environment", _("环境卫生")
    COMPANY = "company", _("公司原因（管理处无法自行解决）")
    OTHER = "other", _("其他")


class Exemption(models.TextChoices):
    """R-M18-03: the two cases a finding need not go on the 日检表 — never for staff responsibility."""

    NONE = "", _("无")
    CLOSED_30_MIN = "closed_30min", _("半小时内已关闭的轻微不合格")
    OBJECTIVE_RECURRING = "objective_recurring", _("客观原因反复出现、已当场清除")
    # R-M18-10: a property defect management already has a handling plan for is not a management defect
    HANDLING_PLAN = "handling_plan", _("管理处已有处理方案的物业缺陷（不计管理缺陷）")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("跟踪中")
    CLOSED = "closed", _("已关闭")


class Finding(models.Model):
    """One nonconformity a line of the 日检表 (R-M18-03) with how it was closed or is tracked, the
    responsible employee, and what it became: an internal ticket or an NCR."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings",
                                   verbose_name=_("检查记录"))
    item = models.ForeignKey(CheckItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("检查项目"))
    description = models.TextField(_("不合格描述"))
    specialty = models.CharField(_("专业"), max_length=20, blank=True)
    cause = models.CharField(_("原因"), max_length=20, choices=FindingCause.choices, default=FindingCause.OTHER)
    exemption = models.CharField(_("免记录情形"), max_length=30, choices=Exemption.choices, blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="inspection_findings", verbose_name=_("责任人"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任部门"))
    status = models.CharField(_("状态"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    closure_note = models.CharField(_("关闭/跟踪情况"), max_length=300, blank=True)
    handed_up = models.BooleanField(_("已转呈公司（故障转呈单）"), default=False)
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="inspection_finding", verbose_name=_("内部工单"))
    ncr = models.OneToOneField("quality.NonconformityReport", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="inspection_finding", verbose_name=_("不合格报告"))
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("不合格项")
        verbose_name_plural = _("不合格项")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class WarningNight(models.Model):
    """A typhoon or rainstorm warning entered for the project: that night needs a night post check
    (R-M18-04, AS-38)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="warning_nights",
                                verbose_name=_("项目"))
    night_of = models.DateField(_("日期"))
    kind = models.CharField(_("预警"), max_length=20, choices=WarningKind.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    entered_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("恶劣天气预警")
        verbose_name_plural = _("恶劣天气预警")
        ordering = ["-night_of"]
        constraints = [models.UniqueConstraint(fields=["project", "night_of", "kind"], name="insp_warning_once")]

    def __str__(self) -> str:
        return f"{self.night_of} {self.get_kind_display()}"


class PoolLimits(models.Model):
    """泳池水质限值 (R-M18-16): foot-bath chlorine 5–10 mg/L and children's pool new water 0.3–0.5 mg/L
    from the seed; pH and BR have no seed limits and are set here (empty = not checked)."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("公司"))
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("项目（留空=全公司）"))
    footbath_cl_min = models.DecimalField(_("浸脚池余氯下限 mg/L"), max_digits=6, decimal_places=2, default=5)
    footbath_cl_max = models.DecimalField(_("浸脚池余氯上限 mg/L"), max_digits=6, decimal_places=2, default=10)
    kids_cl_min = models.DecimalField(_("儿童池新水余氯下限 mg/L"), max_digits=6, decimal_places=2, default="0.3")
    kids_cl_max = models.DecimalField(_("儿童池新水余氯上限 mg/L"), max_digits=6, decimal_places=2, default="0.5")
    ph_min = models.DecimalField(_("pH 下限"), max_digits=4, decimal_places=2, null=True, blank=True)
    ph_max = models.DecimalField(_("pH 上限"), max_digits=4, decimal_places=2, null=True, blank=True)
    br_min = models.DecimalField(_("BR 下限"), max_digits=6, decimal_places=2, null=True, blank=True)
    br_max = models.DecimalField(_("BR 上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    footbath_change_hours = models.PositiveSmallIntegerField(_("浸脚池换水间隔（小时）"), default=4)
    filter_cleanings_per_day = models.PositiveSmallIntegerField(_("每日清洗过滤箱次数 ≥"), default=2)

    class Meta:
        verbose_name = _("泳池水质限值")
        verbose_name_plural = _("泳池水质限值")
        constraints = [models.UniqueConstraint(fields=["company", "project"], name="insp_pool_limits_unique")]

    def __str__(self) -> str:
        return f"{self.project or self.company} 泳池限值"


class PoolReading(models.Model):
    """游泳池卫生管理记录 (R-M18-16): one reading; out-of-range values are flagged at once."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="pool_readings",
                                verbose_name=_("项目"))
    taken_at = models.DateTimeField(_("记录时间"))
    ph = models.DecimalField(_("pH"), max_digits=4, decimal_places=2, null=True, blank=True)
    br = models.DecimalField(_("BR"), max_digits=6, decimal_places=2, null=True, blank=True)
    footbath_cl = models.DecimalField(_("浸脚池余氯 mg/L"), max_digits=6, decimal_places=2, null=True, blank=True)
    kids_cl = models.DecimalField(_("儿童池新水余氯 mg/L"), max_digits=6, decimal_places=2, null=True, blank=True)
    filter_cleaned = models.BooleanField(_("清洗过滤箱"), default=False)
    footbath_changed = models.BooleanField(_("浸脚池换水"), default=False)
    fresh_water_added = models.BooleanField(_("定时补充新水"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    flagged = models.BooleanField(_("超限"), default=False)
    flags = models.CharField(_("超限项目"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("泳池卫生记录")
        verbose_name_plural = _("泳池卫生记录")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["project", "taken_at"], name="insp_pool_project_at")]

    def __str__(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M}"


class EvaluationKind(models.TextChoices):
    """评价类别 (R-M18-11): the annual internal evaluations and the external ones."""

    ISO_INTERNAL = "iso_internal", _("ISO内部审核")
    MANAGEMENT_REVIEW = "management_review", _("管理评审")
    SPECIALIST_RATING = "specialist_rating", _("专业评比（设备完好率、红旗设备、房屋完好率）")
    CUSTOMER = "customer", _("顾客评价")
    GOVERNMENT = "government", _("政府评优与安全、环境检查")
    CERTIFICATION = "certification", _("认证机构监督/复审")


class Evaluation(models.Model):
    """年度与外部评价 (R-M18-11): ISO audits, management review, ratings, government inspections."""

    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"))
    kind = models.CharField(_("类别"), max_length=50)
    held_on = models.DateField(_("日期"))
    body = models.CharField(_("评价机构"), max_length=100)
    result = models.TextField(_("结果"))
    attachment = models.FileField(_("附件"), upload_to=UuidPath("inspections/evaluations"), storage=private_storage,
                                  blank=True)

    class Meta:
        verbose_name = _("评价记录")
        verbose_name_plural = _("评价记录")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on}"

    @property
    def kind_label(self) -> str:
        return str(EvaluationKind(self.kind).label) if self.kind in EvaluationKind.values else self.kind


class EmergencyPlan(models.Model):
    """应急预案 (R-M18-15): one per type of emergency with version and date; drills are inspections of
    kind 应急预案演练."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="emergency_plans",
                                verbose_name=_("项目"))
    emergency = models.CharField(_("突发事件类型"), max_length=50, help_text=_("火警、水浸、停电、电梯困人、公共卫生、自然灾害等"))
    version = models.CharField(_("版本"), max_length=20)
    issued_on = models.DateField(_("发布日期"))
    organisation = models.TextField(_("组织、人员与措施"))

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["project", "emergency", "-issued_on"]

    def __str__(self) -> str:
        return f"{self.emergency} {self.version}"
