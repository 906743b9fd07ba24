"""Issue 19: an owner who submitted a request online gets an SMS when its status changes (派工、接单、
处理完毕、回复) — through the durable job reacting to ``tickets.status_changed`` and ``notify_owner``:
sent when the "报事进度通知" topic is on, logged as not sent when the owner switched it off (on /me/sms/
or through the API), held to the end of the project's quiet hours like every other owner SMS."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from apps.notify.models import Delivery, QuietHoursPolicy
from apps.owners import actions
from apps.owners.tests.conftest import OTHER, OWNER
from apps.tickets import actions as ticket_actions
from apps.tickets.tests.helpers import to_replied
from linli import clock

pytestmark = pytest.mark.django_db


def _submit(homes: Any, now: dt.datetime, phone: str = OWNER, household: str = "1502") -> Any:
    account = actions.open_account(phone=phone, now=now)
    return actions.submit_request(
        account=account,
        household=homes[household],
        kind="complaint",
        content="楼道声控灯坏了一个星期，晚上回家看不清台阶。",
        now=now,
    )


def _texts(phone: str) -> list[tuple[str, str]]:
    return [(d.status, d.body) for d in Delivery.objects.filter(kind="request_status", address=phone).order_by("pk")]


def test_owner_gets_an_sms_at_each_status_change_of_their_request(
    cast: Any, homes: Any, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _submit(homes, frozen_now)
    assert _texts(OWNER) == []  # the submission itself is confirmed on the page, not by SMS
    with django_capture_on_commit_callbacks(execute=True):
        to_replied(cast, ticket, frozen_now)
    sent = _texts(OWNER)
    assert [s for s, _b in sent] == ["queued"] * 4
    bodies = "\n".join(b for _s, b in sent)
    for words in ("已派工", "已接单", "已处理完毕", "处理结果已回复您"):
        assert words in bodies
    assert ticket.number in bodies and "阳光花园" in bodies
    assert Delivery.objects.filter(kind="request_status").exclude(address=OWNER).count() == 0


def test_switched_off_on_the_page_the_sms_is_logged_as_not_sent(
    cast: Any, homes: Any, owner_client: Any, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    c = owner_client(OWNER, homes["1502"])
    page = c.get("/me/sms/").content.decode()
    assert "报事进度通知" in page
    assert (
        c.post(
            "/me/sms/", {"topics": ["service", "fees", "surveys", "activities", "greetings", "reminders"]}
        ).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _submit(homes, frozen_now)
        d = ticket_actions.dispatch_ticket(
            ticket=ticket, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk, now=frozen_now
        )
    [(status, body)] = _texts(OWNER)
    assert status == "skipped" and "已派工" in body
    assert Delivery.objects.get(kind="request_status").last_error == "业主已关闭此类短信"
    # switched back on: the next change is sent
    c.post("/me/sms/", {"topics": ["requests", "service"]})
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    assert [s for s, _b in _texts(OWNER)] == ["skipped", "queued"]


def test_switched_off_through_the_api(
    cast: Any, homes: Any, api_token: Any, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {api_token(OTHER)}"}
    r = Client().get("/api/v1/me/sms-preferences", **auth)
    assert {"code": "requests", "on": True}.items() <= next(t for t in r.json() if t["code"] == "requests").items()
    r = Client().put(
        "/api/v1/me/sms-preferences", json.dumps({"topics": ["service"]}), content_type="application/json", **auth
    )
    assert r.status_code == 200 and not next(t for t in r.json() if t["code"] == "requests")["on"]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _submit(homes, frozen_now, phone=OTHER, household="0801")
        ticket_actions.dispatch_ticket(
            ticket=ticket, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk, now=frozen_now
        )
    assert [s for s, _b in _texts(OTHER)] == ["skipped"]


def test_quiet_hours_hold_the_sms_to_the_morning(
    cast: Any, homes: Any, django_capture_on_commit_callbacks: Any
) -> None:
    QuietHoursPolicy.objects.create(project=cast.project, windows=[["21:00", "07:30"]], applies_to_sms=True)
    late = dt.datetime(2026, 11, 23, 22, 15, tzinfo=clock.SHANGHAI)
    with clock.frozen(late), django_capture_on_commit_callbacks(execute=True):
        ticket = _submit(homes, late)
        ticket_actions.dispatch_ticket(
            ticket=ticket, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk, now=late
        )
    d = Delivery.objects.get(kind="request_status", address=OWNER)
    assert d.status == "scheduled"
    assert d.scheduled_for == dt.datetime(2026, 11, 24, 7, 30, tzinfo=clock.SHANGHAI)


def test_a_front_desk_ticket_sends_no_request_sms(
    cast: Any, homes: Any, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Only requests the owner submitted online are theirs to be told about by this SMS."""
    from apps.tickets.tests.helpers import receive

    with django_capture_on_commit_callbacks(execute=True):
        ticket = receive(cast, now=frozen_now, phone=OWNER)
        ticket_actions.dispatch_ticket(
            ticket=ticket, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk, now=frozen_now
        )
    assert not Delivery.objects.filter(kind="request_status").exists()
