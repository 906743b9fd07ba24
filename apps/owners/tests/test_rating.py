"""Issue 19 item 3: the owner rates the handling — an online return visit that counts under M4
(R-M4-04, R-M4-07) with the same consequences: 不满意 reopens the ticket (R-M4-09); once per cycle."""
from __future__ import annotations

from typing import Any

import pytest

from apps.owners.tests.conftest import OTHER, OWNER
from apps.tickets.models import ReturnVisit, Ticket
from apps.tickets.tests.helpers import to_verified
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(owner_client: Any, homes: Any, cast: Any) -> tuple[Any, Ticket]:
    c = owner_client(OTHER)
    assert c.post("/me/requests/new/", {"kind": "complaint", "content": "楼道灯不亮"}).status_code == 302
    ticket = Ticket.objects.get()
    to_verified(cast, ticket, clock.now())
    return c, ticket


def test_r_m4_07_online_rating_is_the_return_visit(verified: Any) -> None:
    c, ticket = verified
    page = c.get(f"/me/requests/{ticket.pk}/").content.decode()
    assert 'id="rate-form"' in page
    r = c.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "satisfied", "words": "很及时"})
    assert r.status_code == 302
    visit = ReturnVisit.objects.get(ticket=ticket)
    assert visit.method == "online" and visit.satisfaction == "satisfied" and visit.completed_at is not None
    ticket.refresh_from_db()
    assert ticket.status == "return_visited"
    assert 'id="rated"' in c.get(f"/me/requests/{ticket.pk}/").content.decode()


def test_r_m4_09_unsatisfied_online_rating_reopens(verified: Any) -> None:
    c, ticket = verified
    r = c.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "unsatisfied", "words": "灯还是不亮"})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "reopened" and ticket.reopen_count == 1


def test_second_rating_refused(verified: Any) -> None:
    c, ticket = verified
    c.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "satisfied"})
    r = c.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "unsatisfied", "words": "改主意了"})
    assert r.status_code == 400 and "您已评价过本次处理" in r.content.decode()
    assert ReturnVisit.objects.get(ticket=ticket).satisfaction == "satisfied"


@pytest.mark.parametrize(("data", "message"), [
    ({"satisfaction": ""}, "请选择满意程度"),
    ({"satisfaction": "unsatisfied", "words": ""}, "请说明不满意的原因"),
    ({"satisfaction": "satisfied", "words": "好" * 1001}, "内容不能超过1000个字"),
])
def test_bad_rating_refused_nothing_written(verified: Any, data: dict[str, str], message: str) -> None:
    c, ticket = verified
    r = c.post(f"/me/requests/{ticket.pk}/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert not ReturnVisit.objects.filter(ticket=ticket, completed_at__isnull=False).exists()


def test_rating_before_handling_refused(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    c.post("/me/requests/new/", {"kind": "complaint", "content": "噪音"})
    ticket = Ticket.objects.get()
    r = c.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "satisfied"})
    assert r.status_code == 400 and "处理完成并答复后才能评价" in r.content.decode()
    assert not ReturnVisit.objects.filter(ticket=ticket).exists()


def test_rating_another_households_ticket_is_404(verified: Any, owner_client: Any, homes: Any) -> None:
    _c, ticket = verified
    neighbour = owner_client(OWNER, household=homes["1502"])
    assert neighbour.post(f"/me/requests/{ticket.pk}/", {"satisfaction": "unsatisfied", "words": "x"}).status_code == 404
    assert not ReturnVisit.objects.filter(ticket=ticket, completed_at__isnull=False).exists()
