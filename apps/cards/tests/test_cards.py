"""IC cards and door codes (SPEC M11, AS-29, AS-30) through actions, pages and /api/v1/cards."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.api.actions import issue_token
from apps.cards import actions, queries
from apps.cards.models import (
    CardRegisterEntry,
    CardRetrievalTask,
    CardStatus,
    DoorCodeChange,
    ICCard,
    IssuingPasswordChange,
)
from apps.cards.prechecks import door_codes_quarterly, issuing_password_quarterly, quarterly_review
from apps.core import prechecks
from apps.core.tests.samples import pdf, png
from apps.estates.models import Building, Household, Person, PersonKind, Unit
from apps.notify.models import Delivery
from apps.org.models import StaffStatus
from apps.portal.models import Publication
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def homes(cast):
    b = Building.objects.create(project=cast.project, name="3栋")
    u1 = Unit.objects.create(building=b, name="1单元")
    u2 = Unit.objects.create(building=b, name="2单元")
    h1 = Household.objects.create(project=cast.project, building=b, unit=u1, room_no="301", label="3栋1单元301")
    h2 = Household.objects.create(project=cast.project, building=b, unit=u2, room_no="302", label="3栋2单元302")
    p1 = Person.objects.create(project=cast.project, household=h1, name="李四", phone="13900001111", kind=PersonKind.OWNER)
    p2 = Person.objects.create(project=cast.project, household=h2, name="王五", phone="13900002222", kind=PersonKind.OWNER)
    door = actions.add_door(project=cast.project, building=b, unit=u1, name="3栋1单元门", acting_user=cast.front_desk,
                            now=at(2025, 12, 1))
    return {"b": b, "u1": u1, "h1": h1, "h2": h2, "p1": p1, "p2": p2, "door": door}


@pytest.fixture
def officer(cast):
    return actions.name_officer(project=cast.project, officer=cast.front_desk, stand_in=cast.butler,
                                acting_user=cast.cs_manager, now=at(2025, 12, 1))


# ------------------------------------------------------------------ AS-29 door codes


def test_as_29_notice_seven_days_ahead_is_compliant(cast, homes):
    """AS-29: unit-door change effective 2026-01-01, notices sent on 2025-12-25 → compliant."""
    change = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 1, 1),
                                        acting_user=cast.front_desk, now=at(2025, 12, 20))
    actions.record_code_notice(change=change, channel="sms", new_code="482913", acting_user=cast.front_desk,
                               now=at(2025, 12, 25))
    change.refresh_from_db()
    assert (change.lead_days, change.late_notice) == (7, False)
    # the code goes only to that door's households (unit 1), never to unit 2
    assert Delivery.objects.filter(person=homes["p1"], body__contains="482913").exists()
    assert not Delivery.objects.filter(person=homes["p2"]).exists()
    assert change.notices.get().households_reached == 1


def test_as_29_late_notice_is_recorded_and_flagged_not_refused(client, cast, homes):
    """AS-29: first notice on 2025-12-26 → recorded AND flagged as a nonconformity (page and API)."""
    change = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 1, 1),
                                        acting_user=cast.front_desk, now=at(2025, 12, 20))
    client.force_login(cast.front_desk)
    with clock.frozen(at(2025, 12, 26)):
        r = client.post(f"/cards/changes/{change.pk}/", {"channel": "mailbox", "households_reached": "12"})
    assert r.status_code == 302
    change.refresh_from_db()
    assert change.late_notice and change.lead_days == 6
    r = client.get(f"/cards/changes/{change.pk}/")
    assert 'data-testid="late-flag"' in r.content.decode()
    # the API says the same
    change2 = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 4, 1),
                                         acting_user=cast.front_desk, now=at(2026, 3, 28))
    with clock.frozen(at(2026, 3, 28)):
        r = client.post(f"/api/v1/cards/changes/{change2.pk}/notices", {"channel": "phone", "households_reached": 3},
                        content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 201 and r.json()["late_notice"] is True


def test_as_29_quarterly_rule_and_precheck(cast, homes):
    """AS-29: Q1 2026 compliant because of the 2026-01-01 change; Q2 needs a change in Apr–Jun.
    The issuing-computer password must be changed in each quarter too (R-M11-03)."""
    change = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 1, 1),
                                        acting_user=cast.front_desk, now=at(2025, 12, 20))
    actions.record_code_notice(change=change, channel="phone", households_reached=2, acting_user=cast.front_desk,
                               now=at(2025, 12, 25))
    q1 = door_codes_quarterly(cast.project, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert q1.verdict == "conform"
    q2 = door_codes_quarterly(cast.project, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q2.verdict == "nonconform" and "第2季度未更换" in q2.summary
    actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 6, 30), acting_user=cast.front_desk,
                               now=at(2026, 6, 1))
    change_q2 = DoorCodeChange.objects.get(effective_on=dt.date(2026, 6, 30))
    actions.record_code_notice(change=change_q2, channel="mailbox", households_reached=2,
                               acting_user=cast.front_desk, now=at(2026, 6, 2))
    assert door_codes_quarterly(cast.project, dt.date(2026, 4, 1), dt.date(2026, 6, 30)).verdict == "conform"
    # registered in the core registry (R-M13-04)
    assert "cards.door_codes_quarterly" in prechecks.registered()
    pw = issuing_password_quarterly(cast.project, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert pw.verdict == "nonconform"
    actions.record_password_change(project=cast.project, changed_on=dt.date(2026, 2, 1), changed_by=cast.front_desk,
                                   acting_user=cast.front_desk, now=at(2026, 2, 1))
    actions.record_password_change(project=cast.project, changed_on=dt.date(2026, 5, 1), changed_by=cast.front_desk,
                                   acting_user=cast.front_desk, now=at(2026, 5, 1))
    assert issuing_password_quarterly(cast.project, dt.date(2026, 1, 1), dt.date(2026, 6, 30)).verdict == "conform"


def test_r_m11_06_code_never_on_the_board_nor_stored(client, cast, homes):
    """R-M11-06: the board notice says the code changes, never the code; no table stores it."""
    change = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 1, 1),
                                        acting_user=cast.cs_manager, now=at(2025, 12, 20))
    actions.record_code_notice(change=change, channel="board", acting_user=cast.cs_manager, now=at(2025, 12, 20))
    actions.record_code_notice(change=change, channel="sms", new_code="773311", acting_user=cast.cs_manager,
                               now=at(2025, 12, 20))
    pub = Publication.objects.get(project=cast.project)
    assert "773311" not in str(pub.sections) and "门禁密码" in pub.title
    assert all("773311" not in n.note for n in change.notices.all())
    # a code with a mailbox notice is refused: the system keeps no code
    client.force_login(cast.front_desk)
    r = client.post(f"/cards/changes/{change.pk}/", {"channel": "mailbox", "households_reached": "2",
                                                      "new_code": "123456"})
    assert r.status_code == 400 and "密码不在系统中登记" in r.content.decode()


def test_owner_side_door_code_notices_for_household(cast, homes):
    change = actions.record_code_change(door=homes["door"], effective_on=dt.date(2026, 1, 1),
                                        acting_user=cast.front_desk, now=at(2025, 12, 20))
    actions.record_code_notice(change=change, channel="phone", households_reached=1, acting_user=cast.front_desk,
                               now=at(2025, 12, 21))
    assert queries.door_code_notices_for_household(homes["h1"].pk).count() == 1
    assert queries.door_code_notices_for_household(homes["h2"].pk).count() == 0


# ------------------------------------------------------------------ AS-30 parking cards, R-M11-01 officer


def _parking(cast, homes, officer):
    return actions.issue_card(project=cast.project, number="P-0001", kind="parking", holder_name="李四",
                              household=homes["h1"], plate="粤B12345", acting_user=cast.front_desk, now=at(2026, 1, 5))


def test_r_m11_01_only_the_officer_issues(client, cast, homes, officer):
    """R-M11-01: a card issued by someone who is not the officer or stand-in is refused (page and API)."""
    client.force_login(cast.cs_manager)
    r = client.post(f"/cards/issue/?project={cast.project.pk}", {"number": "C-1", "kind": "owner",
                                                                 "holder_name": "李四", "household": "3栋1单元301"})
    assert r.status_code == 403  # the manager is not the officer: the form is not even offered
    r = client.post("/api/v1/cards/", {"project_id": cast.project.pk, "number": "C-1", "kind": "owner",
                                       "holder_name": "李四", "household_id": homes["h1"].pk},
                    content_type="application/json", **auth(cast.cs_manager))
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_card_officer"
    assert not ICCard.objects.exists()
    client.force_login(cast.butler)  # the stand-in
    r = client.post(f"/cards/issue/?project={cast.project.pk}", {"number": "C-1", "kind": "owner",
                                                                 "holder_name": "李四", "household": "3栋1单元301"})
    assert r.status_code == 302
    assert CardRegisterEntry.objects.get().kind == "issued"


def test_as_30_non_owner_without_licence_refused(client, cast, homes, officer):
    """AS-30: not the vehicle owner, authorisation but no 行驶证 → refused, nothing issued (page and API)."""
    card = _parking(cast, homes, officer)
    client.force_login(cast.front_desk)
    r = client.post(f"/cards/{card.pk}/", {
        "op": "replace", "new_number": "P-0002", "applicant_name": "李四妻",
        "authorisation_doc": SimpleUploadedFile("a.pdf", pdf(), "application/pdf")})
    body = r.content.decode()
    assert r.status_code == 400 and "行驶证" in body and "核实" in body
    r = client.post(f"/api/v1/cards/{card.pk}/replace", {
        "new_number": "P-0002", "applicant_name": "李四妻",
        "authorisation_doc": SimpleUploadedFile("a.pdf", pdf(), "application/pdf")}, **auth(cast.front_desk))
    assert r.status_code == 422 and r.json()["error"]["code"] == "proof_missing"
    assert set(r.json()["error"]["fields"]) == {"licence_doc", "verified_at"}
    assert ICCard.objects.count() == 1 and CardRegisterEntry.objects.filter(kind="replaced").count() == 0
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_as_30_three_proofs_issue_and_log(client, cast, homes, officer):
    """AS-30: authorisation + 行驶证 + a recorded verification call → issued and logged in the register."""
    card = _parking(cast, homes, officer)
    r = client.post(f"/api/v1/cards/{card.pk}/replace", {
        "new_number": "P-0002", "applicant_name": "李四妻", "verified_at": "2026-01-06T09:30:00+08:00",
        "verification_method": "phone",
        "authorisation_doc": SimpleUploadedFile("a.pdf", pdf(), "application/pdf"),
        "licence_doc": SimpleUploadedFile("l.png", png(), "image/png")}, **auth(cast.front_desk))
    assert r.status_code == 201, r.content
    entry = CardRegisterEntry.objects.get(kind="replaced")
    assert not entry.applicant_is_owner and entry.verification_method == "phone" and entry.licence_doc
    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED


def test_as_30_vehicle_owner_in_person_needs_nothing(client, cast, homes, officer):
    """AS-30: the vehicle owner in person → issued without those documents."""
    card = _parking(cast, homes, officer)
    client.force_login(cast.front_desk)
    r = client.post(f"/cards/{card.pk}/", {"op": "replace", "new_number": "P-0003", "applicant_name": "李四",
                                           "applicant_is_owner": "on"})
    assert r.status_code == 302
    assert ICCard.objects.get(number="P-0003").status == CardStatus.ACTIVE


# ------------------------------------------------------------------ R-M11-02/-05/-07


def test_r_m11_05_staff_leaving_opens_retrieval_task_closed_by_register(client, cast, homes, officer):
    """R-M11-05: a staff member who left → a card-retrieval task, closed by the register entry."""
    from django.core.management import call_command

    card = actions.issue_card(project=cast.project, number="S-01", kind="staff", holder_name="孙师傅",
                              staff=cast.worker, acting_user=cast.front_desk, now=at(2026, 1, 5))
    cast.worker.status = StaffStatus.LEFT
    cast.worker.save(update_fields=["status"])
    out = io.StringIO()
    call_command("cards_sweep", "--now", "2026-02-01T10:00+08:00", stdout=out)
    task = CardRetrievalTask.objects.get(card=card)
    assert task.closed_at is None and "1" in out.getvalue()
    client.force_login(cast.front_desk)
    assert 'data-testid="retrieval-tasks"' in client.get(f"/cards/?project={cast.project.pk}").content.decode()
    r = client.post(f"/api/v1/cards/{card.pk}/retrieve", {"note": "离职交回"}, content_type="application/json",
                    **auth(cast.front_desk))
    assert r.status_code == 201
    task.refresh_from_db()
    assert task.closed_by is not None and task.closed_by.kind == "retrieved"
    assert actions.open_retrieval_tasks(now=at(2026, 2, 2)) == 0


def test_r_m11_02_quarterly_review_flagged_when_missing(client, cast, homes, officer):
    """R-M11-02: a quarter without its 《IC卡季度整理表》 is flagged after it ends."""
    _parking(cast, homes, officer)
    assert queries.missing_reviews(cast.project, dt.date(2026, 4, 2)) == [(2026, 1)]
    assert quarterly_review(cast.project, dt.date(2026, 1, 1), dt.date(2026, 3, 31)).verdict == "nonconform"
    client.force_login(cast.front_desk)
    with clock.frozen(at(2026, 4, 2)):
        r = client.post(f"/cards/review/?project={cast.project.pk}", {"year": "2026", "quarter": "1",
                                                                      "anomalies": "一张卡重复登记", "handling": ""})
        assert r.status_code == 400 and "处理情况" in r.content.decode()
        r = client.post(f"/cards/review/?project={cast.project.pk}", {"year": "2026", "quarter": "1",
                                                                      "anomalies": "一张卡重复登记",
                                                                      "handling": "已注销重复卡"})
    assert r.status_code == 302
    assert queries.missing_reviews(cast.project, dt.date(2026, 4, 2)) == []


def test_r_m11_03_password_change_records_no_password(client, cast, homes):
    client.force_login(cast.front_desk)
    with clock.frozen(at(2026, 2, 3)):
        r = client.post(f"/cards/password/?project={cast.project.pk}", {"changed_on": "2026-02-03",
                                                                        "changed_by": cast.butler.pk})
    assert r.status_code == 302
    fields = {f.name for f in IssuingPasswordChange._meta.get_fields()}
    assert not any("password" in f for f in fields)


def test_r_m11_07_access_registration_page_and_api(client, cast, homes):
    client.force_login(cast.front_desk)
    r = client.post(f"/cards/access/?project={cast.project.pk}", {"name": "装修工人甲", "household": "3栋1单元301",
                                                                  "identity": "装修工人", "reason": ""})
    assert r.status_code == 400
    r = client.post("/api/v1/cards/access-registrations", {"project_id": cast.project.pk, "name": "李四",
                                                           "identity": "业主", "reason": "忘带卡，已电话核实",
                                                           "household_id": homes["h1"].pk},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 201


def test_register_export_and_query_count(client, cast, homes, officer, django_assert_max_num_queries):
    for i in range(5):
        actions.issue_card(project=cast.project, number=f"C-{i}", kind="owner", holder_name="李四",
                           household=homes["h1"], acting_user=cast.front_desk, now=at(2026, 1, 5))
    client.force_login(cast.front_desk)
    with django_assert_max_num_queries(20):
        r = client.get(f"/cards/?project={cast.project.pk}")
    assert r.content.decode().count('data-testid="entry-row"') == 5
    r = client.get(f"/cards/?project={cast.project.pk}&format=xlsx")
    assert r.status_code == 200
    r = client.get(f"/api/v1/cards/register?project={cast.project.pk}", **auth(cast.front_desk))
    assert r.json()["count"] == 5
    # another project's staff cannot see it
    client.force_login(cast.outsider)
    assert client.get(f"/api/v1/cards/register?project={cast.project.pk}", **auth(cast.outsider)).status_code == 404
