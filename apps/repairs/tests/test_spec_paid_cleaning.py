"""R-M19-06: the CS department takes commissioned paid cleaning (and similar paid services: 开荒保洁,
有偿消杀) on the repair intake page as a paid service; it goes to the 环境管理部 with the paid-service
limits, the cleaner records the cleaning supplies used on the work order (supervision of the supplies)
through the API, and the front desk sees them."""
from __future__ import annotations

import pytest

from apps.org.models import DepartmentKind
from apps.org.roles import Role
from apps.org.tests.factories import DepartmentFactory, UserFactory, member
from apps.repairs import queries
from apps.repairs.tests.helpers import RepairApiClient, login
from apps.tickets.models import Category

pytestmark = pytest.mark.django_db


def test_r_m19_06_paid_cleaning_taken_by_the_cs_department_and_done_by_the_environment_department(
        cast, frozen_now):
    env = DepartmentFactory(company=cast.company, project=cast.project, kind=DepartmentKind.ENVIRONMENT,
                            name="环境管理部")
    cleaner = member(UserFactory(username="cleaner", display_name="保洁员小刘"), Role.WORKER,
                     company=cast.company, project=cast.project, department=env).user
    cleaning = Category.objects.get(company=None, code="service_paid_cleaning")
    desk = login(cast.front_desk)
    assert "委托有偿保洁" in desk.get("/repairs/new/").content.decode()
    data = {"kind": "repair", "category": cleaning.pk, "location_kind": "household", "location": "5栋1502",
            "complainant_surname": "王", "phone": "13800138888", "content": "委托全屋保洁",
            "agreed_visit_at": "2026-11-24T09:00"}
    r = desk.post("/repairs/new/", data, follow=True)
    assert "有偿服务" in r.content.decode() and not queries.visible_orders(cast.front_desk).exists()
    assert desk.post("/repairs/new/", {**data, "kind": "paid_service"}).status_code == 302
    order = queries.visible_orders(cast.front_desk).get()
    ticket = order.ticket
    assert ticket.kind == "paid_service" and ticket.department_id == env.pk
    assert {d.stage for d in ticket.deadlines.all()} >= {"arrive", "complete"}
    desk.post(f"/repairs/orders/{order.pk}/assign/", {"assignee": cleaner.pk})
    assert ticket.dispatches.filter(assignee=cleaner, active=True).exists()
    api, url = RepairApiClient(cleaner), f"/api/v1/repairs/orders/{order.pk}"
    assert [o["id"] for o in api.get("/api/v1/repairs/orders").json()] == [order.pk]
    assert api.post(f"{url}/accept").status_code == 200
    assert api.post(f"{url}/arrival", {}).status_code == 200
    assert api.post(f"{url}/diagnosis", {"diagnosis": "全屋保洁，按价目表收费项目另行说明",
                                         "chargeable": False}).status_code == 200
    assert api.post(f"{url}/start").status_code == 200
    r = api.post(f"{url}/materials", {"name": "多功能清洁剂", "unit": "瓶", "quantity": "1"})
    assert r.status_code == 200, r.content
    seen = RepairApiClient(cast.front_desk).get(url).json()
    assert [m["name"] for m in seen["materials"]] == ["多功能清洁剂"]
