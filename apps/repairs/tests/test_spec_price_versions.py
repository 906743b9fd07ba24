"""R-M8-15 / R-M8-16 明码标价 and 公示 by the 管理处经理 on the staff page and the API: drafts are
edited, a published list is frozen (409 ``frozen``), a change is a new version that supersedes the
old one from its effective date; the public page then shows the new prices."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from apps.repairs import queries
from apps.repairs.models import PriceList
from apps.repairs.tests.test_api import Api

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_r_m8_16_project_manager_drafts_publishes_and_versions_on_the_page(cast, frozen_now, price_list):
    pm = login(cast.project_manager)
    assert pm.get("/repairs/price-lists/").status_code == 200
    for user in (cast.front_desk, cast.worker, cast.supervisor):
        assert login(user).get("/repairs/price-lists/").status_code == 404
    # the published list is frozen: the page offers no form, a POST changes nothing
    r = pm.get(f"/repairs/price-lists/{price_list.pk}/")
    assert 'data-testid="frozen"' in r.content.decode() and 'data-testid="price-list-form"' not in r.content.decode()
    pm.post(f"/repairs/price-lists/{price_list.pk}/", {"name": "x", "effective_from": "2026-12-01",
                                                       "items": "tap | 水龙头 | 个 | 1"})
    assert price_list.items.get(code="tap").unit_price == Decimal("45.50")
    # a new version: a copy, edited, then published — the old one ends the day before
    r = pm.post(f"/repairs/price-lists/{price_list.pk}/", {"step": "new_version"})
    draft = PriceList.objects.get(previous=price_list)
    assert r.status_code == 302 and draft.version == 2 and draft.items.count() == 5
    r = pm.post(f"/repairs/price-lists/{draft.pk}/", {"name": "有偿服务收费价目表", "effective_from": "2026-12-01",
                                                     "items": "tap | 水龙头 | 个 | 52.00 | 材料\nbad line"})
    assert r.status_code == 422 and "第2行" in r.content.decode()
    r = pm.post(f"/repairs/price-lists/{draft.pk}/", {"name": "有偿服务收费价目表", "effective_from": "2026-12-01",
                                                     "items": "tap | 水龙头 | 个 | 52.00 | 材料\n"
                                                              "drain_clear | 疏通下水道 | 次 | 60"})
    assert r.status_code == 302
    assert pm.post(f"/repairs/price-lists/{draft.pk}/", {"step": "publish"}).status_code == 302
    price_list.refresh_from_db()
    assert price_list.effective_to == dt.date(2026, 11, 30) and price_list.superseded_at is not None
    assert queries.effective_price_list(cast.project, dt.date(2026, 11, 30)) == price_list
    new = queries.effective_price_list(cast.project, dt.date(2026, 12, 1))
    assert new is not None and new.pk == draft.pk and new.items.get(code="tap").unit_price == Decimal("52.00")
    # the old version keeps its prices (it is history), and cannot get a second new version
    assert price_list.items.get(code="tap").unit_price == Decimal("45.50")
    pm.post(f"/repairs/price-lists/{price_list.pk}/", {"step": "new_version"})
    assert PriceList.objects.filter(previous=price_list).count() == 1


def test_r_m8_16_api_frozen_list_and_new_version(cast, frozen_now, price_list):
    api = Api(cast.project_manager)
    body = {"name": "有偿服务收费价目表", "effective_from": "2026-12-01",
            "items": [{"code": "tap", "name": "水龙头", "unit": "个", "unit_price": "1.00", "kind": "material"}]}
    r = api.c.put(f"/api/v1/repairs/price-lists/{price_list.pk}", body, content_type="application/json",
                  HTTP_AUTHORIZATION=f"Bearer {api.raw}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "frozen"
    r = api.post(f"/api/v1/repairs/price-lists/{price_list.pk}/new-version")
    assert r.status_code == 201 and r.json()["version"] == 2 and not r.json()["frozen"]
    draft_id = r.json()["id"]
    bad = {**body, "items": [{"code": "tap", "name": "水龙头", "unit": "个", "unit_price": "-3"}]}
    r = api.c.put(f"/api/v1/repairs/price-lists/{draft_id}", bad, content_type="application/json",
                  HTTP_AUTHORIZATION=f"Bearer {api.raw}")
    assert r.status_code == 422 and "items" in r.json()["error"]["fields"]
    r = api.c.put(f"/api/v1/repairs/price-lists/{draft_id}", body, content_type="application/json",
                  HTTP_AUTHORIZATION=f"Bearer {api.raw}")
    assert r.status_code == 200
    r = api.post(f"/api/v1/repairs/price-lists/{draft_id}/publish")
    assert r.status_code == 200 and r.json()["frozen"]
    r = api.get("/api/v1/repairs/price-lists", project_id=cast.project.pk)
    assert [pl["version"] for pl in r.json()] == [2, 1] and r.json()[1]["superseded_at"] is not None
    assert Api(cast.front_desk).get("/api/v1/repairs/price-lists", project_id=cast.project.pk).status_code == 403
    assert Api(cast.outsider).get("/api/v1/repairs/price-lists", project_id=cast.project.pk).status_code == 404
    r = Api(cast.project_manager).post("/api/v1/repairs/price-lists", {
        "project_id": cast.other_project.pk, "effective_from": "2026-12-01", "items": body["items"]})
    assert r.status_code == 404
