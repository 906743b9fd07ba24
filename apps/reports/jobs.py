"""Durable jobs of the reports app (``apps.core.jobs``), subscribed by :func:`react_to_escalation`, which
:meth:`apps.reports.apps.ReportsConfig.ready` calls:

- ``escalation.closeout_report_sent`` (a hot complaint's 专题案例报告 or a major one's 专题报告 was sent)
  → ``reports.case_from_closeout_report``: the report becomes the ticket's anonymised case in the
  company's case library (R-M3-07, R-M6-01).
"""
from __future__ import annotations

from typing import Any

from apps.core import jobs
from apps.escalation.models import EscalationReport
from apps.reports import actions
from linli import clock


@jobs.handler("reports.case_from_closeout_report")
def case_from_closeout_report(*, report_id: int, now: str, **_: Any) -> None:
    report = EscalationReport.objects.filter(pk=report_id).select_related("sent_by").first()
    if report is None:
        return
    actions.case_from_closeout_report(report, now=clock.parse_moment(now))


def react_to_escalation() -> None:
    jobs.react("escalation.closeout_report_sent", "reports.case_from_closeout_report")
