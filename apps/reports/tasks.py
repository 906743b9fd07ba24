"""Celery task of the reports app: generate due drafts and send report reminders (idempotent)."""
from __future__ import annotations

from celery import shared_task

from apps.org.models import Company
from apps.reports import services
from linli import clock


@shared_task(name="apps.reports.tasks.generate_reports", ignore_result=True)
def generate_reports_task() -> str:
    now = clock.now()
    out = []
    for company in Company.objects.all().order_by("pk"):
        r = services.generate_due(company, now)
        out.append(f"{company.code}: +{len(r.created)} ~{len(r.refreshed)} !{r.reminded}")
    return "; ".join(out)
