"""REST API of repairs (/api/v1/repairs): the worker's orders, arrival, consent, completion,
acceptance, measures, public prices; errors are structured and declared."""
from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from apps.repairs.tests.conftest import SITE_OK, item, png
from apps.repairs.tests.helpers import assigned

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        from apps.api.models import ApiToken
        from linli import clock

        _t, self.raw = ApiToken.issue(user, name="test", now=clock.now())
        self.c = Client()

    def get(self, url, **params):
        return self.c.get(url, params, HTTP_AUTHORIZATION=f"Bearer {self.raw}")

    def post(self, url, body=None):
        return self.c.post(url, json.dumps(body or {}), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {self.raw}")


def test_r_m8_08b_api_flow_with_charge_consent(cast, fake_policies, frozen_now, price_list):
    """The phone API: list → accept → arrival → diagnosis with listed items → start refused (409
    consent_required, R-M8-08 b) → consent → start → completion → acceptance signature."""
    order = assigned(cast, now=frozen_now)
    api = Api(cast.worker)
    base = f"/api/v1/repairs/orders/{order.pk}"
    listed = api.get("/api/v1/repairs/orders").json()
    assert [o["id"] for o in listed] == [order.pk]
    assert api.post(f"{base}/accept").status_code == 200
    r = api.post(f"{base}/arrival", {})
    assert r.status_code == 200 and r.json()["arrived_at"]
    tap = item(price_list, "tap")
    r = api.post(f"{base}/diagnosis", {"diagnosis": "龙头坏", "chargeable": True,
                                      "items": [{"item_id": tap.pk, "quantity": "2"}]})
    assert r.json()["charge_total"] == "91.00"
    r = api.post(f"{base}/start")
    assert r.status_code == 409 and r.json()["error"]["code"] == "consent_required"
    r = api.post(f"{base}/consent", {"agreed": True, "owner_name": "王先生", "explanation": "换两个龙头",
                                     "reported_to_id": cast.eng_head.pk})
    assert r.json()["consent_valid"] is True
    assert api.post(f"{base}/start").status_code == 200
    r = api.post(f"{base}/completion", {"result": "已更换", "labour_hours": "0"})
    assert r.status_code == 422 and "labour_hours" in r.json()["error"]["fields"]
    r = api.post(f"{base}/completion", {"result": "已更换", "labour_hours": "1.5"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "checklist_incomplete"
    r = api.post(f"{base}/completion", {"result": "已更换", "labour_hours": "1.5",
                                       "checklist": SITE_OK})
    assert r.json()["status"] == "handled" and r.json()["labour_hours"] == "1.50"
    r = api.post(f"{base}/acceptance", {"signed_name": "王先生", "signature": base64.b64encode(png()).decode(),
                                        "quality_ok": True})
    assert r.status_code == 200 and r.json()["signed_name"] == "王先生"
    complete = {d["stage"]: d for d in r.json()["deadlines"]}["complete"]
    assert complete["met_in_time"] is True


def test_api_refuses_other_projects_and_bad_input(cast, fake_policies, frozen_now):
    order = assigned(cast, now=frozen_now)
    assert Api(cast.outsider).post(f"/api/v1/repairs/orders/{order.pk}/accept").status_code == 404
    r = Api(cast.worker).post(f"/api/v1/repairs/orders/{order.pk}/consent", {"agreed": "maybe"})
    assert r.status_code == 422
    assert Client().get("/api/v1/repairs/orders").status_code == 401


def test_api_measures_and_public_prices(cast, fake_policies, frozen_now, price_list):
    r = Api(cast.supervisor).get("/api/v1/repairs/measures", month_from="2026-11", group="worker")
    assert r.status_code == 200 and "arrival" in r.json()["definitions"]
    assert Api(cast.supervisor).get("/api/v1/repairs/measures", month_from="2026-13").status_code == 422
    r = Client().get(f"/api/v1/repairs/prices/{cast.project.code}")
    assert r.status_code == 200 and {i["code"] for i in r.json()["items"]} >= {"tap", "tube"}
    assert Client().get("/api/v1/repairs/prices/CH").status_code == 404


def test_openapi_declares_errors_for_repairs():
    schema = Client().get("/api/openapi.json").json()
    ops = [op for path, item in schema["paths"].items() if path.startswith("/api/v1/repairs") for op in item.values()]
    assert ops and all({"404", "409", "422"} <= set(op["responses"]) for op in ops)
