"""Durable jobs (apps.core.jobs): a reaction is written with the write that causes it, runs after the
commit, and a failure is recorded and retried — never swallowed, never lost (issue 13 item 3)."""
from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from apps.core import jobs
from apps.core.models import Job, JobState
from linli import clock

CALLS: list[dict[str, Any]] = []
FAILURES = {"left": 0}


@jobs.handler("test.record")
def _record(**payload: Any) -> None:
    CALLS.append(payload)


@jobs.handler("test.flaky")
def _flaky(**payload: Any) -> None:
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        Job.objects.create(name="test.side_effect", run_after=clock.now(), created_at=clock.now())  # rolled back
        raise RuntimeError("gateway down")
    CALLS.append(payload)


jobs.react("test.happened", "test.record", when=lambda p: p.get("kind") == "complaint")
jobs.react("test.happened", "test.flaky")


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    FAILURES["left"] = 0


pytestmark = pytest.mark.django_db


def test_publish_enqueues_one_job_per_matching_reaction_and_runs_them_after_commit(
        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = jobs.publish("test.happened", ticket_id=7, kind="complaint")
        assert {j.name for j in enqueued} == {"test.record", "test.flaky"}
        assert CALLS == []  # nothing runs before the commit
    assert CALLS == [{"ticket_id": 7, "kind": "complaint"}] * 2
    assert set(Job.objects.values_list("state", flat=True)) == {JobState.DONE}


def test_when_filters_the_reactions(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = jobs.publish("test.happened", ticket_id=8, kind="repair")
    assert [j.name for j in enqueued] == ["test.flaky"]


def test_a_rolled_back_write_leaves_no_job(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError):
        with transaction.atomic():
            jobs.publish("test.happened", ticket_id=9, kind="complaint")
            raise ValueError("the write failed")
    assert not Job.objects.exists()
    assert CALLS == []


def test_a_failing_job_is_recorded_and_retried_with_backoff(django_capture_on_commit_callbacks: Any) -> None:
    FAILURES["left"] = 1
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(start):
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.enqueue("test.flaky", ticket_id=10)
        job.refresh_from_db()
        assert job.state == JobState.PENDING and job.attempts == 1
        assert "gateway down" in job.last_error
        assert job.run_after == start + jobs.FIRST_RETRY
        assert not Job.objects.filter(name="test.side_effect").exists()  # the job's own writes rolled back
        assert jobs.run_pending(now=start) == 0  # not due yet
    assert jobs.run_pending(now=start + dt.timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and job.last_error == ""
    assert CALLS == [{"ticket_id": 10}]


def test_a_job_that_keeps_failing_stops_as_failed_and_an_administrator_can_retry_it(
        django_capture_on_commit_callbacks: Any) -> None:
    FAILURES["left"] = 10
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.enqueue("test.flaky", max_attempts=3, ticket_id=11)
    for _ in range(3):
        jobs.run(job.pk, now=moment)
        moment += dt.timedelta(hours=7)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 3
    assert jobs.run(job.pk, now=moment) is None  # a failed job is not run again by the sweep
    FAILURES["left"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry(job, now=moment)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert CALLS == [{"ticket_id": 11}]


def test_backoff_doubles_and_is_capped() -> None:
    assert jobs.backoff(1) == dt.timedelta(seconds=30)
    assert jobs.backoff(2) == dt.timedelta(minutes=1)
    assert jobs.backoff(30) == jobs.LONGEST_RETRY


def test_a_key_enqueues_once(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = jobs.enqueue("test.record", key="order:1", ticket_id=1)
        second = jobs.enqueue("test.record", key="order:1", ticket_id=1)
    assert first.pk == second.pk
    assert Job.objects.filter(key="order:1").count() == 1


def test_an_unknown_job_is_refused_at_enqueue_time() -> None:
    with pytest.raises(LookupError):
        jobs.enqueue("test.nobody_handles_this")


def test_run_jobs_command_runs_due_retries() -> None:
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(moment):
        job = jobs.enqueue("test.record", ticket_id=12)  # not committed in this test: not run yet
    out = StringIO()
    call_command("run_jobs", "--now", "2026-11-23T10:05:00+08:00", stdout=out)
    assert "ran 1 jobs" in out.getvalue()
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_production_dispatch_sends_the_celery_task(settings: Any, monkeypatch: pytest.MonkeyPatch,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    settings.LINLI_JOBS_INLINE = False
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(jobs.current_app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("test.record", ticket_id=13)
    assert sent == [("core.run_job", [job.pk])]
    assert CALLS == []


def test_admin_lists_failed_jobs_and_retries_them(admin_client: Any, django_capture_on_commit_callbacks: Any) -> None:
    FAILURES["left"] = 1
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.enqueue("test.flaky", max_attempts=1, ticket_id=14)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    page = admin_client.get("/admin/core/job/?state=failed")
    assert page.status_code == 200 and "test.flaky" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/core/job/", {"action": "retry_selected", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.state == JobState.DONE
