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
