"""R-M8-12 (materials): the engineering staff request common and consumable materials from the
物业管理部 on /repairs/requisitions/ and POST /api/v1/repairs/requisitions; the 管理处经理 (物业管理部)
agrees or refuses with a reason; each line shows the stock in hand and what the project's repairs used
of it in the last three months (the consumption register), so that stock is not excessive."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from apps.notify.models import Notification
from apps.repairs import actions
from apps.repairs.models import MaterialRequisition, RequisitionStatus
from apps.repairs.tests.helpers import RepairApiClient as _Api
from apps.repairs.tests.helpers import assigned, on_site
from apps.repairs.tests.helpers import login as _login

pytestmark = pytest.mark.django_db


def test_r_m8_12_worker_requests_materials_on_the_page_and_the_manager_decides(cast, fake_policies, frozen_now):
    """R-M8-12 on the page: the worker's request (a wrong line is refused beside the field, nothing
    saved); the 管理处经理 sees stock and recent use, refuses only with a reason, then agrees."""
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    actions.start_work(order=order, acting_user=cast.worker, now=frozen_now)
    actions.add_material(order=order, name="T8 灯管", unit="支", quantity="3", acting_user=cast.worker, now=frozen_now)
    url = f"/repairs/requisitions/?project={cast.project.pk}"
    w = _login(cast.worker)
    page = w.get(url).content.decode()
    assert 'data-testid="form-requisition"' in page and "暂无申购单" in page
    bad = {"step": "new", "reason": "补充常用灯管", "name_0": "T8 灯管", "unit_0": "", "quantity_0": "20"}
    r = w.post(url, bad)
    assert r.status_code == 200 and "请填写单位" in r.content.decode() and not MaterialRequisition.objects.exists()
    ok = {"step": "new", "reason": "补充常用灯管", "name_0": "T8 灯管", "unit_0": "支", "quantity_0": "20",
          "in_stock_0": "2", "name_1": "绝缘胶布", "unit_1": "卷", "quantity_1": "10"}
    r = w.post(url, ok)
    assert r.status_code == 302
    req = MaterialRequisition.objects.get()
    assert req.requested_by == cast.worker and req.status == RequisitionStatus.REQUESTED
    assert [(ln.name, ln.quantity, ln.in_stock) for ln in req.lines.all()] == [
        ("T8 灯管", Decimal("20.00"), Decimal("2.00")), ("绝缘胶布", Decimal("10.00"), Decimal("0.00"))]
    assert Notification.objects.filter(recipient=cast.project_manager, kind="repair_requisition").exists()
    assert f'data-testid="form-decide-{req.pk}"' not in w.get(url).content.decode()  # not the worker's to decide
    w.post(url, {"step": "decide", "requisition": req.pk, "approve": "1"})
    req.refresh_from_db()
    assert req.status == RequisitionStatus.REQUESTED
    m = _login(cast.project_manager)
    page = m.get(url).content.decode()
    assert f'data-testid="form-decide-{req.pk}"' in page and "近三个月用 3支" in page
    r = m.post(url, {"step": "decide", "requisition": req.pk, "approve": "0", "note": ""}, follow=True)
    assert "不同意时请写明意见" in r.content.decode()
    m.post(url, {"step": "decide", "requisition": req.pk, "approve": "1", "note": "下午到仓库领取"})
    req.refresh_from_db()
    assert req.status == RequisitionStatus.APPROVED and req.decided_by == cast.project_manager
    assert Notification.objects.filter(recipient=cast.worker, kind="repair_requisition").exists()
    assert _login(cast.front_desk).get(url).status_code == 404  # neither engineering nor 物业管理部


def test_r_m8_12_api_request_and_decision(cast, frozen_now, django_assert_max_num_queries):
    """R-M8-12 through the API: the worker requests, bad lines answer 422 with the field, the
    管理处经理 decides once; another project's staff get 404; the list's queries do not grow."""
    api, mgr = _Api(cast.worker), _Api(cast.project_manager)
    body = {"project_id": cast.project.pk, "reason": "易耗品补充",
            "lines": [{"name": "启辉器", "unit": "个", "quantity": "10", "in_stock": "1"}]}
    r = api.post("/api/v1/repairs/requisitions", {**body, "lines": [{"name": "启辉器", "unit": "", "quantity": "1"}]})
    assert r.status_code == 422 and "lines.0.unit" in json.dumps(r.json())
    r = api.post("/api/v1/repairs/requisitions", {**body, "lines": []})
    assert r.status_code == 422
    r = api.post("/api/v1/repairs/requisitions", {**body, "project_id": 2**40})
    assert r.status_code == 422
    r = _Api(cast.front_desk).post("/api/v1/repairs/requisitions", body)
    assert r.status_code == 403
    r = api.post("/api/v1/repairs/requisitions", body)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["status"] == "requested" and r.json()["lines"][0]["used_recently"] in ("0", "0.00", 0)
    for _ in range(3):
        api.post("/api/v1/repairs/requisitions", body)
    assert api.post(f"/api/v1/repairs/requisitions/{rid}/decision", {"approve": True}).status_code == 403
    assert mgr.post(f"/api/v1/repairs/requisitions/{rid}/decision", {"approve": False}).status_code == 422
    r = mgr.post(f"/api/v1/repairs/requisitions/{rid}/decision", {"approve": True, "note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert mgr.post(f"/api/v1/repairs/requisitions/{rid}/decision", {"approve": True}).status_code == 409
    assert _Api(cast.outsider).post(f"/api/v1/repairs/requisitions/{rid}/decision",
                                    {"approve": True}).status_code == 404
    with django_assert_max_num_queries(12):
        r = mgr.get(f"/api/v1/repairs/requisitions?project_id={cast.project.pk}")
    assert r.status_code == 200 and len(r.json()) == 4
    assert _Api(cast.outsider).get(f"/api/v1/repairs/requisitions?project_id={cast.project.pk}").status_code == 404
