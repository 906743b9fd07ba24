"""Audit pre-checks the reports app answers (R-M13-04, apps.core.prechecks): the month-end complaint
summary by the 28th (R-M5-04, standard item B6.1) and the 《管理服务报告》 on the intranet by the 18th
(R-M5-08, item B2.4). Pure reads of the project's Report rows whose due date falls in the audited period."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core import prechecks
from apps.reports.models import Report, ReportStatus
from linli import clock


def _on_time(project: Any, start: dt.date, end: dt.date, duty_code: str, what: str, *, published: bool) -> prechecks.Finding:
    reports = [r for r in Report.objects.filter(project=project, duty_code=duty_code).exclude(
        status=ReportStatus.SUPERSEDED).order_by("due_at")
        if start <= clock.local(r.due_at, project.tz).date() <= end]
    if not reports:
        return prechecks.Finding(prechecks.Verdict.UNKNOWN, f"检查期间内没有应交的{what}记录")
    late: list[Report] = []
    for r in reports:
        done_at = (r.published_at or r.submitted_at) if published else r.submitted_at
        if r.status == ReportStatus.DRAFT or done_at is None or done_at > r.due_at:
            late.append(r)
    evidence = tuple(prechecks.Evidence(label=f"{r.title}（应于 {clock.local(r.due_at, project.tz):%Y-%m-%d} 前）",
                                        url=reverse("reports:detail", args=[r.pk])) for r in (late or reports)[:5])
    if late:
        return prechecks.Finding(prechecks.Verdict.NONCONFORM,
                                 f"{what}{len(reports)}份中{len(late)}份未按时完成", evidence)
    return prechecks.Finding(prechecks.Verdict.CONFORM, f"{what}{len(reports)}份均按时完成", evidence)


def monthly_summary_on_time(project: Any, start: dt.date, end: dt.date) -> prechecks.Finding:
    return _on_time(project, start, end, "monthly_summary", "月底投诉汇总表", published=False)


def service_report_on_intranet(project: Any, start: dt.date, end: dt.date) -> prechecks.Finding:
    return _on_time(project, start, end, "service_report_intranet", "管理服务报告（内网公布）", published=True)


def register() -> None:
    prechecks.register("reports.monthly_summary_on_time", label=_("月底投诉汇总表按时（每月28日前）"),
                       check=monthly_summary_on_time)
    prechecks.register("reports.service_report_on_intranet", label=_("管理服务报告按时挂内网（季度首月18日前）"),
                       check=service_report_on_intranet)
