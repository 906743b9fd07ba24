"""Issue 17 / issue 23 item 5 through the pages and the API as the roles the SPEC names:

- R-M8-03 (rule set C) / AS-21: an agreed visit time taken on the intake page is the arrival
  deadline plus the tolerance the 管理处经理 set on the settings page; the procedure's limit stays.
- R-M8-01 / R-M8-17: the 派工单 names the building's steward, also for a room typed on /repairs/new/.
- R-M5-13 (P-30): the repair measures' targets are the company's settings (API and page).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from apps.estates.models import Building, Household, Unit
from apps.repairs import queries
from apps.repairs.models import RepairSettings
from apps.repairs.tests.test_api import Api
from apps.tickets.choices import Stage
from apps.tickets.models import Category
from apps.workdays import queries as wq
from apps.workdays.models import RuleSet, RuleSetChoice
from linli import clock

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def _household(project, building, room, steward=None):
    b = Building.objects.create(project=project, name=building, steward=steward)
    u = Unit.objects.create(building=b, name="1单元")
    return Household.objects.create(project=project, building=b, unit=u, room_no=room,
                                    label=Household.make_label(b.name, u.name, room))


def test_r_m8_03_as_21_agreed_visit_time_with_tolerance_set_by_the_project_manager(cast):
    """The 管理处经理 chooses rule set C and a 10-minute tolerance for the project on the settings
    pages; the front desk takes a repair with an agreed time on /repairs/new/."""
    now = dt.datetime(2025, 10, 5, 14, 0, tzinfo=clock.SHANGHAI)
    pm = login(cast.project_manager)
    rule_sets = pm.get(f"/org/settings/rule-sets/project/{cast.project.pk}/").context["form"]
    data = {name: "" for name in rule_sets.fields}
    data.update(arrival=str(RuleSet.objects.get(code="arrival_c").pk), reason="本项目执行制度11")
    assert pm.post(f"/org/settings/rule-sets/project/{cast.project.pk}/", data).status_code == 302
    r = pm.post(f"/org/settings/repairs/project/{cast.project.pk}/", {
        "agreed_arrival_tolerance_minutes": "10", "arrival_target_pct": "99", "completion_target_pct": "99",
        "quality_target_pct": "100", "return_visit_target_pct": "100", "reason": "约定时间允许10分钟宽限"})
    assert r.status_code == 302
    assert RuleSetChoice.objects.get(project=cast.project).rule_set.code == "arrival_c"
    with clock.frozen(now):
        r = login(cast.front_desk).post("/repairs/new/", {
            "kind": "repair", "category": Category.objects.get(company=None, code="repair_doors_furniture").pk,
            "location_kind": "household", "location": "5栋1502", "complainant_surname": "王",
            "phone": "13800138888", "content": "门锁坏了", "agreed_visit_at": "2025-10-06T10:00"})
    assert r.status_code == 302, r.content
    order = queries.visible_orders(cast.front_desk).get()
    d = order.ticket.deadlines.get(stage=Stage.ARRIVE, cycle=0)
    assert d.agreed and d.due_at == dt.datetime(2025, 10, 6, 10, 10, tzinfo=clock.SHANGHAI)
    assert d.limit_due_at == dt.datetime(2025, 10, 5, 14, 25, tzinfo=clock.SHANGHAI)
    # the other project keeps rule set A and no agreed deadline
    wq.clear_caches()
    assert wq.rule_sets_for(cast.other_project)["arrival"].code == "arrival_a"


def test_r_m8_01_r_m8_17_the_work_order_names_the_steward_from_the_intake_page(cast, fake_policies, frozen_now):
    """A room typed on /repairs/new/ that names a household links it: the 派工单 names the building's
    steward, who sees it in 楼内报修 and through the API."""
    hh = _household(cast.project, "9栋", "901", steward=cast.butler)
    r = login(cast.front_desk).post("/repairs/new/", {
        "kind": "repair", "category": Category.objects.get(company=None, code="repair_water").pk,
        "location_kind": "household", "location": hh.label, "complainant_surname": "王", "phone": "13800138888",
        "content": "水管爆裂", "agreed_visit_at": "2026-11-23T10:30"})
    assert r.status_code == 302
    order = queries.visible_orders(cast.front_desk).get()
    assert order.ticket.household == hh and order.steward == cast.butler
    assert list(queries.steward_orders(cast.butler)) == [order]
    page = login(cast.butler).get("/repairs/").content.decode()
    assert order.ticket.number in page


def test_r_m5_13_repair_targets_are_company_settings(cast, fake_policies, frozen_now):
    """P-30: the 系统管理员 lowers the completion target; the measures API and page show it."""
    r = Api(cast.sysadmin).c.put("/api/v1/org/settings/repairs",
                                 {"reason": "年度目标调整", "values": {"completion_target_pct": "95"}},
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {Api(cast.sysadmin).raw}")
    assert r.status_code == 200, r.content
    assert RepairSettings.objects.get(project=None).completion_target_pct == Decimal("95")
    body = Api(cast.supervisor).get("/api/v1/repairs/measures", month_from="2026-11", group="month").json()
    assert Decimal(str(body["rows"][-1]["completion"]["target"])) == Decimal("0.95")
    page = login(cast.supervisor).get("/repairs/measures/").content.decode()
    assert "95%" in page
    r = Api(cast.sysadmin).c.put("/api/v1/org/settings/repairs",
                                 {"reason": "错误", "values": {"quality_target_pct": "120"}},
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {Api(cast.sysadmin).raw}")
    assert r.status_code == 422 and "quality_target_pct" in r.json()["error"]["fields"]


def test_r_m8_15_paid_service_taken_on_the_page_has_arrival_and_completion_limits(cast):
    """Probe 8 of the review: a paid service had only a reply limit; now arrival and completion too."""
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(now):
        r = login(cast.front_desk).post("/repairs/new/", {
            "kind": "paid_service", "category": Category.objects.get(company=None, code="repair_tap").pk,
            "location_kind": "household", "location": "5栋1502", "complainant_surname": "王",
            "phone": "13800138888", "content": "更换水龙头（有偿）", "agreed_visit_at": "2026-11-23T10:20"})
    assert r.status_code == 302
    order = queries.visible_orders(cast.front_desk).get()
    stages = {d.stage: d for d in order.ticket.deadlines.all()}
    assert stages["arrive"].due_at == now + dt.timedelta(minutes=30)
    assert stages["complete"].due_at is not None
