"""Survey deadline warnings and breach notices through the sweep (R-M10-04 … R-M10-08)."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from apps.notify.models import Notification
from apps.surveys import sweep
from apps.surveys.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_r_m10_04_distribution_warning_and_breach_once(sv: Any, ps: Any) -> None:
    """R-M10-04: received 09-26, distribution due 09-29 23:59:59 — warned once, breached once, 品质部 told."""
    assert str(sweep.run(at(2025, 9, 27, 10))) == "survey_warnings=0 survey_breaches=0"
    sweep.run(at(2025, 9, 29, 10))
    warned = Notification.objects.filter(kind="survey_deadline_warning")
    assert {n.recipient for n in warned} >= {sv.cast.supervisor, sv.cast.butler, sv.steward}
    assert "发放" in warned.first().subject  # type: ignore[union-attr]
    sweep.run(at(2025, 9, 29, 11))
    assert Notification.objects.filter(kind="survey_deadline_warning").count() == warned.count()
    call_command("surveys_sweep", "--now", "2025-09-30T09:00+08:00")
    breach = Notification.objects.filter(kind="survey_deadline_breach")
    assert sv.cast.quality_inspector in {n.recipient for n in breach}
    n = breach.count()
    sweep.run(at(2025, 9, 30, 10))
    assert Notification.objects.filter(kind="survey_deadline_breach").count() == n
