"""Celery task of the notify app: send what is due (idempotent; two overlapping beats are safe)."""
from __future__ import annotations

from celery import shared_task

from apps.notify.actions import deliver_due
from apps.notify.mail import notify_stewards_due
from apps.notify.reminders import queue_all
from linli import clock


@shared_task(name="apps.notify.tasks.deliver_due", ignore_result=True)
def deliver_due_task() -> str:
    return str(deliver_due(clock.now()))


@shared_task(name="apps.notify.tasks.queue_reminders", ignore_result=True)
def queue_reminders_task() -> str:
    """R-M17-04/05: queue the owner messages whose day has come; R-M17-09: the stewards' daily mail
    notice once its set time has passed (both idempotent)."""

    now = clock.now()
    return f"{queue_all(now)} mail_notified={notify_stewards_due(now)}"
