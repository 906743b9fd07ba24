"""Celery task of the visits app (beat entry ``hourly-plans-sweep``)."""
from __future__ import annotations

from celery import shared_task

from apps.visits.agenda import sweep
from linli import clock


@shared_task(name="apps.visits.tasks.plans_sweep", ignore_result=True)
def plans_sweep() -> str:
    """Reminders before and at the due date of planned work (idempotent)."""
    return str(sweep(clock.now()))
