"""Early occupancy (SPEC M9) through the pages and the API as the roles that do it: the running-in care
of new owners (R-M9-16) and the calls to owners not yet moved in, recorded with the reason that also
goes into the 入住动态表 through ``apps.estates.actions.record_not_moved_in_reason`` (R-M9-17, R-M7-07)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.estates.models import Household, OccupancyStatus, Person, PersonKind
from apps.visits.models import EarlyCare, NotMovedInCall
from apps.visits.tests.conftest import Homes, at

pytestmark = pytest.mark.django_db


def _auth(user: Any, now: dt.datetime) -> dict[str, str]:
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def moved_in(homes: Homes) -> Household:
    homes.hh.move_in_date = dt.date(2026, 11, 1)
    homes.hh.save(update_fields=["move_in_date"])
    return homes.hh


@pytest.fixture
def empty(homes: Homes) -> Household:
    homes.hh2.status = OccupancyStatus.NOT_MOVED_IN
    homes.hh2.save(update_fields=["status"])
    Person.objects.create(project=homes.hh2.project, household=homes.hh2, name="钱七", phone="13900001111",
                          kind=PersonKind.OWNER)
    return homes.hh2


# ---------------------------------------------------------------- R-M9-16


def test_r_m9_16_butler_records_interview_and_follows_up_feedback_on_the_page(client: Any, cast: Any, moved_in: Household,
                                                                             frozen_now: dt.datetime) -> None:
    """R-M9-16: the butler interviews a newly moved-in owner; the feedback stays 待跟进 until followed up."""
    client.force_login(cast.butler)
    r = client.post(f"/visits/early-care/?project={cast.project.pk}", {
        "kind": "interview", "household": moved_in.label, "held_at": "2026-11-20T15:00",
        "note": "祝贺入住，介绍服务范围与联系方式", "feedback": "希望尽快开通门禁卡"})
    assert r.status_code == 302
    care = EarlyCare.objects.get()
    assert care.household == moved_in and care.awaiting_follow_up and care.recorded_by == cast.butler
    assert care.held_at == at(2026, 11, 20, 15)
    r = client.get(f"/visits/early-care/?project={cast.project.pk}&awaiting=1")
    assert r.status_code == 200 and "希望尽快开通门禁卡" in r.content.decode() and "待跟进" in r.content.decode()
    r = client.post(f"/visits/early-care/{care.pk}/follow-up/", {"text": "已办理门禁卡并告知业主"})
    assert r.status_code == 302
    care.refresh_from_db()
    assert not care.awaiting_follow_up and care.followed_up_by == cast.butler
    r = client.post(f"/visits/early-care/{care.pk}/follow-up/", {"text": "再次跟进"}, follow=True)
    assert "该反馈已跟进" in r.content.decode()


def test_r_m9_16_alarm_gate_cards_and_onsite_desk_through_the_api(client: Any, cast: Any, moved_in: Household,
                                                                 frozen_now: dt.datetime) -> None:
    """R-M9-16: home-alarm activation for a household; gate cards and the on-site desk count owners served."""
    auth = _auth(cast.butler, frozen_now)
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "alarm", "household_id": moved_in.pk,
        "held_at": "2026-11-22T10:00:00+08:00", "note": "上门协助开通居家报警系统，已测试"},
        content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    assert r.json()["kind_label"] == "上门协助开通居家报警系统" and r.json()["household"] == moved_in.label
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "gate_cards", "place": "南门", "served": 120,
        "held_at": "2026-11-22T08:00:00+08:00", "note": "早高峰派发便民服务卡"}, content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["served"] == 120
    # the gate handout has no household and needs the number served
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "onsite_desk", "household_id": moved_in.pk,
        "held_at": "2026-11-22T08:00:00+08:00", "note": "入住现场办公"}, content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["fields"]["household"]
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "onsite_desk", "held_at": "2026-11-22T08:00:00+08:00",
        "note": "入住现场办公"}, content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["fields"]["served"]
    r = client.get(f"/api/v1/visits/programme/early-care?project={cast.project.pk}", **auth)
    assert r.status_code == 200 and [x["kind"] for x in r.json()] == ["alarm", "gate_cards"]
    assert EarlyCare.objects.count() == 2


def test_r_m9_16_refusals(client: Any, cast: Any, homes: Homes, moved_in: Household, frozen_now: dt.datetime) -> None:
    """R-M9-16: a household not moved in, one of another project, or a role outside the CS staff → refused,
    nothing written."""
    client.force_login(cast.butler)
    r = client.post(f"/visits/early-care/?project={cast.project.pk}", {
        "kind": "alarm", "household": homes.hh2.label, "held_at": "2026-11-20T15:00", "note": "开通报警"})
    assert r.status_code == 400 and "尚未登记入住" in r.content.decode()
    auth = _auth(cast.butler, frozen_now)
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "interview", "household_id": homes.other_hh.pk,
        "held_at": "2026-11-22T10:00:00+08:00", "note": "访谈"}, content_type="application/json", **auth)
    assert r.status_code == 422
    r = client.post("/api/v1/visits/programme/early-care", {
        "project_id": cast.project.pk, "kind": "interview", "household_id": moved_in.pk,
        "held_at": "2026-11-22T10:00:00+08:00", "note": "访谈"}, content_type="application/json",
        **_auth(cast.quality_inspector, frozen_now))
    assert r.status_code == 403
    client.force_login(cast.quality_inspector)
    assert client.get(f"/visits/early-care/?project={cast.project.pk}").status_code == 200  # reads
    assert client.post(f"/visits/early-care/?project={cast.project.pk}", {
        "kind": "alarm", "household": moved_in.label, "held_at": "2026-11-20T15:00", "note": "开通报警"}).status_code == 403
    client.force_login(cast.worker)
    assert client.get(f"/visits/early-care/?project={cast.project.pk}").status_code == 403
    client.force_login(cast.outsider)
    assert client.get(f"/visits/early-care/?project={cast.project.pk}").status_code == 404
    assert not EarlyCare.objects.exists()


# ---------------------------------------------------------------- R-M9-17


def test_r_m9_17_butler_calls_owner_not_moved_in_on_the_page(client: Any, cast: Any, empty: Household,
                                                            frozen_now: dt.datetime) -> None:
    """R-M9-17: the 客服专员 calls an owner not yet moved in and records why; the reason goes into the
    household's 入住动态表 entry (estates.actions.record_not_moved_in_reason, kept in its history)."""
    client.force_login(cast.butler)
    r = client.get(f"/visits/not-moved-in/?project={cast.project.pk}")
    assert r.status_code == 200 and empty.label in r.content.decode() and "未致电" in r.content.decode()
    r = client.post(f"/visits/not-moved-in/?project={cast.project.pk}", {
        "household": empty.label, "called_at": "2026-11-23T09:30", "reached": "yes", "reason": "在外地工作，明年装修",
        "note": "已邀请参加元旦活动"})
    assert r.status_code == 302
    call = NotMovedInCall.objects.get()
    assert call.caller == cast.butler and call.reached and call.called_at == at(2026, 11, 23, 9, 30)
    empty.refresh_from_db()
    assert empty.not_moved_in_reason == "在外地工作，明年装修"
    assert empty.history.first().history_change_reason.startswith("未入住原因")
    r = client.get(f"/visits/not-moved-in/?project={cast.project.pk}")
    assert "在外地工作，明年装修" in r.content.decode()
    # an unanswered call is recorded with a note and leaves the reason alone
    r = client.post(f"/visits/not-moved-in/?project={cast.project.pk}", {
        "household": empty.label, "called_at": "2026-11-23T09:40", "reached": "no", "note": "无人接听"})
    assert r.status_code == 302 and NotMovedInCall.objects.count() == 2
    empty.refresh_from_db()
    assert empty.not_moved_in_reason == "在外地工作，明年装修"
    # reached without a reason: refused beside the field, nothing written
    r = client.post(f"/visits/not-moved-in/?project={cast.project.pk}", {
        "household": empty.label, "called_at": "2026-11-23T09:50", "reached": "yes", "reason": ""})
    assert r.status_code == 400 and "未入住原因" in r.content.decode() and NotMovedInCall.objects.count() == 2


def test_r_m9_17_call_through_the_api_and_refusals(client: Any, cast: Any, homes: Homes, empty: Household,
                                                   frozen_now: dt.datetime) -> None:
    """R-M9-17 through the API: the butler records the call; an occupied household, another project's
    household, or a role outside the CS staff → refused, nothing written."""
    auth = _auth(cast.butler, frozen_now)
    owner = empty.persons.get()
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", {
        "household_id": empty.pk, "person_id": owner.pk, "called_at": "2026-11-23T09:30:00+08:00",
        "reason": "房屋出租中介代管"}, content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    assert r.json()["household_reason"] == "房屋出租中介代管"
    r = client.get(f"/api/v1/visits/programme/not-moved-in?project={cast.project.pk}", **auth)
    assert r.status_code == 200 and r.json()[0]["calls"] == 1 and r.json()[0]["reason"] == "房屋出租中介代管"
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", {
        "household_id": homes.hh.pk, "called_at": "2026-11-23T09:30:00+08:00", "reason": "x"},
        content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["fields"]["household"]
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", {
        "household_id": homes.other_hh.pk, "called_at": "2026-11-23T09:30:00+08:00", "reason": "x"},
        content_type="application/json", **auth)
    assert r.status_code == 404
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", {
        "household_id": empty.pk, "called_at": "2026-11-23T09:30:00+08:00", "reason": "改了原因"},
        content_type="application/json", **_auth(cast.quality_inspector, frozen_now))
    assert r.status_code == 403
    client.force_login(cast.quality_inspector)
    assert client.post(f"/visits/not-moved-in/?project={cast.project.pk}", {
        "household": empty.label, "called_at": "2026-11-23T09:30", "reached": "yes", "reason": "改了原因"}
    ).status_code == 403
    empty.refresh_from_db()
    assert empty.not_moved_in_reason == "房屋出租中介代管" and NotMovedInCall.objects.count() == 1
