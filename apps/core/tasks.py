"""Celery tasks of the core: running durable jobs (apps.core.jobs) and the login-attempt purge."""
from __future__ import annotations

from celery import shared_task

from apps.core import jobs, lockout
from linli import clock


@shared_task(name=jobs.RUN_JOB_TASK)
def run_job(job_id: int) -> None:
    """Run one job right after the commit that enqueued it (production)."""
    jobs.run(job_id)


@shared_task(name="core.run_pending_jobs")
def run_pending_jobs() -> int:
    """Every minute: jobs whose retry is due, and any whose first run was missed (a worker restart)."""
    return jobs.run_pending(now=clock.now())


@shared_task(name="core.purge_login_attempts")
def purge_login_attempts(days: int = 180) -> int:
    """Daily: delete login attempts older than the retention period."""
    return lockout.purge_older_than(days, now=clock.now())


@shared_task(name="core.heartbeat")
def heartbeat() -> str:
    """Every minute from beat: the time a worker ran a beat task, read by /healthz."""
    from apps.core import health

    return health.beat_heartbeat(now=clock.now())
