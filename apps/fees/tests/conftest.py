"""Fee fixtures on the root ``cast``: a 收银员 of 阳光花园, three households (one bought but not moved
in), a fee standard of 2.50 元/㎡·月 and a separate one of 1.20 for houses not moved in (R-M16-07)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.estates.models import Building, Household, OccupancyStatus, Person, PersonKind, Unit
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from linli import clock

SH = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def household(project: Any, building: str, room: str, area: Any = "100.00",
              status: str = OccupancyStatus.OCCUPIED) -> Household:
    b, _ = Building.objects.get_or_create(project=project, name=building)
    u, _ = Unit.objects.get_or_create(building=b, name="1单元")
    return Household.objects.create(project=project, building=b, unit=u, room_no=room, status=status,
                                    label=Household.make_label(b.name, u.name, room),
                                    area_m2=Decimal(area) if area is not None else None)


@dataclass
class Fees:
    cashier: Any
    cashier2: Any
    hh: Household  # 1栋1单元101, 100 ㎡, occupied
    hh2: Household  # 1栋1单元102, 88.88 ㎡, occupied
    nmi: Household  # 2栋1单元201, 120 ㎡, bought not moved in
    other_hh: Household  # 翠湖苑
    owner: Person


@pytest.fixture
def fees(cast: Any) -> Fees:
    from apps.fees import actions

    cashier = UserFactory(username="cashier", display_name="钱收银")
    member(cashier, Role.CASHIER, company=cast.company, project=cast.project)
    cashier2 = UserFactory(username="cashier2", display_name="孙收银")
    member(cashier2, Role.CASHIER, company=cast.company, project=cast.project)
    hh = household(cast.project, "1栋", "101")
    hh2 = household(cast.project, "1栋", "102", "88.88")
    nmi = household(cast.project, "2栋", "201", "120.00", OccupancyStatus.NOT_MOVED_IN)
    other = household(cast.other_project, "1栋", "101")
    owner = Person.objects.create(project=cast.project, household=hh, name="张三丰", phone="13812345678",
                                  kind=PersonKind.OWNER)
    now = at(2026, 1, 2)
    actions.add_standard(project=cast.project, applies_to="moved_in", contract_ref="YG-WY-2024-01", rate="2.50",
                         valid_from=dt.date(2024, 1, 1), acting_user=cast.cs_manager, now=now)
    actions.add_standard(project=cast.project, applies_to="not_moved_in", contract_ref="YG-WY-2024-01",
                         rate="1.20", valid_from=dt.date(2024, 1, 1), acting_user=cast.cs_manager, now=now)
    return Fees(cashier, cashier2, hh, hh2, nmi, other, owner)


@pytest.fixture
def cycle(cast: Any, fees: Fees) -> Any:
    """The 2026 H1 bills (due 2026-01-31)."""
    from apps.fees import actions

    return actions.generate_cycle(project=cast.project, period_start=dt.date(2026, 1, 1), acting_user=cast.cs_manager,
                                  now=at(2026, 1, 2))


def auth(user: Any, now: dt.datetime | None = None) -> dict[str, str]:
    _token, raw = issue_token(user, name="t", now=now or clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
