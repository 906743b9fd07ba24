"""Visit fixtures on top of the root ``cast``: households in 阳光花园 and 翠湖苑 and a ``visit()`` helper
that records through the action (STYLE §11)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from apps.estates.models import Building, Household, Person, PersonKind, Unit
from apps.tickets.models import Category
from linli import clock

SH = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def _household(project: Any, building: str, unit: str, room: str) -> Household:
    b, _ = Building.objects.get_or_create(project=project, name=building, defaults={"sort_key": int(building[:-1])})
    u, _ = Unit.objects.get_or_create(building=b, name=unit)
    return Household.objects.create(project=project, building=b, unit=u, room_no=room,
                                    label=Household.make_label(b.name, u.name, room), area_m2=118)


@dataclass
class Homes:
    hh: Household  # 阳光花园 5栋2单元1502
    owner: Person  # 张三丰
    hh2: Household  # 阳光花园 6栋1单元101
    other_hh: Household  # 翠湖苑 1栋1单元101
    other_person: Person
    cat_eng: Category
    cat_security: Category


@pytest.fixture
def homes(cast: Any) -> Homes:
    hh = _household(cast.project, "5栋", "2单元", "1502")
    owner = Person.objects.create(project=cast.project, household=hh, name="张三丰", phone="13812345678",
                                  kind=PersonKind.OWNER)
    hh2 = _household(cast.project, "6栋", "1单元", "101")
    other_hh = _household(cast.other_project, "1栋", "1单元", "101")
    other_person = Person.objects.create(project=cast.other_project, household=other_hh, name="赵六",
                                         phone="13622223333")
    cats = {c.code: c for c in Category.objects.filter(company=None)}
    return Homes(hh, owner, hh2, other_hh, other_person, cats["engineering"], cats["security"])


@pytest.fixture
def record(cast: Any, homes: Homes):
    """``record(**overrides)``: a visit by the butler to 5栋2单元1502 through ``record_visit``."""
    from apps.visits import actions

    def make(**kw: Any) -> Any:
        now = kw.pop("now", None) or clock.now()
        args: dict[str, Any] = dict(
            project=cast.project, household=homes.hh, person=homes.owner, category="periodic", method="face_to_face",
            visited_at=now - dt.timedelta(hours=1), communicated="介绍近期工作：外墙清洗", opinions="希望加强夜间巡逻",
            acting_user=cast.butler, now=now,
        )
        args.update(kw)
        return actions.record_visit(**args)
    return make
