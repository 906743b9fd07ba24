"""Durable jobs: the reactions one module's write causes in another (docs/architecture.md, "Reactions").

A lower module never imports a higher one, so when its write must cause work up there (a new complaint
to evaluate for hot/major, a repair ticket that needs its work order, an NCR to withdraw when its ticket
is voided) it *publishes an event*; every higher module that *reacts* to that event registered a named
job for it at start-up (``AppConfig.ready``)::

    # apps/escalation/jobs.py
    @jobs.handler("escalation.evaluate_complaint")
    def evaluate_complaint(*, ticket_id: int, now: str, **_: object) -> None: ...

    # apps/escalation/apps.py, in ready()
    jobs.react("tickets.received", "escalation.evaluate_complaint", when=lambda p: p["kind"] == "complaint")

    # apps/tickets/actions, inside the intake's transaction
    jobs.publish("tickets.received", ticket_id=ticket.pk, kind=ticket.kind, now=now.isoformat())

``publish`` writes one :class:`~apps.core.models.Job` row per reaction *in the caller's transaction*:
the job exists exactly when the write committed. After the commit it runs — inline in the embedded
default (``LINLI_JOBS_INLINE``), as the Celery task ``core.run_job`` in production — in its own
savepoint. A job that raises keeps its row: the error and the attempt are recorded, it is retried with
exponential back-off by ``manage.py run_jobs`` (every minute in the beat schedule) and, after
``max_attempts``, stays ``failed`` for an administrator to see and retry (admin → 后台任务). Nothing is
swallowed and nothing is lost.
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from apps.core.models import Job, JobState
from linli import clock

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
Payload = Mapping[str, Any]

#: The Celery task that runs one job in production (apps/core/tasks.py).
RUN_JOB_TASK = "core.run_job"

#: Back-off between attempts: 30 s, 1 min, 2 min … capped at 6 hours.
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Reaction:
    job: str
    when: Callable[[Payload], bool] | None = None


_handlers: dict[str, Callable[..., Any]] = {}
_reactions: dict[str, list[Reaction]] = defaultdict(list)


def handler(name: str) -> Callable[[F], F]:
    """Register the function that runs the job ``name`` (payload as keyword arguments)."""

    def register(fn: F) -> F:
        if name in _handlers and _handlers[name] is not fn:
            raise ValueError(f"job {name!r} has two handlers: {_handlers[name]!r} and {fn!r}")
        _handlers[name] = fn
        return fn

    return register


def react(event: str, job: str, *, when: Callable[[Payload], bool] | None = None) -> None:
    """When ``event`` is published (and ``when(payload)`` holds), enqueue the job ``job``."""
    if any(r.job == job for r in _reactions[event]):
        return  # ready() may run twice in tests; registering is idempotent
    _reactions[event].append(Reaction(job=job, when=when))


def reactions(event: str) -> list[Reaction]:
    return list(_reactions.get(event, ()))


def registered(name: str) -> bool:
    return name in _handlers


def publish(event: str, *, key: str | None = None, **payload: Any) -> list[Job]:
    """Enqueue, in the current transaction, one job for every reaction to ``event``."""
    enqueued = []
    for reaction in reactions(event):
        if reaction.when is not None and not reaction.when(payload):
            continue
        job_key = f"{key}:{reaction.job}" if key else None
        enqueued.append(enqueue(reaction.job, key=job_key, event=event, **payload))
    return enqueued


def enqueue(name: str, *, key: str | None = None, event: str = "", max_attempts: int = 8, **payload: Any) -> Job:
    """Write the job row now (in the caller's transaction) and run it after the commit.

    With ``key``, a job already enqueued under that key is returned instead of a second one."""
    if name not in _handlers:
        raise LookupError(f"no handler registered for job {name!r}")
    now = clock.now()
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(name=name, event=event, payload=payload, key=key, run_after=now,
                                     created_at=now, max_attempts=max_attempts)
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)  # a concurrent enqueue under the same key won
    job_id = job.pk
    transaction.on_commit(lambda: _dispatch(job_id))
    return job


def _dispatch(job_id: int) -> None:
    if getattr(settings, "LINLI_JOBS_INLINE", True):
        run(job_id)
    else:
        current_app.send_task(RUN_JOB_TASK, args=[job_id])


def backoff(attempts: int) -> dt.timedelta:
    delay = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def run(job_id: int, *, now: dt.datetime | None = None) -> Job | None:
    """Run one pending job in its own savepoint; record success or the failure on its row.

    Returns the job, or ``None`` when it is not pending (done, failed, or being run by another worker)."""
    moment = now or clock.now()
    with transaction.atomic():
        rows = Job.objects.filter(pk=job_id, state=JobState.PENDING)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        job = rows.first()
        if job is None:
            return None
        job.attempts += 1
        fn = _handlers.get(job.name)
        try:
            if fn is None:
                raise LookupError(f"no handler registered for job {job.name!r}")
            with transaction.atomic():
                fn(**job.payload)
        except Exception as exc:  # recorded on the row and retried, never swallowed
            job.last_error = "".join(traceback.format_exception(exc))[-4000:]
            if job.attempts >= job.max_attempts:
                job.state = JobState.FAILED
                job.finished_at = moment
            else:
                job.run_after = moment + backoff(job.attempts)
            log.error("job %s #%s failed (attempt %s of %s): %r", job.name, job.pk, job.attempts,
                      job.max_attempts, exc, exc_info=exc)
        else:
            job.state = JobState.DONE
            job.finished_at = moment
            job.last_error = ""
        job.save(update_fields=["attempts", "state", "finished_at", "run_after", "last_error"])
    return job


def run_pending(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Run the pending jobs that are due (oldest first); returns how many ran."""
    moment = now or clock.now()
    ids = list(Job.objects.filter(state=JobState.PENDING, run_after__lte=moment)
               .order_by("run_after", "id").values_list("pk", flat=True)[:limit])
    ran = 0
    for job_id in ids:
        if run(job_id, now=moment) is not None:
            ran += 1
    return ran


def retry(job: Job, *, now: dt.datetime | None = None) -> Job:
    """An administrator's retry of a failed (or waiting) job: due now, with a fresh set of attempts."""
    moment = now or clock.now()
    job.state = JobState.PENDING
    job.run_after = moment
    job.finished_at = None
    if job.attempts >= job.max_attempts:
        job.max_attempts = job.attempts + 1
    job.save(update_fields=["state", "run_after", "finished_at", "max_attempts"])
    job_id = job.pk
    transaction.on_commit(lambda: _dispatch(job_id))
    return job
