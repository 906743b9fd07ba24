"""Celery tasks of the API: the purge of expired idempotency keys (issue 14 item 6)."""
from __future__ import annotations

from celery import shared_task

from apps.api import idempotency
from linli import clock


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Hourly: delete ``Idempotency-Key`` / ``submission_key`` rows past ``LINLI_IDEMPOTENCY_TTL_HOURS``."""
    return idempotency.purge_expired(now=clock.now())
