"""The list's text search looks households up first (issue 15: the OR over a joined column kept
PostgreSQL from the trigram indexes of migration 0012) — same results on the page and the API."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.tickets import filters

pytestmark = pytest.mark.django_db


def _numbers(client: Client, q: str) -> set[str]:
    body = client.get("/tickets/", {"q": q}).content.decode()
    return {n for n in ("label-hit", "content-hit", "neither") if n in body}


@pytest.mark.parametrize("join", [False, True])
def test_search_by_household_label_content_and_nothing(cast: Any, households: Any, make_ticket: Any, api: Any,
                                                       monkeypatch: pytest.MonkeyPatch, join: bool) -> None:
    """Household label, content and a miss; ``join``: too many households match, the join path."""
    if join:
        monkeypatch.setattr(filters, "HOUSEHOLD_IDS_MAX", 0)
    by_label = make_ticket(content="label-hit 门禁坏了", household=households["1502"])
    by_content = make_ticket(content="content-hit 2单元1502 楼道灯")
    make_ticket(content="neither 路灯", household=households["0801"])
    c = Client()
    c.force_login(cast.front_desk)
    assert _numbers(c, "2单元1502") == {"label-hit", "content-hit"}
    assert _numbers(c, "没有这样的字") == set()
    r = api(cast.front_desk).get("/api/v1/tickets", q="2单元1502")
    assert r.status_code == 200
    assert {i["id"] for i in r.json()["results"]} == {by_label.pk, by_content.pk}
