"""R-M19-05 (and R-M19-04 (3)): the 客服专员/管家 return-visits *all* owners of the buildings they steward,
so they see every owner's name and phones of those buildings at once — masked first, in full with a
reason (one read-log row per person, R-M7-01); a VIP stays masked without a grant (R-M7-03); other
buildings are not listed. Page /estates/my-buildings/ and /api/v1/estates/steward-contacts."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.api.models import ApiToken
from apps.estates.models import AccessAction, Building, CustomerDataAccessLog, Household, Person, Unit
from linli import clock

pytestmark = pytest.mark.django_db


def _household(project, building, room, *persons):
    u, _ = Unit.objects.get_or_create(building=building, name="1单元")
    hh = Household.objects.create(project=project, building=building, unit=u, room_no=room,
                                  label=Household.make_label(building.name, u.name, room))
    for name, phone, vip in persons:
        Person.objects.create(project=project, household=hh, kind="owner", name=name, phone=phone, is_vip=vip)
    return hh


@pytest.fixture
def buildings(cast):
    mine = Building.objects.create(project=cast.project, name="7栋", steward=cast.butler)
    other = Building.objects.create(project=cast.project, name="8栋")
    _household(cast.project, mine, "101", ("李四海", "13911112222", False))
    _household(cast.project, mine, "102", ("王五湖", "13933334444", False), ("赵贵人", "13955556666", True))
    _household(cast.project, other, "101", ("孙别楼", "13977778888", False))
    return mine


def _api(user):
    _t, raw = ApiToken.issue(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_m19_05_butler_sees_all_owner_contacts_of_his_buildings_on_the_page(cast, buildings, frozen_now):
    c = Client()
    c.force_login(cast.butler)
    assert 'data-testid="steward-contacts-link"' in c.get(f"/estates/?project={cast.project.pk}").content.decode()
    page = c.get("/estates/my-buildings/").content.decode()
    assert page.count('data-testid="contact-row"') == 3 and "孙别楼" not in page and "13911112222" not in page
    r = c.post("/estates/my-buildings/", {"project": cast.project.pk, "purpose": ""})
    assert r.status_code == 400
    r = c.post("/estates/my-buildings/", {"project": cast.project.pk, "purpose": "回访业主"})
    html = r.content.decode()
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert "李四海" in html and "13911112222" in html and "13933334444" in html
    assert "13955556666" not in html and "赵贵人" not in html  # the VIP needs a grant
    assert "孙别楼" not in html and "R-M" not in html
    logs = CustomerDataAccessLog.objects.filter(user=cast.butler, action=AccessAction.VIEW)
    assert logs.count() == 2 and {log.reason for log in logs} == {"回访业主"}
    # the front desk stewards no building: no such page
    c.force_login(cast.front_desk)
    assert c.get("/estates/my-buildings/").status_code == 404


def test_r_m19_05_butler_contacts_through_the_api(cast, buildings, frozen_now):
    h = _api(cast.butler)
    c = Client()
    assert c.get("/api/v1/org/me", **h).status_code == 200  # the token's first use is stamped once
    with CaptureQueriesContext(connection) as two:
        r = c.get(f"/api/v1/estates/steward-contacts?project_id={cast.project.pk}", **h)
    assert r.status_code == 200 and len(r.json()) == 2
    assert all(p["masked"] for hh in r.json() for p in hh["persons"])
    _household(cast.project, buildings, "103", ("钱六", "13900001111", False))
    _household(cast.project, buildings, "104", ("周七", "13900002222", False))
    with CaptureQueriesContext(connection) as four:
        assert len(c.get(f"/api/v1/estates/steward-contacts?project_id={cast.project.pk}", **h).json()) == 4
    assert len(four) == len(two)
    r = c.post("/api/v1/estates/steward-contacts/reveal",
               json.dumps({"project_id": cast.project.pk, "reason": "回访业主"}), content_type="application/json", **h)
    assert r.status_code == 200
    phones = {p["phone"] for hh in r.json() for p in hh["persons"]}
    assert {"13911112222", "13933334444", "13900001111", "13900002222"} <= phones and "13955556666" not in phones
    assert CustomerDataAccessLog.objects.filter(user=cast.butler, action=AccessAction.API_VIEW).count() == 4
    r = c.post("/api/v1/estates/steward-contacts/reveal",
               json.dumps({"project_id": cast.project.pk, "reason": "回访业主"}), content_type="application/json",
               **_api(cast.front_desk))
    assert r.status_code == 403
