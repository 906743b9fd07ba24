"""Demo data of issue 22 (inspections, visit programme, activities): recorded through the real actions,
with the flagged night-check month (AS-38), overdue households (AS-36) and an activity from plan to record."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.activities.demo import load_demo_activities
from apps.activities.models import Activity
from apps.estates import demo
from apps.inspections import queries
from apps.inspections.demo import load_demo_inspections
from apps.org.models import Company, Project
from apps.visits import programme
from apps.visits.demo import load_demo_programme
from apps.visits.models import VisitPlan
from linli import clock

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def test_demo_issue_22() -> None:
    demo.load_demo(seed=7)
    company = Company.objects.get()
    with clock.frozen(NOW):
        assert load_demo_programme(company, now=NOW) == 4
        assert load_demo_inspections(company, now=NOW) > 20
        assert load_demo_activities(company, now=NOW) == 4  # two in each residential project (issue 23)
    project = Project.objects.filter(kind="residential").order_by("code")[0]
    night = queries.night_month(project, dt.date(2026, 10, 1), today=NOW.date())
    assert night.checks == 3 and night.missed_warning_nights == [dt.date(2026, 10, 16)]
    assert programme.households_due(project, NOW.date()).filter(overdue=True).exists()
    assert set(VisitPlan.objects.values_list("status", flat=True)) == {"approved", "submitted"}
    assert Activity.objects.filter(status="recorded", participants=180).exists()
