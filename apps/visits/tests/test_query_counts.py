"""Query counts pinned (issue 13): every list page and list endpoint of the visits app runs the same
number of queries whatever the number of rows it shows (the archive R-M6-06 and its export, the
problem list R-M9-04, a visit's problems and history, the year-end figures R-M5-12, the API list)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api.actions import issue_token
from apps.visits import actions, queries

pytestmark = pytest.mark.django_db


def _count(fn: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.fixture
def add_visits(cast: Any, homes: Any, record: Any, frozen_now: dt.datetime) -> Callable[[int], None]:
    """``add_visits(n)``: n visits, each with an open problem (category, department), one settled, one on the
    spot, and every other visit with a problem raised as a complaint ticket; every other visit corrected."""
    made = [0]

    def add(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            i = made[0]
            visit = record(now=frozen_now, household=homes.hh if i % 2 else homes.hh2,
                           person=homes.owner if i % 2 else None, problems=[
                               {"description": f"楼道灯不亮 {i}", "category": homes.cat_eng, "department": cast.eng_dept},
                               {"description": f"保安不在岗 {i}", "category": homes.cat_security},
                               {"description": f"车位价格 {i}", "status": "on_spot", "answer": "300元"}])
            first, second, _spot = visit.problems.order_by("pk")
            actions.settle_problem(problem=second, outcome="cannot_solve", text="开发商遗留问题", acting_user=cast.butler,
                                   now=frozen_now)
            if i % 2:
                actions.raise_ticket_from_problem(problem=first, acting_user=cast.butler, now=frozen_now,
                                                  agreed_feedback_at=frozen_now + dt.timedelta(days=1))
                actions.correct_visit(visit=visit, changes={"opinions": f"意见 {i}"}, reason="补充意见",
                                      acting_user=cast.butler, now=frozen_now)

    return add


def _stable(client: Any, url: str, add_visits: Callable[[int], None], rows: Callable[[Any], int],
            **extra: Any) -> None:
    add_visits(2)
    client.get(url, **extra)  # warm up (sessions, a token's first use)
    n_small, small = _count(lambda: client.get(url, **extra))
    add_visits(10)
    n_large, large = _count(lambda: client.get(url, **extra))
    assert small.status_code == large.status_code == 200
    assert rows(large) > rows(small)
    assert n_small == n_large


def test_r_m6_06_archive_page_query_count_does_not_grow_with_visits(client: Any, cast: Any,
                                                                     add_visits: Callable[[int], None]) -> None:
    client.force_login(cast.supervisor)
    _stable(client, "/visits/", add_visits, lambda r: len(r.context["page"].object_list))


def test_r_m6_06_archive_export_query_count_does_not_grow_with_visits(client: Any, cast: Any,
                                                                       add_visits: Callable[[int], None]) -> None:
    client.force_login(cast.supervisor)

    def export() -> Any:
        response = client.get("/visits/?format=xlsx")
        response.content_bytes = b"".join(response.streaming_content) if response.streaming else response.content
        return response

    add_visits(2)
    export()
    n_small, small = _count(export)
    add_visits(10)
    n_large, large = _count(export)
    assert small.status_code == large.status_code == 200
    assert len(large.content_bytes) > len(small.content_bytes)
    assert n_small == n_large


def test_r_m9_04_problem_list_query_count_does_not_grow_with_problems(client: Any, cast: Any,
                                                                      add_visits: Callable[[int], None]) -> None:
    client.force_login(cast.supervisor)
    _stable(client, "/visits/problems/", add_visits, lambda r: len(r.context["page"].object_list))


def test_r_m9_04_visit_page_query_count_does_not_grow_with_problems_or_history(client: Any, cast: Any, homes: Any,
                                                                               record: Any,
                                                                               frozen_now: dt.datetime) -> None:
    client.force_login(cast.supervisor)

    def visit_with(n: int) -> Any:
        visit = record(now=frozen_now, problems=[
            {"description": f"问题 {i}", "category": homes.cat_eng, "department": cast.eng_dept} for i in range(n)])
        for i, problem in enumerate(visit.problems.order_by("pk")):
            if i % 2:
                actions.settle_problem(problem=problem, outcome="solved", text="已处理", acting_user=cast.butler,
                                       now=frozen_now)
        actions.raise_ticket_from_problem(problem=visit.problems.order_by("pk").first(), acting_user=cast.butler,
                                          now=frozen_now, agreed_feedback_at=frozen_now + dt.timedelta(days=1))
        for i in range(n):
            actions.correct_visit(visit=visit, changes={"opinions": f"意见 {i}"}, reason="补充意见",
                                  acting_user=cast.butler, now=frozen_now)
        return visit

    small, large = visit_with(2), visit_with(10)
    client.get(f"/visits/{small.pk}/")
    n_small, r1 = _count(lambda: client.get(f"/visits/{small.pk}/"))
    n_large, r2 = _count(lambda: client.get(f"/visits/{large.pk}/"))
    assert r1.status_code == r2.status_code == 200
    assert len(r2.context["problems"]) == 10
    assert n_small == n_large


def test_r_m5_12_year_statistics_query_count_does_not_grow_with_visits(cast: Any,
                                                                      add_visits: Callable[[int], None]) -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    add_visits(2)
    n_small, small = _count(lambda: queries.period_statistics(cast.project, start, end))
    add_visits(10)
    n_large, large = _count(lambda: queries.period_statistics(cast.project, start, end))
    assert large["visit_total"] == 12 and len(large["open_problems"]) > len(small["open_problems"])
    assert n_small == n_large


def test_r_m6_06_api_list_query_count_does_not_grow_with_visits(client: Any, cast: Any, frozen_now: dt.datetime,
                                                                add_visits: Callable[[int], None]) -> None:
    _token, raw = issue_token(cast.supervisor, name="t", now=frozen_now)
    _stable(client, "/api/v1/visits/", add_visits, lambda r: len(r.json()), HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def add_households(cast: Any, frozen_now: dt.datetime) -> Callable[[int], None]:
    """``add_households(n)``: n occupied households over two buildings (with a steward), every other one
    visited this quarter, every third one an elderly household; plus one not moved in, called once."""
    from apps.estates.models import Building, Household, OccupancyStatus
    from apps.visits.tests.conftest import _household

    made = [0]
    building, _ = Building.objects.get_or_create(project=cast.project, name="9栋", defaults={"sort_key": 9})
    building.steward = cast.butler
    building.save(update_fields=["steward"])

    def add(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            i = made[0]
            hh = _household(cast.project, "9栋" if i % 2 else "10栋", "1单元", f"{i:03d}")
            if i % 3 == 0:
                Household.objects.filter(pk=hh.pk).update(elderly_alone=True)
            if i % 2:
                actions.record_visit(project=cast.project, household=hh, category="periodic", method="face_to_face",
                                     visited_at=frozen_now - dt.timedelta(days=3), communicated="介绍近期工作",
                                     opinions="无", acting_user=cast.butler, now=frozen_now)
            empty = _household(cast.project, "9栋", "2单元", f"{i:03d}")
            Household.objects.filter(pk=empty.pk).update(status=OccupancyStatus.NOT_MOVED_IN)
            actions.record_not_moved_in_call(household=Household.objects.get(pk=empty.pk),
                                             called_at=frozen_now - dt.timedelta(hours=1), reason="在外地工作",
                                             acting_user=cast.butler, now=frozen_now)
            actions.record_early_care(project=cast.project, kind="gate_cards", held_at=frozen_now, served=10 + i,
                                      note="门岗派卡", acting_user=cast.butler, now=frozen_now)

    return add


def test_r_m9_12_programme_dashboard_query_count_does_not_grow_with_households(
        client: Any, cast: Any, add_households: Callable[[int], None]) -> None:
    """The visits dashboard (/visits/programme/: due dates, overdue list, coverage per building and butler,
    R-M9-12/-14/-18) runs the same number of queries for 3 households as for 15."""
    client.force_login(cast.supervisor)
    url = f"/visits/programme/?project={cast.project.pk}"
    add_households(3)
    client.get(url)
    n_small, small = _count(lambda: client.get(url))
    add_households(12)
    n_large, large = _count(lambda: client.get(url))
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) > len(small.context["page"].object_list)
    assert sum(r["total"] for r in large.context["by_building"]) == 15
    assert n_small == n_large


@pytest.mark.parametrize("path", ["/visits/not-moved-in/", "/visits/early-care/"])
def test_r_m9_16_r_m9_17_early_occupancy_pages_query_count(client: Any, cast: Any, path: str,
                                                          add_households: Callable[[int], None]) -> None:
    """The 入住动态表 (R-M9-17) and the running-in care list (R-M9-16) do not grow with their rows."""
    client.force_login(cast.butler)
    url = f"{path}?project={cast.project.pk}"
    add_households(3)
    client.get(url)
    n_small, small = _count(lambda: client.get(url))
    add_households(12)
    n_large, large = _count(lambda: client.get(url))
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 15 > len(small.context["page"].object_list)
    assert n_small == n_large
