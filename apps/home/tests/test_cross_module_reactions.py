"""Reactions between sibling modules, run for real (each module's own tests stub the other side).

R-M14-05: a nonconformity found on an inspection with a responsible employee becomes a suggested entry
on that employee's assessment sheet — the event kind inspections publishes is one assessments knows."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.assessments.models import SuggestedEntry, SuggestionKind
from apps.core.models import Job
from linli import clock

pytestmark = pytest.mark.django_db


def test_r_m14_05_inspection_finding_reaches_the_assessment_suggestions(
        client: Any, cast: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    _t, raw = issue_token(cast.project_manager, name="t", now=clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/inspections/", {
            "project_id": cast.project.pk, "kind": "daily", "level": "director",
            "inspected_at": "2026-11-23T09:30:00+08:00", "scope": "3栋",
            "findings": [{"description": "交接班记录缺失", "cause": "staff", "responsible_id": cast.worker.pk}]},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code in (200, 201), r.content
    suggestion = SuggestedEntry.objects.get(employee=cast.worker)
    assert suggestion.kind == SuggestionKind.INSPECTION and "交接班记录缺失" in suggestion.summary
    assert not Job.objects.filter(last_error__gt="").exists()
