"""The owners' notice board (业主公告栏, SPEC R-M17-12).

A :class:`Publication` is what owners see on a project's public board: a snapshot taken when it is
published (title, sections, tables), so the board keeps showing exactly what was posted even if the
source report is reissued or the data change later. It comes from an approved (frozen) report —
the monthly 投诉公布 (R-M5-07) or the quarterly 管理服务报告 owner notice (R-M5-08) — or is a free-form
notice such as the open letter (R-M10-07) with the approval recorded. Withdrawing keeps the row
(who, when, why) and takes it off the board.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.org.models import Company, Project


class PublicationKind(models.TextChoices):
    MONTHLY_BULLETIN = "monthly_bulletin", _("投诉公布")
    SERVICE_REPORT = "service_report_notice", _("管理服务报告")
    OPEN_LETTER = "open_letter", _("公开信")
    NOTICE = "notice", _("公告")


REPORT_KINDS = (PublicationKind.MONTHLY_BULLETIN, PublicationKind.SERVICE_REPORT)
#: report duty → the board's kind. The 管理服务报告 is one report whose 20th milestone is its owner
#: notice (R-M5-08), so the report itself (``service_report``) goes on the board as that notice.
BOARD_KIND: dict[str, str] = {
    "monthly_bulletin": PublicationKind.MONTHLY_BULLETIN,
    "service_report": PublicationKind.SERVICE_REPORT,
    "service_report_notice": PublicationKind.SERVICE_REPORT,
}


class Publication(models.Model):
    """One item on a project's notice board."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="publications",
                                verbose_name=_("项目"))
    kind = models.CharField(_("类别"), max_length=30, choices=PublicationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    period_label = models.CharField(_("期间"), max_length=50, blank=True)
    sections = models.JSONField(_("正文（公布时快照）"), default=list, blank=True,
                                help_text=_('[{"heading": "概述", "text": "…"}]'))
    tables = models.JSONField(_("表格（公布时快照）"), default=list, blank=True,
                              help_text=_('[{"title": "按类别", "columns": […], "rows": [[…]]}]'))
    source_report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="portal_publications", verbose_name=_("来源报告"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审批人（管理者代表）"),
                                    help_text=_("公开信须经管理者代表审批"))
    approved_by_name = models.CharField(_("审批人"), max_length=100, blank=True,
                                        help_text=_("审批人姓名（公布时快照）"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    owners_told = models.ForeignKey("notify.OwnerNotice", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("短信告知"))
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("撤下人"))
    withdraw_reason = models.CharField(_("撤下原因"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公告栏发布")
        verbose_name_plural = _("公告栏发布")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_report"],
                                    condition=Q(source_report__isnull=False, withdrawn_at__isnull=True),
                                    name="portal_report_published_once"),
        ]
        indexes = [models.Index(fields=["project", "-published_at"], condition=Q(withdrawn_at__isnull=True),
                                name="portal_board")]

    def __str__(self) -> str:
        return f"{self.project} · {self.title}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None
