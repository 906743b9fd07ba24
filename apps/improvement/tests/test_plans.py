"""Improvement plans through the pages (R-M15-01 … R-M15-03)."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.improvement import actions, queries
from apps.improvement.models import ImprovementPlan, PlanAction
from apps.surveys import actions as survey_actions
from apps.surveys.models import SampledHousehold
from apps.surveys.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_m15_01_line_plan_rows_flagged_without_time_or_person(sv: Any) -> None:
    """R-M15-01: a line plan with the seed's columns; rows without completion time or responsible person are flagged."""
    c = _client(sv.cast.quality_inspector)
    with clock.frozen(at(2026, 1, 5)):
        r = c.post(reverse("improvement:index"), {"year": "2026", "kind": "line", "line": "engineering"})
        assert r.status_code == 302
        url = r["Location"]
        r = c.post(url, {"op": "action", "item": "维修及时率", "causes": "部分工种缺失", "summary": "招聘万能工、弱电工",
                         "survey_items": "eng_speed"})
        assert r.status_code == 302
        page = c.get(url).content.decode()
    assert 'data-testid="flag-due"' in page and 'data-testid="flag-owner"' in page
    row = PlanAction.objects.get()
    assert row.incomplete and row.survey_items == ["eng_speed"]
    assert queries.plans([sv.cast.company.pk]).get().n_flagged == 1  # type: ignore[attr-defined]


def test_bad_input_plan_refusals(sv: Any) -> None:
    c = _client(sv.cast.quality_inspector)
    with clock.frozen(at(2026, 1, 5)):
        r = c.post(reverse("improvement:index"), {"year": "2026", "kind": "line", "line": ""})
        assert r.status_code == 400 and "条线提升计划须选择条线" in r.content.decode()
        c.post(reverse("improvement:index"), {"year": "2026", "kind": "line", "line": "security"})
        plan = ImprovementPlan.objects.get()
        r = c.post(reverse("improvement:plan", args=[plan.pk]), {"op": "action", "item": "x", "summary": "y",
                                                                 "survey_items": "no_such_item"})
        assert r.status_code == 400 and "问卷中没有这些调查项目：no_such_item" in r.content.decode()
        row = actions.add_action(plan=plan, item="出入管理松懈", summary="识别住户", acting_user=sv.cast.quality_inspector,
                                 now=at(2026, 1, 5))
        r = c.post(reverse("improvement:plan", args=[plan.pk]), {"op": "progress", "action": row.pk, "status": "done"})
        assert r.status_code == 400 and "须填写完成证据" in r.content.decode()
    assert _client(sv.cast.butler).post(reverse("improvement:index"), {"year": "2026", "kind": "lifecycle"}).status_code == 403


def test_r_m15_03_effect_on_linked_items_between_campaigns(sv: Any) -> None:
    """R-M15-03 / R-M10-12: the next campaign shows the effect on the linked survey items."""
    user = sv.cast.quality_inspector
    for received, good in ((at(2025, 3, 1), 1), (at(2025, 9, 1), 9)):
        c = survey_actions.issue_campaign(company=sv.cast.company, title=f"{received:%Y-%m}", questionnaire=sv.questionnaire,
                                          received_on=received.date(), projects=[sv.cast.project], acting_user=user,
                                          now=received)
        ps = c.project_surveys.get()
        rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household"))[:10]
        survey_actions.record_distributions(survey=ps, rows=[{"household": r.household} for r in rows],
                                            acting_user=sv.cast.butler, now=received)
        survey_actions.record_recoveries(survey=ps, rows=[{"household": r.household, "answers": {
            "eng_speed": 1 if i < good else 4, "overall": 1}} for i, r in enumerate(rows)],
            acting_user=sv.cast.butler, now=received)
    plan = actions.create_plan(company=sv.cast.company, year=2025, kind="line", line="engineering", acting_user=user,
                               now=at(2025, 9, 2))
    actions.add_action(plan=plan, item="维修及时率", summary="招聘万能工", survey_items=["eng_speed"], acting_user=user,
                       now=at(2025, 9, 2))
    page = _client(user).get(reverse("improvement:plan", args=[plan.pk])).content.decode()
    assert "eng_speed：10.00% → 90.00%" in page


def test_r_m15_02_lifecycle_plan_and_r_m15_03_meeting_through_page(sv: Any) -> None:
    """R-M15-02: the 客服经理 keeps the customer-lifecycle plan on the page (a row needs its stage);
    R-M15-03: meeting minutes linked to the rows they discussed; progress done with its evidence."""
    c = _client(sv.cast.cs_manager)
    with clock.frozen(at(2026, 2, 2)):
        r = c.post(reverse("improvement:index"), {"year": "2026", "kind": "lifecycle"})
        assert r.status_code == 302
        url = r["Location"]
        r = c.post(url, {"op": "action", "item": "提升入伙体验", "summary": "入伙现场播放开荒保洁视频"})
        assert r.status_code == 400 and "客户生命周期行动计划须选择阶段" in r.content.decode()
        assert c.post(url, {"op": "action", "item": "提升入伙体验", "summary": "入伙现场播放开荒保洁视频",
                            "stage": "new_owner", "action_strategy": "可视化服务", "department": "各部门"}).status_code == 302
        row = PlanAction.objects.get()
        assert c.post(url, {"op": "progress", "action": row.pk, "status": "done", "progress": "视频已制作",
                            "evidence": "入伙现场照片"}).status_code == 302
        assert c.post(url, {"op": "meeting", "held_on": "2026-02-01", "minutes": "服务品质提升会议：入伙体验",
                            "numbers": "1"}).status_code == 302
        page = c.get(url).content.decode()
    row.refresh_from_db()
    assert row.status == "done" and row.stage == "new_owner" and list(row.meetings.values_list("minutes", flat=True)) == [
        "服务品质提升会议：入伙体验"]
    assert "服务品质提升会议：入伙体验" in page and "提升入伙体验" in page
