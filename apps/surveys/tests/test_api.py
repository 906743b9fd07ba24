"""The surveys API (/api/v1/surveys) through the API client: every refusal in the documented error shape
with its status, and nothing written (R-M10-03 … R-M10-08, AS-24 … AS-28)."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.api.actions import issue_token
from apps.surveys.models import OpenLetter, ProjectSurvey, SampledHousehold, SurveyAnswer
from apps.surveys.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: Any) -> None:
        _t, raw = issue_token(user, name="t", now=at(2025, 9, 1))
        self.c = Client()
        self.h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str) -> Any:
        return self.c.get(f"/api/v1/surveys{path}", **self.h)  # type: ignore[arg-type]

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.c.post(f"/api/v1/surveys{path}", body or {}, content_type="application/json", **self.h, **extra)  # type: ignore[arg-type]


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["code"] == code and body["message"]
    return body


def test_as_24_create_campaign_and_read_minimum_with_reason(sv: Any) -> None:
    """AS-24 via the API: the campaign, each project's minimum and the reason in words, the deadlines."""
    api = Api(sv.cast.quality_inspector)
    with clock.frozen(at(2025, 9, 26, 9)):
        r = api.post("/campaigns", {"title": "2025下半年", "questionnaire_id": sv.questionnaire.pk,
                                    "received_on": "2025-09-26", "project_ids": [sv.cast.project.pk]})
    assert r.status_code == 201, r.content
    s = r.json()["surveys"][0]
    assert (s["minimum"], s["age_years"], s["sampled"]) == (15, 5, 15)
    assert "→ 15% → 15 户" in s["explanation"]
    assert s["deadlines"][0]["due_at"].startswith("2025-09-29T15:59:59")  # 23:59:59 Asia/Shanghai
    assert api.get(f"/{s['id']}/sample").json()["count"] == 15


def test_bad_input_api_campaign_refusals(sv: Any) -> None:
    """Only 品质部 issues (403); an unknown project answers 404; nothing is created."""
    body = {"title": "x", "questionnaire_id": sv.questionnaire.pk, "received_on": "2025-09-26",
            "project_ids": [sv.cast.project.pk]}
    _error(Api(sv.cast.butler).post("/campaigns", body), 403, "forbidden")
    _error(Api(sv.cast.quality_inspector).post("/campaigns", {**body, "project_ids": [999999]}), 404, "not_found")
    _error(Api(sv.cast.quality_inspector).post("/campaigns", {**body, "project_ids": []}), 422, "invalid")
    assert not ProjectSurvey.objects.exists()


def test_r_m10_03_sample_below_minimum_needs_reason_api(sv: Any, ps: Any) -> None:
    api = Api(sv.cast.supervisor)
    with clock.frozen(at(2025, 9, 26, 11)):
        body = _error(api.post(f"/{ps.pk}/sample", {"size": 5}), 422, "below_minimum")
        assert "reason" in body["fields"]
        r = api.post(f"/{ps.pk}/sample", {"size": 5, "reason": "部分楼栋维修", "seed": 3})
    assert r.status_code == 200 and r.json()["sampled"] == 5 and r.json()["seed"] == 3


def test_r_m10_04_r_m10_05_distribution_and_recovery_single_bulk_idempotent(sv: Any, ps: Any) -> None:
    """R-M10-04/-05: single and bulk, idempotent; bad rows refuse the whole batch."""
    api = Api(sv.cast.butler)
    ids = list(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    outsider = next(h for h in sv.homes if h.pk not in ids)
    with clock.frozen(at(2025, 9, 27, 10)):
        # recovery before distribution
        _error(api.post(f"/{ps.pk}/recoveries", {"household_id": ids[0], "answers": {"overall": 1}}), 409,
               "not_distributed")
        # household not sampled
        _error(api.post(f"/{ps.pk}/distributions", {"household_id": outsider.pk}), 422, "not_sampled")
        r = api.post(f"/{ps.pk}/distributions", {"household_id": ids[0], "signed_off": True})
        assert r.json() == {"household": r.json()["household"], "changed": True}
        assert api.post(f"/{ps.pk}/distributions", {"household_id": ids[0]}).json()["changed"] is False
        _error(api.post(f"/{ps.pk}/distributions", {"household_id": ids[0], "channel": "sms"}), 409,
               "already_distributed")
        bad = api.post(f"/{ps.pk}/distributions/bulk", {"rows": [{"household_id": ids[1]},
                                                                  {"household_id": outsider.pk}]})
        body = _error(bad, 422, "invalid_rows")
        assert "rows.1" in body["fields"]
        assert not SampledHousehold.objects.filter(household_id=ids[1], distributed_at__isnull=False).exists()
        r = api.post(f"/{ps.pk}/distributions/bulk", {"rows": [{"household_id": i} for i in ids]})
        assert r.json()["changed"] == len(ids) - 1 and r.json()["unchanged"] == 1
    with clock.frozen(at(2025, 9, 28, 10)):
        rows = [{"household_id": i, "answers": {"overall": "1", "eng_speed": 3}} for i in ids[:12]]
        r = api.post(f"/{ps.pk}/recoveries/bulk", {"rows": rows})
        assert r.json()["changed"] == 12
        assert api.post(f"/{ps.pk}/recoveries/bulk", {"rows": rows}).json()["unchanged"] == 12
        _error(api.post(f"/{ps.pk}/recoveries", {"household_id": ids[0], "answers": {"overall": 4}}), 409,
               "already_answered")
        _error(api.post(f"/{ps.pk}/recoveries", {"household_id": ids[13], "answers": {"overall": 9}}), 422,
               "invalid")
    assert SurveyAnswer.objects.filter(response__household_id=ids[0], item__code="overall").get().option.key == 1  # type: ignore[union-attr]
    rates = Api(sv.cast.quality_inspector).get(f"/{ps.pk}/rates").json()
    assert (rates["distributed"], rates["recovered"], rates["valid"], rates["satisfied"]) == (15, 12, 12, 12)
    verdicts = {v["key"]: v for v in rates["verdicts"]}
    assert verdicts["satisfaction"]["passed"] is True and "100.00%" in verdicts["satisfaction"]["reason"]
    assert {g["key"] for g in rates["items"]} >= {"overall", "eng_speed"}


def test_as_26_letter_approval_through_api(sv: Any, ps: Any) -> None:
    """AS-26 via the API: posting an unapproved letter → 409 approval_required; approved → posted; deadlines."""
    sup, mgr = Api(sv.cast.supervisor), Api(sv.cast.cs_manager)
    ids = list(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    with clock.frozen(at(2025, 9, 29, 15)):
        Api(sv.cast.butler).post(f"/{ps.pk}/distributions/bulk", {"rows": [{"household_id": i} for i in ids]})
        assert sup.post(f"/{ps.pk}/steps/distribution").status_code == 200
    with clock.frozen(at(2025, 10, 9, 9)):
        Api(sv.cast.butler).post(f"/{ps.pk}/recoveries/bulk",
                                 {"rows": [{"household_id": i, "answers": {"overall": 1}} for i in ids]})
        _error(sup.post(f"/{ps.pk}/letter", {"title": "公开信", "body": "太短", "issues": ["维修"]}), 409,
               "recovery_open")
        assert sup.post(f"/{ps.pk}/steps/recovery").status_code == 200
    deadlines = {d["stage"]: d["due_at"][:10] for d in sup.get(f"/{ps.pk}/deadlines").json()}
    assert deadlines == {"distribute": "2025-09-29", "recover": "2025-10-09", "statistics": "2025-10-12",
                         "letter": "2025-10-23"}
    with clock.frozen(at(2025, 10, 15)):
        _error(sup.post(f"/{ps.pk}/letter", {"title": "公开信", "body": "太短", "issues": ["维修"]}), 422, "invalid")
        assert sup.post(f"/{ps.pk}/letter", {"title": "致业主的公开信", "issues": ["维修及时率"],
                                             "body": "感谢您参与本次满意度调查，针对维修及时率我们将增加人手并缩短响应时间。"}).status_code == 200
    with clock.frozen(at(2025, 10, 20)):
        _error(mgr.post(f"/{ps.pk}/letter/post"), 409, "approval_required")
        assert OpenLetter.objects.get().publication is None
        _error(sup.post(f"/{ps.pk}/letter/approve"), 403, "forbidden")
        assert Api(sv.mgmtrep).post(f"/{ps.pk}/letter/approve").status_code == 200
        r = mgr.post(f"/{ps.pk}/letter/post")
    assert r.status_code == 200 and r.json()["publication_id"]
    assert {d["stage"]: d["due_at"][:10] for d in sup.get(f"/{ps.pk}/deadlines").json()}["submit"] == "2025-10-25"
    with clock.frozen(at(2025, 10, 21)):
        _error(sup.post(f"/{ps.pk}/steps/submit"), 409, "statistics_open")
        sup.post(f"/{ps.pk}/steps/statistics")
        assert sup.post(f"/{ps.pk}/steps/submit").json()["closed"] is True
        # after the campaign closed nothing more is recorded
        _error(Api(sv.cast.butler).post(f"/{ps.pk}/recoveries", {"household_id": ids[0], "answers": {"overall": 2}}),
               409, "closed")
        r = Api(sv.gm).post(f"/{ps.pk}/follow-ups", {"kind": "gm_meeting", "held_on": "2025-10-21",
                                                     "summary": "专题会议，分解整改任务"})
    assert r.status_code == 201


def test_as_28_compliance_api(sv: Any, ps: Any) -> None:
    with clock.frozen(at(2025, 11, 1)):
        rows = Api(sv.cast.quality_inspector).get("/compliance?year=2025").json()
    mine = next(r for r in rows if r["project_id"] == sv.cast.project.pk)
    assert (mine["first_half_status"], mine["second_half_status"], mine["year_status"]) == ("fail", "ok", "fail")
    other = next(r for r in rows if r["project_id"] == sv.cast.other_project.pk)
    assert other["second_half_status"] == "pending"


def test_api_survey_of_other_project_is_not_found(sv: Any, ps: Any) -> None:
    _error(Api(sv.cast.outsider).get(f"/{ps.pk}"), 404, "not_found")
