"""R-M17-01 (P-21) on every phone contact the visits module records: a visit by phone (page and API), a
correction that turns a visit into a call or moves the call, and the calls to owners not yet moved in
(page and API). Inside the company's quiet hours the call is refused with the next allowed time, unless an
emergency reason is given (kept with the record); outside them it is saved. The windows are the company's
setting (``apps.notify`` ``QuietHoursPolicy``), read through ``apps.notify.queries.check_call_time``."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.estates.models import Household, OccupancyStatus, Person, PersonKind
from apps.notify.models import QuietHoursPolicy
from apps.visits.models import NotMovedInCall, Visit
from apps.visits.tests.conftest import Homes

pytestmark = pytest.mark.django_db

NIGHT, MORNING = "2026-11-22T22:30", "2026-11-23T09:30"  # Sun 22:30 (quiet) and Mon 09:30 (allowed)


def _auth(user: Any, now: dt.datetime) -> dict[str, str]:
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _page_visit(cast: Any, **kw: Any) -> dict[str, Any]:
    data = {"project": cast.project.pk, "household": "5栋2单元1502", "person_name": "张三丰", "category": "periodic",
            "method": "phone", "visited_at": NIGHT, "communicated": "介绍近期主要工作", "opinions": "无",
            "problems-TOTAL_FORMS": "0", "problems-INITIAL_FORMS": "0", "problems-MIN_NUM_FORMS": "0",
            "problems-MAX_NUM_FORMS": "20"}
    data.update(kw)
    return data


def _api_visit(cast: Any, homes: Homes, **kw: Any) -> dict[str, Any]:
    data = {"project_id": cast.project.pk, "household_id": homes.hh.pk, "person_id": homes.owner.pk,
            "category": "periodic", "method": "phone", "visited_at": f"{NIGHT}:00+08:00",
            "communicated": "介绍近期工作", "opinions": "无"}
    data.update(kw)
    return data


@pytest.fixture
def empty(homes: Homes) -> Household:
    homes.hh2.status = OccupancyStatus.NOT_MOVED_IN
    homes.hh2.save(update_fields=["status"])
    Person.objects.create(project=homes.hh2.project, household=homes.hh2, name="钱七", phone="13900001111",
                          kind=PersonKind.OWNER)
    return homes.hh2


def test_r_m17_01_phone_visit_on_the_page_refused_in_quiet_hours(client: Any, cast: Any, homes: Homes,
                                                                 frozen_now: dt.datetime) -> None:
    """R-M17-01: the butler logs a phone visit made at 22:30 → refused beside the emergency-reason field
    with the next allowed time; with an emergency reason it is saved and shows the reason; at 09:30 it is
    saved without one; a visit in person at 22:30 is not a call."""
    client.force_login(cast.butler)
    r = client.post("/visits/new/", _page_visit(cast))
    html = r.content.decode()
    assert r.status_code == 400 and "免打扰时段" in html and "11-23 08:00" in html and "紧急原因" in html
    assert "R-M" not in html and "P-21" not in html and not Visit.objects.exists()
    r = client.post("/visits/new/", _page_visit(cast, visited_at=MORNING))
    assert r.status_code == 302
    assert Visit.objects.get().emergency_reason == ""
    r = client.post("/visits/new/", _page_visit(cast, emergency_reason="业主家中漏水，夜间联系"))
    assert r.status_code == 302
    visit = Visit.objects.exclude(emergency_reason="").get()
    assert visit.emergency_reason == "业主家中漏水，夜间联系"
    assert "业主家中漏水，夜间联系" in client.get(f"/visits/{visit.pk}/").content.decode()
    r = client.post("/visits/new/", _page_visit(cast, method="face_to_face"))
    assert r.status_code == 302 and Visit.objects.count() == 3


def test_r_m17_01_phone_visit_through_the_api(client: Any, cast: Any, homes: Homes, frozen_now: dt.datetime) -> None:
    """R-M17-01 through POST /api/v1/visits/: 409 ``quiet_hours`` on ``emergency_reason``, nothing written;
    outside the windows 201; with an emergency reason 201 and the reason in the answer."""
    auth = _auth(cast.butler, frozen_now)
    r = client.post("/api/v1/visits/", _api_visit(cast, homes), content_type="application/json", **auth)
    assert r.status_code == 409, r.content
    err = r.json()["error"]
    assert err["code"] == "quiet_hours" and "emergency_reason" in err["fields"] and "11-23 08:00" in err["message"]
    assert not Visit.objects.exists()
    r = client.post("/api/v1/visits/", _api_visit(cast, homes, visited_at=f"{MORNING}:00+08:00"),
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["emergency_reason"] == ""
    r = client.post("/api/v1/visits/", _api_visit(cast, homes, emergency_reason="燃气报警，须立即联系业主"),
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["emergency_reason"] == "燃气报警，须立即联系业主"


def test_r_m17_01_the_company_setting_decides(client: Any, cast: Any, homes: Homes, frozen_now: dt.datetime) -> None:
    """R-M17-01, P-21 is the company's: with the company's windows set to 09:00–10:00 a call at 09:30 is
    refused and one at 22:30 is allowed."""
    QuietHoursPolicy.objects.create(company=cast.company, windows=[["09:00", "10:00"]])
    auth = _auth(cast.butler, frozen_now)
    r = client.post("/api/v1/visits/", _api_visit(cast, homes, visited_at=f"{MORNING}:00+08:00"),
                    content_type="application/json", **auth)
    assert r.status_code == 409 and "11-23 10:00" in r.json()["error"]["message"]
    r = client.post("/api/v1/visits/", _api_visit(cast, homes), content_type="application/json", **auth)
    assert r.status_code == 201


def test_r_m17_01_correcting_a_visit_into_a_night_call(client: Any, cast: Any, homes: Homes, record: Any,
                                                        frozen_now: dt.datetime) -> None:
    """R-M17-01: correcting a visit to a phone call at 22:30 is refused like a new record, unless an
    emergency reason is given."""
    visit = record()
    client.force_login(cast.butler)
    data = {"category": "periodic", "method": "phone", "visited_at": NIGHT, "communicated": visit.communicated,
            "opinions": visit.opinions, "reason": "走访方式记错"}
    r = client.post(f"/visits/{visit.pk}/correct/", data)
    assert r.status_code == 400 and "免打扰时段" in r.content.decode()
    visit.refresh_from_db()
    assert visit.method == "face_to_face"
    r = client.post(f"/visits/{visit.pk}/correct/", {**data, "emergency_reason": "业主要求夜间回电"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.method == "phone" and visit.emergency_reason == "业主要求夜间回电"


def test_r_m17_01_calls_to_owners_not_moved_in(client: Any, cast: Any, empty: Household,
                                                frozen_now: dt.datetime) -> None:
    """R-M17-01 on the 入住动态表 calls (R-M9-17): page and API refuse a call at 22:30 without an emergency
    reason; at 09:30 it is saved."""
    client.force_login(cast.butler)
    url = f"/visits/not-moved-in/?project={cast.project.pk}"
    form = {"household": empty.label, "called_at": NIGHT, "reached": "no", "note": "无人接听"}
    r = client.post(url, form)
    assert r.status_code == 400 and "免打扰时段" in r.content.decode() and not NotMovedInCall.objects.exists()
    assert client.post(url, {**form, "called_at": MORNING}).status_code == 302
    auth = _auth(cast.butler, frozen_now)
    body = {"household_id": empty.pk, "called_at": f"{NIGHT}:00+08:00", "reached": False, "note": "无人接听"}
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", body, content_type="application/json", **auth)
    assert r.status_code == 409 and r.json()["error"]["code"] == "quiet_hours"
    assert NotMovedInCall.objects.count() == 1
    r = client.post("/api/v1/visits/programme/not-moved-in/calls", {**body, "emergency_reason": "房屋漏水须告知业主"},
                    content_type="application/json", **auth)
    assert r.status_code == 201
    assert NotMovedInCall.objects.filter(emergency_reason="房屋漏水须告知业主").count() == 1


def test_r_m17_01_return_visit_on_a_rectification(client: Any, cast: Any, homes: Homes, record: Any,
                                                  frozen_now: dt.datetime) -> None:
    """R-M17-01 on 回访整改结果 (R-M9-06): a phone return visit at 22:30 is refused on the visit page and through
    the API, with nothing written; in person it is recorded; by phone at 10:00 too."""
    from apps.visits import actions
    from apps.visits.models import VisitProblemFollowUp
    from linli import clock

    visit = record(problems=[{"description": "楼道灯不亮", "status": "open", "department": cast.eng_dept}])
    problem = visit.problems.get()
    actions.report_problem_progress(problem=problem, text="已更换灯管，请回访", acting_user=cast.eng_head,
                                    now=frozen_now)
    night = frozen_now + dt.timedelta(hours=12, minutes=30)
    client.force_login(cast.butler)
    with clock.frozen(night):
        r = client.post(f"/visits/problems/{problem.pk}/return-visit/",
                        {"satisfied": "no", "text": "业主说灯还是暗", "method": "phone"}, follow=True)
        assert "免打扰时段" in r.content.decode()
        r = client.post(f"/api/v1/visits/problems/{problem.pk}/return-visit",
                        {"satisfied": False, "text": "业主说灯还是暗"}, content_type="application/json",
                        **_auth(cast.butler, night))
        assert r.status_code == 409 and r.json()["error"]["code"] == "quiet_hours"
        assert not VisitProblemFollowUp.objects.filter(kind="return_visit").exists()
        r = client.post(f"/api/v1/visits/problems/{problem.pk}/return-visit",
                        {"satisfied": False, "text": "上门查看，灯还是暗", "method": "face_to_face"},
                        content_type="application/json", **_auth(cast.butler, night))
        assert r.status_code == 201
    r = client.post(f"/visits/problems/{problem.pk}/return-visit/",
                    {"satisfied": "yes", "text": "业主满意", "method": "phone"})
    assert r.status_code == 302
    assert VisitProblemFollowUp.objects.filter(kind="return_visit", method="phone").count() == 1
