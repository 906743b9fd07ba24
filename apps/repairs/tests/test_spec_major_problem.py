"""R-M8-15 (9): problems found in a (paid) service are solved promptly or reported; a major problem is
never handled privately — the worker reports it to the person in charge on the work-order page or the
API, and the order cannot be completed until a leader decided and agreed the handling may go on."""

from __future__ import annotations

import pytest

from apps.notify.models import Notification
from apps.repairs import actions
from apps.repairs.models import ConsentKind, LeaderConsent
from apps.repairs.tests.conftest import SITE_OK
from apps.repairs.tests.helpers import RepairApiClient as _Api
from apps.repairs.tests.helpers import assigned, on_site
from apps.repairs.tests.helpers import login as _login

pytestmark = pytest.mark.django_db


def _started(cast, now):
    order = on_site(cast, assigned(cast, now=now, kind="paid_service"), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    return order


def test_r_m8_15_major_problem_reported_on_the_page_holds_completion_until_the_leader_decides(
        cast, fake_policies, frozen_now):
    order = _started(cast, frozen_now)
    w, url = _login(cast.worker), f"/repairs/orders/{order.pk}"
    assert 'data-testid="request-major"' in w.get(f"{url}/").content.decode()
    w.post(f"{url}/consent-request/", {"kind": "major", "reason": "商铺配电箱烧蚀，涉及整层供电"})
    major = LeaderConsent.objects.get(order=order, kind=ConsentKind.MAJOR)
    assert major.requested_by == cast.worker and major.decided_at is None
    assert Notification.objects.filter(recipient=cast.eng_head, kind="repair_consent").exists()
    done = {"result": "更换配电箱", "labour_hours": "2", **{f"check_{k}": "on" for k in SITE_OK}}
    r = w.post(f"{url}/complete/", done, follow=True)
    assert "须负责人同意继续处理" in r.content.decode()
    order.refresh_from_db()
    assert order.completed_at is None
    w.post(f"/repairs/consents/{major.pk}/decide/", {"decision": "approve", "note": "自己批"})
    major.refresh_from_db()
    assert major.decided_at is None  # nobody decides their own report
    h = _login(cast.eng_head)
    assert f'data-testid="decide-{major.pk}"' in h.get(f"{url}/").content.decode()
    h.post(f"/repairs/consents/{major.pk}/decide/", {"decision": "approve", "note": "已通知工程部经理到场，可继续"})
    major.refresh_from_db()
    assert major.approved is True and major.decided_by == cast.eng_head
    w.post(f"{url}/complete/", done)
    order.refresh_from_db()
    assert order.completed_at is not None


def test_r_m8_15_api_major_problem_refused_by_the_leader_blocks_completion(cast, fake_policies, frozen_now):
    order = _started(cast, frozen_now)
    api, url = _Api(cast.worker), f"/api/v1/repairs/orders/{order.pk}"
    assert api.post(f"{url}/consents", {"kind": "major", "reason": ""}).status_code == 422
    r = api.post(f"{url}/consents", {"kind": "major", "reason": "燃气管道锈蚀渗漏"})
    assert r.status_code == 201 and r.json()["kind"] == "major"
    cid = r.json()["id"]
    body = {"result": "处理完毕", "labour_hours": "1", "checklist": SITE_OK}
    r = api.post(f"{url}/completion", body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "major_problem"
    assert _Api(cast.front_desk).post(f"/api/v1/repairs/consents/{cid}/decision",
                                      {"approve": True}).status_code == 403
    r = _Api(cast.eng_head).post(f"/api/v1/repairs/consents/{cid}/decision",
                                 {"approve": False, "note": "交燃气公司处理，不得自行处理"})
    assert r.status_code == 200 and r.json()["approved"] is False
    r = api.post(f"{url}/completion", body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "major_problem"
    order.refresh_from_db()
    assert order.completed_at is None
