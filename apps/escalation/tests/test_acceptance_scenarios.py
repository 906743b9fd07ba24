"""SPEC §5 acceptance scenarios of the escalation app, with the scenarios' exact data
(AS-13 … AS-17; rules R-M3-01 … R-M3-10). Times are Asia/Shanghai, working hours 09:00–18:00,
policies at their defaults (no EscalationPolicy row: the P-12 defaults apply)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.escalation import actions, queries, rules, sweep
from apps.escalation.models import ArchiveVolume, ClusterMember, EscalationEvent, EscalationReport, ReportKind
from apps.escalation.tests.conftest import make_complaint
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def room(cast: Any, building: str, unit: str, room_no: str) -> Any:
    """A household such as 3-1-501 (building 3, unit 1, room 501)."""
    from apps.estates.models import Building, Household, Unit

    b, _ = Building.objects.get_or_create(project=cast.project, name=f"{building}栋")
    u, _ = Unit.objects.get_or_create(building=b, name=f"{unit}单元")
    return Household.objects.create(project=cast.project, building=b, unit=u, room_no=room_no,
                                    label=Household.make_label(b.name, u.name, room_no))


LIFT_NOISE = ("3栋电梯运行噪音很大，晚上吵得睡不着", "3号楼电梯噪音太大影响休息", "3栋电梯噪声大，夜里很吵")


def _lift_noise_cluster(cast: Any, when: list[dt.datetime], households: list[Any]) -> list[Any]:
    """Three complaints about the lift noise in building 3, received through the tickets domain (the
    ``escalation.evaluate_complaint`` job groups them), then the group confirmed by the 客服主管 at the time
    of the last complaint ("staff link the tickets in one cluster")."""
    tickets = [make_complaint(cast, text, at, household=hh)
               for text, at, hh in zip(LIFT_NOISE, when, households, strict=True)]
    cluster = ClusterMember.objects.get(ticket=tickets[-1]).cluster
    for t in tickets:
        if not ClusterMember.objects.filter(ticket=t).exists():
            actions.add_to_cluster(cluster, t, acting_user=cast.supervisor, now=when[-1])
    actions.confirm_cluster(cluster, acting_user=cast.supervisor, now=when[-1], title="3栋电梯噪音")
    assert set(cluster.members.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}
    for t in tickets:
        t.refresh_from_db()
    return tickets


def _rule_ids(ticket: Any) -> set[str]:
    return set(EscalationEvent.objects.filter(ticket=ticket, kind="raise").values_list("rule_id", flat=True))


# ------------------------------------------------------------------ AS-13 / AS-14 (R-M3-02 b, R-M3-04, P-29)


def test_as_13_three_different_complainants_within_a_month_make_all_three_hot(cast, outbox) -> None:
    """AS-13: A (3-1-501) 2025-11-03 09:00, B (3-2-302) 2025-11-20 14:00, C (3-1-1201) 2025-12-02 09:40
    complain about the lift noise in building 3, linked in one cluster. At 12-02 09:40 the window
    [2025-11-02 09:40, 2025-12-02 09:40] holds 3 distinct complainants: all three tickets become hot;
    the group report (集团物业管理部) is due 2025-12-02 13:40."""
    homes = [room(cast, "3", "1", "501"), room(cast, "3", "2", "302"), room(cast, "3", "1", "1201")]
    c_at = sh(2025, 12, 2, 9, 40)
    a, b, c = _lift_noise_cluster(cast, [sh(2025, 11, 3, 9), sh(2025, 11, 20, 14), c_at], homes)

    assert rules.window_start(c_at) == sh(2025, 11, 2, 9, 40)
    cluster = ClusterMember.objects.get(ticket=c).cluster
    assert cluster.distinct_complainants == 3
    for t in (a, b, c):
        assert t.escalation_level == "hot", t.number
        e = EscalationEvent.objects.get(ticket=t, rule_id="R-M3-02b")
        assert (e.level, e.raised_at, e.report_due_at) == ("hot", c_at, sh(2025, 12, 2, 13, 40))
    report = EscalationReport.objects.get(ticket=c, kind=ReportKind.HOT_REPORT)  # R-M3-06
    assert (report.due_at, report.recipients) == (sh(2025, 12, 2, 13, 40), "集团物业管理部")
    # before C the window held only A and B: two complainants were not enough for R-M3-02 (b)
    assert not EscalationEvent.objects.filter(rule_id="R-M3-02b", raised_at__lt=c_at).exists()
    assert queries.reasons_for(c)[0]["rule_id"] == "R-M3-02b"
    assert "escalation_hot" in outbox.kinds()


def test_as_13_boundary_window_start_is_inclusive(cast, outbox) -> None:
    """AS-13 boundary: C complains at 2025-12-03 09:00 → the window starts 2025-11-03 09:00 (inclusive),
    so A counts and the cluster is still hot."""
    homes = [room(cast, "3", "1", "501"), room(cast, "3", "2", "302"), room(cast, "3", "1", "1201")]
    c_at = sh(2025, 12, 3, 9, 0)
    a, b, c = _lift_noise_cluster(cast, [sh(2025, 11, 3, 9), sh(2025, 11, 20, 14), c_at], homes)
    assert rules.window_start(c_at) == sh(2025, 11, 3, 9, 0) == a.received_at
    assert ClusterMember.objects.get(ticket=c).cluster.distinct_complainants == 3
    for t in (a, b, c):
        assert "R-M3-02b" in _rule_ids(t)
        assert t.escalation_level in ("hot", "major")  # A is also one month old at 12-03 09:00 (R-M3-03d)
    assert c.escalation_level == "hot"
    assert EscalationEvent.objects.get(ticket=c, rule_id="R-M3-02b").report_due_at == sh(2025, 12, 3, 13, 0)


def test_as_14a_complainant_outside_the_window_leaves_the_level_ordinary(cast, outbox) -> None:
    """AS-14 (a): as AS-13 but C complains on 2025-12-04 09:40. The window [2025-11-04 09:40,
    2025-12-04 09:40] holds only B and C: the level stays ordinary (no R-M3-02 b)."""
    homes = [room(cast, "3", "1", "501"), room(cast, "3", "2", "302"), room(cast, "3", "1", "1201")]
    c_at = sh(2025, 12, 4, 9, 40)
    a, b, c = _lift_noise_cluster(cast, [sh(2025, 11, 3, 9), sh(2025, 11, 20, 14), c_at], homes)
    assert rules.window_start(c_at) == sh(2025, 11, 4, 9, 40)
    assert ClusterMember.objects.get(ticket=c).cluster.distinct_complainants == 2
    assert not EscalationEvent.objects.filter(rule_id="R-M3-02b").exists()
    assert c.escalation_level == "none" and _rule_ids(c) == set()
    # A and B are older than one week and unresolved: only the time rule (R-M3-02d/03d) applies to them
    assert _rule_ids(a) <= {"R-M3-02d", "R-M3-03d"} and _rule_ids(b) <= {"R-M3-02d"}


def test_as_14b_one_owner_three_times_is_one_complainant(cast, outbox) -> None:
    """AS-14 (b): owner A complains three times (11-03, 11-20, 12-02): 1 distinct complainant, the
    level stays ordinary (R-M3-04)."""
    home = room(cast, "3", "1", "501")
    last = sh(2025, 12, 2, 9, 40)
    first, second, third = _lift_noise_cluster(cast, [sh(2025, 11, 3, 9), sh(2025, 11, 20, 14), last],
                                               [home, home, home])
    assert ClusterMember.objects.get(ticket=third).cluster.distinct_complainants == 1
    assert not EscalationEvent.objects.filter(rule_id="R-M3-02b").exists()
    assert third.escalation_level == "none" and _rule_ids(third) == set()
    assert _rule_ids(first) <= {"R-M3-02d"} and _rule_ids(second) <= {"R-M3-02d"}  # only the time rule


# ------------------------------------------------------------------ AS-15 (R-M3-02 c, R-M3-03 c, R-M3-06/08/09/10)

JOINT_LETTER_AT = sh(2026, 3, 2, 10, 0)  # Monday


def _reply_due(ticket: Any) -> dt.datetime:
    from apps.tickets.models import Deadline

    due = Deadline.objects.get(ticket=ticket, stage="reply").due_at
    assert due is not None
    return due


@pytest.mark.parametrize(("signatories", "level"), [(2, "none"), (3, "hot"), (9, "hot"), (10, "major")])
def test_as_15_collective_complaint_sizes(cast, outbox, signatories: int, level: str) -> None:
    """AS-15: a joint letter recorded on Mon 2026-03-02 10:00. 2 signatories → ordinary; 3 → hot, group
    report due 2026-03-02 14:00; 9 → hot; 10 → major (and hot): group report due 14:00, report to
    品质管理部 + 分管领导 due 2026-03-03 23:59:59, an archive volume is opened. In every case the written
    reply is due 2026-03-04 23:59:59."""
    t = make_complaint(cast, f"{signatories}户业主联名来信投诉小区大门道闸经常故障", JOINT_LETTER_AT,
                       collective=True, people_count=signatories)
    t.refresh_from_db()
    assert t.escalation_level == level
    assert _reply_due(t) == sh(2026, 3, 4, 23, 59, 59)  # R-M2-05: a written complaint, 2 working days
    reports = {r.kind: r for r in EscalationReport.objects.filter(ticket=t)}
    if level == "none":
        assert reports == {} and _rule_ids(t) == set() and not ArchiveVolume.objects.exists()
        assert outbox.calls == []
        return
    assert reports[ReportKind.HOT_REPORT].due_at == sh(2026, 3, 2, 14, 0)
    assert reports[ReportKind.HOT_REPORT].recipients == "集团物业管理部"
    if level == "hot":
        assert _rule_ids(t) == {"R-M3-02c"} and set(reports) == {ReportKind.HOT_REPORT}
        assert not ArchiveVolume.objects.filter(ticket=t).exists()
        return
    assert _rule_ids(t) == {"R-M3-02c", "R-M3-03c"}
    assert reports[ReportKind.MAJOR_GROUP_REPORT].due_at == sh(2026, 3, 2, 14, 0)
    quality = reports[ReportKind.MAJOR_QUALITY_REPORT]
    assert (quality.due_at, quality.recipients) == (sh(2026, 3, 3, 23, 59, 59), "品质管理部、分管领导")
    volume = ArchiveVolume.objects.get(ticket=t)
    assert (volume.volume_no, volume.opened_at, volume.closed_at) == (f"ZD-{t.number}", JOINT_LETTER_AT, None)


# ------------------------------------------------------------------ AS-16 (R-M3-02 d, R-M3-03 d, R-M3-05)

PHONE_AT = sh(2025, 10, 20, 9, 0)  # Monday


def _phone_complaint(cast: Any) -> Any:
    return make_complaint(cast, "楼上卫生间漏水到我家天花板，一直没人处理", PHONE_AT, channel="phone",
                          agreed_feedback_at=PHONE_AT + dt.timedelta(hours=6))


def _level(ticket: Any) -> str:
    ticket.refresh_from_db()
    return ticket.escalation_level


def test_as_16_unresolved_phone_complaint_becomes_hot_after_a_week_and_major_after_a_month(cast, outbox) -> None:
    """AS-16: a phone complaint recorded on Mon 2025-10-20 09:00, attribution "ours", not resolved.
    At 2025-10-27 09:00 it becomes hot (one week), group report due 2025-10-27 13:00; at 2025-11-20
    09:00 it becomes major (one month), report to 品质管理部 + 分管领导 due 2025-11-21 23:59:59."""
    t = _phone_complaint(cast)
    assert t.our_side is True
    sweep.run_sweep(sh(2025, 10, 27, 8, 59))
    assert _level(t) == "none"
    sweep.run_sweep(sh(2025, 10, 27, 9, 0))
    assert _level(t) == "hot"
    hot = EscalationEvent.objects.get(ticket=t, rule_id="R-M3-02d")
    assert hot.raised_at == sh(2025, 10, 27, 9, 0)
    assert EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_REPORT).due_at == sh(2025, 10, 27, 13, 0)
    sweep.run_sweep(sh(2025, 11, 20, 8, 59))
    assert _level(t) == "hot"
    sweep.run_sweep(sh(2025, 11, 20, 9, 0))
    assert _level(t) == "major"
    major = EscalationEvent.objects.get(ticket=t, rule_id="R-M3-03d")
    assert (major.raised_at, major.previous_level) == (sh(2025, 11, 20, 9, 0), "hot")
    quality = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_QUALITY_REPORT)
    assert (quality.due_at, quality.recipients) == (sh(2025, 11, 21, 23, 59, 59), "品质管理部、分管领导")
    assert EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_GROUP_REPORT).due_at == sh(2025, 11, 20, 13, 0)
    assert ArchiveVolume.objects.filter(ticket=t).exists()


def test_as_16_variant_resolved_on_10_26_never_escalates(cast, outbox) -> None:
    """AS-16 variant: resolved on 2025-10-26 (result replied, the owner agreed — R-M3-05) → it never
    escalates, neither at 10-27 09:00 nor at 11-20 09:00."""
    from apps.tickets.tests.helpers import to_replied

    t = _phone_complaint(cast)
    to_replied(cast, t, sh(2025, 10, 26, 10, 0))
    assert queries.is_resolved(t) == sh(2025, 10, 26, 10, 0)
    for moment in (sh(2025, 10, 27, 9, 0), sh(2025, 11, 20, 9, 0), sh(2025, 12, 20, 9, 0)):
        sweep.run_sweep(moment)
        assert _level(t) == "none"
    assert _rule_ids(t) == set() and not EscalationReport.objects.filter(ticket=t).exists()


def test_as_16_variant_attribution_changed_to_developer_stops_time_escalation(cast, outbox) -> None:
    """AS-16 variant: attribution changed to "developer" on 2025-10-22 → no time-based escalation at
    10-27 or 11-20 (R-M3-05). The change needs a reason."""
    t = _phone_complaint(cast)
    with pytest.raises(actions.EscalationError) as err:
        actions.flag_ticket(t, acting_user=cast.supervisor, now=sh(2025, 10, 22, 10, 0), our_side=False)
    assert err.value.code == "reason_required"
    t.refresh_from_db()
    assert t.our_side is True  # nothing written
    actions.flag_ticket(t, acting_user=cast.supervisor, now=sh(2025, 10, 22, 10, 0), our_side=False,
                        reason="经核实属地产遗留的防水问题")
    t.refresh_from_db()
    assert t.our_side is False
    for moment in (sh(2025, 10, 27, 9, 0), sh(2025, 11, 20, 9, 0)):
        sweep.run_sweep(moment)
        assert _level(t) == "none"
    assert _rule_ids(t) == set()


# ------------------------------------------------------------------ AS-17 (R-M3-03 b, R-M3-08, R-M3-09, R-M3-10)


def test_as_17_media_exposure_makes_major_with_reports_and_a_separate_volume(cast, outbox) -> None:
    """AS-17: a complaint recorded on Tue 2025-09-30 09:00 is reported by a newspaper; staff record the
    media exposure at 2025-09-30 15:00. The level becomes major; the group report is due 2025-09-30
    19:00; the report to 品质管理部 + 分管领导 is due 2025-10-09 23:59:59 (National Day 10-01…10-08
    off). After handling the ticket cannot be archived until the 专题报告 exists; its file is a
    separate volume."""
    from apps.tickets.tests.helpers import to_closed

    t = make_complaint(cast, "业主投诉小区绿地被改成停车位", sh(2025, 9, 30, 9, 0))
    assert _level(t) == "none"
    exposed_at = sh(2025, 9, 30, 15, 0)
    with pytest.raises(actions.NotAllowed):  # a worker may not record escalation facts
        actions.flag_ticket(t, acting_user=cast.worker, now=exposed_at, media_exposed=True)
    assert _level(t) == "none"
    events = actions.flag_ticket(t, acting_user=cast.supervisor, now=exposed_at, media_exposed=True,
                                 reason="晨报9月30日刊登")
    assert [e.rule_id for e in events] == ["R-M3-03b"] and events[0].raised_at == exposed_at
    assert _level(t) == "major"
    reports = {r.kind: r for r in EscalationReport.objects.filter(ticket=t)}
    assert reports[ReportKind.MAJOR_GROUP_REPORT].due_at == sh(2025, 9, 30, 19, 0)  # R-M3-08
    assert reports[ReportKind.HOT_REPORT].due_at == sh(2025, 9, 30, 19, 0)
    assert reports[ReportKind.MAJOR_QUALITY_REPORT].due_at == sh(2025, 10, 9, 23, 59, 59)  # R-M3-09
    volume = ArchiveVolume.objects.get(ticket=t)  # R-M3-10 单独立卷
    assert (volume.volume_no, volume.opened_at) == (f"ZD-{t.number}", exposed_at)

    done_at = sh(2025, 10, 10, 10, 0)
    to_closed(cast, t, done_at)  # the close-out reports become due through the escalation.on_complaint_closed job
    assert t.status == "closed"
    ok, missing = queries.can_archive(t)
    assert not ok and "专题报告" in missing
    with pytest.raises(actions.EscalationError) as err:
        actions.close_volume(t, acting_user=cast.quality_inspector, now=done_at)
    assert err.value.code == "report_missing" and ArchiveVolume.objects.get(ticket=t).closed_at is None
    fields = dict(content="报纸报道绿地改车位", cause_analysis="规划变更未公示", handling_result="恢复绿地",
                  why_worsened="业主诉求未及时回应", lessons="重大变更须先公示", corrective_measures="建立公示制度")
    case = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    actions.submit_report(case, acting_user=cast.quality_inspector, now=done_at, **fields)
    assert not queries.can_archive(t)[0]  # the case report alone is not the 专题报告
    special = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_SPECIAL_REPORT)
    actions.submit_report(special, acting_user=cast.quality_inspector, now=done_at, **fields)
    assert queries.can_archive(t) == (True, "")
    closed = actions.close_volume(t, acting_user=cast.quality_inspector, now=done_at)
    assert (closed.volume_no, closed.closed_at) == (f"ZD-{t.number}", done_at)
