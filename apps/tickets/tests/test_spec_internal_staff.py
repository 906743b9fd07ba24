"""R-M1-17 / POLICY P-08: the "内部员工投诉" flag — set at intake (form, API) or later, shown on the
ticket, only on complaints; the ticket flows through the pipeline like any other."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.tests.helpers import receive, to_closed
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _intake(**over: Any) -> dict[str, Any]:
    now = clock.now()
    data = {"complainant_surname": "李", "phone": "13800138001", "kind": "complaint", "channel": "phone",
            "source": "project", "urgency": "normal", "content": "员工宿舍热水不稳定", "people_count": "1",
            "agreed_feedback_at": clock.local(now + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")}
    data.update(over)
    return data


def test_r_m1_17_internal_staff_complaint_flows_through_the_pipeline(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_closed(cast, receive(cast, internal_staff=True, content="员工食堂卫生差"), frozen_now)
    assert t.internal_staff and t.status == "closed"


def test_r_m1_17_only_a_complaint_can_be_flagged(cast: Any, frozen_now: dt.datetime) -> None:
    before = Ticket.objects.count()
    with pytest.raises(TicketError) as exc:
        receive(cast, kind="repair", internal_staff=True)
    assert exc.value.status == 422 and exc.value.fields == {"internal_staff": ["只有投诉可以标记为内部员工投诉"]}
    assert Ticket.objects.count() == before  # nothing half-written
    repair = receive(cast, kind="repair")
    with pytest.raises(TicketError) as exc:
        actions.edit_ticket(ticket=repair, changes={"internal_staff": True}, acting_user=cast.front_desk,
                            now=frozen_now)
    assert "internal_staff" in exc.value.fields
    repair.refresh_from_db()
    assert not repair.internal_staff


def test_r_m1_17_flag_set_later_is_on_the_timeline(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    actions.edit_ticket(ticket=t, changes={"internal_staff": True}, reason="投诉人是保安员",
                        acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.internal_staff
    event = TicketEvent.objects.filter(ticket=t, kind="edited").get()
    assert event.extra["changes"] == {"internal_staff": [False, True]} and event.message == "投诉人是保安员"


def test_r_m1_17_intake_form_sets_the_flag_and_the_page_shows_it(cast: Any, policies: Any) -> None:
    desk = _login(cast.front_desk)
    assert 'name="internal_staff"' in desk.get(reverse("tickets:intake")).content.decode()
    r = desk.post(reverse("tickets:intake"), _intake(internal_staff="on"))
    assert r.status_code == 302
    t = Ticket.objects.get(content="员工宿舍热水不稳定")
    assert t.internal_staff
    html = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="badge-internal-staff"' in html


def test_r_m1_17_intake_form_refuses_the_flag_on_a_repair(cast: Any, policies: Any) -> None:
    desk = _login(cast.front_desk)
    r = desk.post(reverse("tickets:intake"), _intake(kind="repair", internal_staff="on"))
    assert r.status_code == 422 and "只有投诉可以标记为内部员工投诉" in r.content.decode()
    assert not Ticket.objects.exists()


def test_r_m1_17_detail_panel_sets_and_clears_the_flag(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    desk = _login(cast.front_desk)
    url = reverse("tickets:action", args=[t.pk, "internal_staff"])
    assert 'data-testid="action-internal_staff"' in desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert desk.post(url, {"internal_staff": "on", "reason": "投诉人是本公司保洁员"}).status_code == 302
    t.refresh_from_db()
    assert t.internal_staff
    assert desk.post(url, {}).status_code == 302
    t.refresh_from_db()
    assert not t.internal_staff
    worker = _login(cast.worker)  # no receive/dispatch capability: neither the panel nor the step
    assert 'data-testid="action-internal_staff"' not in worker.get(
        reverse("tickets:detail", args=[t.pk])).content.decode()
    assert worker.post(url, {"internal_staff": "on"}).status_code == 403
    t.refresh_from_db()
    assert not t.internal_staff


def test_r_m1_17_api_field_and_endpoint(cast: Any, api: Any, policies: Any, frozen_now: dt.datetime) -> None:
    desk = api(cast.front_desk)
    body = {"project": cast.project.pk, "kind": "complaint", "channel": "letter", "content": "员工停车位被占",
            "complainant_surname": "赵", "internal_staff": True}
    r = desk.post(URL, body)
    assert r.status_code == 201 and r.json()["internal_staff"] is True
    r = desk.post(URL, {**body, "kind": "repair"})
    assert r.status_code == 422 and "internal_staff" in r.json()["error"]["fields"]
    plain = desk.post(URL, {**body, "internal_staff": False}).json()
    assert plain["internal_staff"] is False
    r = desk.post(f"{URL}/{plain['id']}/internal-staff", {"internal_staff": True, "reason": "投诉人是本公司员工"})
    assert r.status_code == 200 and r.json()["internal_staff"] is True
