"""Issue 23 item 11: the ticket page of an anonymous complaint offers exemption B (R-M4-05, POLICY P-07)
at the top — from intake on — and requests it in one click through the ordinary exemption step."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _offer(html: str) -> str:
    start = html.find('data-testid="exemption-offer"')
    return html[start:html.find("</article>", start)] if start >= 0 else ""


def test_r_m4_05_p_07_intake_result_of_an_anonymous_complaint_shows_the_offer(cast: Any, frozen_now: dt.datetime) -> None:
    client = login(cast.front_desk)
    r = client.post(reverse("tickets:intake"), {
        "kind": "complaint", "channel": "suggestion_box", "source": "project", "urgency": "normal",
        "content": "匿名信：垃圾清运不及时", "anonymous": "on", "received_at": frozen_now.strftime("%Y-%m-%dT%H:%M"),
        "people_count": "1",
    }, follow=True)
    assert r.status_code == 200, r.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.anonymous
    offer = _offer(r.content.decode())
    assert "可以免回访" in offer and "验证通过后在此一键申请" in offer
    assert 'data-testid="exemption-offer-request"' not in offer  # not before verification


def test_r_m4_05_p_07_one_click_request_goes_through_the_exemption_step(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast, channel="suggestion_box", anonymous=True, complainant_surname="",
                                  phone=""), frozen_now)
    client = login(cast.front_desk)
    offer = _offer(client.get(reverse("tickets:detail", args=[t.pk])).content.decode())
    assert 'data-testid="exemption-offer-request"' in offer and "点击即可申请" in offer
    assert f'action="{reverse("tickets:action", args=[t.pk, "exempt"])}"' in offer
    assert 'name="exemption" value="no_contact"' in offer
    r = client.post(reverse("tickets:action", args=[t.pk, "exempt"]), {"exemption": "no_contact"}, follow=True)
    assert r.status_code == 200
    t.refresh_from_db()
    assert t.return_visit_exemption == "no_contact"
    html = r.content.decode()
    assert "已记录免回访" in html and _offer(html) == ""


def test_no_offer_for_a_complaint_with_a_contact(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    html = login(cast.supervisor).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="exemption-offer"' not in html


def test_offer_without_the_button_for_whoever_may_not_record_it(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.org import access as org_access
    from apps.org.roles import Cap

    t = to_verified(cast, receive(cast, channel="suggestion_box", anonymous=True, complainant_surname="",
                                  phone=""), frozen_now)
    assert not org_access.has_cap(cast.worker, Cap.RETURN_VISIT, cast.project)
    offer = _offer(login(cast.worker).get(reverse("tickets:detail", args=[t.pk])).content.decode())
    assert "由负责回访的人员在此一键申请" in offer and "exemption-offer-request" not in offer
