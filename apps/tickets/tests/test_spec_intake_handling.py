"""SPEC rule coverage for intake and handling (issue 4): rules implemented by apps.tickets.actions."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.choices import Channel, Kind, ReplyClass, Source, Stage, TicketStatus
from apps.tickets.models import Deadline, DeveloperTransfer, Ticket, TicketEvent
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m1_06_ticket_is_the_single_register_with_timeline_and_history(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-06: every complaint is recorded promptly as one ticket — number, intake data, a
    timeline event and a field-history row, all written at intake."""
    t = receive(cast, content="电梯异响", feelings="很担心", desired_outcome="尽快检修")
    stored = Ticket.objects.get(pk=t.pk)
    assert stored.number and stored.recorded_at == frozen_now
    assert (stored.content, stored.feelings, stored.desired_outcome) == ("电梯异响", "很担心", "尽快检修")
    assert TicketEvent.objects.filter(ticket=t, kind="received").count() == 1
    assert stored.history.count() == 1
    assert Ticket.objects.filter(content="电梯异响").count() == 1


@pytest.mark.parametrize("who", ["worker", "eng_head", "butler", "supervisor", "project_manager"])
def test_r_m1_08_any_employee_may_receive(cast: Any, frozen_now: dt.datetime, who: str) -> None:
    """R-M1-08: any staff user of the project can record a complaint; they are the receiver."""
    user = getattr(cast, who)
    t = receive(cast, acting_user=user)
    assert t.receiver == user
    assert t.status == TicketStatus.RECEIVED


def test_r_m1_08_user_without_role_cannot_receive(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-08 (boundary): only employees of the project record tickets for it."""
    with pytest.raises(actions.TicketError):
        receive(cast, acting_user=cast.nobody)
    with pytest.raises(actions.TicketError):
        receive(cast, acting_user=cast.outsider)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("source,channel", [
    (Source.COMPANY, Channel.PHONE),
    (Source.GROUP_HQ, Channel.GROUP_TRANSFER),
    (Source.GOVERNMENT, Channel.GOVERNMENT_PETITION),
    (Source.DEVELOPER, Channel.DEVELOPER_TRANSFER),
    (Source.WEBSITE, Channel.ONLINE),
])
def test_r_m1_10_quality_department_records_company_level_complaints(
        cast: Any, frozen_now: dt.datetime, source: str, channel: str) -> None:
    """R-M1-10: 品质管理部 records complaints it receives or that are forwarded by the group, the
    developer, the government or the website in the same register."""
    t = receive(cast, acting_user=cast.quality_inspector, source=source, channel=channel)
    assert t.receiver == cast.quality_inspector
    assert (t.source, t.channel) == (source, channel)
    assert Ticket.objects.filter(project=cast.project).count() == 1


def test_r_m1_10_project_complaint_escalated_is_held_by_quality(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-10: a complaint reported by a 管理处 is taken over by 品质管理部 for checking and follow-up."""
    t = receive(cast)
    actions.escalate_to_quality(ticket=t, reason="涉及多部门，需公司协调", acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.held_by_quality is True
    assert t.escalated_to_quality_at == frozen_now
    assert t.department is not None and t.department.kind == "quality"


def test_r_m1_13_owners_committee_written_platform_is_its_own_channel(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-13: the 业委会 written platform is a channel of its own, forwarded by the 业委会, with the
    written reply class (3-working-day limit via R-M2-05) and a ticket number for the receipt."""
    t = receive(cast, channel=Channel.OWNERS_COMMITTEE, source=Source.OWNERS_COMMITTEE, agreed_feedback_at=None)
    assert t.channel == Channel.OWNERS_COMMITTEE
    assert t.source == Source.OWNERS_COMMITTEE
    assert t.reply_class == ReplyClass.WRITTEN
    assert t.number


@pytest.mark.parametrize("who", ["cs_manager", "project_manager", "butler"])
def test_r_m1_14_r_m1_20_visitor_in_person_recorded_by_the_manager_or_steward(
        cast: Any, frozen_now: dt.datetime, who: str) -> None:
    """R-M1-14 (a manager meeting a visiting resident) and R-M1-20 (the building steward's
    face-to-face intake): the problem raised in person is recorded promptly as a 来访 ticket."""
    user = getattr(cast, who)
    t = receive(cast, channel=Channel.VISIT, acting_user=user, content="当面反映：楼下噪音扰民")
    assert t.channel == Channel.VISIT
    assert t.reply_class == ReplyClass.ORAL
    assert t.receiver == user
    assert t.recorded_at == frozen_now


def test_r_m1_18_validity_is_set_by_the_handler_and_kept_in_history(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-18: a complaint carries validity (valid / invalid / not yet decided) set by staff."""
    t = receive(cast)
    assert t.valid_complaint is None
    actions.edit_ticket(ticket=t, changes={"valid_complaint": False}, reason="属于误报",
                        acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.valid_complaint is False
    event = TicketEvent.objects.filter(ticket=t, kind="edited").get()
    assert event.extra["changes"]["valid_complaint"] == [None, False]
    actions.edit_ticket(ticket=t, changes={"valid_complaint": True}, reason="复核为有效",
                        acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.valid_complaint is True


def test_r_m1_21_receiver_and_time_recorded_and_conveying_is_due_at_once(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-21: who received the complaint and when is recorded; conveying it is an immediate
    (立即) acknowledge item stamped at intake."""
    received_at = frozen_now - dt.timedelta(minutes=20)
    t = receive(cast, received_at=received_at)
    assert t.receiver == cast.front_desk
    assert t.received_at == received_at
    event = TicketEvent.objects.get(ticket=t, kind="received")
    assert event.acting_user == cast.front_desk
    ack = Deadline.objects.filter(ticket=t, stage=Stage.ACKNOWLEDGE)
    assert ack.count() == 1
    assert ack.get().start_at == received_at


def test_r_m2_20_department_records_investigation_measures_and_result(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-20: the complained-about department takes remedial measures and the result is recorded
    in the ticket (《用户投诉记录》); the receiver is told the handling is done."""
    t = receive(cast)
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    actions.record_handling(ticket=t, investigation="已联系业主并致歉，现场查看", measures="更换灯管",
                            acting_user=cast.worker, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLING
    actions.record_handling(ticket=t, result="灯已修好", done=True, acting_user=cast.worker,
                            now=frozen_now + dt.timedelta(hours=1))
    t.refresh_from_db()
    d.refresh_from_db()
    assert t.status == TicketStatus.HANDLED
    assert t.handling_result == "灯已修好"
    assert "致歉" in d.investigation and d.measures == "更换灯管"
    assert d.completed_at == frozen_now + dt.timedelta(hours=1)


def test_r_m2_20_result_needed_to_finish_handling(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-20 (boundary): handling cannot be marked finished without a recorded result."""
    t = receive(cast)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                            acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(actions.TicketError) as exc:
        actions.record_handling(ticket=t, done=True, acting_user=cast.worker, now=frozen_now)
    assert "result" in exc.value.fields


def test_r_m2_22_important_is_a_manual_flag(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-22: "important" has no criteria in the seeds; staff set it by hand, at intake or later."""
    t = receive(cast)
    assert t.important is False
    actions.edit_ticket(ticket=t, changes={"important": True}, reason="客服经理认定为重要投诉",
                        acting_user=cast.cs_manager, now=frozen_now)
    t.refresh_from_db()
    assert t.important is True
    assert receive(cast, important=True).important is True


def test_r_m2_25_return_or_exchange_of_house_transferred_to_developer(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-25: a request to return/exchange the house is passed to the developer's customer
    centre; the transfer record carries its date."""
    t = receive(cast, kind=Kind.NEED, content="交付后要求换房")
    transfer = actions.transfer_to_developer(ticket=t, content="业主要求换房，请地产客户服务中心处理",
                                             document_no="ZD-2026-01", acting_user=cast.supervisor,
                                             now=frozen_now)
    t.refresh_from_db()
    assert DeveloperTransfer.objects.get(ticket=t) == transfer
    assert transfer.sent_at == frozen_now and transfer.document_no == "ZD-2026-01"
    assert t.status == TicketStatus.TRANSFERRED
    assert t.transferred_to_developer_at == frozen_now
