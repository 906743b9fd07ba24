"""Community activities (SPEC M12) through pages and the API: the plan (R-M12-01), the implementation
plan approved before the notice and the notice ≥ 3 days ahead (R-M12-02/-03, AS-31), cost approval
within the approver's limit (R-M12-05), the record (R-M12-04), invitations to owners not yet moved in
(R-M12-06), greetings (R-M12-09) and notice-board items (R-M12-10 … R-M12-14)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.activities import actions
from apps.activities.models import Activity, ActivityCostLimit
from apps.api.actions import issue_token
from apps.estates.models import Building, Household, OccupancyStatus, Person, PersonKind
from apps.notify.models import Delivery, OwnerNotice
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.portal.models import Publication
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SH)


def _auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def owners(cast):
    b = Building.objects.create(project=cast.project, name="1栋")
    moved = Household.objects.create(project=cast.project, building=b, room_no="101", label="1栋101")
    empty = Household.objects.create(project=cast.project, building=b, room_no="102", label="1栋102",
                                     status=OccupancyStatus.NOT_MOVED_IN)
    Person.objects.create(project=cast.project, household=moved, name="张三", phone="13800000001", kind=PersonKind.OWNER)
    Person.objects.create(project=cast.project, household=empty, name="李四", phone="13800000002", kind=PersonKind.OWNER)


@pytest.fixture
def activity(cast):
    """An activity on Wed 2025-10-01 whose implementation plan is approved on 2025-09-26 (AS-31)."""
    with clock.frozen(at(2025, 9, 20)):
        plan = actions.draw_up_plan(project=cast.project, period="annual", year=2025, title="2025年社区文化活动计划",
                                    acting_user=cast.supervisor, now=clock.now())
        a = actions.add_activity(plan=plan, title="国庆游园会", held_on=dt.date(2025, 10, 1),
                                 implementation_plan="游园、猜灯谜、亲子游戏；安管部维持秩序", budget="3000",
                                 acting_user=cast.supervisor, now=clock.now())
    return a


def _approve(cast, a, day=26):
    with clock.frozen(at(2025, 9, day)):
        return actions.approve_implementation(activity=a, acting_user=cast.cs_manager, now=clock.now())


def test_as_31_notice_before_approval_refused_page_and_api(client, cast, activity, owners):
    """AS-31: publishing before the plan is approved → refused (nothing sent)."""
    with clock.frozen(at(2025, 9, 25)):
        r = client.post(f"/api/v1/activities/{activity.pk}/notice", {"text": "10月1日国庆游园会，欢迎参加"},
                        content_type="application/json", **_auth(cast.supervisor))
        assert r.status_code == 409 and r.json()["error"]["code"] == "not_approved"
        client.force_login(cast.supervisor)
        r = client.post(f"/activities/{activity.pk}/notice/", {"text": "10月1日国庆游园会，欢迎参加"})
        assert r.status_code == 400 and "尚未批准" in r.content.decode()
    assert not OwnerNotice.objects.exists() and Activity.objects.get().notice_published_at is None


def test_as_31_notice_on_28th_compliant(client, cast, activity, owners):
    """AS-31: approved 2025-09-26, notice published 2025-09-28 → compliant (3 days)."""
    _approve(cast, activity)
    with clock.frozen(at(2025, 9, 28)):
        r = client.post(f"/api/v1/activities/{activity.pk}/notice", {"text": "10月1日国庆游园会，欢迎参加"},
                        content_type="application/json", **_auth(cast.supervisor))
    assert r.status_code == 200 and r.json()["notice_days_ahead"] == 3 and not r.json()["notice_late"]
    assert OwnerNotice.objects.get().recipients == 2


def test_as_31_notice_on_29th_is_nonconformity_on_page(client, cast, activity, owners):
    """AS-31: published 2025-09-29 → published and recorded as a nonconformity."""
    _approve(cast, activity)
    with clock.frozen(at(2025, 9, 29)):
        client.force_login(cast.supervisor)
        r = client.post(f"/activities/{activity.pk}/notice/", {"text": "10月1日国庆游园会，欢迎参加"})
        assert r.status_code == 302
        body = client.get(f"/activities/{activity.pk}/").content.decode()
    a = Activity.objects.get()
    assert a.notice_late and a.notice_days_ahead == 2 and "不足3天，不合格" in body
    assert OwnerNotice.objects.get().short_notice


def test_r_m12_05_cost_above_approver_limit_refused(client, cast, activity):
    """R-M12-05: a 3000 budget is above the 客服经理's default limit (2000) → refused; the 管理处经理 approves."""
    r = client.post(f"/api/v1/activities/{activity.pk}/approve-cost", **_auth(cast.cs_manager))
    assert r.status_code == 403 and r.json()["error"]["code"] == "above_limit"
    client.force_login(cast.cs_manager)
    client.post(f"/activities/{activity.pk}/approve/cost/")
    assert Activity.objects.get().cost_approved_at is None
    client.force_login(cast.project_manager)  # the limit is a setting the 管理处经理 may change
    r = client.post(f"/activities/board/?project={cast.project.pk}", {"project": cast.project.pk, "form": "limit",
                                                                     "role": Role.CS_MANAGER, "limit": "5000"})
    assert r.status_code == 302 and ActivityCostLimit.objects.get().limit == 5000
    r = client.post(f"/api/v1/activities/{activity.pk}/approve-cost", **_auth(cast.cs_manager))
    assert r.status_code == 200 and r.json()["cost_approved_at"]


def test_r_m12_06_r_m12_04_invite_and_record(client, cast, activity, owners):
    _approve(cast, activity)
    with clock.frozen(at(2025, 9, 27)):
        r = client.post(f"/api/v1/activities/{activity.pk}/invite-not-moved-in", {"text": "诚邀您参加国庆游园会"},
                        content_type="application/json", **_auth(cast.supervisor))
        assert r.status_code == 200 and r.json()["invited_not_moved_in"] == 1
        assert Delivery.objects.filter(kind="activity_invitation", address="13800000002").exists()
        r = client.post(f"/api/v1/activities/{activity.pk}/record", {"summary": "游园会顺利举行", "participants": 120},
                        content_type="application/json", **_auth(cast.supervisor))
        assert r.status_code == 422 and r.json()["error"]["code"] == "not_yet_held"
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(buf, "JPEG")
    with clock.frozen(at(2025, 10, 1, 18)):
        client.force_login(cast.supervisor)
        r = client.post(f"/activities/{activity.pk}/record/", {"summary": "游园会顺利举行，业主反响好", "participants": 120,
                                                               "feedback": "希望明年再办",
                                                               "photos": SimpleUploadedFile("a.jpg", buf.getvalue())})
        assert r.status_code == 302
    a = Activity.objects.get()
    assert a.status == "recorded" and a.photos.count() == 1 and a.feedback == "希望明年再办"
    assert client.get(f"/activities/{a.pk}/photos/{a.photos.get().pk}/").status_code == 200


def test_r_m12_09_greeting_and_r_m12_11_board_item(client, cast, owners, frozen_now):
    r = client.post("/api/v1/activities/greetings", {"project_id": cast.project.pk, "kind": "festival",
                                                     "text": "中秋快乐！阳光花园物业服务中心"},
                    content_type="application/json", **_auth(cast.supervisor))
    assert r.status_code == 201 and r.json()["recipients"] == 2
    client.force_login(cast.cs_manager)
    r = client.post(f"/activities/board/?project={cast.project.pk}",
                    {"project": cast.project.pk, "form": "board", "kind": "estate_plan_change", "title": "北门改道",
                     "body": "北门临时封闭施工"})
    assert r.status_code == 400 and "说明原因" in r.content.decode() and not Publication.objects.exists()
    r = client.post("/api/v1/activities/board-items", {"project_id": cast.project.pk, "kind": "estate_plan_change",
                                                       "title": "北门改道", "body": "原因：市政管网施工，北门临时封闭"},
                    content_type="application/json", **_auth(cast.cs_manager))
    assert r.status_code == 201 and Publication.objects.get().title == "小区规划变更说明：北门改道"


def test_r_m12_01_plan_page_and_other_project(client, cast, activity):
    client.force_login(cast.supervisor)
    assert "国庆游园会" in client.get(f"/activities/plans/{activity.plan_id}/").content.decode()
    gm = UserFactory(username="gm_a")
    member(gm, Role.GENERAL_MANAGER, company=cast.company)
    client.force_login(cast.outsider)
    assert client.get(f"/activities/{activity.pk}/").status_code in (403, 404)
    assert client.get(f"/api/v1/activities/{activity.pk}", **_auth(cast.outsider)).status_code == 404
    r = client.post(f"/api/v1/activities/{activity.pk}/approve-cost", **_auth(gm))  # 物业总经理: limit 50000
    assert r.status_code == 200
