"""SPEC rules of issue 5 that had no test naming them: R-M3-11, R-M3-15, R-M17-11."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import queries, sweep
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # Monday


def _only_deadline(ticket, *, start, hours):
    from apps.tickets.models import Deadline

    Deadline.objects.filter(ticket=ticket).delete()
    due = start + dt.timedelta(hours=hours)
    return Deadline.objects.create(ticket=ticket, stage="reply", start_at=start, due_at=due,
                                   warn_at=start + (due - start) * 0.75, rule="R-M2-05 测试时限", created_at=start)


def test_r_m3_11_quality_department_is_told_of_hot_and_major_complaints(cast, complaint, outbox) -> None:
    """R-M3-11: 品质管理部 (company level) handles and tracks escalated complaints — it is among the
    recipients of every hot/major escalation, next to the project's 客服主管/经理 and 管理处经理."""
    with_quality = {u.username for u in queries.escalation_recipients(cast.project)}
    assert cast.quality_inspector.username in with_quality
    assert {cast.supervisor.username, cast.cs_manager.username, cast.project_manager.username} <= with_quality
    without = {u.username for u in queries.escalation_recipients(cast.project, company_quality=False)}
    assert cast.quality_inspector.username not in without
    assert cast.outsider.username not in with_quality  # another project's staff are not told

    complaint("业主称要去法院起诉物业", T0, litigation=True)  # major (R-M3-03a) at intake
    assert outbox.kinds() == ["escalation_major"]
    assert cast.quality_inspector.username in outbox.calls[0]["recipients"]


def test_r_m17_11_deadline_sweep_reminds_before_and_tells_supervisor_after(cast, complaint, outbox) -> None:
    """R-M17-11: a reminder before the stored due timestamp (at the configured warn point) to the
    person holding the ticket, and a notice to their supervisor once it has passed — each once."""
    t = complaint("楼道灯坏了一周", T0)
    d = _only_deadline(t, start=T0, hours=8)
    sweep.run_sweep(T0 + dt.timedelta(hours=5))
    assert [k for k in outbox.kinds() if k.startswith("deadline")] == []
    sweep.run_sweep(T0 + dt.timedelta(hours=6))  # 75% of 8 h
    warnings = [c for c in outbox.calls if c["kind"] == "deadline_warning"]
    assert len(warnings) == 1 and cast.front_desk.username in warnings[0]["recipients"]
    assert t.number in warnings[0]["subject"]
    sweep.run_sweep(T0 + dt.timedelta(hours=8, minutes=1))
    sweep.run_sweep(T0 + dt.timedelta(hours=9))  # once only
    breaches = [c for c in outbox.calls if c["kind"] == "deadline_breach"]
    assert len(breaches) == 1 and breaches[0]["dedupe_key"] == f"deadline-breach:{d.pk}"
    assert cast.supervisor.username in breaches[0]["recipients"]


def test_r_m3_15_company_analysis_has_a_hot_and_major_complaint_section(cast, complaint, outbox) -> None:
    """R-M3-15: 品质管理部's periodic analysis (R-M5-03) carries the risk of hot and major
    complaints: a table by project of hot/major complaints and the typical cases, major first."""
    from apps.reports import generators, schedule

    complaint("业主称要去法院起诉物业", T0, litigation=True)  # major
    complaint("3户业主联名投诉电梯噪音", T0, collective=True, people_count=3)  # hot
    complaint("垃圾清运不及时", T0)  # ordinary
    period = schedule.quarter_period(2026, 4)
    out = generators.generate(schedule.company_duty(schedule.Cadence.QUARTERLY), period, project=None,
                              company=cast.company, now=dt.datetime(2026, 12, 31, 12, 0, tzinfo=SHANGHAI))
    table = next(tb for tb in out.figures["tables"] if tb["kpi"] == "hot_major")
    assert sum(r["count"] for r in table["rows"]) == 2
    assert [c["level"] for c in out.figures["cases"]][:2] == ["重大", "热点"]
    assert "热点投诉 1 件，重大投诉 1 件" in out.sections["summary"]
