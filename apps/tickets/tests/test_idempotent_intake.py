"""Issue 14 item 6 through the real intake API (R-M1-03): the Idempotency-Key row commits with the
ticket, so an intake that dies after writing leaves no ticket and no key, and the front desk's retry
with the same key files exactly one ticket."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.api.models import IdempotentRequest
from apps.tickets import actions
from apps.tickets.models import Ticket
from apps.tickets.tests.test_api_tickets import URL, body

pytestmark = pytest.mark.django_db


def test_R_M1_03_killed_intake_retried_with_the_same_key_files_one_ticket(
        cast: Any, api: Any, policies: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = api(cast.front_desk)
    client.client = Client(raise_request_exception=False)
    real = actions.receive_ticket

    def dies_after_the_write(**kwargs: Any) -> Any:
        real(**kwargs)
        raise SystemError("worker killed")

    payload = body(cast)
    monkeypatch.setattr(actions, "receive_ticket", dies_after_the_write)
    assert client.post(URL, payload, key="call-77").status_code == 500
    assert not Ticket.objects.exists() and not IdempotentRequest.objects.exists()

    monkeypatch.setattr(actions, "receive_ticket", real)
    first = client.post(URL, payload, key="call-77")
    again = client.post(URL, payload, key="call-77")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Ticket.objects.count() == 1 and IdempotentRequest.objects.get().key == "call-77"
