"""Dispatch, handling, hand-back, escalation to 品质管理部, developer matters (SPEC M2)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Dispatch, TicketEvent
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m1_19_dispatch_accept_handle(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now,
                                instructions="请尽快到场")
    t.refresh_from_db()
    assert (t.status, t.department, t.handler) == (TicketStatus.DISPATCHED, cast.eng_dept, None)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    d.refresh_from_db()
    t.refresh_from_db()
    assert d.assignee == cast.worker and t.handler == cast.worker and t.status == TicketStatus.HANDLING
    actions.record_handling(ticket=t, investigation="现场查看：灯管老化", acting_user=cast.worker, now=frozen_now,
                            arrived_at=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.record_handling(ticket=t, done=True, acting_user=cast.worker, now=frozen_now)
    assert exc.value.fields == {"result": ["完成处理须填写处理结果"]}
    actions.record_handling(ticket=t, measures="更换灯管", result="已更换", done=True, acting_user=cast.worker,
                            now=frozen_now)
    t.refresh_from_db()
    d.refresh_from_db()
    assert t.status == TicketStatus.HANDLED and t.handling_result == "已更换"
    assert d.investigation == "现场查看：灯管老化" and d.completed_at == frozen_now and d.arrived_at == frozen_now


def test_reassign_ends_previous_dispatch(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    first = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                    acting_user=cast.front_desk, now=frozen_now)
    second = actions.dispatch_ticket(ticket=t, department=cast.security_dept, acting_user=cast.front_desk,
                                     now=frozen_now)
    first.refresh_from_db()
    assert not first.active and first.end_reason == "改派" and second.active
    assert TicketEvent.objects.filter(ticket=t, kind="reassigned").count() == 1
    assert Dispatch.objects.filter(ticket=t, active=True).count() == 1


def test_hand_back_needs_reason_and_returns_to_intake(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError):
        actions.hand_back(ticket=t, reason=" ", acting_user=cast.eng_head, now=frozen_now)
    actions.hand_back(ticket=t, reason="不属于工程部", acting_user=cast.eng_head, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.RECEIVED and not t.dispatches.filter(active=True).exists()


def test_r_m2_14_as_41_no_hand_back_after_escalation(cast: Any, frozen_now: dt.datetime) -> None:
    """AS-41: escalated to 品质管理部 → a quality user cannot make a project user its handler;
    project users can still add notes."""
    t = receive(cast)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError):
        actions.escalate_to_quality(ticket=t, reason="无法解决", acting_user=cast.front_desk, now=frozen_now)
    actions.escalate_to_quality(ticket=t, reason="业主多次投诉无法解决", acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.held_by_quality and t.department == cast.quality_dept and t.status == TicketStatus.RECEIVED
    for dept, user in ((cast.eng_dept, None), (cast.quality_dept, cast.worker)):
        with pytest.raises(TicketError) as exc:
            actions.dispatch_ticket(ticket=t, department=dept, assignee=user, acting_user=cast.quality_inspector,
                                    now=frozen_now)
        assert exc.value.code == "held_by_quality" and exc.value.status == 409
    t.refresh_from_db()
    assert t.department == cast.quality_dept
    actions.add_note(ticket=t, text="业主今天又来电", acting_user=cast.front_desk, now=frozen_now)
    actions.dispatch_ticket(ticket=t, department=cast.quality_dept, assignee=cast.quality_inspector,
                            acting_user=cast.quality_inspector, now=frozen_now)
    t.refresh_from_db()
    assert t.handler == cast.quality_inspector


def test_r_m2_03_developer_matter_forwarded_in_writing_and_followed(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, content="外墙渗水（地产遗留）")
    transfer = actions.transfer_to_developer(ticket=t, content="关于5栋外墙渗水的函", document_no="YG-2026-031",
                                             acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.TRANSFERRED and t.developer_matter and not t.our_side
    actions.record_owner_update(ticket=t, channel="phone", content="地产已安排施工队勘察", acting_user=cast.front_desk,
                                now=frozen_now)
    assert t.owner_updates.count() == 1
    actions.record_developer_result(transfer=transfer, result="地产已修复外墙", acting_user=cast.supervisor,
                                    now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED and t.handling_result == "地产已修复外墙"


def test_edit_records_diff_and_history(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    actions.edit_ticket(ticket=t, changes={"urgency": "urgent", "valid_complaint": True}, reason="核实",
                        acting_user=cast.supervisor, now=frozen_now)
    ev = TicketEvent.objects.get(ticket=t, kind="edited")
    assert ev.extra["changes"]["urgency"] == ["normal", "urgent"]
    with pytest.raises(TicketError):
        actions.edit_ticket(ticket=t, changes={"status": "closed"}, acting_user=cast.supervisor, now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.edit_ticket(ticket=t, changes={"our_side": False}, acting_user=cast.supervisor, now=frozen_now)
    assert "our_side" in exc.value.fields


def test_r_m2_17_record_form_needs_named_handler(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    with pytest.raises(TicketError) as exc:
        actions.edit_ticket(ticket=t, changes={"record_form": True}, acting_user=cast.supervisor, now=frozen_now)
    assert "record_form" in exc.value.fields
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.supervisor,
                            now=frozen_now)
    actions.edit_ticket(ticket=t, changes={"record_form": True}, acting_user=cast.supervisor, now=frozen_now)
