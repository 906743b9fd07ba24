"""/api/v1/quality: the same NCR actions as the pages, with structured errors (R-M2-04, R-M19-08)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.quality.models import NcrStatus, NonconformityReport
from apps.tickets.tests.conftest import Api

pytestmark = pytest.mark.django_db

RAISE = {"nonconformity": "地下车库顶板渗水，三辆车漆面受损", "beyond_authority_reason": "涉及大修与赔偿，须报公司决定"}


def test_r_m2_04_raise_sign_and_dispatch_through_the_api(cast: Any, mrep: Any, complaint: Any,
                                                         frozen_now: dt.datetime) -> None:
    manager, rep, desk = Api(cast.cs_manager), Api(mrep), Api(cast.front_desk)
    r = manager.post(f"/api/v1/quality/tickets/{complaint.pk}/ncr", {**RAISE, "department_id": cast.eng_dept.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "NCR-2026-0001" and body["status"] == "awaiting_signature" and body["handling_blocked"]
    assert body["department_id"] == cast.eng_dept.pk and body["events"][0]["kind"] == "raised"
    r = desk.post(f"/api/v1/tickets/{complaint.pk}/dispatch", {"department": cast.eng_dept.pk})
    assert r.status_code == 409 and r.json()["error"]["code"] == "awaiting_ncr_signature"
    r = manager.post(f"/api/v1/quality/ncr/{body['id']}/sign", {"opinion": "同意"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = rep.post(f"/api/v1/quality/ncr/{body['id']}/sign", {"opinion": "同意先行维修"})
    assert r.status_code == 200 and r.json()["status"] == "signed" and r.json()["signed_by"] == "冯代表"
    r = rep.post(f"/api/v1/quality/ncr/{body['id']}/sign", {"opinion": "再签"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_signed"
    r = rep.get("/api/v1/quality/ncr", status="signed")
    assert [x["number"] for x in r.json()] == ["NCR-2026-0001"]


def test_api_bad_input_and_visibility(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    manager = Api(cast.cs_manager)
    r = manager.post(f"/api/v1/quality/tickets/{complaint.pk}/ncr", {**RAISE, "nonconformity": ""})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"nonconformity": ["请填写不合格事实（至少4个字）"]}
    r = manager.post(f"/api/v1/quality/tickets/{complaint.pk}/ncr", {**RAISE, "department_id": 999999})
    assert r.status_code == 422 and not NonconformityReport.objects.exists()
    assert Api(cast.outsider).post(f"/api/v1/quality/tickets/{complaint.pk}/ncr", RAISE).status_code == 404
    created = manager.post(f"/api/v1/quality/tickets/{complaint.pk}/ncr", RAISE).json()
    assert Api(cast.outsider).get(f"/api/v1/quality/ncr/{created['id']}").status_code == 404
    assert manager.get("/api/v1/quality/ncr", status="bogus").status_code == 422
    r = Api(mrep).post(f"/api/v1/quality/ncr/{created['id']}/return", {"reason": "请补充维修报价"})
    assert r.json()["status"] == NcrStatus.RETURNED
    r = manager.post(f"/api/v1/quality/ncr/{created['id']}/update", {"cause_analysis": "防水层老化"})
    assert r.status_code == 200 and r.json()["status"] == NcrStatus.AWAITING_SIGNATURE
    r = manager.post(f"/api/v1/quality/ncr/{created['id']}/withdraw", {"reason": "属部门权限内"})
    assert r.status_code == 200 and r.json()["status"] == NcrStatus.WITHDRAWN
    r = Api(mrep).post(f"/api/v1/quality/ncr/{created['id']}/verify", {"note": "已复查无渗漏"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_signed"
