"""Campaign months (R-M12-07) and convenience-service days (R-M12-08) as activities of the plan; the
management team (R-M12-12) and adopted suggestions (R-M12-13) posted to the owners' notice board —
through the page and the API as the CS staff who run them, with refusals for roles that may not."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.activities import actions
from apps.activities.models import Activity
from apps.api.actions import issue_token
from apps.portal.models import Publication
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def plan(cast: Any, frozen_now: dt.datetime) -> Any:
    return actions.draw_up_plan(project=cast.project, period="annual", year=2026, title="2026年社区文化活动计划",
                                acting_user=cast.supervisor, now=frozen_now)


def test_r_m12_07_campaign_month_in_the_plan_page_and_api(client: Any, cast: Any, plan: Any) -> None:
    """R-M12-07: the project sets fixed campaign months (文明养犬宣传月) as activities of its plan."""
    client.force_login(cast.supervisor)
    r = client.post(f"/activities/plans/{plan.pk}/", {
        "title": "文明养犬宣传月", "kind": "campaign_month", "held_on": "2026-12-01", "place": "中心广场",
        "implementation_plan": "12月全月：张贴文明养犬海报、发放拾便袋、犬只登记咨询", "budget": "800"})
    assert r.status_code == 302
    r = client.post(f"/api/v1/activities/plans/{plan.pk}/activities", {
        "title": "高空抛物危害宣传月", "kind": "campaign_month", "held_on": "2027-01-04",
        "implementation_plan": "入户发放宣传单，楼道张贴警示"}, content_type="application/json",
        **_auth(cast.supervisor))
    assert r.status_code == 201 and r.json()["kind"] == "campaign_month"
    assert sorted(Activity.objects.filter(kind="campaign_month").values_list("title", flat=True)) == [
        "文明养犬宣传月", "高空抛物危害宣传月"]
    assert "文明养犬宣传月" in client.get(f"/activities/plans/{plan.pk}/").content.decode()
    r = client.post(f"/api/v1/activities/plans/{plan.pk}/activities", {
        "title": "绿色生活宣传月", "kind": "campaign_month", "held_on": "2027-02-01",
        "implementation_plan": "垃圾分类宣传"}, content_type="application/json", **_auth(cast.worker))
    assert r.status_code in (403, 404) and Activity.objects.count() == 2


def test_r_m12_08_convenience_service_day(client: Any, cast: Any, plan: Any) -> None:
    """R-M12-08: convenience-service days held regularly (knife sharpening, small-appliance repair, blood
    pressure checks, range-hood cleaning) — planned, approved, recorded."""
    r = client.post(f"/api/v1/activities/plans/{plan.pk}/activities", {
        "title": "便民服务日", "kind": "convenience_day", "held_on": "2026-12-06", "place": "南门广场",
        "implementation_plan": "磨剪刀菜刀、小家电维修、免费量血压、清洗油烟机和空调滤网"},
        content_type="application/json", **_auth(cast.supervisor))
    assert r.status_code == 201
    a = Activity.objects.get()
    assert a.get_kind_display() == "便民服务日"
    r = client.post(f"/api/v1/activities/{a.pk}/approve-plan", **_auth(cast.cs_manager))
    assert r.status_code == 200 and r.json()["plan_approved_at"]
    client.force_login(cast.supervisor)
    assert "便民服务日" in client.get(f"/activities/?project={cast.project.pk}").content.decode()


def test_r_m12_12_management_team_made_public_on_the_board(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M12-12: the photos, names and contacts of the management team are posted to the notice board."""
    client.force_login(cast.cs_manager)
    r = client.post(f"/activities/board/?project={cast.project.pk}", {
        "project": cast.project.pk, "form": "board", "kind": "management_team", "title": "阳光花园管理团队",
        "body": "管理处经理 王经理 0755-88880001；客服主管 李主管 0755-88880002"})
    assert r.status_code == 302
    pub = Publication.objects.get()
    assert pub.title == "管理团队公示：阳光花园管理团队" and "0755-88880001" in str(pub.sections)
    client.force_login(cast.worker)
    r = client.post(f"/activities/board/?project={cast.project.pk}", {
        "project": cast.project.pk, "form": "board", "kind": "management_team", "title": "x", "body": "y"})
    assert r.status_code in (400, 403) and Publication.objects.count() == 1


def test_r_m12_13_adopted_suggestion_posted_through_the_api(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M12-13: the rectification measures of adopted suggestions are posted, with the commended
    "爱我小区" residents; a role without the duty is refused."""
    body = {"project_id": cast.project.pk, "kind": "adopted_suggestion", "title": "增设电动车充电桩",
            "body": "采纳5栋业主建议，已在地下车库增设20个充电桩；感谢“爱我小区”住户张先生"}
    r = client.post("/api/v1/activities/board-items", body, content_type="application/json", **_auth(cast.worker))
    assert r.status_code in (403, 404) and not Publication.objects.exists()
    r = client.post("/api/v1/activities/board-items", body, content_type="application/json",
                    **_auth(cast.cs_manager))
    assert r.status_code == 201
    assert Publication.objects.get().title == "采纳建议整改公示：增设电动车充电桩"
