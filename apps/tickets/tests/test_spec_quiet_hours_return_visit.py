"""R-M4-14, AS-20: telephone return visits of complaints follow the quiet hours (R-M17-01) on the ticket
page and through the API: inside [12:00, 14:00) and [21:00, 08:00) a call is refused with the next allowed
time unless it is an emergency, whose reason is kept with the attempt."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import ReturnVisitAttempt
from apps.tickets.tests.helpers import at, receive, to_verified
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _verified(cast: Any) -> Any:
    """AS-20: a complaint verified on Fri 2026-04-03 21:30."""
    with clock.frozen(at(2026, 4, 3, 9, 0)):
        t = receive(cast, now=at(2026, 4, 3, 9, 0))
    return to_verified(cast, t, at(2026, 4, 3, 21, 30))


def test_AS_20_R_M4_14_quiet_hours_through_the_api(cast: Any, api: Any, policies: Any) -> None:
    t = _verified(cast)
    desk = api(cast.front_desk)
    body = {"method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "满意"}
    with clock.frozen(at(2026, 4, 3, 21, 45)):
        r = desk.post(f"{URL}/{t.pk}/return-visits", body)
    assert r.status_code == 409, r.content
    err = r.json()["error"]
    assert err["code"] == "quiet_hours" and "emergency_reason" in err["fields"]
    assert "04-04 08:00" in err["message"]  # the next allowed time proposed
    assert not ReturnVisitAttempt.objects.filter(return_visit__ticket=t).exists()
    with clock.frozen(at(2026, 4, 4, 12, 30)):  # lunch break: blocked, next 14:00
        r = desk.post(f"{URL}/{t.pk}/return-visits", body)
    assert r.status_code == 409 and "04-04 14:00" in r.json()["error"]["message"]
    with clock.frozen(at(2026, 4, 4, 12, 30)):  # a visit in person is not a call
        r = desk.post(f"{URL}/{t.pk}/return-visits", {**body, "method": "visit", "reached": False})
    assert r.status_code == 200
    with clock.frozen(at(2026, 4, 3, 21, 45)):  # an emergency: saved, with its reason
        r = desk.post(f"{URL}/{t.pk}/return-visits", {**body, "emergency_reason": "业主要求当晚回电确认"})
    assert r.status_code == 200 and r.json()["status"] == "return_visited"
    attempt = ReturnVisitAttempt.objects.filter(return_visit__ticket=t, method="phone").get()
    assert "业主要求当晚回电确认" in attempt.note


@pytest.mark.parametrize(("hour", "minute", "allowed"), [
    (7, 59, False), (8, 0, True), (11, 59, True), (12, 0, False), (13, 59, False), (14, 0, True), (20, 59, True),
    (21, 0, False)])
def test_AS_20_boundaries_on_the_ticket_page(cast: Any, policies: Any, hour: int, minute: int, allowed: bool) -> None:
    t = _verified(cast)
    page = Client()
    page.force_login(cast.front_desk)
    with clock.frozen(at(2026, 4, 4, hour, minute)):  # Saturday: holidays and weekends are not quiet by themselves
        r = page.post(reverse("tickets:action", args=[t.pk, "return_visit"]),
                      {"method": "phone", "reached": "yes", "satisfaction": "satisfied", "owner_words": "满意"})
    if allowed:
        assert r.status_code == 302
    else:
        assert r.status_code == 409
        content = r.content.decode()
        assert "免打扰时段" in content and "紧急原因" in content and "R-M" not in content


def test_R_M4_01_the_handler_does_not_verify_own_work(cast: Any, api: Any, policies: Any) -> None:
    """R-M4-01 (issue 23): a supervisor who handled the complaint is refused as its verifier; another
    supervisor-rank person verifies."""
    from apps.tickets import actions
    from apps.tickets.tests.helpers import answer_by_phone

    now = at(2026, 4, 3, 9, 0)
    with clock.frozen(now):
        t = receive(cast, now=now)
        d = actions.dispatch_ticket(ticket=t, department=cast.cs_dept, assignee=cast.supervisor,
                                    acting_user=cast.front_desk, now=now)
        actions.accept_dispatch(dispatch=d, acting_user=cast.supervisor, now=now)
        actions.record_handling(ticket=t, investigation="核实", measures="更换灯管", result="已更换", done=True,
                                acting_user=cast.supervisor, now=now)
        answer_by_phone(cast, t, now)
        r = api(cast.supervisor).post(f"{URL}/{t.pk}/verification", {"passed": True, "notes": "已落实"})
        assert r.status_code == 403
        r = api(cast.cs_manager).post(f"{URL}/{t.pk}/verification", {"passed": True, "notes": "已落实"})
        assert r.status_code == 200 and r.json()["status"] == "verified"
