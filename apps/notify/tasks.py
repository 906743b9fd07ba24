"""Celery task of the notify app: send what is due (idempotent; two overlapping beats are safe)."""
from __future__ import annotations

from celery import shared_task

from apps.notify.services import deliver_due
from linli import clock


@shared_task(name="apps.notify.tasks.deliver_due", ignore_result=True)
def deliver_due_task() -> str:
    return str(deliver_due(clock.now()))


@shared_task(name="apps.notify.tasks.queue_reminders", ignore_result=True)
def queue_reminders_task() -> str:
    """R-M17-05: queue the owner reminders whose day has come (idempotent)."""
    from apps.notify.reminders import queue_warranty_reminders

    return str(queue_warranty_reminders(clock.now()))
