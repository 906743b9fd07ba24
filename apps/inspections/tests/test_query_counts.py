"""List pages of issue 22 run a bounded number of queries whatever their length (no per-row queries)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.activities import actions as activity_actions
from apps.inspections import actions
from linli import clock

pytestmark = pytest.mark.django_db


def _inspections(cast, n, now):
    for i in range(n):
        actions.record_inspection(project=cast.project, kind="daily", level="director",
                                  inspected_at=now - dt.timedelta(hours=i + 1), scope=f"区域{i}", acting_user=cast.project_manager,
                                  now=now, findings=[{"description": "地面有积水", "cause": "environment"}])


def _activities(cast, n, now):
    plan = activity_actions.draw_up_plan(project=cast.project, period="annual", year=2026, title="计划",
                                         acting_user=cast.supervisor, now=now)
    for i in range(n):
        activity_actions.add_activity(plan=plan, title=f"活动{i}", held_on=now.date() + dt.timedelta(days=i),
                                      implementation_plan="方案内容", acting_user=cast.supervisor, now=now)


@pytest.mark.parametrize("n", [2, 12])
def test_inspection_and_activity_lists_bounded_queries(client, cast, frozen_now, n, django_assert_max_num_queries):
    _inspections(cast, n, frozen_now)
    _activities(cast, n, frozen_now)
    client.force_login(cast.project_manager)
    with django_assert_max_num_queries(25):
        assert client.get(f"/inspections/?project={cast.project.pk}").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/activities/?project={cast.project.pk}").status_code == 200
    with django_assert_max_num_queries(30), clock.frozen(frozen_now):
        assert client.get(f"/visits/agenda/?project={cast.project.pk}").status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_r_m18_11_r_m18_15_evaluation_and_plan_lists_bounded_queries(client, cast, frozen_now, n,
                                                                     django_assert_max_num_queries):
    """The evaluations (R-M18-11) and emergency-plan (R-M18-15) pages and API lists: no per-row queries."""
    from apps.inspections.models import EvaluationKind

    for i in range(n):
        actions.record_evaluation(project=cast.project, kind=EvaluationKind.values[i % len(EvaluationKind.values)],
                                  held_on=frozen_now.date() - dt.timedelta(days=i + 1), body=f"评价内容{i}",
                                  result="通过", acting_user=cast.project_manager, now=frozen_now)
        actions.issue_emergency_plan(project=cast.project, emergency=f"突发事件{i % 3}", version=f"V{i}",
                                     issued_on=frozen_now.date() - dt.timedelta(days=i + 1),
                                     organisation="应急小组组长、组员、联络人及具体处置措施", acting_user=cast.project_manager,
                                     now=frozen_now)
    client.force_login(cast.project_manager)
    with django_assert_max_num_queries(20):
        r = client.get(f"/inspections/evaluations/?project={cast.project.pk}")
        assert r.status_code == 200 and r.content.decode().count("评价内容") >= n
    with django_assert_max_num_queries(20):
        assert client.get(f"/inspections/emergency-plans/?project={cast.project.pk}").status_code == 200
