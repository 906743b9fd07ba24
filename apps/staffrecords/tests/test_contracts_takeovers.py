"""R-M19-14: the standard property service contract per owner (its number becomes the owner's
``contract_ref``) and the takeover-inspection record per project — kept on pages and through
/api/v1/staff-records/ by the 办公室主任 (company) and the 管理处经理 (their projects); nobody else."""

from __future__ import annotations

import pytest

from apps.org.models import TakeoverInspection
from apps.staffrecords.models import ServiceContract
from apps.staffrecords.tests.conftest import make_owner

pytestmark = pytest.mark.django_db


def test_r_m19_14_contract_registered_on_the_page_sets_the_owners_contract_ref(client, cast, frozen_now):
    owner = make_owner(cast.project)
    tenant = make_owner(cast.project, room="102", name="李四", kind="tenant")
    other = make_owner(cast.other_project, room="201", name="王五")
    client.force_login(cast.project_manager)
    r = client.post("/staff-records/contracts/new/", {"owner": owner.pk, "number": "YG-WY-2026-001",
                                                      "signed_on": "2026-10-01", "valid_until": "2029-09-30"})
    assert r.status_code == 302, r.content.decode()
    owner.refresh_from_db()
    assert owner.contract_ref == "YG-WY-2026-001"
    page = client.get("/staff-records/contracts/").content.decode()
    assert "YG-WY-2026-001" in page and "张*" in page and "张三" not in page and 'class="cards"' in page
    # refusals: duplicate number, a tenant, the other project, end before start — nothing written
    r = client.post("/staff-records/contracts/new/", {"owner": owner.pk, "number": "YG-WY-2026-001",
                                                      "signed_on": "2026-10-01"})
    assert r.status_code == 409 and "已登记过" in r.content.decode()
    r = client.post("/staff-records/contracts/new/", {"owner": tenant.pk, "number": "X-2", "signed_on": "2026-10-01"})
    assert r.status_code == 400
    r = client.post("/staff-records/contracts/new/", {"owner": other.pk, "number": "X-3", "signed_on": "2026-10-01"})
    assert r.status_code == 400
    r = client.post("/staff-records/contracts/new/", {"owner": owner.pk, "number": "X-4", "signed_on": "2026-10-01",
                                                      "valid_until": "2026-01-01"})
    assert r.status_code == 422 and "合同期至不能早于签订日期" in r.content.decode()
    assert ServiceContract.objects.count() == 1
    client.force_login(cast.front_desk)
    assert client.get("/staff-records/contracts/").status_code == 403
    assert client.get("/staff-records/takeovers/new/").status_code == 403


def test_r_m19_14_takeover_inspection_on_the_page(client, cast, office, frozen_now):
    client.force_login(office)
    data = {"project": cast.other_project.pk, "inspected_on": "2026-11-01", "scope": "电梯、消防、供配电",
            "findings": "屋面渗漏", "inspected_by": "工程部、开发商代表", "accepted": "on"}
    r = client.post("/staff-records/takeovers/new/", data)
    assert r.status_code == 422 and "验收资料不齐全，不能确认接管" in r.content.decode()
    assert not TakeoverInspection.objects.exists()
    r = client.post("/staff-records/takeovers/new/", {**data, "documents_complete": "on"})
    assert r.status_code == 302, r.content.decode()
    page = client.get("/staff-records/takeovers/").content.decode()
    assert "屋面渗漏" in page and "已接管" in page and "R-M" not in page
    client.force_login(cast.project_manager)
    assert "屋面渗漏" not in client.get("/staff-records/takeovers/").content.decode()
    assert client.post("/staff-records/takeovers/new/", {**data, "documents_complete": "on"}).status_code == 400


def test_r_m19_14_contracts_and_takeovers_through_the_api(client, cast, office, frozen_now, auth):
    owner = make_owner(cast.project)
    h = auth(office, frozen_now)
    r = client.post("/api/v1/staff-records/contracts", {"owner_id": owner.pk, "number": "C-1",
                                                         "signed_on": "2026-09-01"},
                    content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["owner"] == "张*"
    r = client.post("/api/v1/staff-records/contracts", {"owner_id": owner.pk, "number": "C-2",
                                                         "signed_on": "2026-12-01"},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "signed_on" in r.json()["error"]["fields"]
    owner.refresh_from_db()
    assert owner.contract_ref == "C-1"
    assert [c["number"] for c in client.get("/api/v1/staff-records/contracts", **h).json()] == ["C-1"]
    r = client.post("/api/v1/staff-records/takeovers", {"project_id": cast.project.pk, "inspected_on": "2026-10-10",
                                                         "scope": "共用部位", "inspected_by": "工程部"},
                    content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["accepted"] is False
    pm = auth(cast.project_manager, frozen_now)
    assert len(client.get("/api/v1/staff-records/takeovers", **pm).json()) == 1
    r = client.post("/api/v1/staff-records/takeovers", {"project_id": cast.other_project.pk,
                                                         "inspected_on": "2026-10-10", "scope": "x",
                                                         "inspected_by": "y"}, content_type="application/json", **pm)
    assert r.status_code == 422
    desk = auth(cast.front_desk, frozen_now)
    assert client.get("/api/v1/staff-records/contracts", **desk).status_code == 403
    assert client.get("/api/v1/staff-records/takeovers", **desk).status_code == 403


def test_contract_and_takeover_lists_query_count(client, cast, office, frozen_now, auth,
                                                 django_assert_max_num_queries):
    from apps.staffrecords import actions

    for i in range(4):
        o = make_owner(cast.project, room=f"30{i}", name=f"业主{i}")
        actions.add_service_contract(acting_user=office, now=frozen_now, owner=o, number=f"Q-{i}",
                                     signed_on=frozen_now.date())
        actions.add_takeover_inspection(acting_user=office, now=frozen_now, project=cast.project,
                                        inspected_on=frozen_now.date(), scope="共用部位", inspected_by="工程部")
    client.force_login(office)
    with django_assert_max_num_queries(12):
        r = client.get("/staff-records/contracts/")
    assert r.content.decode().count('data-testid="contract-row"') == 4
    with django_assert_max_num_queries(12):
        r = client.get("/staff-records/takeovers/")
    assert r.content.decode().count('data-testid="takeover-row"') == 4
    h = auth(office, frozen_now)
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/staff-records/contracts", **h).json()) == 4
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/staff-records/takeovers", **h).json()) == 4
