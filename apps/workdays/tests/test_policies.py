"""The policy engine (contract 1) with the seeded SPEC defaults and the alternative rule sets
(P-01, P-03, P-06, P-14, P-15, P-16, P-02, P-26, P-27, P-28, P-31; R-M2-05, R-M2-07, R-M2-11,
R-M2-19, R-M4-04, R-M8-03…R-M8-07, T-13)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from apps.workdays import policies as pol
from apps.workdays import queries
from apps.workdays.models import DeadlineSettings, LimitPolicy, RuleSet, RuleSetChoice

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def eod(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 23, 59, 59)


def due(project: Any, stage: str, start: dt.datetime, *, kind: str = "complaint", channel: str = "",
        urgency: str = "normal", category: str | None = None) -> Any:
    items = {i.stage: i for i in queries.deadlines_for(project, kind=kind, channel=channel, urgency=urgency,
                                                        start=start, stages=[stage], category=category)}
    return items.get(stage)


def choose(cast: Any, code: str, project: Any = None) -> None:
    rs = RuleSet.objects.get(code=code)
    RuleSetChoice.objects.update_or_create(company=cast.company, project=project, concern=rs.concern,
                                           defaults={"rule_set": rs})


def test_seeded_rule_sets_one_default_per_concern() -> None:
    defaults = dict(RuleSet.objects.filter(is_default=True).values_list("concern", "code"))
    assert defaults == {"reply": "reply_a", "online": "online_p06", "general": "general", "arrival": "arrival_a",
                        "completion": "completion_10", "repair_return": "repair_return_48h"}
    assert LimitPolicy.objects.count() == sum(len(s.rows) for s in pol.DEFAULT_RULE_SETS)


# ---------------------------------------------------------------- complaints, rule set A (P-01)
@pytest.mark.parametrize(("channel", "expected", "rule"), [
    ("letter", eod(2025, 10, 10), "规则A 书面 2个工作日"),
    ("fax", eod(2025, 10, 10), "规则A 书面 2个工作日"),
    ("government_petition", eod(2025, 10, 10), "规则A 书面 2个工作日"),
    ("email", eod(2025, 10, 10), "规则A 邮件 2个工作日"),
    ("phone", eod(2025, 9, 30), "规则A 口头 当日内"),
    ("visit", eod(2025, 9, 30), "规则A 口头 当日内"),
    ("owners_committee", eod(2025, 10, 11), "规则B 业委会书面平台 3个工作日"),
    ("online", eod(2025, 9, 30), "网上投诉 当日内/上班后当天内回复处理措施"),
])
def test_r_m2_05_p_01_rule_set_a_reply_by_channel(cast: Any, channel: str, expected: dt.datetime, rule: str) -> None:
    item = due(cast.project, "reply", at(2025, 9, 30, 10), channel=channel)
    assert (item.due_at, item.provisional, item.rule) == (expected, False, rule)
    assert LimitPolicy.objects.get(pk=item.policy_id).rule == rule


def test_r_m2_07_p_03_response_and_t_13_acknowledge(cast: Any) -> None:
    items = {i.stage: i for i in queries.deadlines_for(
        cast.project, kind="complaint", channel="letter", urgency="normal", start=at(2025, 9, 30, 10),
        stages=["acknowledge", "respond", "reply", "arrive", "complete"])}
    assert set(items) == {"acknowledge", "respond", "reply"}  # repair stages are absent for complaints
    assert items["respond"].due_at == eod(2025, 10, 9) and items["respond"].rule.startswith("1个工作日内处理回应")
    assert items["acknowledge"].due_at is None and items["acknowledge"].rule.startswith("立即") and "T-13" not in items["acknowledge"].rule


def test_p_03_off_drops_the_response_stage_but_not_the_online_rule(cast: Any) -> None:
    DeadlineSettings.objects.create(company=cast.company, response_on=False)
    assert due(cast.project, "respond", at(2026, 3, 10, 10), channel="letter") is None
    assert due(cast.project, "respond", at(2026, 3, 10, 10), channel="online").due_at == eod(2026, 3, 11)


def test_r_m2_11_p_06_online_limits(cast: Any) -> None:
    """AS-08 / AS-09."""
    assert due(cast.project, "acknowledge", at(2025, 10, 2, 20, 15), channel="online").due_at == at(2025, 10, 3, 0, 15)
    assert due(cast.project, "reply", at(2025, 10, 2, 20, 15), channel="online").due_at == eod(2025, 10, 9)
    assert due(cast.project, "reply", at(2026, 3, 10, 10), channel="online").due_at == eod(2026, 3, 10)
    assert due(cast.project, "reply", at(2026, 3, 10, 19), channel="online").due_at == eod(2026, 3, 11)


def test_r_m2_19_report_and_r_m4_04_return_visit(cast: Any) -> None:
    assert due(cast.project, "report", at(2025, 9, 30, 10)).due_at == eod(2025, 10, 9)
    rv = due(cast.project, "return_visit", at(2025, 9, 30, 10))
    assert rv.due_at is None and rv.rule.startswith("验证通过后及时回访")


def test_other_kinds(cast: Any) -> None:
    """R-M4-11: suggestions and needs get a return visit without a number (T-13); consultations and
    praise have no limits in SPEC, so no stage is produced."""
    assert due(cast.project, "return_visit", at(2026, 3, 10, 10), kind="suggestion").due_at is None
    assert due(cast.project, "return_visit", at(2026, 3, 10, 10), kind="need").rule.startswith("需求：指定专人回访")
    assert queries.deadlines_for(cast.project, kind="consultation", channel="phone", urgency="normal",
                                  start=at(2026, 3, 10, 10), stages=list(pol.STAGES)) == []
    assert due(cast.project, "reply", at(2026, 3, 10, 10), kind="praise", channel="phone") is None


def test_p_01_rule_set_b_and_c(cast: Any) -> None:
    choose(cast, "reply_b")
    assert due(cast.project, "reply", at(2025, 9, 30, 10), channel="letter").due_at == eod(2025, 10, 11)
    assert due(cast.project, "reply", at(2025, 9, 30, 10), channel="phone").due_at == eod(2025, 9, 30)
    choose(cast, "reply_c")
    for channel in ("letter", "phone", "email", "online"):
        item = due(cast.project, "reply", at(2025, 9, 30, 10), channel=channel)
        assert item.due_at == eod(2025, 10, 13) and "规则C" in item.rule, channel  # 10-09, 10, 11(Sat), 13


def test_p_01_project_choice_overrides_company_choice(cast: Any) -> None:
    choose(cast, "reply_c")
    choose(cast, "reply_a", project=cast.project)
    assert due(cast.project, "reply", at(2025, 9, 30, 10), channel="letter").due_at == eod(2025, 10, 10)
    assert due(cast.other_project, "reply", at(2025, 9, 30, 10), channel="letter").due_at == eod(2025, 10, 13)


def test_p_22_channel_row_changes_the_reply_class(cast: Any) -> None:
    """A company maps fax to the oral class by a channel-keyed row in its own rule set."""
    own = RuleSet.objects.create(code="acme_reply", concern="reply", name="本公司回复时限", company=cast.company)
    for r in LimitPolicy.objects.filter(rule_set__code="reply_a"):
        r.pk, r.rule_set = None, own
        r.save()
    LimitPolicy.objects.create(rule_set=own, stage="reply", kind="complaint", channel="fax", clock="same_day",
                               rule="传真按口头：当日内")
    choose(cast, "acme_reply")
    assert due(cast.project, "reply", at(2025, 9, 30, 10), channel="fax").due_at == eod(2025, 9, 30)
    assert due(cast.project, "reply", at(2025, 9, 30, 10), channel="letter").due_at == eod(2025, 10, 10)


# ---------------------------------------------------------------- settings P-02, P-26, P-27, P-28, P-31
def test_p_02_rollover_setting_for_oral_same_day(cast: Any) -> None:
    """AS-07 default literal; with roll-over the holiday-night call is due when work resumes."""
    assert due(cast.project, "reply", at(2025, 10, 3, 23), channel="phone").due_at == eod(2025, 10, 3)
    DeadlineSettings.objects.create(company=cast.company, project=cast.project, same_day_mode="rollover")
    item = due(cast.project, "reply", at(2025, 10, 3, 23), channel="phone")
    assert item.due_at == eod(2025, 10, 9) and "顺延" in item.rule and "P-02" not in item.rule
    assert due(cast.other_project, "reply", at(2025, 10, 3, 23), channel="phone").due_at == eod(2025, 10, 3)


def test_p_26_p_27_settings(cast: Any) -> None:
    DeadlineSettings.objects.create(company=cast.company, start_day_counts=True, end_of="work_end")
    item = due(cast.project, "reply", at(2025, 9, 30, 10), channel="letter")
    assert item.due_at == at(2025, 10, 9, 18, 0) and "当日计入" in item.rule and "下班时截止" in item.rule


def test_p_28_roll_for_calendar_days(cast: Any) -> None:
    choose(cast, "repair_return_3d")
    start = at(2025, 9, 29, 10)  # +3 days = 10-02 (holiday)
    assert due(cast.project, "return_visit", start, kind="repair").due_at == eod(2025, 10, 2)
    DeadlineSettings.objects.create(company=cast.company, roll_rest_days=True)
    assert due(cast.project, "return_visit", start, kind="repair").due_at == eod(2025, 10, 9)


def test_p_31_soft_target_for_immediate_items(cast: Any) -> None:
    DeadlineSettings.objects.create(company=cast.company, soft_target_hours=Decimal("2"))
    item = due(cast.project, "acknowledge", at(2026, 3, 10, 10), channel="letter")
    assert item.due_at == at(2026, 3, 10, 12) and "软目标2小时" in item.rule


# ---------------------------------------------------------------- repairs (P-14, P-15, P-16)
@pytest.mark.parametrize(("code", "urgency", "category", "minutes"), [
    ("arrival_a", "urgent", "repair_lift", 15),
    ("arrival_a", "normal", "repair_water", 15),  # utilities are urgent under A whatever the flag
    ("arrival_a", "normal", "repair_gas", 15),
    ("arrival_a", "normal", "repair_power", 15),
    ("arrival_a", "normal", "repair_tap", 30),
    ("arrival_a", "normal", None, 30),
    ("arrival_b", "urgent", "repair_tap", 10),
    ("arrival_b", "normal", "repair_water", 20),
    ("arrival_c", "urgent", "repair_water", 25),
])
def test_r_m8_03_p_14_arrival(cast: Any, code: str, urgency: str, category: str | None, minutes: int) -> None:
    choose(cast, code)
    start = at(2025, 10, 3, 23, 50)  # clock time: nights and holidays count (T-06)
    item = due(cast.project, "arrive", start, kind="repair", urgency=urgency, category=category)
    assert item.due_at == start + dt.timedelta(minutes=minutes) and item.rule.startswith("规则") and "到场" in item.rule


@pytest.mark.parametrize(("category", "start", "expected"), [
    ("repair_lighting", at(2026, 3, 10, 10), eod(2026, 3, 11)),
    ("repair_wiring", at(2026, 3, 10, 10), at(2026, 3, 17, 10)),  # AS-22 / T-08: one week = 7×24 h
    ("repair_tap", at(2026, 3, 10, 10), at(2026, 3, 10, 16, 0)),  # ½ WD = 4 h 30 of working time
    ("repair_drain", at(2026, 3, 10, 17), at(2026, 3, 11, 14, 0)),
    ("repair_pipe", at(2026, 3, 10, 10), eod(2026, 3, 11)),
    ("repair_drain_complex", at(2026, 3, 10, 10), eod(2026, 3, 11)),
    ("repair_doors_furniture", at(2026, 3, 13, 10), eod(2026, 3, 16)),
    ("repair_complex", at(2026, 3, 10, 10), at(2026, 3, 17, 10)),
    ("repair_general", at(2026, 3, 10, 10), eod(2026, 3, 11)),
    ("repair_power_outage", at(2026, 3, 10, 10), at(2026, 3, 10, 10, 10)),
    ("repair_lift", at(2026, 3, 10, 10), eod(2026, 3, 11)),  # no own row: 其他简单维修 1 WD
    ("repair_special", at(2026, 3, 10, 10), None),
])
def test_r_m8_04_p_15_completion_zhidu_10(cast: Any, category: str, start: dt.datetime,
                                         expected: dt.datetime | None) -> None:
    item = due(cast.project, "complete", start, kind="repair", category=category)
    assert item.due_at == expected and item.rule.startswith("制度10")


def test_r_m8_05_p_15_completion_zhidu_11(cast: Any) -> None:
    choose(cast, "completion_11")
    start = at(2026, 3, 10, 17)
    assert due(cast.project, "complete", start, kind="repair", category="repair_general").due_at == at(2026, 3, 10, 19)
    assert due(cast.project, "complete", start, kind="repair", category="repair_tap").due_at == at(2026, 3, 10, 19)
    assert due(cast.project, "complete", start, kind="repair", category="repair_complex").due_at == at(2026, 3, 13, 17)


def test_r_m8_06_p_15_completion_zhidu_9(cast: Any) -> None:
    choose(cast, "completion_9")
    start = at(2026, 2, 12, 10)
    assert due(cast.project, "complete", start, kind="repair", category="repair_public_glass_doors").due_at == \
        eod(2026, 2, 14)
    assert due(cast.project, "complete", start, kind="repair", category="repair_lighting").due_at == eod(2026, 2, 14)
    assert due(cast.project, "complete", start, kind="repair", category="repair_wiring").due_at == eod(2026, 2, 26)
    assert due(cast.project, "complete", start, kind="repair", category="repair_walls").due_at == eod(2026, 2, 28)
    # 制度9 names common areas only: a tap keeps 制度10's half working day (issue 17, P-15)
    tap = due(cast.project, "complete", start, kind="repair", category="repair_tap")
    assert tap is not None and "制度10" in tap.rule
    # R-M8-15: a paid service has the same limits as a repair
    paid = due(cast.project, "complete", start, kind="paid_service", category="repair_public_glass_doors")
    assert paid is not None and paid.due_at == eod(2026, 2, 14)


def test_r_m8_07_p_16_repair_return_visit(cast: Any) -> None:
    start = at(2026, 3, 10, 10)
    assert due(cast.project, "return_visit", start, kind="repair").due_at == at(2026, 3, 12, 10)
    choose(cast, "repair_return_3d")
    assert due(cast.project, "return_visit", start, kind="repair").due_at == eod(2026, 3, 13)


def test_repair_classes_are_importable_constants() -> None:
    assert set(pol.REPAIR_CLASSES) >= {"repair_water", "repair_lighting", "repair_walls", "repair_special"}
    assert all(r.category in pol.REPAIR_CLASSES for s in pol.DEFAULT_RULE_SETS for r in s.rows if r.category)


def test_limit_policy_validation(cast: Any) -> None:
    from django.core.exceptions import ValidationError

    rs = RuleSet.objects.get(code="general")
    with pytest.raises(ValidationError):
        LimitPolicy(rule_set=rs, stage="reply", clock="working_days", amount=Decimal("1.5"), rule="x").full_clean()
    with pytest.raises(ValueError):
        pol.evaluate("working_days", Decimal("1.5"), at(2026, 3, 10), queries.calendar_for(cast.project),
                     pol.Settings())


def test_naive_start_is_refused(cast: Any) -> None:
    with pytest.raises(ValueError):
        queries.deadlines_for(cast.project, kind="complaint", channel="letter", urgency="normal",
                               start=dt.datetime(2026, 3, 10, 10), stages=["reply"])  # noqa: DTZ001 - refused


# ---------------------------------------------------------------- acceptance scenarios through the engine
@pytest.mark.parametrize(("scenario", "rule_set", "kwargs", "start", "stage", "expected"), [
    ("AS-02", None, {"channel": "email"}, at(2025, 9, 27, 15), "reply", eod(2025, 9, 29)),
    ("AS-02", None, {"channel": "email"}, at(2025, 9, 27, 15), "respond", eod(2025, 9, 28)),
    ("AS-03", None, {"channel": "owners_committee"}, at(2026, 2, 12, 11), "reply", eod(2026, 2, 24)),
    ("AS-04", "reply_c", {"channel": "phone"}, at(2025, 12, 31, 16), "reply", eod(2026, 1, 7)),
    ("AS-04", None, {"channel": "phone"}, at(2025, 12, 31, 16), "reply", eod(2025, 12, 31)),
    ("AS-05", "reply_c", {"channel": "letter"}, at(2026, 9, 29, 10), "reply", eod(2026, 10, 10)),
    ("AS-06", None, {"channel": "email"}, at(2026, 2, 27, 9, 30), "reply", eod(2026, 3, 2)),
    ("AS-10", None, {"channel": "online"}, at(2026, 5, 8, 19, 30), "acknowledge", at(2026, 5, 8, 23, 30)),
    ("AS-10", None, {"channel": "online"}, at(2026, 5, 8, 19, 30), "reply", eod(2026, 5, 9)),
    ("AS-10", None, {"channel": "online"}, at(2026, 5, 8, 19, 30), "respond", eod(2026, 5, 9)),
    ("AS-11", None, {"channel": "phone"}, at(2026, 4, 3, 17), "respond", eod(2026, 4, 7)),
    ("AS-12", None, {"channel": "letter"}, at(2026, 9, 30, 10), "report", eod(2026, 10, 8)),
    ("AS-21", None, {"kind": "repair", "urgency": "urgent", "category": "repair_water"}, at(2026, 1, 1, 3, 10),
     "arrive", at(2026, 1, 1, 3, 25)),
    ("AS-22", None, {"kind": "repair", "category": "repair_lighting"}, at(2025, 10, 10, 17), "complete",
     eod(2025, 10, 11)),
    ("AS-22", None, {"kind": "repair", "category": "repair_wiring"}, at(2025, 10, 10, 17), "complete",
     at(2025, 10, 17, 17)),
    ("AS-23", None, {"kind": "repair"}, at(2025, 9, 30, 16), "return_visit", at(2025, 10, 2, 16)),
    ("AS-23", "repair_return_3d", {"kind": "repair"}, at(2025, 9, 30, 16), "return_visit", eod(2025, 10, 3)),
])
def test_acceptance_scenarios_through_the_engine(cast: Any, scenario: str, rule_set: str | None,
                                                 kwargs: dict, start: dt.datetime, stage: str,
                                                 expected: dt.datetime) -> None:
    if rule_set:
        choose(cast, rule_set)
    item = due(cast.project, stage, start, **kwargs)
    assert item is not None and item.due_at == expected and not item.provisional, scenario
