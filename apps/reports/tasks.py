"""Celery tasks of the reports app (the beat schedule is in linli/settings.py)."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from apps.org.models import Company
from apps.reports import actions
from linli import clock


@shared_task(name="apps.reports.tasks.generate_reports", ignore_result=True)
def generate_reports_task() -> str:
    """Generate due drafts and send report reminders (idempotent); ``manage.py generate_reports --now``."""
    now = clock.now()
    out = []
    for company in Company.objects.all().order_by("pk"):
        with transaction.atomic():
            r = actions.generate_due(company, now)
        out.append(f"{company.code}: +{len(r.created)} ~{len(r.refreshed)} !{r.reminded}")
    return "; ".join(out)
