"""The demo surveys and plans load through the actions (R-M15-04, R-M15-05): one completed campaign with
its approved and posted letter and plans, one running."""
from __future__ import annotations

from typing import Any

import pytest

from apps.improvement.demo import LIFECYCLE_ROWS, LINE_ROWS, load_demo_improvement
from apps.improvement.models import ImprovementPlan, PlanAction
from apps.surveys.models import OpenLetter, ProjectSurvey
from apps.surveys.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_r_m15_04_r_m15_05_demo_loads(sv: Any) -> None:
    n = load_demo_improvement(sv.cast.company, now=at(2026, 11, 23, 10))
    assert n == len(LINE_ROWS) + len(LIFECYCLE_ROWS)
    assert ImprovementPlan.objects.filter(kind="line").count() == 4
    assert ImprovementPlan.objects.filter(kind="lifecycle").count() == 1
    assert PlanAction.objects.filter(item="维修及时率", survey_items=["eng_speed"]).exists()
    letter = OpenLetter.objects.get()
    assert letter.approved_by == sv.mgmtrep and letter.posted_at is not None
    surveys = ProjectSurvey.objects.filter(project=sv.cast.project).order_by("received_on")
    assert [s.closed_at is not None for s in surveys] == [True, False]
