"""Company → projects → departments → staff with roles (SPEC §1.1, §1.3, M19)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.org.roles import ROLE_INFO, Role


class Company(models.Model):
    """物业公司: one deployment serves one company with many projects."""

    name = models.CharField(_("公司名称"), max_length=100)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    confidentiality_policy = models.TextField(
        _("顾客信息保密制度"), blank=True, help_text=_("顾客信息保密制度及采集处理程序")
    )

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.name


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("未知的时区：%(tz)s"), params={"tz": value})


class ProjectKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅物业")
    PUBLIC = "public", _("公共物业")


class Project(models.Model):
    """管理处 / 小区 / 物业服务中心: one managed property. Every business record belongs to one."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="projects")
    code = models.SlugField(_("项目代码"), max_length=30, unique=True, help_text=_("用于编号，如 YG"))
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    kind = models.CharField(_("物业类型"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.RESIDENTIAL)
    public_class = models.CharField(_("公共物业类别"), max_length=20, blank=True, help_text=_("如 A类"))
    handover_date = models.DateField(_("交付日期"), null=True, blank=True, help_text=_("首次房屋交付日期"))
    takeover_date = models.DateField(_("接管日期"), null=True, blank=True)
    phased = models.BooleanField(_("分期开发"), default=False)
    floor_area_m2 = models.DecimalField(_("建筑面积（㎡）"), max_digits=12, decimal_places=2, null=True, blank=True)
    timezone = models.CharField(_("时区"), max_length=50, default="Asia/Shanghai", validators=[validate_timezone])
    work_start = models.TimeField(_("上班时间"), default=dt.time(9, 0))
    work_end = models.TimeField(_("下班时间"), default=dt.time(18, 0))
    lunch_start = models.TimeField(_("午休开始"), null=True, blank=True, default=dt.time(12, 0))
    lunch_end = models.TimeField(_("午休结束"), null=True, blank=True, default=dt.time(13, 30))
    service_phone = models.CharField(_("24小时服务电话"), max_length=30, blank=True)
    repair_phone = models.CharField(_("24小时报修电话"), max_length=30, blank=True)
    suggestion_box_time = models.TimeField(_("意见箱开箱时间"), null=True, blank=True, default=dt.time(9, 0))
    active = models.BooleanField(_("在管"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目（管理处）")
        verbose_name_plural = _("项目（管理处）")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.active:  # R-M1-02: never active without both 24-hour numbers (they may be the same)
            missing = {name: message for name, message in (
                ("service_phone", _("在管项目须有24小时服务电话")), ("repair_phone", _("在管项目须有24小时报修电话")))
                if not getattr(self, name).strip()}
            if missing:
                raise ValidationError(missing)
        if self.work_end <= self.work_start:
            raise ValidationError({"work_end": _("下班时间必须晚于上班时间")})
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValidationError({"lunch_end": _("午休开始和结束须同时填写或同时留空")})
        if self.lunch_start and self.lunch_end:
            if not (self.work_start <= self.lunch_start < self.lunch_end <= self.work_end):
                raise ValidationError({"lunch_start": _("午休须在上班时间之内且开始早于结束")})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def age_years(self, on: dt.date) -> int | None:
        """Whole years since the first delivery (交付) on ``on``; None when unknown."""
        if self.handover_date is None:
            return None
        years = on.year - self.handover_date.year
        if (on.month, on.day) < (self.handover_date.month, self.handover_date.day):
            years -= 1
        return max(years, 0)


class DepartmentKind(models.TextChoices):
    CUSTOMER_SERVICE = "cs", _("客服部")
    ENGINEERING = "engineering", _("工程部")
    SECURITY = "security", _("安管部")
    ENVIRONMENT = "environment", _("环境管理部")
    GENERAL = "general", _("综合管理部")
    QUALITY = "quality", _("品质管理部")
    OFFICE = "office", _("办公室")
    OTHER = "other", _("其他")


class Department(models.Model):
    """部门. Project departments (工程部 of 阳光花园) or company departments (品质管理部: project empty)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="departments")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="departments")
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    phone = models.CharField(_("内线电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [models.UniqueConstraint(fields=["company", "project", "name"], name="org_department_unique_name")]

    def __str__(self) -> str:
        return f"{self.project.name if self.project else self.company.name}·{self.name}"


class StaffStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    TRANSFERRED = "transferred", _("调岗")
    LEFT = "left", _("离职")


class User(AbstractUser):
    """A person who logs in to Linli: staff of the company (员工)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=30, blank=True)
    extension = models.CharField(_("分机"), max_length=20, blank=True)
    employee_no = models.CharField(_("工号"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=StaffStatus.choices, default=StaffStatus.ACTIVE)
    certificate = models.CharField(_("证书"), max_length=100, blank=True, help_text=_("证书类型/编号/发证机关"))
    certificate_valid_until = models.DateField(_("证书有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def certificate_valid_on(self, day: dt.date) -> bool:
        """持证上岗 (R-M19-10, R-M8-18): a certificate is recorded and, when it has an end date, that
        date is not before ``day``."""
        if not self.certificate.strip():
            return False
        return self.certificate_valid_until is None or self.certificate_valid_until >= day


class Membership(models.Model):
    """岗位: a user holds ``role`` in ``project`` (or company-wide when ``project`` is empty)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(_("岗位"), max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位任职")
        verbose_name_plural = _("岗位任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "project", "role"], name="org_membership_unique"),
        ]

    def __str__(self) -> str:
        where = self.project.name if self.project else self.company.name
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        info = ROLE_INFO[self.role]
        if not info.company_level and self.project_id is None:
            raise ValidationError({"project": _("该岗位须属于某个项目")})
        if self.project is not None and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})
        if self.department is not None and self.department.project_id not in (None, self.project_id):
            raise ValidationError({"department": _("部门不属于该项目")})


class TrainingTopic(models.TextChoices):
    ETIQUETTE = "etiquette", _("服务礼仪")
    TECHNICAL = "technical", _("技术操作")
    SAFETY = "safety", _("安全")
    FEEDBACK = "feedback", _("业主反馈问题")
    CERTIFICATION = "certification", _("行业培训/取证")
    OTHER = "other", _("其他")


class TrainingSession(models.Model):
    """培训 (R-M19-13, R-M8-18): one session of the staff training plan; ``held_at`` empty = planned."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="training_sessions")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="training_sessions", help_text=_("空 = 公司级培训"))
    title = models.CharField(_("培训主题"), max_length=100)
    topic = models.CharField(_("培训类别"), max_length=20, choices=TrainingTopic.choices)
    planned_on = models.DateField(_("计划日期"))
    held_at = models.DateTimeField(_("实际举办时间"), null=True, blank=True)
    trainer = models.CharField(_("讲师"), max_length=50, blank=True)
    notes = models.TextField(_("内容摘要"), blank=True)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.title}"

    def clean(self) -> None:
        if self.project is not None and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})


class TrainingAttendance(models.Model):
    """培训签到 (R-M19-13): who was expected at a session, whether they came and passed."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_attendances")
    attended = models.BooleanField(_("已出席"), default=False)
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="org_training_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session} · {self.user}"


class AppraisalResult(models.TextChoices):
    PASSED = "passed", _("合格")
    IMPROVE = "improve", _("基本合格（须培训）")
    FAILED = "failed", _("不合格")


class AnnualAppraisal(models.Model):
    """年度考评 (R-M8-18, R-M19-10): once a year the property service management department appraises a
    door-to-door service worker on the services they did and the residents' feedback (the repairs,
    completion on time, return-visit ratings and complaints of the year, kept as they were at the
    appraisal). A worker whose latest appraisal failed is not dispatched to work that needs a
    certificate (持证上岗) until a new appraisal passes; "须培训" names the training to follow."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="annual_appraisals",
                                verbose_name=_("项目"))
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="annual_appraisals",
                              verbose_name=_("被考评人"))
    year = models.PositiveIntegerField(_("考评年度"))
    evidence = models.JSONField(_("服务情况与住户反馈"), default=dict)
    result = models.CharField(_("考评结果"), max_length=20, choices=AppraisalResult.choices)
    comment = models.TextField(_("考评意见"))
    training = models.CharField(_("须参加的培训"), max_length=200, blank=True)
    appraised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("考评人"))
    appraised_at = models.DateTimeField(_("考评时间"))

    class Meta:
        verbose_name = _("年度考评")
        verbose_name_plural = _("年度考评")
        ordering = ["-year", "-appraised_at", "-id"]
        indexes = [models.Index(fields=["staff", "-appraised_at"], name="org_appraisal_latest")]

    def __str__(self) -> str:
        return f"{self.staff} {self.year} {self.get_result_display()}"


class PlanKind(models.TextChoices):
    PLAN = "plan", _("工作计划")
    REPORT = "report", _("工作报告")
    BUDGET = "budget", _("部门预算")
    MANAGEMENT_PLAN = "management_plan", _("管理方案")
    SYSTEM_DOC = "system_doc", _("制度文件")


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class DepartmentPlan(models.Model):
    """部门计划、报告与预算 (R-M19-01, R-M19-02): the 客服主管 helps write the department's plans, reports,
    budget, management plan and system documents; the 客服经理 (or the 管理处经理) approves or returns
    them — never their own — and the 主管 records the check of an approved plan's execution."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="department_plans",
                                verbose_name=_("项目"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="plans", verbose_name=_("部门"))
    kind = models.CharField(_("类别"), max_length=20, choices=PlanKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    period = models.CharField(_("期间"), max_length=30, help_text=_("如 2027年度、2027年第一季度"))
    content = models.TextField(_("内容"))
    amount = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED)
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("编写人"))
    drafted_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    execution_note = models.TextField(_("执行情况检查"), blank=True)
    execution_checked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                             verbose_name=_("检查人"))
    execution_checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门计划与预算")
        verbose_name_plural = _("部门计划与预算")
        ordering = ["-drafted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.title}"


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    REPAIR = "repair", _("维修中")
    IDLE = "idle", _("闲置")
    SCRAPPED = "scrapped", _("已报废")


class FixedAsset(models.Model):
    """部门固定资产 (R-M19-02): the 客服主管 manages the department's fixed assets — each registered with
    its number, value, place and custodian, and checked (status, place) with the date of the last check."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="fixed_assets", verbose_name=_("项目"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="fixed_assets",
                                   verbose_name=_("部门"))
    asset_no = models.CharField(_("资产编号"), max_length=40)
    name = models.CharField(_("资产名称"), max_length=100)
    location = models.CharField(_("存放地点"), max_length=100)
    acquired_on = models.DateField(_("购置日期"))
    value = models.DecimalField(_("原值（元）"), max_digits=12, decimal_places=2)
    custodian = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("保管人"))
    status = models.CharField(_("状态"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    last_checked_on = models.DateField(_("最近清点日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("固定资产")
        verbose_name_plural = _("固定资产")
        ordering = ["project", "asset_no"]
        constraints = [models.UniqueConstraint(fields=["company", "asset_no"], name="org_fixed_asset_unique_no")]

    def __str__(self) -> str:
        return f"{self.asset_no} {self.name}"


class TakeoverInspection(models.Model):
    """接管验收 (R-M19-14): when the company takes over a property, the common parts and facilities
    are inspected and the acceptance documents must be complete before the takeover is accepted."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="takeover_inspections")
    inspected_on = models.DateField(_("验收日期"))
    scope = models.TextField(_("查验的共用部位与设施"))
    findings = models.TextField(_("发现的问题"), blank=True)
    documents_complete = models.BooleanField(_("验收资料齐全"), default=False)
    accepted = models.BooleanField(_("确认接管"), default=False)
    inspected_by = models.CharField(_("验收人员"), max_length=200)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("接管验收记录")
        verbose_name_plural = _("接管验收记录")
        ordering = ["project", "-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.inspected_on}"

    def clean(self) -> None:
        if self.accepted and not self.documents_complete:
            raise ValidationError({"accepted": _("验收资料不齐全，不能确认接管")})
        if not (self.scope or "").strip():
            raise ValidationError({"scope": _("请填写查验的共用部位与设施")})


class SettingChange(models.Model):
    """设置变更记录 (issue 17 item 3): one row per change of a company or project setting made on the
    settings pages or the API — who, when, why, and the values before and after. Append-only."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="setting_changes",
                                verbose_name=_("公司"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="setting_changes", verbose_name=_("项目（留空=全公司）"))
    section = models.CharField(_("设置项"), max_length=50)
    action = models.CharField(_("操作"), max_length=20, default="change",
                              choices=[("change", _("修改")), ("remove_override", _("取消项目单独设置"))])
    before = models.JSONField(_("修改前"), default=dict)
    after = models.JSONField(_("修改后"), default=dict)
    reason = models.CharField(_("修改原因"), max_length=500)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人"))
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("设置变更记录")
        verbose_name_plural = _("设置变更记录")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["company", "section", "-changed_at"], name="org_setting_change_idx")]

    def __str__(self) -> str:
        return f"{self.section} {self.changed_at:%Y-%m-%d %H:%M}"


class StaffChange(models.Model):
    """员工账号变更记录 (issue 17 item 4): one row per change the system administrator makes on the staff
    pages or the API — a staff account created, a role given or taken in a project, an account
    deactivated or reactivated — with who did it, when and why. Append-only."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="staff_changes",
                                verbose_name=_("公司"))
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="staff_changes", verbose_name=_("员工"))
    action = models.CharField(_("操作"), max_length=20, choices=[
        ("create", _("新建账号")), ("assign", _("分配岗位")), ("unassign", _("撤销岗位")),
        ("deactivate", _("停用账号")), ("reactivate", _("恢复账号"))])
    detail = models.CharField(_("内容"), max_length=300)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    changed_at = models.DateTimeField(_("操作时间"))

    class Meta:
        verbose_name = _("员工账号变更记录")
        verbose_name_plural = _("员工账号变更记录")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display()}"
