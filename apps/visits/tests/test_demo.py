"""Demo visits for ``make run``: recorded through the real actions, deterministic for a seed and now."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.estates import demo
from apps.org.models import Company, DepartmentKind
from apps.visits.demo import load_demo_visits
from apps.visits.models import Visit, VisitProblem
from linli import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def test_demo_visits_are_filed_with_cs_and_have_problems_in_every_state() -> None:
    demo.load_demo(seed=7)
    with clock.frozen(NOW):
        n = load_demo_visits(Company.objects.get(), seed=7, now=NOW, per_project=25)
    assert n == Visit.objects.count() and 40 <= n <= 50  # two residential projects
    assert set(Visit.objects.values_list("filed_department__kind", flat=True)) == {DepartmentKind.CUSTOMER_SERVICE}
    assert not Visit.objects.filter(visited_at__gt=NOW).exists()
    assert not Visit.objects.filter(visited_on__lt=dt.date(2026, 1, 1)).exists()
    statuses = set(VisitProblem.objects.values_list("status", flat=True))
    assert statuses == {"on_spot", "open", "solved", "cannot_solve"}


def test_r_m9_16_r_m9_17_demo_early_occupancy() -> None:
    """The demo shows running-in care with a feedback still to follow up (R-M9-16) and calls to owners not
    yet moved in whose reason is in the 入住动态表 (R-M9-17)."""
    from apps.estates.models import Household
    from apps.org.models import Membership, Project
    from apps.org.roles import Role
    from apps.visits.demo import load_demo_early_occupancy
    from apps.visits.models import EarlyCare, NotMovedInCall

    demo.load_demo(seed=7)
    project = Project.objects.filter(kind="residential").order_by("code").first()
    assert project is not None
    membership = Membership.objects.filter(project=project, role=Role.BUTLER).first()
    assert membership is not None
    butler = membership.user
    with clock.frozen(NOW):
        n = load_demo_early_occupancy(project, butler, now=NOW)
    assert n == EarlyCare.objects.count() + NotMovedInCall.objects.count() > 5
    assert set(EarlyCare.objects.values_list("kind", flat=True)) == {"interview", "alarm", "gate_cards", "onsite_desk"}
    assert sum(c.awaiting_follow_up for c in EarlyCare.objects.all()) == 1
    called = Household.objects.filter(not_moved_in_calls__reached=True).distinct()
    assert called.exists() and all(h.not_moved_in_reason for h in called)


def test_r_m9_13_demo_annual_plan_with_year_to_date_progress() -> None:
    """The demo has this year's approved annual return-visit plan in each residential project, drawn up by
    the office director, and its page shows the year-to-date return visits against the targets."""
    from django.test import Client

    from apps.org.roles import Role
    from apps.visits.demo import load_demo_programme
    from apps.visits.models import AnnualVisitPlan, PlanStatus

    demo.load_demo(seed=7)
    company = Company.objects.get()
    with clock.frozen(NOW):
        load_demo_visits(company, seed=7, now=NOW, per_project=25)
        load_demo_programme(company, now=NOW)
        plans = list(AnnualVisitPlan.objects.select_related("drawn_by").order_by("pk"))
        assert len(plans) == 2 and {p.year for p in plans} == {2026}
        assert all(p.status == PlanStatus.APPROVED and p.targets.count() == 12 for p in plans)
        assert all(p.drawn_by.memberships.filter(role=Role.OFFICE_DIRECTOR).exists() for p in plans)
        c = Client()
        c.force_login(plans[0].drawn_by)
        body = c.get(f"/visits/annual/{plans[0].pk}/").content.decode()
    assert "目标与实际回访" in body and "进行中" in body
