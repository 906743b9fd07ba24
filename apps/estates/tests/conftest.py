"""Estate fixtures on top of the root ``cast``: households and persons in 阳光花园 and 翠湖苑, and a
builder for roster workbooks."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from apps.estates.models import Building, Household, Person, PersonKind, Unit, Vehicle
from linli import clock

VALID_ID = "11010519491231002X"  # a valid PRC ID (check digit X)


def id_with_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@dataclass
class Estate:
    hh: Household  # 阳光花园 5栋2单元1502
    owner: Person  # 张三丰 13812345678
    resident: Person  # 李四 13900001111
    vip_hh: Household  # 阳光花园 6栋1单元101 with a VIP owner
    vip: Person
    other_hh: Household  # 翠湖苑 1栋1单元101
    other_person: Person


def _household(project: Any, building: str, unit: str, room: str) -> Household:
    b, _ = Building.objects.get_or_create(project=project, name=building, defaults={"sort_key": int(building[:-1])})
    u, _ = Unit.objects.get_or_create(building=b, name=unit)
    return Household.objects.create(project=project, building=b, unit=u, room_no=room,
                                    label=Household.make_label(b.name, u.name, room), area_m2=118)


@pytest.fixture
def estate(cast: Any) -> Estate:
    hh = _household(cast.project, "5栋", "2单元", "1502")
    owner = Person.objects.create(project=cast.project, household=hh, name="张三丰", phone="13812345678",
                                  id_number="110101199003071233", kind=PersonKind.OWNER)
    Vehicle.objects.create(person=owner, plate="粤B12345", parking_space="B2-018")
    resident = Person.objects.create(project=cast.project, household=hh, name="李四", phone="13900001111",
                                     kind=PersonKind.RESIDENT)
    vip_hh = _household(cast.project, "6栋", "1单元", "101")
    vip = Person.objects.create(project=cast.project, household=vip_hh, name="王五", phone="13711112222",
                                is_vip=True, tags="VIP")
    other_hh = _household(cast.other_project, "1栋", "1单元", "101")
    other_person = Person.objects.create(project=cast.other_project, household=other_hh, name="赵六",
                                         phone="13622223333")
    return Estate(hh, owner, resident, vip_hh, vip, other_hh, other_person)


@pytest.fixture
def grant_for(cast: Any):
    """``grant_for(user)``: the CS manager (a department head for the archive) grants 30 days."""
    from apps.estates import actions

    def make(user: Any, *, days: int = 30, by: Any = None, project: Any = None) -> Any:
        now = clock.now()
        return actions.grant_access(granted_by=by or cast.cs_manager, grantee=user,
                                     project=project or cast.project, reason="回访VIP业主",
                                     valid_from=now, valid_until=now + dt.timedelta(days=days))
    return make


ROSTER_HEADERS = ["楼栋", "单元", "房号", "面积（㎡）", "房屋状态", "姓名", "身份", "手机", "其他电话", "证件号码",
                  "入住日期", "标签", "车牌", "车位"]


def workbook(rows: Sequence[Sequence[Any]], headers: list[str] | None = None) -> io.BytesIO:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers or ROSTER_HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def token_for(user: Any) -> str:
    from apps.api.models import ApiToken

    _, raw = ApiToken.issue(user, name="test", now=clock.now())
    return raw
