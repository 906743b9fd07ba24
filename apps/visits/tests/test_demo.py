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
