"""Fixtures of the owners' tests: two households of 阳光花园 (one phone on both of them), a third
household, a household of another project, and a helper that signs an owner in through the pages."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

OWNER = "13800138888"  # owner of 5栋2单元1502 and of 8栋0301
OTHER = "13912345678"  # owner of 5栋2单元0801


@pytest.fixture
def homes(cast: Any) -> dict[str, Any]:
    from apps.estates.models import Building, Household, Person, Unit

    b5 = Building.objects.create(project=cast.project, name="5栋")
    u2 = Unit.objects.create(building=b5, name="2单元")
    b8 = Building.objects.create(project=cast.project, name="8栋")
    h1502 = Household.objects.create(project=cast.project, building=b5, unit=u2, room_no="1502", label="5栋2单元1502")
    h0801 = Household.objects.create(project=cast.project, building=b5, unit=u2, room_no="0801", label="5栋2单元0801")
    h0301 = Household.objects.create(project=cast.project, building=b8, room_no="0301", label="8栋0301")
    Person.objects.create(project=cast.project, household=h1502, name="王建国", phone=OWNER)
    Person.objects.create(project=cast.project, household=h0301, name="王建国", phone=OWNER)
    Person.objects.create(project=cast.project, household=h0801, name="刘芳", phone=OTHER)
    bc = Building.objects.create(project=cast.other_project, name="1栋")
    other = Household.objects.create(project=cast.other_project, building=bc, room_no="1502", label="1栋1502")
    Person.objects.create(project=cast.other_project, household=other, name="赵六", phone="13700008888")
    return {"1502": h1502, "0801": h0801, "0301": h0301, "other": other}


def last_code(phone: str) -> str:
    from apps.notify.models import Delivery

    d = Delivery.objects.filter(address=phone, kind="owner_sign_in_code").order_by("-id").first()
    assert d is not None
    m = re.search(r"(\d{6})", d.body)
    assert m is not None
    return m.group(1)


@pytest.fixture
def owner_client(homes: Any, frozen_now: Any) -> Callable[..., Client]:
    """A client signed in as ``phone`` through the sign-in page, with ``household`` chosen."""
    def make(phone: str = OWNER, household: Any = None) -> Client:
        c = Client()
        r = c.post("/me/sign-in/", {"phone": phone})
        assert r.status_code == 200, r.content.decode()
        r = c.post("/me/sign-in/", {"phone": phone, "step": "code", "code": last_code(phone)})
        assert r.status_code == 302
        if household is not None:
            r = c.post("/me/households/", {"household": household.pk})
            assert r.status_code == 302
        return c
    return make


@pytest.fixture
def api_token(homes: Any, frozen_now: Any, settings: Any) -> Callable[..., str]:
    """An owner API token got through /api/v1/me/sign-in (the same SMS code)."""
    import json

    settings.LINLI_OWNER_CODE_INTERVAL_SECONDS = 0  # the clock is frozen: a page and an API sign-in in one test

    def make(phone: str = OTHER) -> str:
        c = Client()
        r = c.post("/api/v1/me/sign-in/code", json.dumps({"phone": phone}), content_type="application/json")
        assert r.status_code == 202, r.content
        r = c.post("/api/v1/me/sign-in", json.dumps({"phone": phone, "code": last_code(phone)}),
                   content_type="application/json")
        assert r.status_code == 201, r.content
        return str(r.json()["token"])
    return make
