"""Edge rules of the ticket API (issue 14 item 2): every time an intake carries is range-checked at the
edge and refused field by field with nothing written; no stored row can make the list fail."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets.models import Ticket
from apps.tickets.tests.test_api_tickets import URL, body
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("received_at", ["1900-06-01T09:00:00+08:00", "1999-12-31T23:59:00+08:00", "0001-01-01T00:00:00Z"])
def test_edge_received_at_before_2000_is_refused(cast: Any, api: Any, policies: Any, received_at: str) -> None:
    r = api(cast.front_desk).post(URL, body(cast, received_at=received_at))
    assert r.status_code == 422, r.content
    assert "received_at" in r.json()["error"]["fields"]
    assert Ticket.objects.count() == 0
    assert api(cast.front_desk).get(URL).status_code == 200


def test_edge_received_at_more_than_ten_minutes_ahead_is_refused(cast: Any, api: Any, policies: Any,
                                                                   frozen_now: Any) -> None:
    client = api(cast.front_desk)
    ahead = clock.now() + dt.timedelta(minutes=11)
    r = client.post(URL, body(cast, received_at=ahead.isoformat()))
    assert r.status_code == 422 and "received_at" in r.json()["error"]["fields"]
    skew = clock.now() + dt.timedelta(minutes=5)
    assert client.post(URL, body(cast, received_at=skew.isoformat())).status_code == 201


@pytest.mark.parametrize("agreed", ["9999-12-31T23:59:59+08:00", "2031-01-01T00:00:00+08:00", "1899-01-01T00:00:00+08:00"])
def test_edge_agreed_feedback_beyond_three_years_is_refused(cast: Any, api: Any, policies: Any, frozen_now: Any,
                                                            agreed: str) -> None:
    client = api(cast.front_desk)
    r = client.post(URL, body(cast, agreed_feedback_at=agreed))
    assert r.status_code == 422, r.content
    assert "agreed_feedback_at" in r.json()["error"]["fields"]
    assert Ticket.objects.count() == 0
    assert client.get(URL).status_code == 200


def test_edge_list_survives_a_stored_extreme_row(cast: Any, api: Any, policies: Any, make_ticket: Any) -> None:
    """A row written before the edge rule (or by hand) still lists: extreme moments format, not 500."""
    t = make_ticket()
    Ticket.objects.filter(pk=t.pk).update(
        received_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC), agreed_feedback_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC))
    client = api(cast.front_desk)
    r = client.get(URL)
    assert r.status_code == 200, r.content
    assert client.get(f"{URL}/{t.pk}").status_code == 200


def test_edge_intake_page_refuses_received_before_2000_and_agreed_in_9999(cast: Any, policies: Any) -> None:
    """The front desk's intake page shows the refusal beside the field; nothing is written."""
    from django.test import Client
    from django.urls import reverse

    from apps.tickets.tests.test_views_pages import intake_data

    desk = Client()
    desk.force_login(cast.front_desk)
    r = desk.post(reverse("tickets:intake"), intake_data(received_at="1900-06-01T09:00"))
    assert r.status_code == 422 and "2000-01-01" in r.content.decode()
    r = desk.post(reverse("tickets:intake"), intake_data(agreed_feedback_at="9999-12-31T23:59"))
    assert r.status_code == 422 and "时间须在" in r.content.decode()
    assert Ticket.objects.count() == 0


def test_edge_control_characters_in_text_are_refused(cast: Any, api: Any, policies: Any) -> None:
    client = api(cast.front_desk)
    r = client.post(URL, body(cast, content="电梯\x00异响", address="1栋\x1b[31m"))
    assert r.status_code == 422, r.content
    fields = r.json()["error"]["fields"]
    assert fields["content"] == ["含有不允许的控制字符"] and "address" in fields
    assert client.post(URL, body(cast, content="电梯异响\n第二行\t完")).status_code == 201
    assert client.get(URL, q="a\x00b").status_code == 422
    assert Ticket.objects.count() == 1


def test_edge_out_of_range_query_values_answer_422(cast: Any, api: Any, policies: Any) -> None:
    client = api(cast.front_desk)
    for params in ({"received_from": "0001-01-01"}, {"received_to": "9999-12-31"}, {"due_before": "9999-12-31T23:59:59Z"},
                   {"project": str(10**30)}, {"page": str(10**30)}, {"page": "0"}):
        r = client.get(URL, **params)
        assert r.status_code == 422, (params, r.content)
        assert set(r.json()["error"]) == {"code", "message", "fields"}


def test_edge_ticket_list_page_survives_a_stored_extreme_row(cast: Any, policies: Any, make_ticket: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    t = make_ticket()
    Ticket.objects.filter(pk=t.pk).update(received_at=dt.datetime(1900, 6, 1, tzinfo=dt.UTC))
    desk = Client()
    desk.force_login(cast.front_desk)
    assert desk.get(reverse("tickets:list")).status_code == 200
