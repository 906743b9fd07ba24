"""The improvement-plan API (/api/v1/improvement): the same actions as the pages (R-M15-01 … R-M15-03),
every refusal in the documented error shape, the list's query count pinned."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.api.actions import issue_token
from apps.improvement import actions
from apps.improvement.models import ImprovementPlan, PlanAction, PlanMeeting
from apps.surveys.tests.conftest import at
from apps.tickets.models import Category
from linli import clock

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: Any) -> None:
        _t, raw = issue_token(user, name="t", now=at(2026, 1, 1))
        self.c = Client()
        self.h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str) -> Any:
        return self.c.get(f"/api/v1/improvement{path}", **self.h)  # type: ignore[arg-type]

    def post(self, path: str, body: Any = None) -> Any:
        return self.c.post(f"/api/v1/improvement{path}", body or {}, content_type="application/json",
                           **self.h)  # type: ignore[arg-type]


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["code"] == code and body["message"]
    return body


def test_r_m15_01_line_plan_through_api_flags_rows(sv: Any) -> None:
    """R-M15-01 via the API: 品质部 creates a line plan; a row without completion time or responsible
    person is flagged in the detail and counted in the list; R-M15-03: the row links survey items and
    complaint categories."""
    api = Api(sv.cast.quality_inspector)
    category = Category.objects.filter(company=None).first()
    assert category is not None
    with clock.frozen(at(2026, 1, 5)):
        r = api.post("/plans", {"year": 2026, "kind": "line", "line": "engineering"})
        assert r.status_code == 201, r.content
        plan_id = r.json()["plan"]["id"]
        assert r.json()["plan"]["title"] == "2026年度工程满意度提升计划"
        r = api.post(f"/plans/{plan_id}/actions", {"item": "维修及时率", "causes": "部分工种缺失",
                                                   "summary": "招聘万能工、弱电工", "survey_items": ["eng_speed"],
                                                   "complaint_category_ids": [category.pk]})
        assert r.status_code == 201, r.content
        row = r.json()
        assert row["number"] == 1 and row["missing_due"] and row["missing_responsible"]
        assert row["survey_items"] == ["eng_speed"] and row["complaint_category_ids"] == [category.pk]
        r = api.post(f"/plans/{plan_id}/actions", {"item": "部门之间的协调", "summary": "加强配合",
                                                   "support": "内部培训", "due_on": "2026-06-30",
                                                   "responsible": "工程部经理"})
        assert r.status_code == 201 and not r.json()["missing_due"] and not r.json()["missing_responsible"]
    listed = api.get("/plans").json()
    assert listed["count"] == 1
    assert listed["results"][0]["actions"] == 2 and listed["results"][0]["flagged"] == 1
    detail = api.get(f"/plans/{plan_id}").json()
    assert [x["number"] for x in detail["rows"]] == [1, 2]


def test_r_m15_02_lifecycle_plan_progress_and_meeting_through_api(sv: Any) -> None:
    """R-M15-02 via the API: the customer-lifecycle plan's rows by stage; progress, done only with
    evidence; R-M15-03: meeting minutes linked to plan rows."""
    api = Api(sv.cast.cs_manager)
    with clock.frozen(at(2026, 2, 2)):
        plan_id = api.post("/plans", {"year": 2026, "kind": "lifecycle"}).json()["plan"]["id"]
        _error(api.post(f"/plans/{plan_id}/actions", {"item": "提升入伙体验", "summary": "入伙现场播放开荒保洁视频"}),
               422, "invalid")  # a lifecycle row needs its stage
        r = api.post(f"/plans/{plan_id}/actions", {"item": "提升入伙体验", "summary": "入伙现场播放开荒保洁视频",
                                                   "stage": "new_owner", "action_strategy": "可视化服务",
                                                   "department": "各部门"})
        assert r.status_code == 201, r.content
        action_id = r.json()["id"]
        body = _error(api.post(f"/plans/{plan_id}/actions/{action_id}/progress", {"status": "done"}), 422, "invalid")
        assert "evidence" in body["fields"]
        assert PlanAction.objects.get().status == "planned"  # nothing written
        r = api.post(f"/plans/{plan_id}/actions/{action_id}/progress",
                     {"status": "done", "progress": "视频已制作", "evidence": "入伙现场照片"})
        assert r.status_code == 200 and r.json()["status"] == "done" and "视频已制作" in r.json()["progress"]
        body = _error(api.post(f"/plans/{plan_id}/meetings", {"held_on": "2026-02-01", "minutes": "讨论入伙体验",
                                                              "numbers": [1, 7]}), 422, "invalid")
        assert "7" in body["message"] and not PlanMeeting.objects.exists()
        r = api.post(f"/plans/{plan_id}/meetings", {"held_on": "2026-02-01", "minutes": "讨论入伙体验", "numbers": [1]})
        assert r.status_code == 201 and r.json()["numbers"] == [1]
    detail = api.get(f"/plans/{plan_id}").json()
    assert detail["meetings"][0]["numbers"] == [1] and detail["rows"][0]["stage"] == "new_owner"


def test_bad_input_improvement_api_refusals(sv: Any) -> None:
    """Bad input: a role without the capability (403), a duplicate plan (409), an unknown survey item or
    category (422), another company's plan (404) — nothing written."""
    with clock.frozen(at(2026, 1, 5)):
        _error(Api(sv.cast.butler).post("/plans", {"year": 2026, "kind": "lifecycle"}), 403, "forbidden")
        api = Api(sv.cast.quality_inspector)
        plan_id = api.post("/plans", {"year": 2026, "kind": "line", "line": "security"}).json()["plan"]["id"]
        _error(api.post("/plans", {"year": 2026, "kind": "line", "line": "security"}), 409, "duplicate")
        _error(api.post("/plans", {"year": 2026, "kind": "line", "line": ""}), 422, "invalid")
        body = _error(api.post(f"/plans/{plan_id}/actions", {"item": "x", "summary": "y",
                                                             "survey_items": ["no_such_item"]}), 422, "invalid")
        assert "no_such_item" in body["message"]
        _error(api.post(f"/plans/{plan_id}/actions", {"item": "x", "summary": "y",
                                                      "complaint_category_ids": [10**9]}), 422, "invalid")
        _error(api.post(f"/plans/{plan_id}/actions/{10**9}/progress", {"status": "done"}), 404, "not_found")
        _error(Api(sv.cast.butler).post(f"/plans/{plan_id}/actions", {"item": "x", "summary": "y"}), 403, "forbidden")
    assert ImprovementPlan.objects.count() == 1 and not PlanAction.objects.exists()
    _error(api.get(f"/plans/{10**9}"), 404, "not_found")


def test_improvement_plan_list_query_count_does_not_grow(sv: Any) -> None:
    """The plan list answers in the same number of queries whatever the number of plans and rows."""
    user = sv.cast.quality_inspector
    api = Api(user)

    def add(year: int) -> None:
        for line in ("security", "engineering", "cleaning", "cs"):
            plan = actions.create_plan(company=sv.cast.company, year=year, kind="line", line=line, acting_user=user,
                                       now=at(2026, 1, 5))
            for i in range(3):
                actions.add_action(plan=plan, item=f"问题{i}", summary="措施", acting_user=user, now=at(2026, 1, 5))

    add(2024)
    api.get("/plans")  # the token's first use of the day is recorded once; measure the requests after it
    with CaptureQueriesContext(connection) as few:
        assert api.get("/plans?page_size=50").json()["count"] == 4
    add(2025)
    add(2026)
    with CaptureQueriesContext(connection) as many:
        body = api.get("/plans?page_size=50").json()
    assert body["count"] == 12 and body["results"][0]["actions"] == 3
    assert len(many.captured_queries) == len(few.captured_queries)
    assert api.get("/plans?year=2025&kind=line").json()["count"] == 4


def test_r_m10_12_r_m15_03_effect_on_linked_items_through_api(sv: Any) -> None:
    """R-M10-12 / R-M15-03 via the API: the plan's detail shows the linked survey item's satisfaction
    in the previous and the latest campaign."""
    from apps.surveys import actions as survey_actions
    from apps.surveys.models import SampledHousehold

    user = sv.cast.quality_inspector
    for received, good in ((at(2025, 3, 1), 1), (at(2025, 9, 1), 9)):
        c = survey_actions.issue_campaign(company=sv.cast.company, title=f"{received:%Y-%m}",
                                          questionnaire=sv.questionnaire, received_on=received.date(),
                                          projects=[sv.cast.project], acting_user=user, now=received)
        ps = c.project_surveys.get()
        rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household"))[:10]
        survey_actions.record_distributions(survey=ps, rows=[{"household": r.household} for r in rows],
                                            acting_user=sv.cast.butler, now=received)
        survey_actions.record_recoveries(survey=ps, rows=[{"household": r.household, "answers": {
            "eng_speed": 1 if i < good else 4, "overall": 1}} for i, r in enumerate(rows)],
            acting_user=sv.cast.butler, now=received)
    api = Api(user)
    with clock.frozen(at(2025, 9, 2)):
        plan_id = api.post("/plans", {"year": 2025, "kind": "line", "line": "engineering"}).json()["plan"]["id"]
        assert api.post(f"/plans/{plan_id}/actions", {"item": "维修及时率", "summary": "招聘万能工",
                                                      "survey_items": ["eng_speed"]}).status_code == 201
    body = api.get(f"/plans/{plan_id}").json()
    assert body["compared_campaigns"] == ["2025-09", "2025-03"]
    effect = body["effects"][0]
    assert effect["code"] == "eng_speed"
    assert (Decimal(str(effect["previous"])), Decimal(str(effect["latest"])), Decimal(str(effect["change"]))) == (
        Decimal("10.00"), Decimal("90.00"), Decimal("80.00"))


def test_r_m15_04_r_m15_05_demo_plans_readable_through_page_and_api(sv: Any) -> None:
    """R-M15-04 / R-M15-05: the seed plans loaded as demo data are what the 品质部 reads on the page and
    through the API (four line plans and the lifecycle plan, with their rows)."""
    from apps.improvement.demo import LINE_ROWS, load_demo_improvement

    load_demo_improvement(sv.cast.company, now=at(2026, 11, 23, 10))
    body = Api(sv.cast.quality_inspector).get("/plans").json()
    assert body["count"] == 5
    assert sum(p["actions"] for p in body["results"] if p["kind"] == "line") == len(LINE_ROWS)
    c = Client()
    c.force_login(sv.cast.quality_inspector)
    page = c.get("/improvement/").content.decode()
    assert "客户生命周期行动计划" in page
