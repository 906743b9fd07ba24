"""R-M3-01: a complaint has one level — 一般 < 重要 < 热点 < 重大 — and the level shown is the highest that
holds. 重要 is set by a person (R-M2-22); the ticket page, the list, the escalation page, the 投诉台账
column 投诉级别 and the API all show it from one definition (apps.tickets.complaint_level)."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.complaint_level import level_of
from apps.tickets.models import Ticket
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
NOW = T0 + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _ledger_levels(client: Client, cast) -> dict[str, str]:
    r: Any = client.get(reverse("reports:ledger", args=["complaint"]),
                   {"from": "2026-11-01", "to": "2026-11-03", "projects": str(cast.project.pk)})
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "编号")
    col = rows[header].index("投诉级别")
    return {row[0]: row[col] for row in rows[header + 1:] if row and row[0]}


def test_R_M3_01_levels_order_general_important_hot_major() -> None:
    assert [level_of(e, i) for e, i in [("none", False), ("none", True), ("hot", True), ("major", True),
                                        ("hot", False)]] == ["none", "important", "hot", "major", "hot"]
    assert level_of("none", True, kind="repair") == "none"  # only complaints are judged important


def test_R_M3_01_important_shows_on_the_ticket_list_ledger_and_api(cast, complaint, outbox) -> None:
    plain = complaint("楼道灯不亮", T0)
    important = complaint("业主反映物业费收支不公开，情绪激烈", T0)
    hot = complaint("业主称将向媒体曝光", T0, media_or_litigation_risk=True)
    manager = _client(cast.cs_manager)
    # the 客服经理 judges one complaint important on its page, the supervisor another through the API
    r = manager.post(reverse("tickets:action", args=[important.pk, "judge"]),
                     {"valid_complaint": "", "important": "on", "reason": ""})
    assert r.status_code == 302
    r = _client(cast.supervisor).post(f"/api/v1/tickets/{hot.pk}/judgement", {"important": True},
                                      content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["complaint_level"] == "hot"  # the highest level that holds
    assert Ticket.objects.get(pk=important.pk).important

    page = manager.get(reverse("tickets:detail", args=[important.pk])).content.decode()
    assert 'data-testid="escalation-level">重要投诉<' in page
    assert 'data-testid="escalation-level"' not in manager.get(reverse("tickets:detail", args=[plain.pk])).content.decode()
    listing = manager.get(reverse("tickets:list")).content.decode()
    assert listing.count('data-testid="row-level-important"') == 1
    assert "重要投诉" in manager.get(f"/escalation/tickets/{important.pk}/").content.decode()

    api = _client(cast.cs_manager)
    assert api.get(f"/api/v1/tickets/{important.pk}").json()["complaint_level"] == "important"
    assert api.get(f"/api/v1/tickets/{plain.pk}").json()["complaint_level"] == "none"
    esc = api.get(f"/api/v1/escalation/tickets/{important.pk}").json()
    assert (esc["level"], esc["complaint_level"], esc["complaint_level_label"]) == ("none", "important", "重要")

    levels = _ledger_levels(_client(cast.project_manager), cast)
    assert (levels[plain.number], levels[important.number], levels[hot.number]) == ("一般", "重要", "热点")
