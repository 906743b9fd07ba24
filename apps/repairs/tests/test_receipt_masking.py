"""Issue 14 item 9 (R-M7-01, R-M7-03): the printable 有偿服务收费收据 masks the payer's name and any phone
number in the address unless the user holds a department head's grant; every showing is in the read log."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog
from apps.repairs import actions
from apps.repairs.tests.conftest import item
from apps.repairs.tests.helpers import assigned, on_site

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_m7_01_receipt_masks_the_payer_and_is_logged(cast: Any, fake_policies: Any, frozen_now: dt.datetime,
                                                       price_list: Any) -> None:
    order = assigned(cast, now=frozen_now, location="5栋2单元1502 联系13912345678")
    order = on_site(cast, order, now=frozen_now, chargeable=True, items=[(item(price_list, "tap"), 1)])
    actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王建国", explanation="更换龙头",
                           acting_user=cast.worker, now=frozen_now)
    receipt = actions.issue_receipt(order=order, acting_user=cast.worker, now=frozen_now)
    actions.record_payment(receipt=receipt, method="cash", payer_name="王建国", acting_user=cast.worker,
                           now=frozen_now)
    url = f"/repairs/receipts/{receipt.pk}/"
    page = login(cast.worker).get(url).content.decode()
    assert receipt.number in page and "王**" in page and "王建国" not in page
    assert "13912345678" not in page and "139****5678" in page
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.user, log.row_count, log.grant) == (AccessAction.PRINT_MASKED, cast.worker, 1, None)
    assert receipt.number in log.screen
    grant = ArchiveGrant.objects.create(project=cast.project, grantee=cast.supervisor, granted_by=cast.cs_manager,
                                        reason="收费核对", valid_from=frozen_now - dt.timedelta(hours=1),
                                        valid_until=frozen_now + dt.timedelta(days=1), created_at=frozen_now)
    full = login(cast.supervisor).get(url).content.decode()
    assert "王建国" in full and "13912345678" in full
    last = CustomerDataAccessLog.objects.order_by("-id").first()
    assert last is not None and (last.action, last.grant) == (AccessAction.PRINT, grant)
