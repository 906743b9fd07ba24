"""R-M17-10 (with R-M2-09): an online complaint raises an urgent internal notice (in-app + SMS) at intake, on
every intake path — the staff intake page, ``POST /api/v1/tickets`` and the owners' portal — to the people
R-M2-09 names: 品质管理部, the 管理处经理, the designated intake post and the responsible department's head.
It goes through the durable job ``tickets.online_complaint_notice`` (reacting to ``tickets.received``); a
complaint by phone raises none."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.models import Job
from apps.notify.models import Delivery, Notification
from apps.owners.tests import conftest as owner_fixtures
from apps.tickets.models import Ticket
from apps.tickets.online_notice import ONLINE_COMPLAINT_NOTICE, online_complaint_notice
from apps.tickets.tests.conftest import Api
from apps.tickets.tests.test_views_pages import intake_data

pytestmark = pytest.mark.django_db
OTHER = owner_fixtures.OTHER
homes = owner_fixtures.homes  # the owners' fixtures: households and a portal sign-in
owner_client = owner_fixtures.owner_client


def _urgent_to(ticket: Ticket) -> set[Any]:
    rows = Notification.objects.filter(kind="online_complaint", link=f"/tickets/{ticket.pk}/")
    assert all(n.urgent for n in rows)
    return {n.recipient_id for n in rows}


def _named(cast: Any) -> set[Any]:
    return {cast.quality_inspector.pk, cast.project_manager.pk, cast.front_desk.pk}


def test_r_m17_10_online_complaint_on_the_staff_page_raises_an_urgent_notice(
        cast: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    """R-M17-10: the front desk records an online complaint on the intake page → urgent in-app notices to
    品质管理部, the 管理处经理, the intake post and the head of the responsible department, and an SMS to
    each with a mobile number; a phone complaint raises none."""
    cast.project_manager.phone = "13900000001"
    cast.project_manager.save(update_fields=["phone"])
    page = Client()
    page.force_login(cast.front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        r = page.post(reverse("tickets:intake"), intake_data(channel="online", source="website",
                                                             online_url="https://bbs.example.com/t/9",
                                                             department=cast.eng_dept.pk))
    assert r.status_code == 302, r.content.decode()[:2000]
    online = Ticket.objects.get(channel="online")
    assert _urgent_to(online) == _named(cast) | {cast.eng_head.pk}
    assert Delivery.objects.filter(kind="online_complaint", channel="sms", address="13900000001").exists()
    assert Job.objects.filter(name=ONLINE_COMPLAINT_NOTICE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = page.post(reverse("tickets:intake"), intake_data(channel="phone"))
    assert r.status_code == 302
    phoned = Ticket.objects.exclude(pk=online.pk).get()
    assert _urgent_to(phoned) == set()


def test_r_m17_10_online_complaint_through_the_api(cast: Any, frozen_now: dt.datetime,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    """R-M17-10 through POST /api/v1/tickets; a retried job tells nobody twice."""
    with django_capture_on_commit_callbacks(execute=True):
        r = Api(cast.quality_inspector).post("/api/v1/tickets", {
            "project": cast.project.pk, "kind": "complaint", "channel": "online", "source": "website",
            "content": "论坛发帖：物业不作为", "complainant_surname": "钱", "phone": "13500002222",
            "online_url": "https://bbs.example.com/t/1"})
    assert r.status_code == 201, r.content
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert _urgent_to(ticket) == _named(cast)
    before = Notification.objects.count()
    online_complaint_notice(ticket_id=ticket.pk, now=frozen_now.isoformat())
    assert Notification.objects.count() == before


def test_r_m17_10_owner_portal_complaint(cast: Any, frozen_now: dt.datetime, homes: Any, owner_client: Any,
                                         django_capture_on_commit_callbacks: Any) -> None:
    """R-M17-10: an owner's complaint sent from the owners' portal page (/me/requests/new/) is an online
    complaint: the urgent notice goes out at intake."""
    c = owner_client(OTHER, homes["0801"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/me/requests/new/", {"kind": "complaint", "content": "楼道声控灯坏了一个星期，晚上回家看不清台阶。"})
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "online"
    assert _urgent_to(ticket) == _named(cast)
