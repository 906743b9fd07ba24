"""Front desk and building services (SPEC M20) through actions, pages and /api/v1/desk."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.api.actions import issue_token
from apps.core.tests.samples import jpeg
from apps.desk import actions
from apps.desk.models import ButlerMeeting, DecorationPermit, DeskLog, KeyLoan, PermitStatus, WorkerPass
from apps.estates.models import Building, Household, Unit
from apps.notify.models import MailItem
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.tickets.models import Ticket
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def place(cast):
    b = Building.objects.create(project=cast.project, name="8栋")
    u = Unit.objects.create(building=b, name="1单元")
    hh = Household.objects.create(project=cast.project, building=b, unit=u, room_no="801", label="8栋1单元801")
    steward = UserFactory(username="steward", display_name="楼宇员小赵")
    member(steward, Role.BUILDING_STEWARD, company=cast.company, project=cast.project, department=cast.cs_dept)
    return {"hh": hh, "steward": steward}


@pytest.fixture
def permit(cast, place):
    p = actions.apply_decoration(project=cast.project, household=place["hh"], applicant="周业主", scope="厨卫改造",
                                 planned_start=dt.date(2026, 11, 20), planned_end=dt.date(2026, 12, 31),
                                 deposit="2000.00", notice_explained=True, acting_user=cast.front_desk,
                                 now=at(2026, 11, 18))
    return actions.approve_decoration(permit=p, acting_user=cast.supervisor, now=at(2026, 11, 19))


# ------------------------------------------------------------------ keys (R-M20-03)


def test_r_m20_03_key_lent_twice_refused_and_overdue_flagged(client, cast, place, frozen_now):
    """R-M20-03: a key already out cannot be lent again (page and API); an overdue key is flagged."""
    key = actions.add_key(project=cast.project, label="8栋天台门钥匙", acting_user=cast.front_desk, now=frozen_now)
    actions.lend_key(key=key, borrower="孙师傅", purpose="天台防水检查", due_at=frozen_now + dt.timedelta(hours=2),
                     acting_user=cast.front_desk, now=frozen_now - dt.timedelta(hours=5))
    client.force_login(cast.front_desk)
    r = client.post(f"/desk/keys/?project={cast.project.pk}", {"op": "lend", "key": key.pk, "borrower": "王五",
                                                                "purpose": "查看", "due_at": "2026-11-23T18:00"})
    assert r.status_code == 400 and "尚未归还" in r.content.decode()
    r = client.post(f"/api/v1/desk/keys/{key.pk}/lend", {"borrower": "王五", "purpose": "查看",
                                                         "due_at": "2026-11-23T18:00:00+08:00"},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_out"
    assert KeyLoan.objects.count() == 1
    with clock.frozen(frozen_now + dt.timedelta(hours=3)):
        assert 'data-testid="keys-overdue"' in client.get(f"/desk/?project={cast.project.pk}").content.decode()
        r = client.get(f"/api/v1/desk/key-loans?project={cast.project.pk}&out=true", **auth(cast.front_desk))
        assert r.json()["results"][0]["overdue"] is True
    assert client.get(f"/desk/keys/?project={cast.project.pk}&format=xlsx").status_code == 200
    loan = KeyLoan.objects.get()
    r = client.post(f"/desk/keys/?project={cast.project.pk}", {"op": "return", "pk": loan.pk})
    assert r.status_code == 302
    loan.refresh_from_db()
    assert loan.returned_at is not None


# ------------------------------------------------------------------ decoration (R-M20-02, -12)


def test_r_m20_02_decoration_formalities_through_the_api(client, cast, place):
    """R-M20-02: application, approval (supervisor and above only), completion, deposit return."""
    r = client.post("/api/v1/desk/decorations", {"project_id": cast.project.pk, "household_id": place["hh"].pk,
                                                 "applicant": "周业主", "scope": "刷墙", "planned_start": "2026-12-01",
                                                 "planned_end": "2026-12-20", "deposit": "1000.00",
                                                 "notice_explained": True},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(f"/api/v1/desk/decorations/{pk}/approve", **auth(cast.front_desk))
    assert r.status_code == 403
    r = client.post(f"/api/v1/desk/decorations/{pk}/approve", **auth(cast.supervisor))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"/api/v1/desk/decorations/{pk}/inspect", {"result": "墙体无损，验收合格"},
                    content_type="application/json", **auth(cast.supervisor))
    assert r.status_code == 200
    r = client.post(f"/api/v1/desk/decorations/{pk}/deposit-return", {"amount": "1000.01"},
                    content_type="application/json", **auth(cast.supervisor))
    assert r.status_code == 422
    r = client.post(f"/api/v1/desk/decorations/{pk}/deposit-return", {"amount": "1000.00"},
                    content_type="application/json", **auth(cast.supervisor))
    assert r.status_code == 200 and Decimal(r.json()["deposit_returned"]) == Decimal("1000.00")


def test_r_m20_02_worker_pass_with_photo_and_validity(client, cast, place, permit):
    """R-M20-02: worker passes carry a photo (checked by content) and a validity within the work period."""
    client.force_login(cast.front_desk)
    url = f"/desk/decorations/{permit.pk}/"
    r = client.post(url, {"op": "pass", "number": "ZX-001", "name": "装修工甲", "valid_from": "2026-11-20",
                          "valid_until": "2027-01-10", "photo": SimpleUploadedFile("p.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 400 and "计划完工日" in r.content.decode()
    r = client.post(url, {"op": "pass", "number": "ZX-001", "name": "装修工甲", "valid_from": "2026-11-20",
                          "valid_until": "2026-12-31",
                          "photo": SimpleUploadedFile("p.jpg", b"<html>not an image</html>", "image/jpeg")})
    assert r.status_code == 400
    r = client.post(url, {"op": "pass", "number": "ZX-001", "name": "装修工甲", "valid_from": "2026-11-20",
                          "valid_until": "2026-12-31", "photo": SimpleUploadedFile("p.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 302
    wp = WorkerPass.objects.get()
    assert client.get(f"/desk/passes/{wp.pk}/photo/").status_code == 200
    client.force_login(cast.outsider)
    assert client.get(f"/desk/passes/{wp.pk}/photo/").status_code == 404
    client.force_login(cast.front_desk)
    r = client.get(f"{url}?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"


def test_r_m20_12_debris_stops_the_decoration_and_finding_becomes_ticket(client, cast, place, permit):
    """R-M20-04/-12: the steward's patrol; dumped debris stops the work until cleared; a finding becomes a
    ticket through the tickets pipeline."""
    client.force_login(place["steward"])
    r = client.post(f"/desk/decorations/{permit.pk}/", {"op": "check", "kind": "patrol", "workers_seen": "3",
                                                         "workers_without_pass": "1", "debris_dumped": "on",
                                                         "finding": "楼道堆放装修垃圾", "raise_ticket": "on"})
    assert r.status_code == 302
    permit.refresh_from_db()
    assert permit.status == PermitStatus.STOPPED
    check = permit.checks.get()
    assert Ticket.objects.filter(pk=check.ticket_id, household=place["hh"]).exists()
    r = client.post(f"/api/v1/desk/decorations/{permit.pk}/checks", {"kind": "workers", "workers_seen": 1,
                                                                     "workers_without_pass": 2},
                    content_type="application/json", **auth(place["steward"]))
    assert r.status_code == 422
    r = client.post(f"/api/v1/desk/decorations/{permit.pk}/checks", {"kind": "resume", "finding": "已清理"},
                    content_type="application/json", **auth(place["steward"]))
    assert r.status_code == 201 and r.json()["permit_status"] == "approved"
    # the cashier has no patrol right
    r = client.post(f"/api/v1/desk/decorations/{permit.pk}/checks", {"kind": "patrol"},
                    content_type="application/json", **auth(cast.worker))
    assert r.status_code in (403, 404)


# ------------------------------------------------------------------ steward (R-M20-04, -05)


def test_r_m20_04_vacant_house_check_becomes_ticket(client, cast, place):
    client.force_login(place["steward"])
    r = client.post(f"/desk/steward/?project={cast.project.pk}", {"op": "vacant", "household": "8栋1单元801",
                                                                   "finding": "", "raise_ticket": "on"})
    assert r.status_code == 400
    r = client.post(f"/desk/steward/?project={cast.project.pk}", {"op": "vacant", "household": "8栋1单元801",
                                                                   "finding": "卫生间渗水", "raise_ticket": "on"})
    assert r.status_code == 302
    assert Ticket.objects.filter(kind="repair", household=place["hh"]).exists()


def test_r_m20_05_neighbour_dispute_is_a_dispute_ticket(client, cast, place):
    r = client.post("/api/v1/desk/disputes", {"project_id": cast.project.pk, "household_id": place["hh"].pk,
                                              "content": "楼上夜间噪音，邻里争执", "complainant_surname": "周"},
                    content_type="application/json", **auth(place["steward"]))
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["ticket_id"]).kind == "dispute"


# ------------------------------------------------------------------ logs, meeting, items, mail


def test_r_m20_14_legacy_issue_keeps_first_responder(client, cast, place, frozen_now):
    client.force_login(cast.front_desk)
    r = client.post(f"/desk/logs/?project={cast.project.pk}", {"op": "log", "kind": "legacy", "title": "外墙渗水（地产遗留）",
                                                                "happened_on": "2026-11-20", "household": "8栋1单元801"})
    assert r.status_code == 302
    log = DeskLog.objects.get()
    assert log.first_responder == cast.front_desk
    client.force_login(cast.butler)
    client.post(f"/desk/logs/?project={cast.project.pk}", {"op": "close", "pk": log.pk, "outcome": "地产已维修"})
    log.refresh_from_db()
    assert log.closed_at is not None and log.first_responder == cast.front_desk


def test_r_m20_13_one_meeting_a_day_with_attendance(client, cast, place, frozen_now):
    client.force_login(cast.butler)
    data = {"held_on": "2026-11-23", "attendees": [cast.butler.pk, place["steward"].pk],
            "shared_logs": "8栋装修巡查两次", "key_issues": "装修垃圾堆放"}
    assert client.post(f"/desk/meetings/?project={cast.project.pk}", data).status_code == 302
    r = client.post(f"/desk/meetings/?project={cast.project.pk}", data)
    assert r.status_code == 400 and "已记录" in r.content.decode()
    assert ButlerMeeting.objects.get().attendees.count() == 2


def test_r_m20_15_items_lent_and_returned(client, cast, place, frozen_now):
    item = actions.add_item(project=cast.project, name="雨伞", quantity=1, place="大堂", acting_user=cast.front_desk,
                            now=frozen_now)
    client.force_login(cast.front_desk)
    assert client.post(f"/desk/items/?project={cast.project.pk}", {"op": "lend", "item": item.pk,
                                                                    "borrower": "李四"}).status_code == 302
    r = client.post(f"/desk/items/?project={cast.project.pk}", {"op": "lend", "item": item.pk, "borrower": "王五"})
    assert r.status_code == 400 and "全部借出" in r.content.decode()


def test_r_m20_01_mail_page_uses_the_mail_register(client, cast, place, frozen_now):
    client.force_login(cast.front_desk)
    r = client.post(f"/desk/mail/?project={cast.project.pk}", {"op": "log", "household": "8栋1单元801",
                                                                "addressee": "周业主", "kind": "letter"})
    assert r.status_code == 302
    assert MailItem.objects.get().household == place["hh"]
    r = client.get(f"/api/v1/desk/mail?project={cast.project.pk}&pending=true", **auth(cast.front_desk))
    assert r.json()["count"] == 1


def test_desk_pages_render(client, cast, place, permit):
    client.force_login(cast.front_desk)
    for path in ("/desk/", "/desk/mail/", "/desk/keys/", "/desk/decorations/", "/desk/logs/", "/desk/meetings/",
                 "/desk/items/", f"/desk/decorations/{permit.pk}/"):
        assert client.get(path).status_code == 200, path
    client.force_login(place["steward"])
    assert client.get("/desk/steward/").status_code == 200
    assert DecorationPermit.objects.count() == 1


@pytest.mark.parametrize(("path", "op", "data"), [
    ("/desk/steward/", "vacant", {"op": "vacant", "household": "8栋1单元801", "ok": "on"}),
    ("/desk/meetings/", "meeting", {"held_on": "2026-11-23", "shared_logs": "巡查两次", "key_issues": "装修垃圾"}),
])
def test_r_m20_04_13_patrol_forms_offered_only_to_roles_that_may_send_them(client, cast, place, frozen_now, path, op,
                                                                        data):
    """R-M20-04/-13 (issue 23): the vacant-house, dispute and meeting forms need the patrol grant
    (``access.can_patrol``, the check the POST makes): the front desk reads the register without a form it could
    not send (and is refused when it sends one anyway); the steward and butler see and send the form."""
    client.force_login(cast.front_desk)
    page = client.get(f"{path}?project={cast.project.pk}")
    assert page.status_code == 200 and f'data-testid="form-{op}"' not in page.content.decode()
    assert 'data-testid="form-dispute"' not in page.content.decode()
    assert client.post(f"{path}?project={cast.project.pk}", data).status_code == 403
    client.force_login(place["steward"] if op == "vacant" else cast.butler)
    page = client.get(f"{path}?project={cast.project.pk}")
    assert page.status_code == 200 and f'data-testid="form-{op}"' in page.content.decode()
    if op == "meeting":
        data = {**data, "attendees": [cast.butler.pk]}
    assert client.post(f"{path}?project={cast.project.pk}", data).status_code == 302


def test_r_m20_02_decoration_page_offers_each_step_only_to_the_roles_its_action_accepts(client, cast, place, permit):
    """R-M20-02/-04 (issue 23): on a permit's page the front desk is offered the worker pass (its grant) but not the
    patrol check, the completion inspection or the deposit return, which the actions refuse it; the steward gets
    the check; the supervisor (who approves decorations) gets the inspection and the deposit."""
    url = f"/desk/decorations/{permit.pk}/"

    def offered(user):
        client.force_login(user)
        html = client.get(url).content.decode()
        return {op for op in ("check", "pass", "inspect", "deposit") if f'data-testid="form-{op}"' in html}

    assert offered(cast.front_desk) == {"pass"}
    assert "check" in offered(place["steward"]) and "inspect" not in offered(place["steward"])
    assert {"inspect", "deposit"} <= offered(cast.supervisor)
    client.force_login(cast.front_desk)
    assert client.post(url, {"op": "deposit", "amount": "100"}).status_code in (400, 403)
    permit.refresh_from_db()
    assert permit.deposit_returned_at is None
