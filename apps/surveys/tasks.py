"""Celery tasks of the surveys app (beat entry ``every-15min-surveys-sweep``)."""
from __future__ import annotations

from celery import shared_task

from apps.surveys import sweep
from linli import clock


@shared_task(name="apps.surveys.tasks.surveys_sweep", ignore_result=True)
def surveys_sweep() -> str:
    """One pass of the survey deadline sweep at the clock's now (idempotent)."""
    return str(sweep.run(clock.now()))
