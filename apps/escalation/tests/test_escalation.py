"""Escalation events, levels, reports and volumes on real tickets (SPEC M3; issue 5 items 1, 2, 4)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from apps.escalation import actions, queries
from apps.escalation.models import ArchiveVolume, EscalationEvent, EscalationPolicy, EscalationReport, ReportKind
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # Monday


def test_r_m3_03c_collective_of_ten_is_major_with_reports_and_separate_volume(cast, complaint, outbox) -> None:
    t = complaint("12户业主联名投诉地下车库长期积水", T0, collective=True, people_count=12)
    assert actions.evaluate(t, now=T0) == []  # already raised by the intake job (escalation.evaluate_complaint)
    events = list(queries.raise_events(t))
    t.refresh_from_db()
    assert t.escalation_level == "major"
    assert {e.rule_id for e in events} == {"R-M3-03c", "R-M3-02c"}
    reports = {r.kind: r for r in EscalationReport.objects.filter(ticket=t)}
    assert reports[ReportKind.HOT_REPORT].due_at == T0 + dt.timedelta(hours=4)  # R-M3-06
    assert reports[ReportKind.MAJOR_GROUP_REPORT].due_at == T0 + dt.timedelta(hours=4)  # R-M3-08, B #17
    assert reports[ReportKind.MAJOR_QUALITY_REPORT].due_at == dt.datetime(2026, 11, 3, 23, 59, 59, tzinfo=SHANGHAI)  # R-M3-09
    assert reports[ReportKind.HOT_REPORT].warn_at == T0 + dt.timedelta(hours=3)
    assert ArchiveVolume.objects.get(ticket=t).volume_no == f"ZD-{t.number}"  # R-M3-10 单独立卷
    assert outbox.kinds() == ["escalation_major"]
    assert {cast.quality_inspector.username, cast.cs_manager.username, cast.supervisor.username} <= set(outbox.calls[0]["recipients"])


def test_r_m3_04_item_4_reasons_for_explain_level_rule_time_and_report_deadline(cast, complaint, outbox) -> None:
    t = complaint("业主称要去法院起诉", T0, litigation=True)
    actions.evaluate(t, now=T0)
    reasons = queries.reasons_for(t)
    assert [(r["level"], r["rule_id"]) for r in reasons] == [("major", "R-M3-03a")]
    assert reasons[0]["raised_at"] == T0 and reasons[0]["report_due_at"] == T0 + dt.timedelta(hours=4)


def test_r_m3_01_evaluating_twice_raises_once_and_never_lowers(cast, complaint, outbox) -> None:
    t = complaint("业主称将向媒体曝光", T0, media_or_litigation_risk=True)  # raised at intake (the evaluation job)
    assert actions.evaluate(t, now=T0) == []
    assert actions.evaluate(t, now=T0 + dt.timedelta(minutes=5)) == []
    assert EscalationEvent.objects.filter(ticket=t).count() == 1 and len(outbox.calls) == 1
    # the risk flag is cleared: the level stays hot (only a person may downgrade)
    t.media_or_litigation_risk = False
    t.save(update_fields=["media_or_litigation_risk"])
    actions.evaluate(t, now=T0 + dt.timedelta(hours=1))
    t.refresh_from_db()
    assert t.escalation_level == "hot"


def test_r_m3_01_downgrade_needs_cap_and_reason_and_does_not_bounce_back(cast, complaint, outbox) -> None:
    t = complaint("三位业主集体投诉", T0, collective=True, people_count=3)
    actions.evaluate(t, now=T0)
    with pytest.raises(actions.NotAllowed):
        actions.downgrade(t, to_level="none", reason="核实后人数不足", acting_user=cast.front_desk, now=T0)
    with pytest.raises(actions.EscalationError) as err:
        actions.downgrade(t, to_level="none", reason="", acting_user=cast.cs_manager, now=T0)
    assert err.value.fields == {"reason": ["请填写降级原因（至少4个字）"]}
    with pytest.raises(actions.EscalationError):
        actions.downgrade(t, to_level="major", reason="这是升级不是降级", acting_user=cast.cs_manager, now=T0)
    event = actions.downgrade(t, to_level="none", reason="核实后实际只有一户", acting_user=cast.cs_manager, now=T0)
    t.refresh_from_db()
    assert (t.escalation_level, event.previous_level, event.raised_by) == ("none", "hot", cast.cs_manager)
    assert actions.evaluate(t, now=T0 + dt.timedelta(hours=1)) == []  # the same criterion does not re-raise
    t.refresh_from_db()
    assert t.escalation_level == "none"


def test_r_m3_02a_flag_ticket_action_records_facts_and_raises(cast, complaint, outbox) -> None:
    t = complaint("业主情绪激动", T0)
    with pytest.raises(actions.NotAllowed):
        actions.flag_ticket(t, acting_user=cast.worker, now=T0, media_or_litigation_risk=True)
    with pytest.raises(actions.EscalationError):
        actions.flag_ticket(t, acting_user=cast.supervisor, now=T0, our_side=False)  # R-M3-05 needs a reason
    events = actions.flag_ticket(t, acting_user=cast.supervisor, now=T0, media_or_litigation_risk=True)
    assert [e.rule_id for e in events] == ["R-M3-02a"] and events[0].raised_by == cast.supervisor


def test_r_m3_06_hot_report_requires_all_five_parts_and_is_final(cast, complaint, outbox) -> None:
    t = complaint("业主称将向媒体曝光", T0, media_or_litigation_risk=True)
    actions.evaluate(t, now=T0)
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_REPORT)
    with pytest.raises(actions.EscalationError) as err:
        actions.submit_report(report, acting_user=cast.supervisor, now=T0, content="x")
    assert set(err.value.fields) == {"cause_analysis", "current_handling", "difficulties", "help_needed"}
    sent = actions.submit_report(report, acting_user=cast.supervisor, now=T0 + dt.timedelta(hours=2),
                                 content="5栋电梯困人", cause_analysis="维保不到位", current_handling="已抢修",
                                 difficulties="配件需进口", help_needed="协调厂家")
    assert sent.sent_at == T0 + dt.timedelta(hours=2) and sent.recipients == "集团物业管理部"
    with pytest.raises(actions.EscalationError):
        actions.submit_report(sent, acting_user=cast.supervisor, now=T0, content="改")


def test_r_m3_07_r_m3_10_close_out_reports_and_volume(cast, complaint, outbox) -> None:
    t = complaint("业主已起诉", T0, litigation=True)
    actions.evaluate(t, now=T0)
    group = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_GROUP_REPORT)
    actions.submit_report(group, acting_user=cast.quality_inspector, now=T0 + dt.timedelta(hours=1),
                          content="c", cause_analysis="a", current_handling="h")
    # R-M3-08 periodic progress, counted from the major escalation (not from the group report)
    progress = EscalationReport.objects.get(ticket=t, kind=ReportKind.PROGRESS)
    assert progress.due_at == T0 + dt.timedelta(days=7)
    t.closed_at = T0 + dt.timedelta(days=3)
    t.save(update_fields=["closed_at"])
    actions.on_ticket_closed(t, now=t.closed_at)
    assert not EscalationReport.objects.filter(ticket=t, kind=ReportKind.PROGRESS, sent_at=None).exists()
    ok, missing = queries.can_archive(t)
    assert not ok and "专题报告" in missing
    with pytest.raises(actions.EscalationError):
        actions.close_volume(t, acting_user=cast.quality_inspector, now=t.closed_at)
    special = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_SPECIAL_REPORT)
    with pytest.raises(actions.EscalationError) as err:
        actions.submit_report(special, acting_user=cast.quality_inspector, now=t.closed_at, content="c")
    assert "why_worsened" in err.value.fields  # 事态扩大原因 is part of the special report
    fields = dict(content="c", cause_analysis="a", handling_result="r", why_worsened="w", lessons="l",
                  corrective_measures="m")
    actions.submit_report(special, acting_user=cast.quality_inspector, now=t.closed_at, **fields)
    case = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    actions.submit_report(case, acting_user=cast.quality_inspector, now=t.closed_at, **fields)
    volume = actions.close_volume(t, acting_user=cast.quality_inspector, now=t.closed_at)
    assert volume.closed_at == t.closed_at


def test_p_12_thresholds_are_data_with_project_override(cast, complaint, outbox) -> None:
    EscalationPolicy.objects.create(company=cast.company, hot_collective_people=5)
    EscalationPolicy.objects.create(company=cast.company, project=cast.other_project, hot_collective_people=2)
    assert queries.thresholds_for(cast.project).hot_collective_people == 5
    assert queries.thresholds_for(cast.other_project).hot_collective_people == 2
    t = complaint("四人集体投诉", T0, collective=True, people_count=4)
    assert actions.evaluate(t, now=T0) == []


def test_r_m3_02d_time_based_escalation_via_run_sweeps_now(cast, complaint, outbox) -> None:
    """Issue 5 item 8: time-based escalation replayed with ``manage.py run_sweeps --now``."""
    t = complaint("楼上漏水一直没修好", T0)
    call_command("run_sweeps", "--now", "2026-11-09T09:59+08:00")
    t.refresh_from_db()
    assert t.escalation_level == "none"
    call_command("run_sweeps", "--now", "2026-11-09T10:00+08:00")
    t.refresh_from_db()
    assert t.escalation_level == "hot" and queries.reasons_for(t)[0]["rule_id"] == "R-M3-02d"
    call_command("run_sweeps", "--now", "2026-12-02T10:00+08:00")
    t.refresh_from_db()
    assert t.escalation_level == "major"
    assert [r["rule_id"] for r in queries.reasons_for(t)] == ["R-M3-02d", "R-M3-03d"]
    e = EscalationEvent.objects.get(ticket=t, rule_id="R-M3-03d")
    assert e.raised_at == dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # T-08: the moment it was met


def test_r_m3_05_developer_attribution_stops_time_escalation(cast, complaint, outbox) -> None:
    t = complaint("房屋墙体开裂（地产遗留）", T0, our_side=False, developer_matter=True)
    call_command("run_sweeps", "--now", "2026-12-05T10:00+08:00")
    t.refresh_from_db()
    assert t.escalation_level == "none"
