"""Campaign, sample, field work, timeline and letter through the actions (R-M10-01 … R-M10-11, AS-24 … AS-27)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.portal.models import Publication
from apps.surveys import actions, queries
from apps.surveys.models import SampledHousehold, Stage, SurveyAnswer
from apps.surveys.tests.conftest import at
from apps.workdays.models import DeadlineSettings

pytestmark = pytest.mark.django_db


def _due(ps: Any, stage: str) -> str:
    d = ps.deadlines.get(stage=stage)
    return d.due_at.astimezone(ps.project.tz).strftime("%Y-%m-%d %H:%M:%S")


def test_r_m10_03_campaign_minimum_and_sample(sv: Any, ps: Any) -> None:
    """R-M10-03 / AS-24: 100 households, delivered 2020-06-01, received 2025-09-26 → 15% → 15, drawn by building."""
    assert (ps.households, ps.age_years, ps.minimum) == (100, 5, 15)
    assert "100 户" in ps.explanation and "→ 15% → 15 户" in ps.explanation
    assert ps.seed is not None
    per = {g.label: int(g.line.split("/")[0]) for g in queries.building_rates(ps)}
    assert per == {"1栋": 6, "2栋": 5, "3栋": 4}  # 40/30/30 households: evenly spread (largest remainder)


def test_r_m10_03_sample_below_minimum_needs_reason(sv: Any, ps: Any) -> None:
    """Bad input: a sample below the minimum without a reason is refused, nothing changes."""
    before = set(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    with pytest.raises(actions.SurveyError) as exc:
        actions.draw_sample(survey=ps, size=10, acting_user=sv.cast.supervisor, now=at(2025, 9, 26, 11))
    assert exc.value.code == "below_minimum" and exc.value.field == "reason"
    assert set(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True)) == before
    ps = actions.draw_sample(survey=ps, size=10, reason="3栋停水施工，部分住户外出", seed=7,
                             acting_user=sv.cast.supervisor, now=at(2025, 9, 26, 11))
    assert ps.below_minimum_reason and SampledHousehold.objects.filter(survey=ps).count() == 10
    again = set(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    actions.draw_sample(survey=ps, size=10, reason="同上", seed=7, acting_user=sv.cast.supervisor, now=at(2025, 9, 26, 12))
    assert set(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True)) == again


def _complete_field_work(sv: Any, ps: Any, recovered: int, satisfied: int, *, dist_day: dt.datetime,
                         rec_day: dt.datetime) -> None:
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household"))
    actions.record_distributions(survey=ps, rows=[{"household": r.household, "channel": "paper", "signed_off": True,
                                                   "distributed_at": dist_day} for r in rows],
                                 acting_user=sv.cast.butler, now=dist_day)
    actions.complete_distribution(survey=ps, acting_user=sv.cast.supervisor, now=dist_day)
    batch = [{"household": r.household, "recovered_at": rec_day,
              "answers": {"cs_attitude": 1, "eng_speed": 3, "security_access": 2, "clean_quality": 2,
                          "overall": 1 if i < satisfied else 3}} for i, r in enumerate(rows[:recovered])]
    actions.record_recoveries(survey=ps, rows=batch, acting_user=sv.cast.butler, now=rec_day)


def test_as_26_timeline_without_roll_over(sv: Any, ps: Any) -> None:
    """AS-26 (P-28 default): received 09-26 → distribution 09-29; distributed 09-29 → recovery 10-09;
    recovered 10-09 → statistics 10-12, letter 10-23; posted 10-20 → submission 10-25."""
    assert _due(ps, Stage.DISTRIBUTE) == "2025-09-29 23:59:59"
    _complete_field_work(sv, ps, 12, 12, dist_day=at(2025, 9, 29, 15), rec_day=at(2025, 10, 9, 9))
    ps.refresh_from_db()
    assert _due(ps, Stage.RECOVER) == "2025-10-09 23:59:59"
    actions.complete_recovery(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 10, 9, 17))
    assert _due(ps, Stage.STATISTICS) == "2025-10-12 23:59:59"
    assert _due(ps, Stage.LETTER) == "2025-10-23 23:59:59"
    letter = actions.draft_letter(survey=ps, title="致全体业主的公开信", body="感谢各位业主参与本次满意度调查，现就意见集中的问题答复如下。",
                                  issues=["维修及时率"], acting_user=sv.cast.supervisor, now=at(2025, 10, 15))
    # AS-26: posting without the 管理者代表's approval is refused
    with pytest.raises(actions.SurveyError) as exc:
        actions.post_letter(letter=letter, acting_user=sv.cast.cs_manager, now=at(2025, 10, 20))
    assert exc.value.code == "approval_required"
    assert not Publication.objects.exists()
    actions.approve_letter(letter=letter, acting_user=sv.mgmtrep, now=at(2025, 10, 19))
    letter = actions.post_letter(letter=letter, acting_user=sv.cast.cs_manager, now=at(2025, 10, 20))
    assert letter.publication is not None and letter.publication.approved_by == sv.mgmtrep
    assert _due(ps, Stage.SUBMIT) == "2025-10-25 23:59:59"


def test_as_26_timeline_with_roll_to_working_day(sv: Any, ps: Any) -> None:
    """AS-26 with P-28 = roll to a working day: statistics due 10-13, submission due 10-27."""
    DeadlineSettings.objects.create(company=sv.cast.company, roll_rest_days=True)
    _complete_field_work(sv, ps, 12, 12, dist_day=at(2025, 9, 29, 15), rec_day=at(2025, 10, 9, 9))
    actions.complete_recovery(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 10, 9, 17))
    assert _due(ps, Stage.STATISTICS) == "2025-10-13 23:59:59"
    letter = actions.draft_letter(survey=ps, title="公开信", body="感谢各位业主参与本次满意度调查，现就意见集中的问题答复如下。",
                                  issues=["维修及时率"], acting_user=sv.cast.supervisor, now=at(2025, 10, 15))
    actions.approve_letter(letter=letter, acting_user=sv.mgmtrep, now=at(2025, 10, 19))
    actions.post_letter(letter=letter, acting_user=sv.cast.cs_manager, now=at(2025, 10, 20))
    assert _due(ps, Stage.SUBMIT) == "2025-10-27 23:59:59"


def test_as_25_as_27_rates_and_verdicts(sv: Any, ps: Any) -> None:
    """AS-25/AS-27 in small: distributed ≥ minimum passes; recovery ≥ 75%; satisfaction ≥ 95%."""
    _complete_field_work(sv, ps, 12, 11, dist_day=at(2025, 9, 29, 15), rec_day=at(2025, 10, 8, 9))
    r = queries.rates(ps)
    assert (r.distributed, r.recovered_in_time, r.valid, r.satisfied) == (15, 12, 12, 11)
    d, rec, s = r.verdicts
    assert d.passed is True and "不少于最低 15 份" in d.reason
    assert rec.passed is True and str(r.recovery_rate) == "80.00"
    assert s.passed is False and "91.67%" in s.reason and "低于目标 95%" in s.reason
    items = {g.code: g for g in queries.item_rates(ps)}
    assert items["eng_speed"].rate is not None and items["eng_speed"].satisfied == 0
    issues = queries.concentrated_issues(ps)
    assert issues[0]["code"] == "eng_speed"


def test_bad_input_recovery_before_distribution_and_not_sampled(sv: Any, ps: Any) -> None:
    """Bad input: recovery before distribution, answers for a household not sampled — refused."""
    row = SampledHousehold.objects.filter(survey=ps).select_related("household").first()
    with pytest.raises(actions.SurveyError) as exc:
        actions.record_recovery(survey=ps, household=row.household, answers={"overall": 1}, acting_user=sv.cast.butler,  # type: ignore[union-attr]
                                now=at(2025, 9, 27))
    assert exc.value.code == "not_distributed"
    outsider = next(h for h in sv.homes if not SampledHousehold.objects.filter(survey=ps, household=h).exists())
    with pytest.raises(actions.SurveyError) as exc:
        actions.record_recovery(survey=ps, household=outsider, answers={"overall": 1}, acting_user=sv.cast.butler,
                                now=at(2025, 9, 27))
    assert exc.value.code == "not_sampled"
    assert not SurveyAnswer.objects.exists()


def test_bad_input_second_answer_and_idempotent_repeat(sv: Any, ps: Any) -> None:
    """Bad input: a second, different answer for the same questionnaire is refused; the same again is a no-op."""
    row = SampledHousehold.objects.filter(survey=ps).select_related("household").first()
    actions.record_distribution(survey=ps, household=row.household, channel="paper", acting_user=sv.cast.butler,  # type: ignore[union-attr]
                                now=at(2025, 9, 27))
    assert not actions.record_distribution(survey=ps, household=row.household, channel="paper",  # type: ignore[union-attr]
                                           acting_user=sv.cast.butler, now=at(2025, 9, 27, 11)).changed
    actions.record_recovery(survey=ps, household=row.household, answers={"overall": 1}, acting_user=sv.cast.butler,  # type: ignore[union-attr]
                            now=at(2025, 9, 28))
    assert not actions.record_recovery(survey=ps, household=row.household, answers={"overall": 1},  # type: ignore[union-attr]
                                       acting_user=sv.cast.butler, now=at(2025, 9, 28)).changed
    with pytest.raises(actions.SurveyError) as exc:
        actions.record_recovery(survey=ps, household=row.household, answers={"overall": 4}, acting_user=sv.cast.butler,  # type: ignore[union-attr]
                                now=at(2025, 9, 28))
    assert exc.value.code == "already_answered" and exc.value.status == 409
    assert SurveyAnswer.objects.get(response=row).option.key == 1  # type: ignore[union-attr]


def test_bad_input_recovery_after_campaign_closed(sv: Any, ps: Any) -> None:
    """Bad input: recovery after the recovery closed is refused."""
    _complete_field_work(sv, ps, 5, 5, dist_day=at(2025, 9, 29, 15), rec_day=at(2025, 10, 2, 9))
    actions.complete_recovery(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 10, 9, 17))
    late = SampledHousehold.objects.filter(survey=ps, recovered_at=None).select_related("household").first()
    with pytest.raises(actions.SurveyError) as exc:
        actions.record_recovery(survey=ps, household=late.household, answers={"overall": 1},  # type: ignore[union-attr]
                                acting_user=sv.cast.butler, now=at(2025, 10, 10))
    assert exc.value.code == "recovery_closed"


def test_r_m10_11_questionnaire_needs_attitude_quality_efficiency(sv: Any) -> None:
    """R-M10-11: publishing without the three aspects is refused; R-M10-02: the scale needs satisfied options."""
    now = at(2025, 9, 1)
    q = actions.create_questionnaire(company=sv.cast.company, code="short", title="简表",
                                     options=[{"label": "满意", "satisfied": True}, {"label": "不满意"}],
                                     acting_user=sv.cast.supervisor, now=now)
    actions.add_item(questionnaire=q, code="overall", line="overall", aspect="attitude", text="总体", overall=True,
                     acting_user=sv.cast.supervisor, now=now)
    with pytest.raises(actions.SurveyError) as exc:
        actions.publish_questionnaire(questionnaire=q, acting_user=sv.cast.supervisor, now=now)
    assert exc.value.code == "aspects_missing" and "服务质量" in exc.value.message
    with pytest.raises(actions.SurveyError):
        actions.create_questionnaire(company=sv.cast.company, code="bad", title="x",
                                     options=[{"label": "好"}, {"label": "坏"}], acting_user=sv.cast.supervisor, now=now)


def test_one_time_link_expired_and_reused(sv: Any, ps: Any) -> None:
    """Bad input: an expired or reused link is refused."""
    row = SampledHousehold.objects.filter(survey=ps).select_related("household").first()
    token = actions.record_distribution(survey=ps, household=row.household, channel="portal",  # type: ignore[union-attr]
                                        acting_user=sv.cast.butler, now=at(2025, 9, 27)).token
    assert token
    actions.answer_by_link(token=token, answers={"overall": 2, "advice": "绿化好"}, now=at(2025, 9, 28))
    with pytest.raises(actions.LinkError) as exc:
        actions.answer_by_link(token=token, answers={"overall": 2}, now=at(2025, 9, 28, 11))
    assert exc.value.code == "link_used"
    other = SampledHousehold.objects.filter(survey=ps, recovered_at=None).select_related("household").first()
    token2 = actions.record_distribution(survey=ps, household=other.household, channel="portal",  # type: ignore[union-attr]
                                         acting_user=sv.cast.butler, now=at(2025, 9, 27)).token
    with pytest.raises(actions.LinkError) as exc:
        actions.answer_by_link(token=token2, answers={"overall": 2}, now=at(2025, 11, 30))
    assert exc.value.code == "link_expired"
    assert list(queries.surveys_for_household(row.household_id)) == [row]  # type: ignore[union-attr]
