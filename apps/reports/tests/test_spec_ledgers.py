"""SPEC M5 gap tests: classification dimensions (R-M5-15), ledgers (R-M5-16), steward weekly (R-M5-11)."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

import pytest

from apps.core.exports import write_xlsx
from apps.estates.models import Building, Household
from apps.repairs.actions import order_for
from apps.reports import kpis, ledgers
from apps.tickets import actions
from apps.tickets.tests.helpers import receive, to_closed

pytestmark = pytest.mark.django_db


def _scope(cast: Any, now: dt.datetime) -> kpis.Scope:
    return kpis.Scope.for_dates([cast.project.pk], now.date() - dt.timedelta(days=30), now.date(), now=now)


def _household(cast: Any, building: str, room: str) -> Household:
    b, _ = Building.objects.get_or_create(project=cast.project, name=building)
    return Household.objects.create(project=cast.project, building=b, room_no=room, label=f"{building}{room}")


def test_r_m5_15_complaints_classified_by_subject_escalation_level_channel_and_department(
        cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-15: the statistics dimensions the seeds give — subject (物业/地产/市政), escalation level,
    channel and responsible department — are each a breakdown of the complaint counts."""
    receive(cast, content="外墙渗水", developer_matter=True)
    receive(cast, content="门口市政道路积水", municipal=True)
    t = receive(cast, content="楼道灯不亮")
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=frozen_now)
    scope = _scope(cast, frozen_now)
    by_subject = {r["label"]: r["count"] for r in kpis.breakdown(scope, "subject")}
    assert by_subject == {"物业管理": 1, "地产": 1, "市政": 1}
    by_level = {r["key"]: r["count"] for r in kpis.breakdown(scope, "escalation_level")}
    assert sum(by_level.values()) == 3
    assert {r["key"]: r["count"] for r in kpis.breakdown(scope, "channel")} == {"phone": 3}
    by_department = {r["key"]: r["count"] for r in kpis.breakdown(scope, "department")}
    assert by_department.get(cast.eng_dept.pk) == 1
    assert ledgers.subject_of(t) == "property"


def test_r_m5_16_complaint_and_repair_ledgers_list_every_record_with_time_stamps(
        cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-16: the 投诉台账 lists every complaint (closed and open, R-M5-14) with its receipt and close
    times; the 报修台账 lists every repair; both export to .xlsx."""
    closed = to_closed(cast, receive(cast, content="电梯异响"), frozen_now)
    still_open = receive(cast, content="楼下噪音")
    repair = receive(cast, kind="repair", content="厨房水管漏水")
    order_for(repair)
    scope = _scope(cast, frozen_now)
    headers, row_iter = ledgers.complaint_ledger(scope)
    rows = list(row_iter)
    assert headers[0] == "编号" and "受理时间" in headers and "关闭时间" in headers
    numbers = {r[0]: r for r in rows}
    assert set(numbers) == {closed.number, still_open.number}
    closed_row = numbers[closed.number]
    assert closed_row[headers.index("受理时间")] is not None and closed_row[headers.index("关闭时间")] is not None
    assert numbers[still_open.number][headers.index("关闭时间")] is None
    r_headers, r_row_iter = ledgers.repair_ledger(scope)
    r_rows = list(r_row_iter)
    assert [r[0] for r in r_rows] == [repair.number] and r_rows[0][r_headers.index("报修时间")] is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ledger.xlsx")
        headers, again = ledgers.complaint_ledger(scope)
        assert write_xlsx(path, headers, again, sheet="投诉台账") == 2
        assert os.path.getsize(path) > 0


def test_r_m5_11_steward_weekly_analysis_of_their_buildings(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-11: each week the steward sees the events reported in their building (repairs and other
    reports) and how many are completed; other buildings and other weeks are not counted."""
    mine = _household(cast, "5栋", "1502")
    other = _household(cast, "6栋", "0101")
    if ledgers._building_has_steward():
        Building.objects.filter(pk=mine.building_id).update(steward=cast.butler)
        steward = cast.butler
    else:  # no steward field: the buildings of the tickets the steward received
        steward = cast.front_desk
    done = to_closed(cast, receive(cast, household=mine, content="楼道灯不亮"), frozen_now)
    pending = receive(cast, household=mine, kind="repair", content="水管漏水")
    receive(cast, household=other, content="6栋噪音", acting_user=cast.front_desk)
    receive(cast, household=mine, content="上周的事", now=frozen_now - dt.timedelta(days=8),
            received_at=frozen_now - dt.timedelta(days=8))
    week = ledgers.steward_weekly(steward, frozen_now.date())
    if week.source == "estates":
        assert week.building_ids == [mine.building_id]
    else:
        assert mine.building_id in week.building_ids
    expected_total = 2 if week.source == "estates" else 3
    assert week.total == expected_total
    assert done.pk not in [t.pk for t in week.open_tickets] and pending in week.open_tickets
    assert week.completed == 1 and week.open == expected_total - 1
    assert week.completion_rate == round(100.0 / expected_total, 1)


def test_r_m5_16_ledger_pages_export_xlsx_and_r_m5_11_steward_page(client: Any, cast: Any,
                                                                   frozen_now: dt.datetime) -> None:
    """R-M5-16 / R-M5-11: staff download the ledgers as .xlsx and the steward sees the weekly page."""
    import io

    import openpyxl
    from django.urls import reverse

    t = receive(cast, content="电梯异响")
    client.force_login(cast.project_manager)
    params = {"from": (frozen_now.date() - dt.timedelta(days=3)).isoformat(), "to": frozen_now.date().isoformat(),
              "projects": str(cast.project.pk)}
    r = client.get(reverse("reports:ledger", args=["complaint"]), params)
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert [row[0].value for row in list(wb.active.iter_rows())[2:]] == [t.number]
    assert client.get(reverse("reports:ledger", args=["repair"]), params).status_code == 200
    assert client.get(reverse("reports:ledger", args=["nothing"]), params).status_code == 404
    client.force_login(cast.butler)
    page = client.get(reverse("reports:steward_week"), {"week": frozen_now.date().isoformat()})
    assert page.status_code == 200 and "楼宇员每周分析" in page.content.decode()
    assert client.get(reverse("reports:steward_week"), {"week": "昨天"}).status_code == 400


def test_r_m6_07_door_to_door_service_data_in_the_repair_file(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M6-07: door-to-door service data (worker, labour, materials drawn, charges) is in the computer
    file — the repair ledger row carries what return visits, appraisal, material checks and
    charging need."""
    from decimal import Decimal

    from apps.repairs.models import ChargeLine, MaterialUse, PriceItem, PriceList

    repair = receive(cast, kind="repair", content="卫生间水龙头漏水")
    order = order_for(repair)
    prices = PriceList.objects.create(project=cast.project, effective_from=frozen_now.date() - dt.timedelta(days=30),
                                      published_at=frozen_now - dt.timedelta(days=30))
    tap = PriceItem.objects.create(price_list=prices, code="tap", name="水龙头", kind="material", unit="个",
                                   unit_price=Decimal("45.00"))
    MaterialUse.objects.create(order=order, item=tap, quantity=Decimal("1"), recorded_by=cast.worker,
                               recorded_at=frozen_now)
    ChargeLine.objects.create(order=order, item=tap, name=tap.name, unit=tap.unit, quantity=Decimal("1"),
                              unit_price=tap.unit_price, amount=Decimal("45.00"))
    headers, rows = ledgers.repair_ledger(_scope(cast, frozen_now))
    (row,) = list(rows)
    assert row[headers.index("材料")] == "水龙头×1个"
    assert row[headers.index("收费金额（元）")] == Decimal("45.00")
    assert {"维修人员", "工时（小时）", "回访评价"} <= set(headers)
