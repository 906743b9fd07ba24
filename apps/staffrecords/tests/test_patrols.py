"""R-M19-04 (9): the steward's daily building patrol (with decoration patrols, cleaning and security
supervision, signage and utility facilities) recorded on /staff-records/patrols/ and through
/api/v1/staff-records/patrols — by the project's 客服楼宇员/管家; keepers (办公室主任: company,
管理处经理: their projects) see them; others may not."""

from __future__ import annotations

import pytest

from apps.estates.models import Building
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.staffrecords.models import BuildingPatrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def buildings(cast):
    return (Building.objects.create(project=cast.project, name="1栋", steward=cast.butler),
            Building.objects.create(project=cast.other_project, name="9栋"))


def test_r_m19_04_steward_records_a_patrol_on_the_page(client, cast, buildings, frozen_now):
    steward = member(UserFactory(username="louyu", display_name="楼宇员小刘"), Role.BUILDING_STEWARD,
                     company=cast.company, project=cast.project).user
    client.force_login(steward)
    page = client.get("/staff-records/patrols/").content.decode()
    assert 'data-testid="patrol-form"' in page and "9栋" not in page
    data = {"building": buildings[0].pk, "patrolled_at": "2026-11-23T08:30", "cleaning_ok": "on",
            "security_ok": "on", "facilities_ok": "on", "decoration_ok": "on"}
    r = client.post("/staff-records/patrols/", data)
    assert r.status_code == 422 and "有异常项时请填写发现的问题" in r.content.decode()
    r = client.post("/staff-records/patrols/", {**data, "findings": "3单元指示牌脱落"})
    assert r.status_code == 302, r.content.decode()
    patrol = BuildingPatrol.objects.get()
    assert patrol.steward == steward and patrol.problems == ["标识标牌"]
    r = client.post("/staff-records/patrols/", {**data, "signage_ok": "on", "patrolled_at": "2026-11-23T11:00"})
    assert r.status_code == 422 and "不能晚于现在" in r.content.decode()
    r = client.post("/staff-records/patrols/", {**data, "signage_ok": "on", "patrolled_at": "2026-11-01T11:00"})
    assert r.status_code == 422 and "7天内" in r.content.decode()
    r = client.post("/staff-records/patrols/", {**data, "building": buildings[1].pk, "signage_ok": "on"})
    assert r.status_code == 400
    assert BuildingPatrol.objects.count() == 1
    page = client.get("/staff-records/patrols/?problems=1").content.decode()
    assert "3单元指示牌脱落" in page and "2026-11-23 08:30" in page and "R-M" not in page
    # the project manager sees it, the other project's front desk may not open the page
    client.force_login(cast.project_manager)
    page = client.get("/staff-records/patrols/").content.decode()
    assert "3单元指示牌脱落" in page and 'data-testid="patrol-form"' not in page
    assert client.post("/staff-records/patrols/", data).status_code == 403
    client.force_login(cast.outsider)
    assert client.get("/staff-records/patrols/").status_code == 403


def test_r_m19_04_patrols_through_the_api(client, cast, office, buildings, frozen_now, auth):
    h = auth(cast.butler, frozen_now)
    body = {"building_id": buildings[0].pk, "patrolled_at": "2026-11-23T09:00:00+08:00"}
    r = client.post("/api/v1/staff-records/patrols", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    r = client.post("/api/v1/staff-records/patrols", {**body, "cleaning_ok": False},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "findings" in r.json()["error"]["fields"]
    r = client.post("/api/v1/staff-records/patrols", {**body, "building_id": buildings[1].pk},
                    content_type="application/json", **h)
    assert r.status_code == 403
    assert len(client.get("/api/v1/staff-records/patrols", **h).json()) == 1
    assert len(client.get("/api/v1/staff-records/patrols", **auth(office, frozen_now)).json()) == 1
    assert client.get("/api/v1/staff-records/patrols", **auth(cast.outsider, frozen_now)).json() == []
    r = client.post("/api/v1/staff-records/patrols", body, content_type="application/json",
                    **auth(cast.front_desk, frozen_now))
    assert r.status_code == 403
    assert BuildingPatrol.objects.count() == 1


def test_patrol_list_query_count(client, cast, office, buildings, frozen_now, auth, django_assert_max_num_queries):
    import datetime as dt

    from apps.staffrecords import actions

    for i in range(5):
        actions.record_patrol(acting_user=cast.butler, now=frozen_now, building=buildings[0],
                              patrolled_at=frozen_now - dt.timedelta(hours=i + 1))
    client.force_login(office)
    with django_assert_max_num_queries(14):
        r = client.get("/staff-records/patrols/")
    assert r.content.decode().count('data-testid="patrol-row"') == 5
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/staff-records/patrols", **auth(office, frozen_now)).json()) == 5
