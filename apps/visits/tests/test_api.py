"""/api/v1/visits: the same actions and scope as the pages (R-M6-06, R-M9-03, R-M9-04, R-M9-11)."""
from __future__ import annotations

import pytest

from apps.api.actions import issue_token
from apps.visits.models import Visit

pytestmark = pytest.mark.django_db


def _auth(user, now):
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _payload(cast, homes, **kw):
    data = {"project_id": cast.project.pk, "household_id": homes.hh.pk, "person_id": homes.owner.pk,
            "category": "periodic", "method": "phone", "visited_at": "2026-11-23T09:00:00+08:00",
            "communicated": "介绍近期工作", "opinions": "希望加强巡逻",
            "problems": [{"description": "楼道灯不亮", "department_id": cast.eng_dept.pk}]}
    data.update(kw)
    return data


def test_r_m6_06_api_records_a_visit_filed_with_cs(client, cast, homes, frozen_now):
    r = client.post("/api/v1/visits/", _payload(cast, homes), content_type="application/json",
                    **_auth(cast.butler, frozen_now))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["filed_department"] == "客服部" and body["problems"][0]["status"] == "open"
    assert Visit.objects.get().filed_department == cast.cs_dept


def test_r_m9_03_api_refuses_bad_input_and_other_roles(client, cast, homes, frozen_now):
    r = client.post("/api/v1/visits/", _payload(cast, homes, category="casual"), content_type="application/json",
                    **_auth(cast.butler, frozen_now))
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"category": ["请选择走访类别"]}
    r = client.post("/api/v1/visits/", _payload(cast, homes), content_type="application/json",
                    **_auth(cast.worker, frozen_now))
    assert r.status_code == 403
    r = client.post("/api/v1/visits/", _payload(cast, homes), content_type="application/json",
                    **_auth(cast.outsider, frozen_now))
    assert r.status_code == 404
    r = client.post("/api/v1/visits/", _payload(cast, homes, household_id=homes.other_hh.pk),
                    content_type="application/json", **_auth(cast.butler, frozen_now))
    assert r.status_code == 422 and "household_id" in r.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_r_m9_04_r_m9_11_api_settles_and_raises_tickets(client, cast, homes, record, frozen_now):
    visit = record(problems=[{"description": "楼道灯不亮"}, {"description": "保安不在岗"}])
    a, b = visit.problems.order_by("pk")
    auth = _auth(cast.supervisor, frozen_now)
    r = client.post(f"/api/v1/visits/problems/{a.pk}/settle", {"outcome": "cannot_solve", "text": "短"},
                    content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"text": ["请填写无法解决的原因（至少4个字）"]}
    r = client.post(f"/api/v1/visits/problems/{a.pk}/settle", {"outcome": "solved", "text": "已更换灯管"},
                    content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["problems"][0]["status"] == "solved"
    r = client.post(f"/api/v1/visits/problems/{b.pk}/ticket", {"agreed_feedback_at": "2026-11-24T10:00:00+08:00"},
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["number"]
    r = client.get(f"/api/v1/visits/{visit.pk}", **_auth(cast.outsider, frozen_now))
    assert r.status_code == 404
    r = client.get("/api/v1/visits/?status=unsolved", **_auth(cast.quality_inspector, frozen_now))
    assert r.status_code == 200 and [v["id"] for v in r.json()] == [visit.pk]
    assert r.json()[0]["problems"][1]["ticket_number"]
    r = client.get("/api/v1/visits/?category=casual", **auth)
    assert r.status_code == 422
    r = client.get(f"/api/v1/visits/?year=2026&category=periodic&project={cast.project.pk}", **auth)
    assert [v["id"] for v in r.json()] == [visit.pk]
