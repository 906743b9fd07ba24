"""R-M2-04: handling starts only after the 管理者代表 signs the 《不合格/纠正、预防措施报告》 — the
ticket actions dispatch_ticket, accept_dispatch and record_handling refuse until then."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.quality import actions as qa
from apps.quality.gate import handling_blocked
from apps.quality.tests.conftest import raise_for
from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Dispatch

pytestmark = pytest.mark.django_db


def _refused(call: Any) -> TicketError:
    with pytest.raises(TicketError) as exc:
        call()
    assert (exc.value.status, exc.value.code) == (409, "awaiting_ncr_signature")
    assert "管理者代表签发" in exc.value.message and "R-M2-04" not in exc.value.message
    return exc.value


def test_r_m2_04_dispatch_refused_before_signature_allowed_after(cast: Any, mrep: Any, complaint: Any,
                                                                 frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    assert handling_blocked(complaint) == r
    err = _refused(lambda: actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, assignee=cast.worker,
                                                   acting_user=cast.front_desk, now=frozen_now))
    assert r.number in err.message
    complaint.refresh_from_db()
    assert complaint.status == TicketStatus.RECEIVED and not Dispatch.objects.filter(ticket=complaint).exists()
    qa.sign_ncr(report=r, opinion="同意处理", acting_user=mrep, now=frozen_now)
    assert handling_blocked(complaint) is None
    d = actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    actions.record_handling(ticket=complaint, investigation="现场查看顶板渗水", acting_user=cast.worker, now=frozen_now)
    complaint.refresh_from_db()
    assert complaint.status == TicketStatus.HANDLING


def test_r_m2_04_accept_and_handling_refused_while_awaiting_signature(cast: Any, mrep: Any, complaint: Any,
                                                                      frozen_now: dt.datetime) -> None:
    # dispatched before the manager found the matter beyond the department's authority
    d = actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    r = raise_for(cast, complaint, frozen_now)
    _refused(lambda: actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now))
    _refused(lambda: actions.record_handling(ticket=complaint, investigation="现场查看", acting_user=cast.worker,
                                             now=frozen_now))
    d.refresh_from_db()
    complaint.refresh_from_db()
    assert d.accepted_at is None and d.investigation == "" and complaint.status == TicketStatus.DISPATCHED
    assert complaint.investigated_at is None
    qa.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    complaint.refresh_from_db()
    assert complaint.status == TicketStatus.HANDLING


def test_r_m2_04_a_returned_report_still_blocks_a_withdrawn_one_does_not(cast: Any, mrep: Any, complaint: Any,
                                                                          frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    qa.return_ncr(report=r, reason="请补充维修报价", acting_user=mrep, now=frozen_now)
    _refused(lambda: actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, acting_user=cast.front_desk,
                                             now=frozen_now))
    qa.withdraw_ncr(report=r, reason="经核实属部门权限内，自行处理", acting_user=cast.cs_manager, now=frozen_now)
    actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    complaint.refresh_from_db()
    assert complaint.status == TicketStatus.DISPATCHED


def test_r_m2_04_tickets_without_a_report_are_not_affected(cast: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    assert handling_blocked(complaint) is None
    actions.dispatch_ticket(ticket=complaint, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    complaint.refresh_from_db()
    assert complaint.status == TicketStatus.DISPATCHED


def test_r_m2_04_ticket_page_hides_the_handling_steps_until_signed(cast: Any, mrep: Any, complaint: Any,
                                                                   frozen_now: dt.datetime, client: Any) -> None:
    """R-M2-04 on the ticket page: while the report awaits the 管理者代表, the dispatch and handling
    panels are not offered (the NCR panel says why); after signing they are back."""
    from apps.tickets.queries import allowed_actions

    assert {"dispatch", "handling"} <= allowed_actions(complaint)
    r = raise_for(cast, complaint, frozen_now)
    assert not {"dispatch", "accept", "handling", "hand_back"} & allowed_actions(complaint)
    client.force_login(cast.front_desk)
    page = client.get(f"/tickets/{complaint.pk}/").content.decode()
    assert r.number in page and 'data-testid="action-dispatch"' not in page
    assert 'data-testid="action-handling"' not in page
    qa.sign_ncr(report=r, opinion="同意处理", acting_user=mrep, now=frozen_now)
    complaint.refresh_from_db()  # the hold lives on the ticket row (released by signing)
    assert {"dispatch", "handling"} <= allowed_actions(complaint)
    assert 'data-testid="action-dispatch"' in client.get(f"/tickets/{complaint.pk}/").content.decode()
