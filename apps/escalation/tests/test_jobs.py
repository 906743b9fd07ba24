"""The reactions of escalation are durable jobs (issue 13 item 3): a failing evaluation is recorded on
its job row and retried, judged at the intake time; re-running it changes nothing (R-M3-02, R-M3-04)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.core import jobs as core_jobs
from apps.core.models import Job, JobState
from apps.escalation import actions, jobs
from apps.escalation.models import ClusterMember, EscalationEvent, EscalationReport, ReportKind
from apps.escalation.tests.conftest import household
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # Monday


def _evaluation_jobs(ticket: Any) -> list[Job]:
    return [j for j in Job.objects.filter(name="escalation.evaluate_complaint") if j.payload["ticket_id"] == ticket.pk]


def test_r_m3_03a_intake_enqueues_the_evaluation_which_runs_after_the_commit(cast, complaint, outbox) -> None:
    t = complaint("业主称要去法院起诉", T0, litigation=True, our_side=True)
    [job] = _evaluation_jobs(t)
    assert job.state == JobState.DONE and dt.datetime.fromisoformat(job.payload["now"]) == T0
    t.refresh_from_db()
    assert t.escalation_level == "major"
    # a suggestion is not a complaint: no job
    s = complaint("建议增加儿童游乐设施", T0, kind="suggestion")
    assert _evaluation_jobs(s) == []


def test_r_m3_03a_a_failing_evaluation_is_recorded_and_the_retry_judges_the_intake_time(
        cast, complaint, outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The complaint is saved; its evaluation fails (e.g. a deadlock) and stays on the job row with
    the error. The retry ten days later evaluates the facts as of the intake: the lawsuit makes it
    major, but the "unresolved for a week" rule (R-M3-02d) is not met at the intake time."""
    real = actions.attach_to_cluster

    def deadlock(ticket: Any, *, now: dt.datetime) -> Any:
        raise RuntimeError("deadlock detected")

    monkeypatch.setattr(actions, "attach_to_cluster", deadlock)
    t = complaint("业主称要去法院起诉", T0, litigation=True, our_side=True)
    [job] = _evaluation_jobs(t)
    assert (job.state, job.attempts) == (JobState.PENDING, 1)
    assert "deadlock detected" in job.last_error
    t.refresh_from_db()
    assert t.escalation_level == "none" and not EscalationEvent.objects.filter(ticket=t).exists()

    monkeypatch.setattr(actions, "attach_to_cluster", real)
    assert core_jobs.run_pending(now=T0 + dt.timedelta(days=10)) == 1
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (JobState.DONE, 2, "")
    t.refresh_from_db()
    assert t.escalation_level == "major"
    events = EscalationEvent.objects.filter(ticket=t)
    assert {e.rule_id for e in events} == {"R-M3-03a"}
    assert all(e.raised_at == T0 for e in events)
    assert EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_REPORT).due_at == T0 + dt.timedelta(hours=4)


def test_r_m3_04_rerunning_the_evaluation_adds_no_member_and_no_event(cast, complaint, outbox) -> None:
    h1, h2, h3 = household(cast, "5栋", "101"), household(cast, "5栋", "202"), household(cast, "5栋", "303")
    a = complaint("5栋楼道灯一直不亮", T0, household=h1)
    b = complaint("五号楼走廊照明坏了好几天", T0 + dt.timedelta(days=3), household=h2)
    c = complaint("5号楼楼梯间的灯坏了晚上很黑", T0 + dt.timedelta(days=6), household=h3)
    cluster = ClusterMember.objects.get(ticket=c).cluster
    members = sorted(cluster.members.values_list("ticket_id", flat=True))
    assert members == sorted([a.pk, b.pk, c.pk])
    actions.confirm_cluster(cluster, acting_user=cast.supervisor, now=T0 + dt.timedelta(days=6, hours=1))
    events = sorted(EscalationEvent.objects.values_list("ticket_id", "rule_id"))
    assert ("R-M3-02b" in {r for _, r in events})
    for t in (a, b, c, a):  # every job again, in any order: a retry after a crash, or a duplicate delivery
        jobs.evaluate_complaint(ticket_id=t.pk, kind="complaint", now=t.received_at.isoformat())
    assert sorted(cluster.members.values_list("ticket_id", flat=True)) == members
    assert ClusterMember.objects.count() == 3
    assert sorted(EscalationEvent.objects.values_list("ticket_id", "rule_id")) == events


def test_r_m3_07_closing_a_hot_complaint_enqueues_the_case_report(cast, complaint, outbox) -> None:
    """The close-out reaction: ``tickets.status_changed`` to closed → ``escalation.on_complaint_closed``
    (run here directly, as the job would); repeating it creates nothing new."""
    t = complaint("业主称将向媒体曝光", T0, media_or_litigation_risk=True)
    t.refresh_from_db()
    assert t.escalation_level == "hot"
    later = (T0 + dt.timedelta(days=2)).isoformat()
    for _ in range(2):
        jobs.on_complaint_closed(ticket_id=t.pk, kind="complaint", old="returned", new="closed", now=later)
    case = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    assert case.created_at == T0 + dt.timedelta(days=2) and case.due_at is None
    # a complaint that never escalated has no close-out report
    plain = complaint("物业费太贵", T0)
    jobs.on_complaint_closed(ticket_id=plain.pk, kind="complaint", old="returned", new="closed", now=later)
    assert not EscalationReport.objects.filter(ticket=plain).exists()


@pytest.mark.postgres
def test_r_m3_04_concurrent_evaluations_of_one_matter_group_once(cast, complaint, outbox, require_postgres) -> None:
    """Six intake jobs of the same matter running at once (threads, separate connections): no
    duplicate member key, no deadlock, one group holding all six (issue 13: 200 concurrent intakes)."""
    import threading

    from django.db import connection

    from apps.escalation.models import ComplaintCluster

    texts = ["5栋楼道灯一直不亮", "五号楼走廊照明坏了好几天", "5号楼楼梯间的灯坏了晚上很黑",
             "5栋楼道的灯不亮了", "五栋走廊灯坏了没人修", "5号楼楼道照明一直不亮"]
    tickets = [complaint(x, T0 + dt.timedelta(hours=i), household=household(cast, "5栋", f"{i + 1}01"))
               for i, x in enumerate(texts)]
    ClusterMember.objects.all().delete()  # as if none of the intake jobs had run yet
    ComplaintCluster.objects.all().delete()
    barrier = threading.Barrier(len(tickets))
    errors: list[BaseException] = []

    def worker(t: Any) -> None:
        try:
            barrier.wait()
            jobs.evaluate_complaint(ticket_id=t.pk, kind="complaint", now=t.received_at.isoformat())
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in tickets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert ClusterMember.objects.count() == len(tickets)
    assert ComplaintCluster.objects.count() == 1
