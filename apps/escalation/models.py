"""热点/重大投诉 records: thresholds, same-complaint clusters, escalation events and reports, the separate
archive volume of major complaints, and the monthly developer-legacy forwarding (SPEC M3, M5, M6, M20)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
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
    closeout_report_working_days = models.PositiveSmallIntegerField(
        _("处理完毕后专题报告时限（工作日）"), null=True, blank=True,
        help_text=_("热点投诉专题案例报告、重大投诉专题报告；留空=及时报送（按“立即/及时”软目标提醒）"))
    window = models.CharField(_("相同投诉统计窗口"), max_length=20, choices=WindowMode.choices,
                              default=WindowMode.ROLLING_MONTH)
    warn_fraction = models.FloatField(_("预警点（时限比例）"), default=0.75)
    similarity_threshold = models.FloatField(_("相同投诉相似度阈值"), default=0.35)
    government_report_enabled = models.BooleanField(
        _("启用政府重大事件报告"), default=False,
        help_text=_("仅在地方法规要求时启用（如西安市物业管理条例第57条）"))
    government_authority = models.CharField(_("报告对象（政府部门）"), max_length=100, default="区/县物业行政主管部门")

    class Meta:
        verbose_name = _("升级阈值")
        verbose_name_plural = _("升级阈值")
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


class ClusterState(models.TextChoices):
    SUGGESTED = "suggested", _("系统建议")
    CONFIRMED = "confirmed", _("已确认")
    DISSOLVED = "dissolved", _("已解散")


class ComplaintCluster(models.Model):
    """相同投诉组 — tickets about the same matter in one project (R-M3-04, hot criterion R-M3-02 b).

    Linli suggests members when a complaint is recorded; staff confirm, split or merge groups.
    ``distinct_complainants`` is the cached count over the current window (households/persons).
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="complaint_clusters")
    title = models.CharField(_("事项"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=ClusterState.choices, default=ClusterState.SUGGESTED)
    created_at = models.DateTimeField(_("创建时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("确认人"))
    distinct_complainants = models.PositiveIntegerField(_("不同投诉人数（窗口内）"), default=0)

    class Meta:
        verbose_name = _("相同投诉组")
        verbose_name_plural = _("相同投诉组")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["project", "state", "-created_at"], name="escalation_cluster_proj")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ClusterMember(models.Model):
    """A ticket in a same-complaint group (a ticket belongs to at most one group)."""

    cluster = models.ForeignKey(ComplaintCluster, on_delete=models.CASCADE, related_name="members")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="complaint_cluster_member")
    score = models.FloatField(_("相似度"), null=True, blank=True, help_text=_("空 = 人工加入"))
    added_at = models.DateTimeField(_("加入时间"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("加入人（空=系统）"))
    marked_distinct = models.BooleanField(
        _("确认为不同投诉人"), default=False, help_text=_("匿名或无法识别的投诉人，经人工确认后才计入")
    )

    class Meta:
        verbose_name = _("相同投诉组成员")
        verbose_name_plural = _("相同投诉组成员")
        ordering = ["cluster", "added_at"]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.ticket_id}"


class EventKind(models.TextChoices):
    RAISE = "raise", _("升级")
    DOWNGRADE = "downgrade", _("人工降级")


class EscalationEvent(models.Model):
    """升级记录 — which rule raised a complaint to which level, when, and the report it now needs
    (R-M3-01 … R-M3-09, issue 5 item 4). Automatic raises are unique per (ticket, rule) so a sweep
    run twice or concurrently cannot raise twice; downgrades name a person and a reason."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="escalation_events")
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices, default=EventKind.RAISE)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    previous_level = models.CharField(_("原级别"), max_length=10, choices=Level.choices, default=Level.NONE)
    rule_id = models.CharField(_("规则"), max_length=20)
    reason = models.CharField(_("原因"), max_length=300)
    raised_at = models.DateTimeField(_("时间"))
    report_due_at = models.DateTimeField(_("报告时限"), null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("操作人（空=系统）"))

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["ticket", "raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "rule_id"], condition=Q(kind="raise"),
                                    name="escalation_event_once_per_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.rule_id} → {self.level}"


class ReportKind(models.TextChoices):
    HOT_REPORT = "hot_report", _("热点投诉报告（4小时内报集团物业管理部）")
    MAJOR_GROUP_REPORT = "major_group_report", _("重大投诉报告（报集团物业管理部）")
    MAJOR_QUALITY_REPORT = "major_quality_report", _("重大投诉报告（1个工作日内报品质管理部及分管领导）")
    PROGRESS = "progress", _("重大投诉进展报告")
    HOT_CASE_REPORT = "hot_case_report", _("热点投诉专题案例报告（处理完毕后）")
    MAJOR_SPECIAL_REPORT = "major_special_report", _("重大投诉专题报告（处理完毕后）")
    GOVERNMENT_REPORT = "government_report", _("重大事件报告（报区/县物业行政主管部门）")
    MAJOR_CHANGE = "major_change", _("重大投诉事态重大变化紧急报告（电话报集团物业管理部）")


class GovernmentEventCause(models.TextChoices):
    """R-M3-14: the events of the local regulation that require a report to the authority."""

    HAZARD = "hazard", _("房屋或设施存在安全隐患，8小时内无法排除，严重危及人身或房屋安全")
    MASS_INCIDENT = "mass_incident", _("发生群体性突发事件")


# Which content fields each report must fill before it can be sent (SPEC wording).
REPORT_FIELDS: dict[str, tuple[str, ...]] = {
    ReportKind.HOT_REPORT: ("content", "cause_analysis", "current_handling", "difficulties", "help_needed"),
    ReportKind.MAJOR_GROUP_REPORT: ("content", "cause_analysis", "current_handling"),
    ReportKind.MAJOR_QUALITY_REPORT: ("content", "cause_analysis", "handling_result", "lessons", "corrective_measures"),
    ReportKind.PROGRESS: ("current_handling",),
    ReportKind.HOT_CASE_REPORT: ("content", "cause_analysis", "handling_result", "lessons"),
    ReportKind.MAJOR_SPECIAL_REPORT: ("content", "cause_analysis", "handling_result", "why_worsened", "lessons",
                                      "corrective_measures"),
    ReportKind.GOVERNMENT_REPORT: ("content", "current_handling"),
    ReportKind.MAJOR_CHANGE: ("situation_change", "current_handling"),
}


class EscalationReport(models.Model):
    """升级报告 — the reports a hot or major complaint owes (R-M3-06 … R-M3-10): due moment, sent
    moment, recipients and content. ``warned_at``/``breach_notified_at`` are the sweep's claims."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="escalation_reports")
    kind = models.CharField(_("报告类型"), max_length=30, choices=ReportKind.choices)
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1, help_text=_("进展报告的第几次"))
    event = models.ForeignKey(EscalationEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    recipients = models.CharField(_("报送对象"), max_length=200)
    created_at = models.DateTimeField(_("生成时间"))
    due_at = models.DateTimeField(_("报告时限"), null=True, blank=True, help_text=_("空 = 及时（无硬性时限）"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("报送人"))
    content = models.TextField(_("投诉内容"), blank=True)
    cause_analysis = models.TextField(_("原因分析"), blank=True)
    current_handling = models.TextField(_("目前处理情况"), blank=True)
    difficulties = models.TextField(_("处理难点分析"), blank=True)
    help_needed = models.TextField(_("需协助事项"), blank=True)
    handling_result = models.TextField(_("处理过程及结果"), blank=True)
    why_worsened = models.TextField(_("事态扩大原因"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    corrective_measures = models.TextField(_("纠正预防措施"), blank=True)
    # R-M3-08: a major change in the situation of a major complaint, reported by the fastest means —
    # by phone to the group (who was called, when) and an urgent system notice
    situation_change = models.TextField(_("事态重大变化情况"), blank=True)
    phoned_to = models.CharField(_("电话报告对象"), max_length=100, blank=True,
                                 help_text=_("集团物业管理部接电话的人员姓名、职务"))
    phoned_at = models.DateTimeField(_("电话报告时间"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    breach_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("升级报告")
        verbose_name_plural = _("升级报告")
        ordering = ["ticket", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "sequence"], name="escalation_report_once"),
        ]
        indexes = [
            models.Index(fields=["warn_at"], condition=Q(sent_at=None, warned_at=None), name="escalation_report_to_warn"),
            models.Index(fields=["due_at"], condition=Q(sent_at=None, breach_notified_at=None),
                         name="escalation_report_to_breach"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_kind_display()}"

    @property
    def required_fields(self) -> tuple[str, ...]:
        return REPORT_FIELDS[self.kind]


class ArchiveVolume(models.Model):
    """重大投诉单独立卷 — a major complaint's file kept as its own volume (R-M3-10, R-M6-04)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="archive_volume")
    volume_no = models.CharField(_("卷号"), max_length=40, unique=True)
    opened_at = models.DateTimeField(_("立卷时间"))
    closed_at = models.DateTimeField(_("结卷时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("结卷人"))

    class Meta:
        verbose_name = _("重大投诉案卷")
        verbose_name_plural = _("重大投诉案卷")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.volume_no


class SimilaritySynonym(models.Model):
    """相同投诉近义词 — a company's own wording for the same matter (R-M3-04, Appendix B #7).

    The built-in table in :mod:`apps.escalation.similarity` knows the common paraphrases; owners and
    staff of each company have their own words ("梯子" for 电梯, "北梯" for one lift, "廊灯" for 楼道灯).
    Each row rewrites ``variant`` to ``canonical`` before two complaints are compared. A row with
    ``project`` empty applies to the whole company.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="similarity_synonyms")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="similarity_synonyms", verbose_name=_("项目（留空=全公司）"))
    variant = models.CharField(_("说法"), max_length=30, help_text=_("业主或员工的说法，如 梯子"))
    canonical = models.CharField(_("统一为"), max_length=30, help_text=_("比较时替换成的词，如 电梯"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("相同投诉近义词")
        verbose_name_plural = _("相同投诉近义词")
        ordering = ["company", "project", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["company", "project", "variant"], name="escalation_synonym_unique"),
            models.UniqueConstraint(fields=["company", "variant"], condition=Q(project=None),
                                    name="escalation_synonym_unique_company"),
        ]

    def __str__(self) -> str:
        return f"{self.variant} → {self.canonical}"

    def clean(self) -> None:
        self.variant, self.canonical = self.variant.strip(), self.canonical.strip()
        if not self.variant or not self.canonical:
            raise ValidationError(_("说法和统一词都不能为空"))
        if self.variant == self.canonical:
            raise ValidationError({"canonical": _("统一词不能与说法相同")})
        project = self.project if self.project_id else None
        if project is not None and project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})


class LeadershipOpinion(models.Model):
    """领导处理意见 — for a complaint that could not be resolved, the handling opinion of the 分管领导
    (篇3) or the 公司管理层 (篇4), POLICY P-10 (R-M3-12). Record: the opinion, who gave it, the date."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="leadership_opinions")
    opinion = models.TextField(_("处理意见"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("提出意见的领导（系统用户）"))
    given_by_name = models.CharField(_("提出意见的领导"), max_length=100, help_text=_("姓名及职务，如 张总（分管副总）"))
    given_on = models.DateField(_("意见日期"))
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("领导处理意见")
        verbose_name_plural = _("领导处理意见")
        ordering = ["ticket", "given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.given_by_name} {self.given_on}"


class ComplaintSignature(models.Model):
    """The stored comparison signature of one complaint (issue 15, docs/similarity.md "Speed"): its
    unit-length character n-gram TF-IDF vector (packed: gram ids and float32 weights), weighted with the project's IDF when it was recorded,
    and the matters (``|lift|lighting|``), faults and buildings it names, so that the same-complaint
    check never re-normalises or refits the window. ``synonyms_key`` identifies the company's
    synonym table the text was rewritten with; a signature made with another table is recomputed."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, primary_key=True,
                                  related_name="similarity_signature")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    synonyms_key = models.CharField(max_length=16, blank=True)
    version = models.PositiveSmallIntegerField(default=0)  # similarity.SIGNATURE_VERSION when current
    packed = models.BinaryField(default=b"")  # similarity.pack: gram ids (int32) then weights (float32)
    topics = models.CharField(max_length=400, blank=True)
    aspects = models.CharField(max_length=200, blank=True)
    locations = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("相同投诉特征")
        verbose_name_plural = _("相同投诉特征")
        indexes = [models.Index(fields=["project", "received_at"], name="escalation_sig_proj_recv")]

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class SimilarityGramFrequency(models.Model):
    """Per-project document frequency of each character n-gram over the complaints recorded so far
    (the IDF of the same-complaint check, updated by one document per complaint). The row with an
    empty ``gram`` counts the documents."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=8, blank=True)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("相同投诉词频")
        verbose_name_plural = _("相同投诉词频")
        constraints = [models.UniqueConstraint(fields=["project", "gram"], name="escalation_gram_df_unique")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.gram}={self.df}"


class ComplaintGram(models.Model):
    """The gram index of the same-complaint check (issue 15, docs/similarity.md "Speed"): one row per
    complaint and n-gram id (and per recognised matter), so that a new complaint reads only the
    complaints of its window that share one of its grams, never the whole window."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    gram = models.IntegerField()
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("相同投诉索引")
        verbose_name_plural = _("相同投诉索引")
        indexes = [models.Index(fields=["project", "gram", "received_at"], include=["ticket"],
                                name="escalation_gram_lookup")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.gram}→{self.ticket_id}"


class SimilarityIndexState(models.Model):
    """How far a project's complaints all have a current signature (issue 15): every complaint of the
    project with an id below ``signed_below`` that is not voided has a signature made with the synonym
    table ``synonyms_key`` and layout ``version``, so the same-complaint check looks for complaints
    still to be scored from their text only from there on, not across the whole window. Moved on by
    each signature recorded (never past a complaint recorded in the last minutes, whose intake job may
    still be queued) and by the ``similarity_backfill`` command; reset to 0 when the table changes."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="+")
    synonyms_key = models.CharField(max_length=16, blank=True)
    version = models.PositiveSmallIntegerField(default=0)
    signed_below = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("相同投诉索引进度")
        verbose_name_plural = _("相同投诉索引进度")

    def __str__(self) -> str:
        return f"{self.project_id}: <{self.signed_below}"
