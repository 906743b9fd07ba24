"""R-M4-13: every opinion, request or question fed back at a return visit is followed item by item — a
question from a *satisfied* owner that could not be answered on the spot counts as feedback too, and is
processed only once its promised answer is given (R-M4-10). Read on the dashboard API as the 管理处经理."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.api.models import ApiToken
from apps.tickets import actions
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def _rate(cast: Any, now: dt.datetime) -> dict[str, Any]:
    _t, raw = ApiToken.issue(cast.project_manager, name="t", now=now)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    period = {"from": (now - dt.timedelta(days=7)).date().isoformat(), "to": now.date().isoformat()}
    data = api.get("/api/v1/reports/kpis", period).json()
    return next(k for k in data["kpis"] if k["code"] == "visit_feedback_rate")


def test_r_m4_13_questions_of_satisfied_owners_are_feedback_items(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast, content="楼道灯不亮"), frozen_now)
    visit = actions.record_return_visit(
        ticket=t, method="phone", reached=True, satisfaction="satisfied", owner_words="修好了，满意",
        open_question="能否在车库也加装感应灯？", answer_due_at=frozen_now + dt.timedelta(days=2),
        acting_user=cast.front_desk, now=frozen_now)
    rate = _rate(cast, frozen_now)
    assert rate["counts"] == {"numerator": 0, "denominator": 1} and rate["met_target"] is False
    actions.answer_return_visit_question(visit=visit, answer="已列入下月工程计划", acting_user=cast.front_desk,
                                         now=frozen_now)
    rate = _rate(cast, frozen_now)
    assert rate["counts"] == {"numerator": 1, "denominator": 1} and rate["value"] == 100.0
