"""R-M8-08 (b, f), R-M8-13, R-M8-14 on the work-order page and the API, as the repair worker (issue 17):
the charge is reported to a named person in charge before the owner's consent counts; the full conduct
checklist with unticked items explained and flagged; the acceptance quality check is asked, never
assumed, and covers cosmetic work."""

from __future__ import annotations

import base64

import pytest

from apps.repairs import actions
from apps.repairs.models import RepairOrder
from apps.repairs.tests.conftest import SITE_OK, item, png
from apps.repairs.tests.helpers import RepairApiClient as _Api
from apps.repairs.tests.helpers import assigned, on_site
from apps.repairs.tests.helpers import login as _login
from apps.repairs.tests.helpers import started as _started

pytestmark = pytest.mark.django_db


def test_r_m8_08b_agreed_charge_names_the_person_in_charge_on_the_page(cast, fake_policies, frozen_now, price_list):
    """R-M8-08 (b): the technician reports the chargeable item to the person in charge — the page's
    consent form names them; without one the owner's agreement is refused and work cannot start."""
    order = assigned(cast, now=frozen_now)
    c, url = _login(cast.worker), f"/repairs/orders/{order.pk}"
    c.post(f"{url}/accept/")
    c.post(f"{url}/arrive/")
    tap = item(price_list, "tap")
    c.post(f"{url}/diagnose/", {"diagnosis": "龙头坏", "chargeable": "on", f"qty_{tap.pk}": "1"})
    page = c.get(f"{url}/").content.decode()
    assert 'name="reported_to"' in page and "赵工" in page
    r = c.post(f"{url}/consent/", {"owner_name": "王先生", "explanation": "更换龙头", "agreed": "1"}, follow=True)
    assert "须报告负责人" in r.content.decode() and not order.consents.exists()
    r = c.post(
        f"{url}/consent/",
        {"owner_name": "王先生", "explanation": "更换龙头", "agreed": "1", "reported_to": cast.outsider.pk},
        follow=True,
    )
    assert not order.consents.exists()
    c.post(
        f"{url}/consent/",
        {"owner_name": "王先生", "explanation": "更换龙头", "agreed": "1", "reported_to": cast.eng_head.pk},
    )
    consent = order.consents.get()
    assert consent.reported_to == cast.eng_head and consent.recorded_by == cast.worker
    c.post(f"{url}/start/")
    order.refresh_from_db()
    assert order.work_started_at is not None


def test_r_m8_08b_api_consent_needs_the_person_in_charge(cast, fake_policies, frozen_now, price_list):
    order = on_site(
        cast, assigned(cast, now=frozen_now), now=frozen_now, chargeable=True, items=[(item(price_list, "tap"), "1")]
    )
    api, base = _Api(cast.worker), f"/api/v1/repairs/orders/{order.pk}"
    body = {"agreed": True, "owner_name": "王先生", "explanation": "换龙头"}
    r = api.post(f"{base}/consent", body)
    assert r.status_code == 422 and "reported_to" in r.json()["error"]["fields"]
    r = api.post(f"{base}/consent", {**body, "reported_to_id": cast.front_desk.pk})
    assert r.status_code == 422 and "reported_to_id" in r.json()["error"]["fields"]
    r = api.post(f"{base}/consent", {**body, "reported_to_id": cast.supervisor.pk})
    assert r.status_code == 200 and r.json()["consent_valid"] is True
    assert order.consents.get().reported_to == cast.supervisor
    # the owner's refusal needs no one named
    r = api.post(f"{base}/consent", {**body, "agreed": False})
    assert r.status_code == 200


def test_r_m8_14_r_m8_08f_unticked_conduct_items_need_a_note_and_are_flagged_on_the_page(
    cast, fake_policies, frozen_now
):
    """R-M8-14 / R-M8-08 (f): every conduct item is on the job record; completing with one unticked
    needs the worker's explanation, and the completed order flags it."""
    order = _started(cast, frozen_now)
    c, url = _login(cast.worker), f"/repairs/orders/{order.pk}"
    page = c.get(f"{url}/").content.decode()
    for label in (
        "不吸烟、不吃零食、不嚼口香糖",
        "未与住户发生争执",
        "签名确认后礼貌道别",
        "尊重住户生活习惯",
        "未使用住户电话",
    ):
        assert label in page, label
    assert "R-M8" not in page
    ticks = {f"check_{k}": "on" for k in SITE_OK if k not in {"shoe_covers_mat", "phone_with_permission"}}
    r = c.post(f"{url}/complete/", {"result": "已更换阀芯", "labour_hours": "1", **ticks}, follow=True)
    body = r.content.decode()
    assert "须说明原因" in body and "穿鞋套、铺垫布" in body
    order.refresh_from_db()
    assert order.completed_at is None
    c.post(
        f"{url}/complete/",
        {
            "result": "已更换阀芯",
            "labour_hours": "1",
            **ticks,
            "checklist_note": "住户要求不穿鞋套；借用住户电话联系了工程部（经同意）",
        },
    )
    order.refresh_from_db()
    assert order.completed_at is not None and order.checklist["shoe_covers_mat"] is False
    assert order.checklist_note.startswith("住户要求不穿鞋套")
    page = c.get(f"{url}/").content.decode()
    assert 'data-testid="checklist-unmet"' in page and "穿鞋套、铺垫布" in page and "住户要求不穿鞋套" in page


def test_r_m8_14_api_completion_flags_unmet_items(cast, fake_policies, frozen_now):
    order = _started(cast, frozen_now)
    api, base = _Api(cast.worker), f"/api/v1/repairs/orders/{order.pk}"
    partial = {**SITE_OK, "no_conflict": False}
    r = api.post(f"{base}/completion", {"result": "修好", "labour_hours": "1", "checklist": partial})
    assert r.status_code == 422 and r.json()["error"]["code"] == "checklist_unexplained"
    assert "checklist_note" in r.json()["error"]["fields"]
    r = api.post(
        f"{base}/completion",
        {"result": "修好", "labour_hours": "1", "checklist": partial, "checklist_note": "住户与邻居争吵，已劝离现场"},
    )
    assert r.status_code == 200
    assert r.json()["checklist_unmet"] == ["no_conflict"] and r.json()["checklist_note"]
    other = _started(cast, frozen_now)
    r = api.post(
        f"/api/v1/repairs/orders/{other.pk}/completion",
        {"result": "修好", "labour_hours": "1", "checklist": SITE_OK, "checklist_note": "无"},
    )
    assert r.status_code == 200 and r.json()["checklist_unmet"] == [] and r.json()["checklist_note"] == ""


def _complete(cast, now):
    order = _started(cast, now)
    actions.complete_repair(
        order=order, result="补墙面", labour_hours=1, checklist=SITE_OK, acting_user=cast.worker, now=now
    )
    return order


def test_r_m8_13_acceptance_quality_is_asked_not_assumed_on_the_page(cast, fake_policies, frozen_now):
    """R-M8-13: the owner's "function restored" box is not ticked in advance; a signature without it
    is an acceptance that did not pass; cosmetic work is judged for colour and evenness."""
    order = _complete(cast, frozen_now)
    c, url = _login(cast.worker), f"/repairs/orders/{order.pk}"
    page = c.get(f"{url}/").content.decode()
    assert 'name="quality_ok"' in page and 'name="quality_ok" checked' not in page
    assert "无色差、无凹凸不平" in page
    sig = "data:image/png;base64," + base64.b64encode(png()).decode()
    c.post(f"{url}/sign/", {"signed_name": "王先生", "signature": sig, "quality_ok": "on", "cosmetic_ok": "0"})
    order.refresh_from_db()
    assert order.quality_ok is True and order.cosmetic_ok is False
    page = c.get(f"{url}/").content.decode()
    assert "外观有色差或不平整" in page
    r = _Api(cast.worker).get(f"/api/v1/repairs/orders/{order.pk}")
    assert r.json()["quality_passed"] is False and r.json()["cosmetic_ok"] is False


def test_r_m8_13_api_acceptance_needs_the_quality_answer(cast, fake_policies, frozen_now):
    order = _complete(cast, frozen_now)
    api, base = _Api(cast.worker), f"/api/v1/repairs/orders/{order.pk}"
    sig = base64.b64encode(png()).decode()
    r = api.post(f"{base}/acceptance", {"signed_name": "王先生", "signature": sig})
    assert r.status_code == 422 and RepairOrder.objects.get(pk=order.pk).signed_at is None
    r = api.post(
        f"{base}/acceptance", {"signed_name": "王先生", "signature": sig, "quality_ok": True, "cosmetic_ok": True}
    )
    assert r.status_code == 200 and r.json()["quality_passed"] is True


def test_r_m8_13_measures_count_a_cosmetic_defect_as_not_passed(cast, fake_policies, frozen_now):
    """R-M8-13: the quality measure passes a repair only when the function is restored and cosmetic work
    shows no colour difference; an unanswered quality box does not pass."""
    import datetime as dt

    from apps.repairs.measures import repair_measures

    for cosmetic, quality in ((True, True), (None, True), (False, True), (None, False)):
        order = _complete(cast, frozen_now)
        actions.sign_acceptance(
            order=order,
            signature=base64.b64encode(png()).decode(),
            signed_name="王",
            quality_ok=quality,
            cosmetic_ok=cosmetic,
            acting_user=cast.worker,
            now=frozen_now,
        )
    total = repair_measures(
        projects=[cast.project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1), as_of=frozen_now
    )[-1]
    assert (total["quality"]["hit"], total["quality"]["total"]) == (2, 4)
