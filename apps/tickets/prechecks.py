"""Audit pre-check the tickets app answers (R-M13-04, apps.core.prechecks): every complaint received
in the audited period got its handling response within one working day (R-M2-07, standard item B3.3),
read from the 响应处理 deadlines stamped by apps.workdays."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core import prechecks
from apps.tickets.choices import Kind, Stage
from apps.tickets.models import Deadline
from linli import clock


def handling_response_within_1wd(project: Any, start: dt.date, end: dt.date) -> prechecks.Finding:
    tz = project.tz
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    rows = list(Deadline.objects.filter(ticket__project=project, ticket__kind=Kind.COMPLAINT, stage=Stage.RESPOND,
                                        ticket__received_at__gte=lo, ticket__received_at__lt=hi,
                                        cancelled_at__isnull=True).select_related("ticket").order_by("start_at"))
    if not rows:
        return prechecks.Finding(prechecks.Verdict.UNKNOWN, "检查期间内没有需在一个工作日内回应的投诉")
    now = clock.now()
    late = [d for d in rows if d.met_in_time is False
            or (d.met_at is None and d.due_at is not None and d.due_at < min(now, hi))]
    shown = late or rows
    evidence = tuple(prechecks.Evidence(label=f"工单 {d.ticket.number}", url=reverse("tickets:detail", args=[d.ticket_id]))
                     for d in shown[:5])
    if late:
        return prechecks.Finding(prechecks.Verdict.NONCONFORM,
                                 f"{len(rows)}件投诉中{len(late)}件未在一个工作日内回应", evidence)
    return prechecks.Finding(prechecks.Verdict.CONFORM, f"{len(rows)}件投诉均在一个工作日内回应", evidence)


def register() -> None:
    prechecks.register("tickets.handling_response_within_1wd", label=_("投诉一个工作日内处理回应"),
                       check=handling_response_within_1wd)
