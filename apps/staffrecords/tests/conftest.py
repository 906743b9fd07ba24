from __future__ import annotations

import pytest

from apps.api.actions import issue_token
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member


@pytest.fixture
def office(cast):
    """The 办公室主任: keeps the staff records of the whole company."""
    return member(
        UserFactory(username="office", display_name="办公室王主任"), Role.OFFICE_DIRECTOR, company=cast.company
    ).user


@pytest.fixture
def auth():
    def _auth(user, now):
        _t, raw = issue_token(user, name="t", now=now)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _auth


def make_owner(project, building="1栋", room="101", name="张三", kind="owner"):
    from apps.estates.models import Building, Household, Person, Unit

    b, _ = Building.objects.get_or_create(project=project, name=building)
    u, _ = Unit.objects.get_or_create(building=b, name="1单元")
    hh = Household.objects.create(project=project, building=b, unit=u, room_no=room,
                                  label=Household.make_label(b.name, u.name, room))
    return Person.objects.create(project=project, household=hh, kind=kind, name=name, phone="13800000000")
