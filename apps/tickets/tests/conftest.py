"""Fixtures of the ticket interface tests: an API client with a Bearer token, households, tickets
made through the intake action (never by setting status fields)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.tickets.tests.helpers import policies as helpers_policies
from linli import clock


class Api:
    """``api.post("/api/v1/tickets", {...}, key="k1")`` with ``Authorization: Bearer``."""

    def __init__(self, user: Any) -> None:
        from apps.api.models import ApiToken

        _token, self.raw = ApiToken.issue(user, name="test", now=clock.now())
        self.client = Client()
        self.user = user

    def _headers(self, key: str | None) -> dict[str, Any]:
        h = {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"}
        if key:
            h["HTTP_IDEMPOTENCY_KEY"] = key
        return h

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params, **self._headers(None))

    def post(self, url: str, body: dict[str, Any] | None = None, *, key: str | None = None) -> Any:
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", **self._headers(key))


@pytest.fixture
def api(cast: Any) -> Callable[[Any], Api]:
    return Api


@pytest.fixture
def households(cast: Any) -> dict[str, Any]:
    from apps.estates.models import Building, Household, Person, Unit

    b5 = Building.objects.create(project=cast.project, name="5栋")
    u2 = Unit.objects.create(building=b5, name="2单元")
    h1502 = Household.objects.create(project=cast.project, building=b5, unit=u2, room_no="1502", label="5栋2单元1502")
    h0801 = Household.objects.create(project=cast.project, building=b5, unit=u2, room_no="0801", label="5栋2单元0801")
    Person.objects.create(project=cast.project, household=h1502, name="王建国", phone="13800138888")
    Person.objects.create(project=cast.project, household=h0801, name="刘芳", phone="13912345678")
    bc = Building.objects.create(project=cast.other_project, name="1栋")
    other = Household.objects.create(project=cast.other_project, building=bc, room_no="1502", label="1栋1502")
    Person.objects.create(project=cast.other_project, household=other, name="赵六", phone="13700008888")
    return {"1502": h1502, "0801": h0801, "other": other}


@pytest.fixture
def make_ticket(cast: Any, frozen_now: Any) -> Callable[..., Any]:
    """A ticket received through the intake action (the same call the form and the API make)."""
    from apps.tickets import actions as ticket_actions

    def make(**overrides: Any) -> Any:
        now = clock.now()
        kwargs: dict[str, Any] = {
            "project": cast.project, "kind": "complaint", "channel": "phone", "source": "project",
            "urgency": "normal", "content": "楼道灯不亮", "desired_outcome": "", "received_at": now,
            "household": None, "person": None, "complainant_surname": "王", "phone": "13800138888",
            "address": "", "anonymous": False, "category": None, "department": None, "people_count": 1,
            "media_exposed": False, "litigation": False, "media_or_litigation_risk": False,
            "developer_matter": False, "municipal": False, "agreed_feedback_at": now + clock_hours(6),
            "acting_user": cast.front_desk, "now": now,
        }
        kwargs.update(overrides)
        return ticket_actions.receive_ticket(**kwargs)

    return make


def clock_hours(n: float) -> Any:
    import datetime as dt

    return dt.timedelta(hours=n)


# The deadline-policy stand-in (apps.tickets.tests.helpers.policies) as a fixture for every tickets test.
policies = helpers_policies
