"""R-M7-04: the owner archive is kept by several roles — the 客服主管 builds and maintains it, the front
desk manages it, the building steward helps and keeps up with residents' circumstances. Each edits
households and occupants on the archive pages and through the API; a steward whose only role is the
steward's edits the buildings they steward; repair workers do not edit the archive."""

from __future__ import annotations

import json

import pytest

from apps.estates.models import Person
from apps.estates.tests.conftest import token_for

pytestmark = pytest.mark.django_db


def _put(client, user, hh, person, body):
    return client.put(
        f"/api/v1/estates/households/{hh.pk}/persons/{person.pk}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )


def test_r_m7_04_front_desk_maintains_the_archive_on_the_page_and_the_api(cast, estate, client, frozen_now):
    client.force_login(cast.front_desk)
    html = client.get(f"/estates/households/{estate.hh.pk}/").content.decode()
    assert 'data-testid="person-new"' in html
    r = client.post(
        f"/estates/households/{estate.hh.pk}/persons/new/",
        {"name": "张小燕", "kind": "resident", "phone": "13900002222", "active": "on"},
    )
    assert r.status_code == 302 and Person.objects.get(name="张小燕").household == estate.hh
    r = client.post(f"/estates/households/{estate.hh.pk}/edit/", {"status": "occupied", "area_m2": "118"})
    assert r.status_code == 302
    r = _put(
        client,
        cast.front_desk,
        estate.hh,
        estate.resident,
        {"name": "李四", "kind": "resident", "needs": "周末在家，维修请提前电话预约"},
    )
    assert r.status_code == 200 and r.json()["phone"] == "139****1111"
    estate.resident.refresh_from_db()
    assert estate.resident.needs == "周末在家，维修请提前电话预约" and estate.resident.phone == "13900001111"
    r = client.post(
        f"/api/v1/estates/households/{estate.hh.pk}/persons",
        json.dumps({"name": "", "kind": "resident"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(cast.front_desk)}",
    )
    assert r.status_code == 422


def test_r_m7_04_steward_keeps_their_own_buildings(cast, estate, client, frozen_now):
    building = estate.hh.building
    building.steward = cast.butler
    building.save()
    client.force_login(cast.butler)
    url = f"/estates/households/{estate.hh.pk}/persons/{estate.owner.pk}/edit/"
    r = client.post(url, {"name": "张三丰", "kind": "owner", "tags": "空巢老人", "active": "on"})
    assert r.status_code == 302
    estate.hh.refresh_from_db()
    assert estate.hh.elderly_alone
    # not their building: refused on the page and in the API
    assert client.get(f"/estates/households/{estate.vip_hh.pk}/persons/{estate.vip.pk}/edit/").status_code == 403
    r = _put(client, cast.butler, estate.vip_hh, estate.vip, {"name": "王五", "kind": "owner"})
    assert r.status_code == 403
    r = _put(client, cast.butler, estate.hh, estate.owner, {"name": "张三丰", "kind": "owner", "needs": "独居"})
    assert r.status_code == 200


def test_r_m7_04_repair_worker_does_not_edit_the_archive(cast, estate, client):
    client.force_login(cast.worker)
    url = f"/estates/households/{estate.hh.pk}/persons/{estate.owner.pk}/edit/"
    assert client.get(url).status_code in (403, 404)
    r = _put(client, cast.worker, estate.hh, estate.owner, {"name": "张三丰", "kind": "owner"})
    assert r.status_code in (403, 404)
