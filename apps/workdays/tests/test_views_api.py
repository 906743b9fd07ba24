"""Calendar page, import page, admin warning (P-25) and the REST endpoints with their errors."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.workdays.models import CalendarDay, OfficialYear
from linli import clock

pytestmark = pytest.mark.django_db

SH = clock.SHANGHAI


def test_month_page_marks_holidays_adjusted_days_and_policies(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """Appendix C: 2025-10 shows 10-01…10-08 off and 10-11 (Sat) as an adjusted working day."""
    client.force_login(cast.front_desk)
    r = client.get("/calendar/", {"project": cast.project.pk, "month": "2025-10"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-date="2025-10-08" data-kind="holiday"' in html
    assert 'data-date="2025-10-11" data-kind="adjusted"' in html
    assert 'data-date="2025-10-09" data-kind="workday"' in html
    assert 'data-date="2025-10-12" data-kind="weekend"' in html
    assert "国庆节" in html and 'data-testid="provisional-month"' not in html
    assert "规则A 书面 2个工作日" in html  # the read-only policy table
    # frozen_now is 2026-11: 2027 has no official schedule yet → warning banner
    assert 'data-testid="calendar-warning"' in html and "2027" in html


def test_month_page_provisional_month(client: Any, cast: Any) -> None:
    client.force_login(cast.front_desk)
    html = client.get("/calendar/", {"project": cast.project.pk, "month": "2027-01"}).content.decode()
    assert 'data-testid="provisional-month"' in html and 'data-testid="provisional-banner"' in html
    assert 'data-date="2027-01-01" data-kind="workday"' in html  # Monday–Friday rule until imported


def test_month_page_access(client: Any, cast: Any) -> None:
    client.force_login(cast.outsider)  # front desk of 翠湖苑 only
    assert client.get("/calendar/", {"project": cast.project.pk}).status_code == 404
    assert client.get("/calendar/", {"project": "x"}).status_code == 404
    assert client.get("/calendar/", {"project": cast.other_project.pk, "month": "bad"}).status_code == 200
    client.logout()
    assert client.get("/calendar/").status_code == 302


def test_import_page_upload_and_row_errors(client: Any, cast: Any) -> None:
    client.force_login(cast.front_desk)
    assert client.get("/calendar/import/").status_code == 404  # needs MANAGE_CONFIG
    client.force_login(cast.sysadmin)
    r = client.post("/calendar/import/", {"text": "2027-13-01,休,坏日期\n2027-01-01,休,元旦\n"})
    assert r.status_code == 200 and "第1行：日期“2027-13-01”无法识别" in r.content.decode()
    assert not CalendarDay.objects.exists()
    upload = SimpleUploadedFile("2027.csv", "2027-01-01,休,元旦\n2027-02-14,班,春节调休\n".encode())
    r = client.post("/calendar/import/", {"file": upload, "year": 2027, "source": "国办发明电"})
    assert r.status_code == 302 and "month=2027-01" in r["Location"]
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert OfficialYear.objects.get(year=2027).source == "国办发明电"
    assert client.post("/calendar/import/", {}).status_code == 200  # nothing given: form error, no crash


def test_admin_warns_about_uncovered_years(client: Any, cast: Any, admin_user: Any, frozen_now: dt.datetime) -> None:
    client.force_login(admin_user)
    r = client.get("/admin/workdays/calendarday/", follow=True)
    assert r.status_code == 200 and "2027 年尚无正式节假日安排" in r.content.decode()
    OfficialYear.objects.create(year=2027, status="official", source="测试")
    assert "尚无正式节假日安排" not in client.get("/admin/workdays/officialyear/").content.decode()


def test_admin_confirm_action(client: Any, admin_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(admin_user)
    y = OfficialYear.objects.create(year=2027, status="provisional")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/admin/workdays/officialyear/", {"action": "confirm", "_selected_action": [y.pk]})
    assert r.status_code == 302
    y.refresh_from_db()
    assert y.status == "official" and y.confirmed_by == admin_user.get_username()


# ---------------------------------------------------------------- API
def test_api_month_days(client: Any, cast: Any) -> None:
    client.force_login(cast.front_desk)
    body = client.get(f"/api/v1/calendar/projects/{cast.project.pk}/days", {"month": "2026-02"}).json()
    days = {d["date"]: d for d in body["days"]}
    assert len(days) == 28 and body["provisional"] is False
    assert days["2026-02-14"]["kind"] == "adjusted" and days["2026-02-14"]["working"] is True
    assert days["2026-02-17"]["kind"] == "holiday" and days["2026-02-17"]["name"] == "春节"
    r = client.get(f"/api/v1/calendar/projects/{cast.project.pk}/days", {"month": "2026-13"})
    assert r.status_code == 422 and "month" in r.json()["error"]["fields"]
    assert client.get(f"/api/v1/calendar/projects/{cast.project.pk}/days").status_code == 422


def test_api_compute_deadlines(client: Any, cast: Any) -> None:
    """AS-01 through the API; errors are structured."""
    client.force_login(cast.front_desk)
    url = f"/api/v1/calendar/projects/{cast.project.pk}/deadlines"
    r = client.post(url, {"kind": "complaint", "channel": "letter", "start": "2025-09-30T10:00:00+08:00",
                          "stages": ["reply", "respond", "acknowledge"]}, content_type="application/json")
    assert r.status_code == 200
    items = {i["stage"]: i for i in r.json()}
    assert dt.datetime.fromisoformat(items["reply"]["due_at"]) == dt.datetime(2025, 10, 10, 23, 59, 59, tzinfo=SH)
    assert items["reply"]["limit"] == "2个工作日" and items["acknowledge"]["due_at"] is None
    r = client.post(url, {"kind": "x", "channel": "pigeon", "urgency": "asap", "start": "2025-09-30T10:00:00",
                          "stages": ["nap"]}, content_type="application/json")
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"kind", "channel", "urgency", "stages", "start"}


def test_api_errors_401_404(client: Any, cast: Any) -> None:
    url = f"/api/v1/calendar/projects/{cast.project.pk}/days?month=2026-02"
    assert client.get(url).status_code == 401
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/calendar/projects/999999/days?month=2026-02").status_code == 404


def test_openapi_documents_errors(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/v1/calendar/projects/{project_id}/deadlines"]["post"]
    assert {"401", "404", "422"} <= set(op["responses"])


def test_admin_setting_a_year_official_confirms_it(client: Any, admin_user: Any, year_confirmed_reaction: None,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    from apps.core.models import Job

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/admin/workdays/officialyear/add/", {"year": 2027, "status": "official", "source": "通知"})
    assert r.status_code == 302
    assert list(Job.objects.values_list("event", "payload")) == [("workdays.year_confirmed", {"year": 2027})]
    assert OfficialYear.objects.get(year=2027).confirmed_by == admin_user.get_username()
