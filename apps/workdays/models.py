"""Working-day calendar data and limit policies (SPEC T-03, P-25; P-01…P-03, P-06, P-14…P-16,
P-26…P-28, P-31).

- :class:`OfficialYear` — which years have an official schedule (seeded from ``chinesecalendar``;
  imported/confirmed years publish ``workdays.year_confirmed``).
- :class:`CalendarDay` — override rows (global = the official schedule of a year the package does not
  know; per company = its own holidays, a typhoon day, an extra working day).
- :class:`RuleSet` / :class:`LimitPolicy` — named rule sets of policy rows (seeded from
  :data:`apps.workdays.policies.DEFAULT_RULE_SETS`).
- :class:`RuleSetChoice` — the rule set a company (or one project) uses for a concern.
- :class:`DeadlineSettings` — P-02, P-03, P-26, P-27, P-28, P-31 per company, project override.
- :class:`WorkingDayIndex` — the calendar materialised per company for working time in SQL (T-03).
"""
from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.org.models import Company, Project
from apps.workdays import calendar as wc
from apps.workdays import policies as pol
from apps.workdays.keys import (
    DEFAULT_REPLY_CLASS,
    DEFAULT_WRITTEN_REVIEWERS,
    Channel,
    Kind,
    ReplyClass,
    Urgency,
)


class YearStatus(models.TextChoices):
    OFFICIAL = "official", _("正式（国务院公布）")
    PROVISIONAL = "provisional", _("暂定（按周一至周五）")


class OfficialYear(models.Model):
    """年度日历状态 (P-25): a year is *official* when its holidays and adjusted working days are known
    (from the package or imported); otherwise computations in it are provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=YearStatus.choices, default=YearStatus.PROVISIONAL)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.CharField(_("确认人"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度日历")
        verbose_name_plural = _("年度日历")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_status_display()}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日（节假日）")
    WORKDAY = "workday", _("工作日（调休上班）")


class CalendarDay(models.Model):
    """日历调整 (P-25): one date made a rest day or a working day, for everyone (company empty) or
    for one company. A company row beats a global row, which beats the package."""

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("如 国庆节、台风停工、春节调休"))
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_days",
                                verbose_name=_("公司（留空=全国）"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "date"], name="workdays_day_company_unique"),
            models.UniqueConstraint(fields=["date"], condition=Q(company=None), name="workdays_day_global_unique"),
        ]
        indexes = [models.Index(fields=["date"], name="workdays_day_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class RuleSet(models.Model):
    """规则集: a named set of limit rows answering one concern (P-01 A/B/C, P-14 A/B/C …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    concern = models.CharField(_("适用范围"), max_length=20, choices=list(pol.CONCERNS.items()))
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("出处"), max_length=200, blank=True)
    is_default = models.BooleanField(_("系统默认"), default=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True, related_name="rule_sets",
                                verbose_name=_("公司（留空=系统提供）"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("时限规则集")
        verbose_name_plural = _("时限规则集")
        ordering = ["concern", "-is_default", "code"]
        constraints = [models.UniqueConstraint(fields=["concern"], condition=Q(is_default=True),
                                               name="workdays_ruleset_one_default")]

    def __str__(self) -> str:
        return f"{self.get_concern_display()} · {self.name}"


def _choices(tc: type[models.TextChoices]) -> list[tuple[str, Any]]:
    return [("", _("（任意）")), *tc.choices]


class LimitPolicy(models.Model):
    """时限规则行: for tickets matching the keys (empty = any), the stage's limit is ``clock`` ×
    ``amount``. The most specific matching row of the chosen rule sets wins."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rows", verbose_name=_("规则集"))
    stage = models.CharField(_("环节"), max_length=20, choices=list(pol.STAGES.items()))
    kind = models.CharField(_("诉求类型"), max_length=20, blank=True, choices=_choices(Kind))
    channel = models.CharField(_("投诉方式"), max_length=30, blank=True, choices=_choices(Channel))
    reply_class = models.CharField(_("回复类别"), max_length=20, blank=True, choices=_choices(ReplyClass))
    urgency = models.CharField(_("紧急程度"), max_length=10, blank=True, choices=_choices(Urgency))
    category = models.CharField(_("类别代码"), max_length=50, blank=True, help_text=_("如 repair_lighting"))
    clock = models.CharField(_("计时方式"), max_length=20, choices=list(pol.CLOCKS.items()))
    amount = models.DecimalField(_("数量"), max_digits=8, decimal_places=2, default=Decimal(0))
    rule = models.CharField(_("规则说明"), max_length=200, help_text=_("如规则A 书面 2个工作日"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["rule_set", "stage", "kind", "category", "channel", "reply_class", "urgency"]

    def __str__(self) -> str:
        return self.rule or f"{self.stage} {pol.describe(self.clock, self.amount)}"

    def clean(self) -> None:
        if self.amount < 0:
            raise ValidationError({"amount": _("数量不能为负")})
        if self.clock == pol.WORKING_DAYS and self.amount != self.amount.to_integral_value() and self.amount > 1:
            raise ValidationError({"amount": _("工作日数只能是整数或小于1的分数（如 0.5 = 半个工作日）")})
        if self.clock in (pol.CALENDAR_DAYS,) and self.amount != self.amount.to_integral_value():
            raise ValidationError({"amount": _("自然日数须为整数")})

    def as_row(self) -> pol.Row:
        return pol.Row(stage=self.stage, clock=self.clock, amount=self.amount, rule=self.rule, kind=self.kind,
                       channel=self.channel, reply_class=self.reply_class, urgency=self.urgency,
                       category=self.category)

    @property
    def scope_text(self) -> str:
        """The non-empty keys in words, e.g. "报修 · 紧急 · repair_water"."""
        parts = [self.get_kind_display() if self.kind else "", self.get_channel_display() if self.channel else "",
                 self.get_reply_class_display() if self.reply_class else "",
                 self.get_urgency_display() if self.urgency else "",
                 pol.REPAIR_CLASSES.get(self.category, self.category)]
        return " · ".join(str(p) for p in parts if p) or str(_("全部"))

    @property
    def limit_text(self) -> str:
        return pol.describe_display(self.clock, self.amount)


class RuleSetChoice(models.Model):
    """Which rule set a company (project empty) or one project uses for a concern."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="rule_set_choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="rule_set_choices", verbose_name=_("项目（留空=全公司）"))
    concern = models.CharField(_("适用范围"), max_length=20, choices=list(pol.CONCERNS.items()))
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="choices", verbose_name=_("规则集"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规则集选择")
        verbose_name_plural = _("规则集选择")
        constraints = [
            models.UniqueConstraint(fields=["company", "project", "concern"], name="workdays_choice_unique"),
            models.UniqueConstraint(fields=["company", "concern"], condition=Q(project=None),
                                    name="workdays_choice_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · {self.get_concern_display()} → {self.rule_set.name}"

    def clean(self) -> None:
        if self.rule_set_id and self.rule_set.concern != self.concern:
            raise ValidationError({"rule_set": _("规则集的适用范围与所选范围不一致")})
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})
        if self.rule_set_id and self.rule_set.company_id and self.rule_set.company_id != self.company_id:
            raise ValidationError({"rule_set": _("不能选用其他公司的规则集")})


class DeadlineSettings(models.Model):
    """时限口径 (P-02, P-03, P-26, P-27, P-28, P-31) per company; a row with a project overrides."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="deadline_settings")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="deadline_settings", verbose_name=_("项目（留空=全公司）"))
    same_day_mode = models.CharField(_("非工作时间的“当日内”"), max_length=20,
                                     choices=list(pol.SAME_DAY_MODES.items()), default=wc.LITERAL)
    response_on = models.BooleanField(_("1个工作日内处理回应"), default=True)
    start_day_counts = models.BooleanField(_("受理当日（工作日）计入工作日数"), default=False)
    end_of = models.CharField(_("工作日时限的截止时刻"), max_length=20, choices=list(pol.END_OF_CHOICES.items()),
                              default=wc.MIDNIGHT)
    roll_rest_days = models.BooleanField(_("自然日/日期时限遇休息日顺延至下一工作日"), default=False)
    soft_target_hours = models.DecimalField(_("“立即/及时”软目标（小时，留空=无）"), max_digits=6,
                                            decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时限口径")
        verbose_name_plural = _("时限口径")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="workdays_settings_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="workdays_settings_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · 时限口径"

    def clean(self) -> None:
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})
        if self.soft_target_hours is not None and self.soft_target_hours <= 0:
            raise ValidationError({"soft_target_hours": _("软目标须大于0，或留空")})

    def as_settings(self) -> pol.Settings:
        return pol.Settings(same_day_mode=self.same_day_mode, response_on=self.response_on,
                            start_day_counts=self.start_day_counts, end_of=self.end_of,
                            roll_rest_days=self.roll_rest_days, soft_target_hours=self.soft_target_hours)



def _class_field(channel: Channel) -> models.CharField:
    return models.CharField(channel.label, max_length=10, choices=ReplyClass.choices,
                            default=DEFAULT_REPLY_CLASS[channel])


class ReplyPolicy(models.Model):
    """答复口径 per company; a row with a project overrides it (SPEC Appendix A).

    - one field per intake method (:class:`Channel`, the field's name is the channel's code): the reply
      class it maps to (R-M1-04, POLICY P-22; defaults :data:`DEFAULT_REPLY_CLASS`). The class picks the
      reply limits and the reviews; a ticket keeps the class it was received with.
    - ``written_reviewers`` (R-M2-08, POLICY P-09): who reviews the answer to a written complaint before
      it is sent (:data:`WRITTEN_REVIEWERS`; default 品质管理部 + 办公室).
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reply_policies")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reply_policies", verbose_name=_("项目（留空=全公司）"))
    phone = _class_field(Channel.PHONE)
    visit = _class_field(Channel.VISIT)
    field_visit = _class_field(Channel.FIELD_VISIT)
    letter = _class_field(Channel.LETTER)
    suggestion_box = _class_field(Channel.SUGGESTION_BOX)
    fax = _class_field(Channel.FAX)
    owners_committee = _class_field(Channel.OWNERS_COMMITTEE)
    developer_transfer = _class_field(Channel.DEVELOPER_TRANSFER)
    group_transfer = _class_field(Channel.GROUP_TRANSFER)
    government_petition = _class_field(Channel.GOVERNMENT_PETITION)
    email = _class_field(Channel.EMAIL)
    online = _class_field(Channel.ONLINE)
    written_reviewers = models.CharField(
        _("书面答复的审核部门"), max_length=20, default=DEFAULT_WRITTEN_REVIEWERS,
        choices=[("quality_office", _("品质管理部和办公室（总经理办公室）审核")), ("quality", _("仅品质管理部审核"))])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("答复口径")
        verbose_name_plural = _("答复口径")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="workdays_reply_policy_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None),
                                    name="workdays_reply_policy_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · 答复口径"

    def clean(self) -> None:
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})

    def reply_classes(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in Channel.values}


class DataVersion(models.Model):
    """One row, bumped on every change to the tables above, so cached calendars and policies of
    every process notice changes with a single primary-key read."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("日历数据版本")
        verbose_name_plural = _("日历数据版本")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.version}"

    @classmethod
    def current(cls) -> int:
        """The current token — plain SQL, because it is read on every deadline computation (the ORM
        query builder alone cost ~1 ms)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {cls._meta.db_table} WHERE id = 1")  # noqa: S608 (constant)
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def bump(cls) -> None:
        """A fresh random token, not ``+1``: after a rolled-back transaction the number must not be
        reused for different data (a process may have cached what it saw inside that transaction)."""
        token = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(version=token):
            cls.objects.get_or_create(pk=1, defaults={"version": token})


class WorkingDayIndex(models.Model):
    """A materialised working-day calendar for working time in SQL (T-03; formerly
    ``reports.WorkCalendarDay``, rows copied by migration 0007).

    One series per company (each company has its own override rows, P-25). ``code`` = 2 × (working
    days since 2000-01-01 before ``day``) + (1 if ``day`` is a working day): a timestamp becomes
    "working minutes since the anchor" with one indexed lookup (:mod:`apps.workdays.workhours`).
    Rows are derived data, (re)filled by :func:`apps.workdays.actions.ensure_working_day_index`; a
    sentinel row on 1999-12-31 holds the :class:`DataVersion` it was built from, so an edited
    calendar rebuilds it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    day = models.DateField()
    code = models.BigIntegerField()

    class Meta:
        verbose_name = _("统计用工作日历")
        verbose_name_plural = _("统计用工作日历")
        constraints = [models.UniqueConstraint(fields=["company", "day"], name="workdays_index_company_day")]

    def __str__(self) -> str:
        return f"{self.company_id or '-'} {self.day} {self.code}"
