"""Verification and return visit (SPEC M4; AS-18, AS-19), closing (R-M2-16, R-M2-18)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.models import ReturnVisit
from apps.tickets.tests.helpers import receive, reply_to_manager, to_replied, to_verified

pytestmark = pytest.mark.django_db


def _verify(cast: Any, t: Any, now: dt.datetime) -> None:
    actions.verify_ticket(ticket=t, passed=True, acting_user=cast.supervisor, now=now)
    t.refresh_from_db()


def test_r_m4_02_failed_verification_returns_to_handling(cast: Any, frozen_now: dt.datetime) -> None:
    """AS-19: a supervisor records "fail" → back to handling with the manager's order."""
    t = to_replied(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.verify_ticket(ticket=t, passed=False, acting_user=cast.supervisor, now=frozen_now)
    assert "order" in exc.value.fields
    v = actions.verify_ticket(ticket=t, passed=False, order="重新检查线路", acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLING and not v.passed and v.order == "重新检查线路"


def test_r_m4_09_unsatisfied_return_visit_reopens_and_counts(cast: Any, frozen_now: dt.datetime) -> None:
    """AS-19 / R-M4-09: 不满意 → reopened, reopen_count + 1, a new verification and return visit follow;
    the owner's verdict is kept apart from the staff verification."""
    t = to_verified(cast, receive(cast), frozen_now)
    actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="unsatisfied",
                                owner_words="灯又不亮了", acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.REOPENED and t.reopen_count == 1
    first = ReturnVisit.objects.get(ticket=t, cycle=0)
    assert first.satisfaction == "unsatisfied" and t.verifications.get(cycle=0).passed
    # second cycle: the old verification no longer counts
    to_replied(cast, t, frozen_now)
    with pytest.raises(TicketError):
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    _verify(cast, t, frozen_now)
    actions.record_return_visit(ticket=t, method="visit", reached=True, satisfaction="basic",
                                owner_words="基本满意", acting_user=cast.front_desk, now=frozen_now)
    reply_to_manager(cast, t, frozen_now)  # R-M2-21
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED and t.reopen_count == 1
    assert ReturnVisit.objects.filter(ticket=t).count() == 2


def test_r_m4_12_unreachable_needs_attempts(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.models import TicketPolicy

    TicketPolicy.objects.create(company=cast.company, project=None, return_visit_min_attempts=2)
    t = to_verified(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.record_return_visit(ticket=t, method="phone", reached=False, give_up=True,
                                    acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.code == "too_few_attempts"
    actions.record_return_visit(ticket=t, method="phone", reached=False, acting_user=cast.front_desk,
                                now=frozen_now)
    actions.record_return_visit(ticket=t, method="phone", reached=False, give_up=True, note="无人接听",
                                acting_user=cast.front_desk, now=frozen_now + dt.timedelta(hours=5))
    t.refresh_from_db()
    visit = t.return_visits.get()
    assert t.status == TicketStatus.RETURN_VISITED and visit.outcome == "unreachable" and visit.attempts.count() == 2
    reply_to_manager(cast, t, frozen_now)  # R-M2-21
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)


def test_r_m4_05_as_18a_on_the_spot_exempt(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, resolved_on_spot=True, handling_result="当场解释并调整了噪音时段", agreed_feedback_at=None)
    _verify(cast, t, frozen_now)
    actions.exempt_return_visit(ticket=t, reason="on_spot", acting_user=cast.front_desk, now=frozen_now)
    reply_to_manager(cast, t, frozen_now)  # R-M2-21
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED and t.return_visit_exemption == "on_spot"


def test_r_m4_05_as_18b_anonymous_letter_exempt(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast, channel="suggestion_box", anonymous=True, complainant_surname="", phone="",
                                  agreed_feedback_at=None), frozen_now)
    actions.exempt_return_visit(ticket=t, reason="no_contact", acting_user=cast.front_desk, now=frozen_now)
    reply_to_manager(cast, t, frozen_now)  # R-M2-21
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)


@pytest.mark.parametrize("scope, channel, exempt", [
    ("any_channel", "phone", True),     # AS-18 (c) P-07 = 篇4
    ("online_only", "phone", False),    # AS-18 (c) P-07 = 篇3
    ("any_channel", "online", True),    # AS-18 (d)
    ("online_only", "online", True),    # AS-18 (d)
])
def test_r_m4_05_p_07_no_contact(cast: Any, frozen_now: dt.datetime, settings: Any, scope: str, channel: str,
                                 exempt: bool) -> None:
    from apps.tickets.models import TicketPolicy

    TicketPolicy.objects.create(company=cast.company, no_contact_exemption=scope)  # P-07 is company data
    t = to_verified(cast, receive(cast, channel=channel, phone="", anonymous=True, complainant_surname="",
                                  agreed_feedback_at=None), frozen_now)
    if exempt:
        actions.exempt_return_visit(ticket=t, reason="no_contact", acting_user=cast.front_desk, now=frozen_now)
        reply_to_manager(cast, t, frozen_now)  # R-M2-21
        if channel == "online":  # company level (P-10 篇4): 品质管理部 verifies too (R-M4-03, P-13 篇4)
            actions.verify_ticket(ticket=t, passed=True, acting_user=cast.quality_inspector, now=frozen_now)
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    else:
        with pytest.raises(TicketError):
            actions.exempt_return_visit(ticket=t, reason="no_contact", acting_user=cast.front_desk, now=frozen_now)
        with pytest.raises(TicketError):
            actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)


def test_r_m4_05_as_18e_sensitive_needs_reason_and_supervisor(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.exempt_return_visit(ticket=t, reason="sensitive", note="涉及邻里纠纷", acting_user=cast.front_desk,
                                    now=frozen_now)
    assert exc.value.status == 403
    with pytest.raises(TicketError):
        actions.exempt_return_visit(ticket=t, reason="sensitive", acting_user=cast.supervisor, now=frozen_now)
    actions.exempt_return_visit(ticket=t, reason="sensitive", note="涉及邻里纠纷", acting_user=cast.supervisor,
                                now=frozen_now)
    t.refresh_from_db()
    assert t.return_visit_exemption_approved_by == cast.supervisor


def test_r_m4_05_as_18f_ordinary_phone_complaint_needs_return_visit(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    for reason in ("on_spot", "no_contact"):
        with pytest.raises(TicketError):
            actions.exempt_return_visit(ticket=t, reason=reason, acting_user=cast.supervisor, now=frozen_now)
    assert actions.return_visit_required(t)


def test_r_m2_16_unresolved_close_still_counts(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.models import Ticket

    t = receive(cast, content="小区外道路噪音（市政）")
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, unresolved=True, acting_user=cast.supervisor, now=frozen_now)
    assert set(exc.value.fields) == {"analysis", "measures"}
    with pytest.raises(TicketError):
        actions.close_ticket(ticket=t, unresolved=True, analysis="a", measures="m", acting_user=cast.front_desk,
                             now=frozen_now)
    actions.close_ticket(ticket=t, unresolved=True, analysis="市政道路施工，超出公司能力", measures="协调施工方夜间停工",
                         result="已协调，业主仍不满意", acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.UNRESOLVED and t.unresolved_close and t.closed_at == frozen_now
    assert t in Ticket.objects.counted()


def test_r_m2_18_close_needs_result(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, kind="praise", agreed_feedback_at=None)
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert "result" in exc.value.fields
    actions.close_ticket(ticket=t, result="已转达表扬", acting_user=cast.front_desk, now=frozen_now)
