"""Celery task of the cards app (its beat entry is in linli/settings.py, the one schedule)."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from apps.cards import actions
from linli import clock


@shared_task(name="apps.cards.tasks.sweep")
def sweep() -> dict[str, int]:
    """Hourly: card-retrieval tasks for staff transferred or gone (R-M11-05) — the same pass as
    ``manage.py cards_sweep [--now …]``; a card gets its task once."""
    with transaction.atomic():
        return {"retrieval_tasks": actions.open_retrieval_tasks(now=clock.now())}
