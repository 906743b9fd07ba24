"""R-M19-13: the staff training plan — sessions with the staff expected, then held with attendance and
test results — on pages and through /api/v1/staff-records/training: the 办公室主任 for the company, a
管理处经理 for their projects, any other employee sees the sessions they are asked to attend."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.org.models import TrainingAttendance, TrainingSession

pytestmark = pytest.mark.django_db


def _plan(client, cast, **kw):
    data = {"project": cast.project.pk, "title": "客服礼仪", "topic": "etiquette", "planned_on": "2026-11-20",
            "trainer": "客服经理", "attendees": [cast.front_desk.pk, cast.butler.pk]}
    data.update(kw)
    return client.post("/staff-records/training/new/", data)


def test_r_m19_13_project_manager_plans_and_records_a_session_on_the_page(client, cast, frozen_now):
    client.force_login(cast.project_manager)
    r = _plan(client, cast)
    assert r.status_code == 302, r.content.decode()
    session = TrainingSession.objects.get()
    assert session.attendances.count() == 2 and session.held_at is None
    r = client.post(f"/staff-records/training/{session.pk}/", {
        "held_at": "2026-11-20T14:00", "attended": [cast.front_desk.pk], "passed": [cast.front_desk.pk]})
    assert r.status_code == 302, r.content.decode()
    att = {a.user_id: (a.attended, a.passed) for a in TrainingAttendance.objects.all()}
    assert att == {cast.front_desk.pk: (True, True), cast.butler.pk: (False, None)}
    page = client.get(f"/staff-records/training/{session.pk}/").content.decode()
    assert "缺席" in page and "2026-11-20 14:00" in page and "R-M" not in page
    listing = client.get("/staff-records/training/?state=held").content.decode()
    assert "客服礼仪" in listing and "1 / 2" in listing
    # refusals: future time, passed without attending, the other project, staff outside scope
    r = client.post(f"/staff-records/training/{session.pk}/", {"held_at": "2026-11-24T14:00"})
    assert r.status_code == 422 and "不能晚于现在" in r.content.decode()
    r = client.post(f"/staff-records/training/{session.pk}/", {"held_at": "2026-11-20T14:00",
                                                               "passed": [cast.butler.pk]})
    assert r.status_code == 422 and "未出席的员工不能记为考核合格" in r.content.decode()
    assert _plan(client, cast, project=cast.other_project.pk).status_code == 400
    assert _plan(client, cast, attendees=[cast.outsider.pk]).status_code == 400
    assert _plan(client, cast, project="").status_code == 422
    assert TrainingSession.objects.count() == 1
    assert TrainingAttendance.objects.get(user=cast.front_desk).passed is True


def test_r_m19_13_staff_see_only_their_sessions_and_cannot_record(client, cast, office, frozen_now):
    client.force_login(office)
    assert _plan(client, cast, project="", title="公司级取证培训", topic="certification",
                 attendees=[cast.outsider.pk, cast.butler.pk]).status_code == 302
    assert _plan(client, cast, title="技术操作", topic="technical", attendees=[cast.front_desk.pk]).status_code == 302
    client.force_login(cast.outsider)
    page = client.get("/staff-records/training/").content.decode()
    assert page.count('data-testid="training-row"') == 1 and "公司级取证培训" in page
    assert "training/new/" not in page
    session = TrainingSession.objects.get(title="公司级取证培训")
    detail = client.get(f"/staff-records/training/{session.pk}/").content.decode()
    assert detail.count('data-testid="attendance-row"') == 1 and "training-record-form" not in detail
    assert client.post(f"/staff-records/training/{session.pk}/", {"held_at": "2026-11-20T14:00"}).status_code == 403
    assert client.get("/staff-records/training/new/").status_code == 403
    # the project manager cannot record the company-level session
    client.force_login(cast.project_manager)
    assert client.get(f"/staff-records/training/{session.pk}/").status_code == 404


def test_r_m19_13_training_through_the_api(client, cast, office, frozen_now, auth):
    h = auth(cast.project_manager, frozen_now)
    body = {"project_id": cast.project.pk, "title": "电梯困人应急", "topic": "safety", "planned_on": "2026-11-21",
            "attendee_ids": [cast.worker.pk, cast.eng_head.pk]}
    r = client.post("/api/v1/staff-records/training", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = client.post(f"/api/v1/staff-records/training/{sid}/record",
                    {"held_at": "2026-11-21T09:00:00+08:00", "attended": [cast.worker.pk, cast.eng_head.pk],
                     "passed": [cast.worker.pk]}, content_type="application/json", **h)
    assert r.status_code == 200, r.content
    assert {a["user_id"]: a["passed"] for a in r.json()["attendees"]} == {cast.worker.pk: True,
                                                                          cast.eng_head.pk: False}
    r = client.post(f"/api/v1/staff-records/training/{sid}/record",
                    {"held_at": "2026-11-21T09:00:00+08:00", "attended": [cast.front_desk.pk]},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "attended" in r.json()["error"]["fields"]
    r = client.post("/api/v1/staff-records/training", {**body, "attendee_ids": [cast.outsider.pk]},
                    content_type="application/json", **h)
    assert r.status_code == 422
    own = auth(cast.worker, frozen_now)
    listing = client.get("/api/v1/staff-records/training?state=held", **own).json()
    assert [s["id"] for s in listing] == [sid] and len(listing[0]["attendees"]) == 1
    r = client.post("/api/v1/staff-records/training", body, content_type="application/json", **own)
    assert r.status_code == 403
    assert TrainingSession.objects.get().held_at == dt.datetime(2026, 11, 21, 1, 0, tzinfo=dt.UTC)


def test_training_list_query_count(client, cast, office, frozen_now, auth, django_assert_max_num_queries):
    client.force_login(office)
    for i in range(4):
        assert _plan(client, cast, title=f"培训{i}").status_code == 302
    with django_assert_max_num_queries(16):
        r = client.get("/staff-records/training/")
    assert r.content.decode().count('data-testid="training-row"') == 4
    with django_assert_max_num_queries(16):
        assert len(client.get("/api/v1/staff-records/training", **auth(office, frozen_now)).json()) == 4
