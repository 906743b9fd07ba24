"""Compensation claims with approval limits per role (R-M2-24, POLICY P-11)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.models import CompensationLimit
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m2_24_limits_per_role(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    claim = actions.claim_compensation(ticket=t, amount="3000", content="漏水泡坏地板", acting_user=cast.front_desk,
                                       now=frozen_now)
    with pytest.raises(TicketError) as exc:  # front desk may not approve at all
        actions.decide_compensation(claim=claim, approve=True, acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.status == 403
    with pytest.raises(TicketError) as exc:  # 客服经理: default limit 2000
        actions.decide_compensation(claim=claim, approve=True, acting_user=cast.cs_manager, now=frozen_now)
    assert exc.value.code == "over_limit"
    claim.refresh_from_db()
    assert claim.status == "pending"
    actions.decide_compensation(claim=claim, approve=True, acting_user=cast.project_manager, now=frozen_now,
                                approved_amount="2500")
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.approved_amount == Decimal("2500.00")
    assert claim.decided_by == cast.project_manager


def test_r_m2_24_company_limit_row_overrides_default(cast: Any, frozen_now: dt.datetime) -> None:
    CompensationLimit.objects.create(company=cast.company, role="cs_manager", max_amount=Decimal("5000"))
    assert actions.compensation_limit_for(cast.cs_manager, cast.project) == Decimal("5000")
    assert actions.compensation_limit_for(cast.leader, cast.project) is None
    assert actions.compensation_limit_for(cast.front_desk, cast.project) == Decimal(0)


def test_r_m2_24_engineering_or_sales_must_be_referred(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    claim = actions.claim_compensation(ticket=t, amount="100", content="房屋质量", involves_engineering_or_sales=True,
                                       acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.decide_compensation(claim=claim, approve=True, acting_user=cast.leader, now=frozen_now)
    assert exc.value.code == "must_refer"
    actions.refer_compensation(claim=claim, note="报地产客户服务中心", acting_user=cast.cs_manager, now=frozen_now)
    claim.refresh_from_db()
    assert claim.status == "referred"


def test_claim_validation(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    for amount in ("-1", "abc", "0"):
        with pytest.raises(TicketError) as exc:
            actions.claim_compensation(ticket=t, amount=amount, content="x", acting_user=cast.front_desk,
                                       now=frozen_now)
        assert "amount" in exc.value.fields
    claim = actions.claim_compensation(ticket=t, amount="10", content="x", acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError):
        actions.decide_compensation(claim=claim, approve=False, acting_user=cast.cs_manager, now=frozen_now)
    actions.decide_compensation(claim=claim, approve=False, note="不属我方责任", acting_user=cast.cs_manager,
                                now=frozen_now)


def test_r_m2_24_nobody_approves_a_claim_they_recorded(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """Issue 23 item 4: the approver of a compensation claim is not the person who recorded it; the ticket
    page does not offer the decision to them, and the action refuses it (403, nothing changed)."""
    t = receive(cast)
    claim = actions.claim_compensation(ticket=t, amount="300", content="泡坏地板", acting_user=cast.cs_manager,
                                       now=frozen_now)
    client.force_login(cast.cs_manager)
    page = client.get(f"/tickets/{t.pk}/").content.decode()
    assert 'value="decide"' not in page and "审批赔偿" not in page
    with pytest.raises(TicketError) as exc:
        actions.decide_compensation(claim=claim, approve=True, acting_user=cast.cs_manager, now=frozen_now)
    assert exc.value.code == "own_claim" and exc.value.status == 403
    claim.refresh_from_db()
    assert claim.status == "pending" and claim.decided_by is None
    client.force_login(cast.project_manager)
    assert "审批赔偿" in client.get(f"/tickets/{t.pk}/").content.decode()
    actions.decide_compensation(claim=claim, approve=True, acting_user=cast.project_manager, now=frozen_now)
    claim.refresh_from_db()
    assert claim.status == "approved"
