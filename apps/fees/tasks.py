"""Celery task of the fees app (its beat entry is in linli/settings.py, the one schedule)."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from apps.fees import actions
from linli import clock


@shared_task(name="apps.fees.tasks.send_reminders")
def send_reminders() -> dict[str, int]:
    """Hourly: the monthly and arrears reminders that are due (R-M16-12) — the same pass as
    ``manage.py fees_reminders [--now …]``; each reminder is sent once."""
    with transaction.atomic():
        result = actions.send_reminders(now=clock.now())
    return {"monthly": result.monthly, "arrears": result.arrears, "no_phone": result.no_phone}
