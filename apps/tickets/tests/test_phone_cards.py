"""Issue 23 item 7: staff lists become cards under 600 px — every cell of the list carries its column
label (``data-label``) and the table the ``cards`` class that linli.css turns into cards."""
from __future__ import annotations

import re

import pytest

from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_issue23_item7_ticket_list_cells_carry_their_labels(cast, policies, client):
    receive(cast)
    client.force_login(cast.project_manager)
    html = client.get("/tickets/").content.decode()
    assert 'class="striped ticket-table cards"' in html
    row = re.search(r'<tr data-testid="ticket-row".*?</tr>', html, re.S)
    assert row is not None
    labels = re.findall(r'<td data-label="([^"]+)"', row.group(0))
    assert labels == ["编号", "类型/渠道", "房屋/诉求人", "内容", "状态", "最近到期", "责任部门", "受理时间"]
