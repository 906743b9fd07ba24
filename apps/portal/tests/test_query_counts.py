"""Query counts pinned (issue 13): the public notice board and the management page (R-M17-12) run
the same number of queries whatever the number of items they show."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from typing import cast as cast_to

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.estates.models import Building, Household, Person
from apps.org.models import User
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.portal import actions
from apps.portal.models import Publication
from apps.portal.tests.test_spec_portal import NOW, make_report
from apps.reports import schedule
from linli import clock

pytestmark = pytest.mark.django_db


def _count(fn: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.fixture
def mrep(cast: Any) -> User:
    user = cast_to(User, UserFactory(username="mrep", display_name="黄代表"))
    member(user, Role.MANAGEMENT_REP, company=cast.company)
    return user


@pytest.fixture
def owner(cast: Any) -> Person:
    b = Building.objects.create(project=cast.project, name="5栋")
    h = Household.objects.create(project=cast.project, building=b, room_no="1502",
                                 label=Household.make_label("5栋", None, "1502"))
    return Person.objects.create(project=cast.project, household=h, name="张三丰", phone="13912345678")


@pytest.fixture
def add_items(cast: Any, mrep: Any) -> Callable[[int], None]:
    """``add_items(n)``: n notices and n open letters (approved by the 管理者代表), every third withdrawn."""
    made = [0]

    def add(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            at = NOW + dt.timedelta(minutes=made[0])
            notice = actions.publish_notice(project=cast.project, kind="notice", title=f"公告 {made[0]}", body="停水",
                                            acting_user=cast.cs_manager, now=at)
            actions.publish_notice(project=cast.project, kind="open_letter", title=f"公开信 {made[0]}", body="答复",
                                   approved_by=mrep, acting_user=cast.cs_manager, now=at)
            if made[0] % 3 == 0:
                actions.withdraw(notice, reason="已过期", acting_user=cast.cs_manager, now=at)

    return add


def test_r_m17_12_public_board_query_count_does_not_grow_with_items(client: Any, cast: Any,
                                                                    add_items: Callable[[int], None]) -> None:
    url = f"/portal/{cast.project.code}/"
    add_items(2)
    client.get(url)
    n_small, small = _count(lambda: client.get(url))
    add_items(10)
    n_large, large = _count(lambda: client.get(url))
    assert small.status_code == large.status_code == 200
    assert len(large.context["items"]) > len(small.context["items"])
    assert n_small == n_large


def test_r_m17_12_manage_page_query_count_does_not_grow_with_publications(client: Any, cast: Any, owner: Person,
                                                                          add_items: Callable[[int], None]) -> None:
    """Rows with a source report, an SMS told to owners and a withdrawal each show them without a query per row."""
    client.force_login(cast.cs_manager)
    report = make_report(cast)
    actions.publish_report(report, acting_user=cast.cs_manager, now=NOW)
    add_items(2)
    client.get("/portal/manage/")
    n_small, small = _count(lambda: client.get("/portal/manage/"))
    late = dt.datetime(2026, 11, 27, 15, 0, tzinfo=clock.SHANGHAI)
    older = make_report(cast, period=schedule.month_period(2026, 10))
    actions.publish_report(older, acting_user=cast.cs_manager, now=late, notify_owners=True)
    add_items(10)
    n_large, large = _count(lambda: client.get("/portal/manage/"))
    assert small.status_code == large.status_code == 200
    assert len(large.context["pubs"]) > len(small.context["pubs"]) and Publication.objects.count() == 26
    assert n_small == n_large
