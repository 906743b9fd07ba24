"""M19 role duties exercised as the role through its pages and the API (issue 17, issue 20)."""

from __future__ import annotations

import pytest

from apps.api.actions import issue_token
from apps.org.models import TrainingAttendance, TrainingSession

pytestmark = pytest.mark.django_db


def _auth(user, now):
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("who", ["cs_manager", "supervisor"])
def test_r_m19_01_r_m19_02_r_m19_13_cs_manager_and_supervisor_plan_training_on_the_page(client, cast, frozen_now, who):
    """R-M19-01 (客服经理: staff training) and R-M19-02 (客服主管: takes part in staff training): they plan a
    session of the training plan for their project's staff and record who came (R-M19-13)."""
    client.force_login(getattr(cast, who))
    assert client.get("/staff-records/training/new/").status_code == 200
    r = client.post(
        "/staff-records/training/new/",
        {
            "project": cast.project.pk,
            "title": "上门服务礼仪",
            "topic": "etiquette",
            "planned_on": "2026-11-25",
            "trainer": "客服部",
            "attendees": [cast.front_desk.pk, cast.butler.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()
    session = TrainingSession.objects.get()
    assert session.project == cast.project and session.attendances.count() == 2
    r = client.post(
        f"/staff-records/training/{session.pk}/",
        {
            "held_at": "2026-11-23T09:00",
            "attended": [cast.front_desk.pk, cast.butler.pk],
            "passed": [cast.front_desk.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()
    assert TrainingAttendance.objects.get(user=cast.front_desk).passed is True
    assert "上门服务礼仪" in client.get("/staff-records/training/").content.decode()
    # only their own project's staff, only their own project
    r = client.post(
        "/staff-records/training/new/",
        {
            "project": cast.other_project.pk,
            "title": "跨项目",
            "topic": "etiquette",
            "planned_on": "2026-11-25",
            "attendees": [cast.outsider.pk],
        },
    )
    assert r.status_code in (400, 422) and TrainingSession.objects.count() == 1


@pytest.mark.parametrize("who", ["cs_manager", "supervisor"])
def test_r_m19_01_r_m19_02_r_m19_13_cs_manager_and_supervisor_plan_training_through_the_api(
    client, cast, frozen_now, who
):
    h = _auth(getattr(cast, who), frozen_now)
    body = {
        "project_id": cast.project.pk,
        "title": "投诉处理技巧",
        "topic": "etiquette",
        "planned_on": "2026-11-26",
        "attendee_ids": [cast.front_desk.pk, cast.butler.pk],
    }
    r = client.post("/api/v1/staff-records/training", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = client.post(
        f"/api/v1/staff-records/training/{sid}/record",
        {"held_at": "2026-11-23T09:00:00+08:00", "attended": [cast.butler.pk], "passed": [cast.butler.pk]},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200, r.content
    r = client.post(
        "/api/v1/staff-records/training",
        {**body, "attendee_ids": [cast.outsider.pk]},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422
    # the front desk still cannot plan training
    r = client.post(
        "/api/v1/staff-records/training", body, content_type="application/json", **_auth(cast.front_desk, frozen_now)
    )
    assert r.status_code == 403 and TrainingSession.objects.count() == 1
