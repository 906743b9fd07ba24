"""Celery tasks of the escalation app (beat entry ``every-minute-run-escalation-sweeps``)."""
from __future__ import annotations

from celery import shared_task

from apps.escalation.sweep import run_sweep
from linli import clock


@shared_task(name="apps.escalation.tasks.run_sweeps", ignore_result=True)
def run_sweeps() -> str:
    """One sweep pass at the clock's now (idempotent; safe when two beats overlap)."""
    return str(run_sweep(clock.now()))
