"""Celery tasks of the ticket pipeline (scheduled in the one beat schedule, linli/settings.py)."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from apps.tickets import sweeps
from linli import clock


@shared_task(name="apps.tickets.tasks.tickets_sweep")
def tickets_sweep() -> dict[str, int]:
    """Every 15 minutes: one pass of :func:`apps.tickets.sweeps.run` — the same pass as
    ``manage.py tickets_sweep [--now …]`` (记录表投诉 flags R-M2-17, 日盘点 reminders R-M1-11, 意见箱
    checks R-M1-12, 告知业主进展 reminders R-M2-03). Every step is idempotent."""
    with transaction.atomic():
        result = sweeps.run(clock.now())
    return {"record_forms": result.record_forms, "reminders": result.reminders,
            "owner_update_reminders": result.owner_update_reminders,
            "missing_box_days": sum(len(days) for days in result.missing_box_days.values())}
