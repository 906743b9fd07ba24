"""R-M19-14: a registered service contract is corrected — owner, number, signing date, term, note — on
/staff-records/contracts/<id>/edit/ and through PATCH /api/v1/staff-records/contracts/<id>, with a
reason; each correction keeps who, when, what changed and why; the owners' ``contract_ref`` follow, and
the owner archive (household page and API) shows the contract number."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.staffrecords import actions
from apps.staffrecords.models import ServiceContract, ServiceContractChange
from apps.staffrecords.tests.conftest import make_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(cast, frozen_now):
    owner = make_owner(cast.project)
    return actions.add_service_contract(
        acting_user=cast.project_manager,
        now=frozen_now - dt.timedelta(days=3),
        owner=owner,
        number="YG-WY-2026-010",
        signed_on=dt.date(2026, 10, 1),
        valid_until=dt.date(2029, 9, 30),
    )


def test_r_m19_14_contract_corrected_on_the_page_keeps_history(client, cast, contract, frozen_now):
    client.force_login(cast.project_manager)
    page = client.get("/staff-records/contracts/").content.decode()
    assert f'href="/staff-records/contracts/{contract.pk}/edit/"' in page
    url = f"/staff-records/contracts/{contract.pk}/edit/"
    data = {
        "owner": contract.owner_id,
        "number": "YG-WY-2026-011",
        "signed_on": "2026-10-08",
        "valid_until": "2029-09-30",
        "note": "",
    }
    # refusals: no reason, end before start, signed in the future — nothing changed
    r = client.post(url, data)
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    r = client.post(url, {**data, "reason": "以原件为准", "valid_until": "2026-01-01"})
    assert r.status_code == 422 and "合同期至不能早于签订日期" in r.content.decode()
    r = client.post(url, {**data, "reason": "以原件为准", "signed_on": "2026-12-01"})
    assert r.status_code == 422 and "签订日期不能晚于今天" in r.content.decode()
    r = client.post(url, {**data, "reason": "以原件为准", "number": contract.number, "signed_on": "2026-10-01"})
    assert r.status_code == 422 and "内容没有变化" in r.content.decode()
    assert not ServiceContractChange.objects.exists()
    r = client.post(url, {**data, "reason": "合同编号录入错误，以原件为准"})
    assert r.status_code == 302, r.content.decode()
    contract.refresh_from_db()
    contract.owner.refresh_from_db()
    assert contract.number == "YG-WY-2026-011" and contract.signed_on == dt.date(2026, 10, 8)
    assert contract.owner.contract_ref == "YG-WY-2026-011"
    change = ServiceContractChange.objects.get()
    assert change.changed_by == cast.project_manager and change.changed_at == frozen_now
    assert change.before == {"number": "YG-WY-2026-010", "signed_on": "2026-10-01"}
    assert change.after == {"number": "YG-WY-2026-011", "signed_on": "2026-10-08"}
    page = client.get(url).content.decode()
    assert "合同编号录入错误，以原件为准" in page and "YG-WY-2026-010 → YG-WY-2026-011" in page
    assert "2026-11-23 10:00" in page and "R-M" not in page and 'class="cards"' in page
    # a second contract's number is taken
    other = make_owner(cast.project, room="102", name="李四")
    actions.add_service_contract(
        acting_user=cast.project_manager,
        now=frozen_now,
        owner=other,
        number="YG-WY-2026-012",
        signed_on=dt.date(2026, 10, 1),
    )
    r = client.post(url, {**data, "number": "YG-WY-2026-012", "reason": "改号"})
    assert r.status_code == 409 and "已登记过" in r.content.decode()
    # others may not open it
    client.force_login(cast.front_desk)
    assert client.get(url).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 403


def test_r_m19_14_contract_moved_to_the_right_owner(cast, contract, frozen_now):
    right = make_owner(cast.project, room="103", name="王五")
    actions.update_service_contract(
        contract=contract, acting_user=cast.project_manager, now=frozen_now, reason="登记时选错了房屋", owner=right
    )
    contract.refresh_from_db()
    old = contract.history.model.objects.filter(id=contract.pk).order_by("history_id").first().owner
    old.refresh_from_db()
    right.refresh_from_db()
    assert contract.owner == right and contract.household == right.household
    assert right.contract_ref == "YG-WY-2026-010" and old.contract_ref == ""
    change = ServiceContractChange.objects.get()
    assert change.before["owner"].endswith("张*") and change.after["owner"].endswith("王*")


def test_r_m19_14_contract_corrected_through_the_api(client, cast, office, contract, frozen_now, auth):
    h = auth(office, frozen_now)
    url = f"/api/v1/staff-records/contracts/{contract.pk}"
    r = client.patch(url, {"valid_until": "2030-09-30"}, content_type="application/json", **h)
    assert r.status_code == 422
    r = client.patch(url, {"valid_until": "2026-09-30", "reason": "续期"}, content_type="application/json", **h)
    assert r.status_code == 422 and "valid_until" in r.json()["error"]["fields"]
    r = client.patch(url, {"owner_id": 999999, "reason": "换业主"}, content_type="application/json", **h)
    assert r.status_code == 422 and "owner_id" in r.json()["error"]["fields"]
    r = client.patch(
        url,
        {"valid_until": "2030-09-30", "note": "补充协议延期一年", "reason": "续签补充协议"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200, r.content
    assert r.json()["valid_until"] == "2030-09-30" and r.json()["note"] == "补充协议延期一年"
    changes = client.get(f"{url}/changes", **h).json()
    assert len(changes) == 1 and changes[0]["reason"] == "续签补充协议"
    assert changes[0]["changed_by"] == str(office)
    assert changes[0]["before"] == {"valid_until": "2029-09-30", "note": ""}
    assert changes[0]["after"] == {"valid_until": "2030-09-30", "note": "补充协议延期一年"}
    # the front desk and the other project may not
    assert (
        client.patch(
            url, {"note": "x", "reason": "y"}, content_type="application/json", **auth(cast.front_desk, frozen_now)
        ).status_code
        == 403
    )
    assert client.get(f"{url}/changes", **auth(cast.front_desk, frozen_now)).status_code == 403
    assert ServiceContract.objects.get().note == "补充协议延期一年"


def test_r_m19_14_contract_number_on_the_owner_archive(client, cast, contract, frozen_now, auth):
    """The household page and the estates API show the owner's service-contract number."""
    hh = contract.household
    client.force_login(cast.front_desk)
    page = client.get(f"/estates/households/{hh.pk}/").content.decode()
    assert 'data-testid="contract-ref"' in page and "YG-WY-2026-010" in page
    r = client.get(f"/api/v1/estates/households/{hh.pk}", **auth(cast.front_desk, frozen_now))
    assert r.status_code == 200
    assert [p["contract_ref"] for p in r.json()["persons"]] == ["YG-WY-2026-010"]


def test_contract_corrections_page_query_count(client, cast, contract, frozen_now, django_assert_max_num_queries):
    for i in range(5):
        actions.update_service_contract(
            contract=contract,
            acting_user=cast.project_manager,
            now=frozen_now,
            reason=f"第{i + 1}次更正",
            note=f"备注{i}",
        )
    client.force_login(cast.project_manager)
    with django_assert_max_num_queries(16):
        r = client.get(f"/staff-records/contracts/{contract.pk}/edit/")
    assert r.content.decode().count('data-testid="contract-change"') == 5
    with django_assert_max_num_queries(14):
        r = client.get("/staff-records/contracts/")
    assert "已更正5次" in r.content.decode()
