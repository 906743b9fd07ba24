"""R-M1-08, R-M1-14: any employee records a complaint on the intake page, in the projects they belong to;
the designated intake post is told (R-M1-07)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org.middleware import SESSION_KEY
from apps.tickets.models import Ticket
from linli import clock

pytestmark = pytest.mark.django_db


def _data(**over: Any) -> dict[str, Any]:
    moment = clock.local(clock.now() + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    return {"complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "visit",
            "source": "project", "urgency": "normal", "content": "来访投诉：楼下噪音", "people_count": "1",
            "agreed_feedback_at": moment, **over}


@pytest.mark.parametrize("who", ["worker", "eng_head", "leader"])
def test_R_M1_08_R_M1_14_any_employee_records_a_complaint_on_the_intake_page(cast: Any, policies: Any,
                                                                             frozen_now: Any, who: str) -> None:
    user = getattr(cast, who)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = cast.project.pk
    session.save()
    assert client.get(reverse("tickets:intake")).status_code == 200
    r = client.post(reverse("tickets:intake"), _data())
    assert r.status_code == 302, r.content.decode()[:1500]
    t = Ticket.objects.get()
    assert t.project == cast.project and t.receiver == user
    assert 'data-testid="new-ticket"' in client.get(reverse("tickets:list")).content.decode()


def test_R_M1_08_only_within_own_projects_and_not_for_users_without_a_role(cast: Any, policies: Any,
                                                                            frozen_now: Any) -> None:
    outsider = Client()
    outsider.force_login(cast.outsider)  # front desk of 翠湖苑: records there, never in 阳光花园
    session = outsider.session
    session[SESSION_KEY] = cast.project.pk
    session.save()
    assert outsider.post(reverse("tickets:intake"), _data()).status_code == 302
    assert Ticket.objects.get().project == cast.other_project
    nobody = Client()
    nobody.force_login(cast.nobody)
    assert nobody.get(reverse("tickets:intake")).status_code == 403
