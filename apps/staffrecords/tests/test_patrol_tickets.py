"""R-M19-04 (9), (2), (16): a building-patrol finding that needs action is received as an internal
ticket (工单) through the tickets pipeline — the same written internal report an inspection finding
becomes — linked to the patrol, shown with a link on /staff-records/patrols/ and in
/api/v1/staff-records/patrols; a finding handled on the spot raises none, and can still be raised later."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.estates.models import Building
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.staffrecords import actions
from apps.staffrecords.models import BuildingPatrol
from apps.tickets.choices import Channel, Kind, Source
from apps.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(cast):
    return member(
        UserFactory(username="louyu", display_name="楼宇员小刘", phone="13900002222"),
        Role.BUILDING_STEWARD,
        company=cast.company,
        project=cast.project,
    ).user


@pytest.fixture
def building(cast):
    return Building.objects.create(project=cast.project, name="3栋")


def test_r_m19_04_patrol_finding_raises_internal_ticket_on_the_page(client, cast, steward, building, frozen_now):
    client.force_login(steward)
    data = {
        "building": building.pk,
        "patrolled_at": "2026-11-23T08:30",
        "cleaning_ok": "on",
        "security_ok": "on",
        "signage_ok": "on",
        "decoration_ok": "on",
        "findings": "2单元地下室水泵漏水",
    }
    r = client.post("/staff-records/patrols/", data)
    assert r.status_code == 302, r.content.decode()
    patrol = BuildingPatrol.objects.get()
    ticket = patrol.ticket
    assert ticket is not None and ticket.project == cast.project
    assert ticket.kind == Kind.REPAIR and ticket.channel == Channel.LETTER and ticket.source == Source.PROJECT
    assert "2单元地下室水泵漏水" in ticket.content and "3栋" in ticket.content
    assert ticket.receiver == steward and ticket.complainant_surname == "楼宇员小刘"
    assert ticket.received_at == dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)
    page = client.get("/staff-records/patrols/").content.decode()
    assert f'href="/tickets/{ticket.pk}/"' in page and ticket.number in page and "R-M" not in page
    # the ticket is in the pipeline: its page opens for the steward and the project manager
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    client.force_login(cast.project_manager)
    page = client.get("/staff-records/patrols/").content.decode()
    assert ticket.number in page


def test_r_m19_04_finding_handled_on_the_spot_raises_no_ticket_until_asked(client, cast, steward, building, frozen_now):
    client.force_login(steward)
    data = {
        "building": building.pk,
        "patrolled_at": "2026-11-23T08:30",
        "security_ok": "on",
        "facilities_ok": "on",
        "signage_ok": "on",
        "decoration_ok": "on",
        "findings": "楼道有垃圾，已通知保洁当场清理",
        "resolved_on_spot": "on",
    }
    assert client.post("/staff-records/patrols/", data).status_code == 302
    patrol = BuildingPatrol.objects.get()
    assert patrol.ticket is None and not Ticket.objects.exists()
    page = client.get("/staff-records/patrols/").content.decode()
    assert 'data-testid="patrol-raise"' in page
    # raised afterwards from the row: a need (cleaning), linked once
    r = client.post(f"/staff-records/patrols/{patrol.pk}/ticket/")
    assert r.status_code == 302
    patrol.refresh_from_db()
    assert patrol.ticket is not None and patrol.ticket.kind == Kind.NEED
    r = client.post(f"/staff-records/patrols/{patrol.pk}/ticket/", follow=True)
    assert "该巡查发现已转为内部工单" in r.content.decode()
    assert Ticket.objects.count() == 1
    # another project's front desk cannot reach it
    client.force_login(cast.outsider)
    assert client.post(f"/staff-records/patrols/{patrol.pk}/ticket/").status_code == 404


def test_r_m19_04_all_normal_patrol_raises_nothing(cast, steward, building, frozen_now):
    p = actions.record_patrol(
        acting_user=steward, now=frozen_now, building=building, patrolled_at=frozen_now - dt.timedelta(hours=1)
    )
    assert p.ticket is None and not Ticket.objects.exists()
    with pytest.raises(actions.StaffRecordError) as exc:
        actions.patrol_to_ticket(patrol=p, acting_user=steward, now=frozen_now)
    assert exc.value.fields == {"findings": ["该巡查没有发现问题，无需转工单"]}
    with pytest.raises(actions.StaffRecordError) as exc:
        actions.record_patrol(
            acting_user=steward,
            now=frozen_now,
            building=building,
            needs_action=True,
            patrolled_at=frozen_now - dt.timedelta(hours=1),
        )
    assert "findings" in exc.value.fields
    assert BuildingPatrol.objects.count() == 1 and not Ticket.objects.exists()


def test_r_m19_04_patrol_ticket_through_the_api(client, cast, office, building, frozen_now, auth):
    h = auth(cast.butler, frozen_now)
    body = {
        "building_id": building.pk,
        "patrolled_at": "2026-11-23T09:00:00+08:00",
        "cleaning_ok": False,
        "findings": "电梯厅地面污渍未清理",
    }
    r = client.post("/api/v1/staff-records/patrols", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    out = r.json()
    ticket = Ticket.objects.get()
    assert out["ticket_id"] == ticket.pk and out["ticket_number"] == ticket.number and ticket.kind == Kind.NEED
    # told it needs no action: no ticket; raised later through the API, once
    r = client.post(
        "/api/v1/staff-records/patrols", {**body, "needs_action": False}, content_type="application/json", **h
    )
    assert r.status_code == 201 and r.json()["ticket_id"] is None
    pid = r.json()["id"]
    r = client.post(f"/api/v1/staff-records/patrols/{pid}/ticket", **h)
    assert r.status_code == 201 and r.json()["ticket_number"]
    r = client.post(f"/api/v1/staff-records/patrols/{pid}/ticket", **h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_raised"
    assert (
        client.post(f"/api/v1/staff-records/patrols/{pid}/ticket", **auth(cast.outsider, frozen_now)).status_code == 404
    )
    listed = client.get("/api/v1/staff-records/patrols", **auth(office, frozen_now)).json()
    assert sorted(p["ticket_number"] for p in listed) == sorted(Ticket.objects.values_list("number", flat=True))
    assert Ticket.objects.count() == 2
