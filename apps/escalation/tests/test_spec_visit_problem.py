"""R-M3-13 (R-M9-05): a visit problem the 客服专员 cannot solve promptly is reported at once to the 主管."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def test_r_m3_13_visit_problem_reported_to_supervisor_and_recorded(cast, complaint, outbox) -> None:
    t = complaint("走访中业主反映地下室长期渗水", T0, channel="field_visit", receiver=cast.butler,
                  agreed_feedback_at=T0 + dt.timedelta(days=1))
    later = T0 + dt.timedelta(hours=2)
    with pytest.raises(actions.EscalationError, match="原因"):
        actions.report_visit_problem(t, reason="不会", acting_user=cast.butler, now=later)
    event = actions.report_visit_problem(t, reason="需开发商维修防水层，管家无法处理", acting_user=cast.butler, now=later)
    assert event.at == later and event.acting_user_id == cast.butler.pk and "走访问题上报客服主管" in event.message and "R-M3-13" not in event.message
    calls = [c for c in outbox.calls if c["kind"] == "visit_problem"]
    assert len(calls) == 1 and {cast.supervisor.username, cast.cs_manager.username} <= set(calls[0]["recipients"])
    assert cast.butler.username not in calls[0]["recipients"] and "责任部门" in calls[0]["body"]


def test_r_m3_13_only_visit_tickets_and_only_staff_who_see_them(cast, complaint, outbox) -> None:
    letter = complaint("来信反映噪音", T0)
    with pytest.raises(actions.EscalationError, match="走访") as err:
        actions.report_visit_problem(letter, reason="无法及时处理", acting_user=cast.butler, now=T0)
    assert err.value.code == "not_visit"
    t = complaint("走访发现路灯不亮", T0, channel="field_visit", receiver=cast.butler,
                  agreed_feedback_at=T0 + dt.timedelta(days=1))
    with pytest.raises(actions.NotAllowed):
        actions.report_visit_problem(t, reason="需要工程部更换", acting_user=cast.outsider, now=T0)
    assert not [c for c in outbox.calls if c["kind"] == "visit_problem"]


def test_r_m3_13_butler_reports_from_the_escalation_page(cast, complaint, outbox, client) -> None:
    from apps.tickets.models import TicketEvent

    t = complaint("走访发现消防通道被占", T0, channel="field_visit", receiver=cast.butler,
                  agreed_feedback_at=T0 + dt.timedelta(days=1))
    client.force_login(cast.butler)
    assert "走访问题上报" in client.get(f"/escalation/tickets/{t.pk}/").content.decode()
    r = client.post(f"/escalation/tickets/{t.pk}/visit-problem/", {"reason": "占道车辆车主不配合"})
    assert r.status_code == 302
    assert TicketEvent.objects.filter(ticket=t, message__contains="占道车辆车主不配合").exists()
