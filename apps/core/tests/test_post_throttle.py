"""Issue 14 (leftover): page POSTs — the staff login, the owners' code request and form submissions in
general — are rate limited per signed-in user and per client address; past the limit they answer 429
with a Chinese page and ``Retry-After``, and the refused POST writes nothing. The test settings switch
the limits off; these tests switch them on with the ``settings`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps.core.throttle import parse_rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_parse_rate() -> None:
    assert parse_rate("120/m") == (120, 60)
    assert parse_rate("10/5m") == (10, 300)
    assert parse_rate("off") is None and parse_rate("") is None and parse_rate(None) is None
    with pytest.raises(ValueError):
        parse_rate("lots")


def test_login_posts_past_the_anonymous_limit_answer_429_in_chinese(settings: Any) -> None:
    settings.LINLI_POST_THROTTLE_ANON = "3/m"
    c = Client()
    for _ in range(3):
        assert c.post("/login/", {"username": "x", "password": "y"}).status_code == 200
    answer = c.post("/login/", {"username": "x", "password": "y"})
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) >= 1
    page = answer.content.decode()
    assert "操作过于频繁" in page and "秒后再试" in page
    # another address is not affected; GETs are never counted
    assert Client(REMOTE_ADDR="10.0.0.9").post("/login/", {"username": "x", "password": "y"}).status_code == 200
    assert c.get("/login/").status_code == 200


def test_owner_code_requests_are_limited_and_the_refused_one_sends_nothing(
    settings: Any, cast: Any, frozen_now: Any
) -> None:
    from apps.estates.models import Building, Household, Person
    from apps.notify.models import Delivery

    building = Building.objects.create(project=cast.project, name="5栋")
    household = Household.objects.create(project=cast.project, building=building, room_no="1502", label="5栋1502")
    Person.objects.create(project=cast.project, household=household, name="王建国", phone="13800138888")
    settings.LINLI_POST_THROTTLE_ANON = "2/m"
    c = Client()
    for _ in range(2):
        assert c.post("/me/sign-in/", {"phone": "13700000000"}).status_code != 429
    assert c.post("/me/sign-in/", {"phone": "13800138888"}).status_code == 429
    assert not Delivery.objects.filter(address="13800138888").exists()
    # the same request from another address sends the code
    assert Client(REMOTE_ADDR="10.0.0.9").post("/me/sign-in/", {"phone": "13800138888"}).status_code == 200
    assert Delivery.objects.filter(address="13800138888").exists()


def test_signed_in_user_form_posts_are_limited_per_user(settings: Any, cast: Any) -> None:
    settings.LINLI_POST_THROTTLE_USER = "2/m"
    c = Client()
    c.force_login(cast.front_desk)
    for _ in range(2):
        assert c.post("/tickets/new/", {}).status_code != 429
    assert c.post("/tickets/new/", {}).status_code == 429
    # a colleague at the same address has their own count
    other = Client()
    other.force_login(cast.supervisor)
    assert other.post("/tickets/new/", {}).status_code != 429


def test_the_address_limit_counts_every_user_together(settings: Any, cast: Any) -> None:
    settings.LINLI_POST_THROTTLE_IP = "2/m"
    for user in (cast.front_desk, cast.supervisor):
        c = Client()
        c.force_login(user)
        assert c.post("/tickets/new/", {}).status_code != 429
    c = Client()
    c.force_login(cast.cs_manager)
    assert c.post("/tickets/new/", {}).status_code == 429


def test_api_posts_are_left_to_the_api_throttles(settings: Any, cast: Any) -> None:
    settings.LINLI_POST_THROTTLE_ANON = settings.LINLI_POST_THROTTLE_IP = "1/m"
    c = Client()
    codes = [c.post("/api/v1/tickets", {}, content_type="application/json").status_code for _ in range(3)]
    assert 429 not in codes


def test_off_by_default_in_the_test_settings(cast: Any) -> None:
    c = Client()
    assert all(c.post("/login/", {"username": "x", "password": "y"}).status_code == 200 for _ in range(40))
