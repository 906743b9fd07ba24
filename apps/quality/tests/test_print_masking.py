"""Issue 14 item 9 (R-M7-01, R-M7-03): the printed NCR (《不合格/纠正、预防措施报告》) masks the owner's
phone and the numbers in its texts unless the printing user holds a department head's grant, and every
print — page or PDF — is in the read log."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog
from apps.quality.tests.conftest import raise_for

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_m7_01_ncr_print_is_masked_and_logged_and_full_under_a_grant(cast: Any, mrep: Any, complaint: Any,
                                                                        frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now, nonconformity="业主张先生（13912345678）车辆受损")
    url = reverse("quality:ncr_print", args=[report.pk])
    page = login(cast.cs_manager).get(url).content.decode()
    assert "13800138888" not in page and "138****8888" in page
    assert "13912345678" not in page and "139****5678" in page
    assert login(cast.cs_manager).get(url, {"format": "pdf"})["Content-Type"] == "application/pdf"
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user, x.row_count, x.grant) for x in logs] == [
        (AccessAction.PRINT_MASKED, cast.cs_manager, 1, None)] * 2
    assert report.number in logs[0].screen and logs[0].household_id == complaint.household_id
    grant = ArchiveGrant.objects.create(project=cast.project, grantee=cast.supervisor, granted_by=cast.cs_manager,
                                        reason="核对赔偿", valid_from=frozen_now - dt.timedelta(hours=1),
                                        valid_until=frozen_now + dt.timedelta(days=1), created_at=frozen_now)
    full = login(cast.supervisor).get(url).content.decode()
    assert "13800138888" in full and "13912345678" in full
    last = CustomerDataAccessLog.objects.order_by("-id").first()
    assert last is not None and (last.action, last.grant, last.fields) == (AccessAction.PRINT, grant, "name,phone")
    assert login(cast.outsider).get(url).status_code == 404
    assert CustomerDataAccessLog.objects.count() == 3  # a refused print is not a read
