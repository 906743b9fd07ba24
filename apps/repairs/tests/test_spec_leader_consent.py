"""R-M8-10 / R-M8-11: the leader gives the consent himself, on the work order page and the API —
the worker asks, the leader (not the worker, not a colleague, not the asker) decides; a hand-over
is carried out by the leader's approval; a wiring change completes only after the 工程部经理 agreed."""
from __future__ import annotations

import pytest
from django.test import Client

from apps.notify.models import Notification
from apps.org.models import Membership
from apps.org.roles import Role
from apps.repairs import queries
from apps.repairs.models import LeaderConsent
from apps.repairs.tests.conftest import SITE_OK
from apps.repairs.tests.helpers import assigned, at, dispatch_of, new_user, on_site
from apps.repairs.tests.test_api import Api

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_r_m8_10_handover_asked_on_the_page_and_approved_by_the_leader(cast, fake_policies):
    night = new_user(username="night", display_name="夜班师傅")
    Membership.objects.create(user=night, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    now = at(2026, 11, 23, 17, 30)
    order = on_site(cast, assigned(cast, now=now), now=now)
    worker = login(cast.worker)
    r = worker.post(f"/repairs/orders/{order.pk}/consent-request/", {"kind": "handover", "to_user": night.pk,
                                                                      "reason": "需更换配电箱配件"})
    assert r.status_code == 302
    consent = LeaderConsent.objects.get()
    assert consent.decided_at is None and dispatch_of(order).assignee == cast.worker
    assert Notification.objects.filter(recipient=cast.eng_head, kind="repair_consent").exists()
    # the worker cannot decide it; the leader sees the buttons and approves
    assert f'data-testid="decide-{consent.pk}"' not in worker.get(f"/repairs/orders/{order.pk}/").content.decode()
    worker.post(f"/repairs/consents/{consent.pk}/decide/", {"decision": "approve"})
    consent.refresh_from_db()
    assert consent.decided_at is None
    head = login(cast.eng_head)
    assert f'data-testid="decide-{consent.pk}"' in head.get(f"/repairs/orders/{order.pk}/").content.decode()
    assert head.post(f"/repairs/consents/{consent.pk}/decide/", {"decision": "approve"}).status_code == 302
    consent.refresh_from_db()
    assert consent.approved and consent.decided_by == cast.eng_head
    d = dispatch_of(order)
    assert d.assignee == night and d.dispatched_by == cast.eng_head
    assert order.shift_handovers.get().consented_by == cast.eng_head
    assert list(queries.my_orders(night)) == [order]


def test_r_m8_11_wiring_change_through_the_api(cast, fake_policies, frozen_now):
    now = frozen_now
    order = on_site(cast, assigned(cast, now=now), now=now)
    worker = Api(cast.worker)
    assert worker.post(f"/api/v1/repairs/orders/{order.pk}/start").status_code in (200, 201)
    body = {"result": "插座移位", "labour_hours": "1", "checklist": SITE_OK, "wiring_changed": True}
    r = worker.post(f"/api/v1/repairs/orders/{order.pk}/completion", body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "wiring_consent_required"
    r = worker.post(f"/api/v1/repairs/orders/{order.pk}/consents", {"kind": "wiring", "reason": "插座移位30厘米"})
    assert r.status_code == 201
    cid = r.json()["id"]
    assert worker.post(f"/api/v1/repairs/orders/{order.pk}/consents",
                       {"kind": "wiring", "reason": "再来一次"}).status_code == 409
    r = Api(cast.front_desk).post(f"/api/v1/repairs/consents/{cid}/decision", {"approve": True})
    assert r.status_code == 403
    r = Api(cast.eng_head).post(f"/api/v1/repairs/consents/{cid}/decision", {"approve": False})
    assert r.status_code == 422 and "note" in r.json()["error"]["fields"]
    r = Api(cast.eng_head).post(f"/api/v1/repairs/consents/{cid}/decision", {"approve": True, "note": "可以"})
    assert r.status_code == 200 and r.json()["approved"] is True
    r = worker.post(f"/api/v1/repairs/orders/{order.pk}/completion", body)
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.wiring_changed and order.wiring_approved_by == cast.eng_head
    r = worker.get(f"/api/v1/repairs/orders/{order.pk}/consents")
    assert r.status_code == 200 and r.json()[0]["decided_by"] == str(cast.eng_head)
