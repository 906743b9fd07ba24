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
    filed_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="filed_visits",
                                         verbose_name=_("归档部门"), help_text=_("R-M6-06：项目客服部"))
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
        indexes = [models.Index(fields=["project", "visited_on"], name="visits_visit_project_day")]

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
