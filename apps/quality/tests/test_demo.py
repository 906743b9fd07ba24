"""Demo NCRs for ``make run``: one signed, one awaiting the 管理者代表 (R-M2-04, R-M19-08)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.estates import demo
from apps.org.models import Company, Membership
from apps.org.roles import Role
from apps.quality.demo import load_demo_ncrs
from apps.quality.gate import handling_blocked
from apps.quality.models import NcrStatus, NonconformityReport
from apps.tickets.demo import load_demo_tickets
from linli import clock

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def test_r_m19_08_demo_has_a_management_rep_and_ncrs_in_both_states() -> None:
    demo.load_demo(seed=7)
    assert Membership.objects.filter(role=Role.MANAGEMENT_REP, project=None).count() == 1
    company = Company.objects.get()
    with clock.frozen(NOW):
        load_demo_tickets(company, seed=7, now=NOW, per_project=8)
        assert load_demo_ncrs(company, now=NOW) == 2
    signed, awaiting = NonconformityReport.objects.order_by("project__code")
    assert (awaiting.status, signed.status) == (NcrStatus.AWAITING_SIGNATURE, NcrStatus.SIGNED)
    assert handling_blocked(awaiting.ticket) == awaiting and handling_blocked(signed.ticket) is None
    assert sorted(NonconformityReport.objects.values_list("number", flat=True)) == ["NCR-2026-0001", "NCR-2026-0002"]
