"""/api/v1/assessments: AS-35 and the refused inputs through the API (R-M14-01…-03)."""
from __future__ import annotations

import pytest

from apps.api.actions import issue_token
from apps.assessments.models import AssessmentEntry

pytestmark = pytest.mark.django_db


def _auth(user, now):
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, data, auth):
    return client.post(url, data, content_type="application/json", **auth)


def test_as_35_through_the_api(client, cast, catalogue, frozen_now):
    sup = _auth(cast.supervisor, frozen_now)
    r = _post(client, "/api/v1/assessments/", {"employee_id": cast.front_desk.pk, "project_id": cast.project.pk,
                                               "period": "2026-03"}, sup)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    url = f"/api/v1/assessments/{sid}/entries"
    for item, qty, value in (("1.1", 2, None), ("5.6", 1, None), ("5.1", 1, None), ("1.4", 1, "6")):
        r = _post(client, url, {"item": item, "quantity": qty, "value": value, "source": "department_check",
                                "occurred_on": "2026-03-12", "note": "记录"}, sup)
        assert r.status_code == 201, r.content
    assert r.json()["deducted"] == "11.00" or r.json()["deducted"] in (11, "11", "11.0")
    r = _post(client, url, {"item": "1.4", "value": "12", "source": "customer_complaint", "occurred_on": "2026-03-12"},
              sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "out_of_range"
    assert "value" in r.json()["error"]["fields"]
    r = _post(client, url, {"item": "5.2", "value": "0.5", "source": "daily_inspection", "occurred_on": "2026-03-12"},
              sup)
    assert r.status_code == 201
    r = _post(client, url, {"item": "1.3", "source": "department_check", "occurred_on": "2026-03-12",
                            "note": "与业主争吵"}, sup)
    assert r.status_code == 201 and r.json()["entries"][-1]["disciplinary_referral"] is True
    assert r.json()["entries"][-1]["points"] in ("0.00", 0, "0")


def test_r_m14_01_api_refuses_duplicate_self_and_frozen(client, cast, sheet, frozen_now):
    sup = _auth(cast.supervisor, frozen_now)
    r = _post(client, "/api/v1/assessments/", {"employee_id": cast.front_desk.pk, "project_id": cast.project.pk,
                                               "period": "2026-03"}, sup)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"
    r = _post(client, "/api/v1/assessments/", {"employee_id": cast.supervisor.pk, "project_id": cast.project.pk,
                                               "period": "2026-03"}, sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "self_assessment"
    assert _post(client, f"/api/v1/assessments/{sheet.pk}/submit", {}, sup).status_code == 200
    mgr = _auth(cast.cs_manager, frozen_now)
    assert _post(client, f"/api/v1/assessments/{sheet.pk}/sign-off", {"note": "同意"}, mgr).json()["status"] == "signed_off"
    r = _post(client, f"/api/v1/assessments/{sheet.pk}/entries",
              {"item": "5.4", "source": "manager_spot_check", "occurred_on": "2026-03-12"}, mgr)
    assert r.status_code == 409 and r.json()["error"]["code"] == "frozen"
    assert not AssessmentEntry.objects.exists()
    desk = _auth(cast.front_desk, frozen_now)
    assert client.get(f"/api/v1/assessments/{sheet.pk}", **desk).status_code == 200  # one's own sheet
    assert client.get(f"/api/v1/assessments/{sheet.pk}", **_auth(cast.outsider, frozen_now)).status_code == 404
