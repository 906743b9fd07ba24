"""R-M4-08: a complaint the company cannot solve ends as 未关闭 (R-M2-16) and is still followed: the front
desk records progress notices to the customer on the ticket page and through the API, and where the company
sets an interval (工单口径) the one who set it 未关闭 is reminded when a notice is overdue."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets import actions, sweeps
from apps.tickets.models import OwnerUpdate, TicketPolicy
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m4_08_progress_notices_continue_after_unresolved(cast: Any, frozen_now: dt.datetime, api: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    TicketPolicy.objects.create(company=cast.company, project=None, owner_update_interval_days=5)
    t = receive(cast, content="小区门前市政道路开挖三个月未恢复")
    actions.close_ticket(ticket=t, unresolved=True, analysis="市政工程，物业无权处理",
                         measures="每周向市政了解进度并告知业主", acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == "unresolved"
    page = Client()
    page.force_login(cast.front_desk)
    assert 'data-testid="action-owner_update"' in page.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    r = page.post(reverse("tickets:action", args=[t.pk, "owner_update"]),
                  {"channel": "phone", "content": "已向市政了解，预计月底恢复路面"})
    assert r.status_code == 302
    r = api(cast.front_desk).post(f"/api/v1/tickets/{t.pk}/owner-updates",
                                  {"channel": "phone", "content": "市政已进场施工"})
    assert r.status_code == 200, r.content
    assert OwnerUpdate.objects.filter(ticket=t).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(frozen_now + dt.timedelta(days=3)).owner_update_reminders == 0
        assert sweeps.run(frozen_now + dt.timedelta(days=14)).owner_update_reminders == 1
    assert cast.supervisor.notifications.filter(kind="ticket_owner_update_due").exists()
