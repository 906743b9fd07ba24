"""R-M8-09 (registration: what was repaired, labour hours, materials used, acceptance signature) on
the work-order page and the API, as the repair worker (issue 17): every material used is logged,
whether it is on the published price list or not (common and consumable stock by name and unit)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from apps.repairs import actions
from apps.repairs.tests.conftest import SITE_OK, item, png
from apps.repairs.tests.helpers import RepairApiClient as _Api
from apps.repairs.tests.helpers import login as _login
from apps.repairs.tests.helpers import started as _started

pytestmark = pytest.mark.django_db


def test_r_m8_09_page_logs_listed_and_other_materials_then_the_registration_is_complete(
        cast, fake_policies, frozen_now, price_list):
    """R-M8-09: on the work-order page the worker logs a listed material and one not on the list (by
    name and unit); a missing name is refused beside the field; the completed and signed order holds
    what was repaired, the labour hours, the materials and the signature."""
    order = _started(cast, frozen_now)
    c, url = _login(cast.worker), f"/repairs/orders/{order.pk}"
    page = c.get(f"{url}/").content.decode()
    assert 'data-testid="form-material"' in page and "其他材料（填写名称）" in page
    c.post(f"{url}/material/", {"item": item(price_list, "tape").pk, "quantity": "2"})
    r = c.post(f"{url}/material/", {"item": "", "name": "", "unit": "", "quantity": "1"}, follow=True)
    assert "请选择价目表中的材料或填写材料名称" in r.content.decode()
    c.post(f"{url}/material/", {"item": "", "name": "生料带", "unit": "卷", "quantity": "1"})
    assert [(m.name, m.unit, m.quantity, m.item_id is None) for m in order.materials.all()] == [
        ("绝缘胶布", "卷", Decimal("2.00"), False), ("生料带", "卷", Decimal("1.00"), True)]
    page = c.get(f"{url}/").content.decode()
    assert "生料带 × 1卷" in page and "价目表外" in page
    c.post(f"{url}/complete/", {"result": "更换阀芯", "labour_hours": "1.5",
                                **{f"check_{k}": "on" for k in SITE_OK}})
    order.refresh_from_db()
    assert order.completed_at is not None
    sig = "data:image/png;base64," + base64.b64encode(png()).decode()
    actions.sign_acceptance(order=order, signature=sig, signed_name="王先生", quality_ok=True,
                            acting_user=cast.worker, now=frozen_now)
    order.refresh_from_db()
    assert order.labour_hours == Decimal("1.50") and order.signed_name == "王先生" and order.materials.count() == 2
    r = c.post(f"{url}/material/", {"item": "", "name": "灯泡", "unit": "个", "quantity": "1"}, follow=True)
    assert order.materials.count() == 2  # nothing more after completion


def test_r_m8_09_api_logs_materials_and_shows_them_on_the_work_order(cast, fake_policies, frozen_now, price_list):
    """R-M8-09 through the API: POST /api/v1/repairs/orders/<id>/materials with a listed item or a
    name and unit; the order shows every material; bad input answers 422 with the field."""
    order = _started(cast, frozen_now)
    api, url = _Api(cast.worker), f"/api/v1/repairs/orders/{order.pk}"
    r = api.post(f"{url}/materials", {"item_id": item(price_list, "tube").pk, "quantity": "1"})
    assert r.status_code == 200, r.content
    r = api.post(f"{url}/materials", {"name": "启辉器", "unit": "个", "quantity": "2"})
    assert r.status_code == 200, r.content
    assert [(m["name"], m["unit"], Decimal(m["quantity"]), m["item_id"] is None) for m in r.json()["materials"]] == [
        ("T8 灯管", "支", Decimal("1"), False), ("启辉器", "个", Decimal("2"), True)]
    r = api.post(f"{url}/materials", {"name": "启辉器", "quantity": "2"})
    assert r.status_code == 422 and "unit" in json.dumps(r.json(), ensure_ascii=False)
    r = api.post(f"{url}/materials", {"item_id": item(price_list, "drain_clear").pk, "quantity": "1"})
    assert r.status_code == 422  # a service item is not a material
    r = api.post(f"{url}/materials", {"name": "x" * 101, "unit": "个", "quantity": "1"})
    assert r.status_code == 422
    r = api.post(f"{url}/materials", {"name": "灯泡", "unit": "个", "quantity": "0"})
    assert r.status_code == 422
    assert order.materials.count() == 2
    other = _Api(cast.outsider).post(f"{url}/materials", {"name": "灯泡", "unit": "个", "quantity": "1"})
    assert other.status_code in {403, 404} and order.materials.count() == 2
    assert len(api.get(url).json()["materials"]) == 2
