"""SPEC rule coverage (issue 4) for rules added to apps.tickets: kinds (R-M1-16), same-day
investigation (R-M2-02), online-complaint notifications (R-M2-09), incidents (R-M2-23)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.choices import KIND_PREFIX, RETURN_VISIT_KINDS, Channel, Kind, Source, TicketStatus
from apps.tickets.models import TicketEvent
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [Kind.SPECIAL_SERVICE, Kind.INCIDENT, Kind.DISPUTE])
def test_r_m1_16_new_kinds_are_received_and_numbered(cast: Any, frozen_now: dt.datetime, kind: str) -> None:
    """R-M1-16: special/agency service, an owner's accident or incident and a dispute between
    residents are ticket kinds of their own, each with its number prefix."""
    t = receive(cast, kind=kind)
    assert t.kind == kind
    assert t.status == TicketStatus.RECEIVED
    assert t.number.startswith(f"{KIND_PREFIX[kind]}-YG-20261123-")


def test_r_m1_16_every_listed_kind_exists() -> None:
    """R-M1-16: the full list of kinds of the seeds."""
    assert {k.value for k in Kind} >= {"complaint", "suggestion", "need", "consultation", "repair", "praise",
                                       "special_service", "paid_service", "incident", "dispute"}
    assert set(KIND_PREFIX) == {k.value for k in Kind}
    assert len(set(KIND_PREFIX.values())) == len(KIND_PREFIX)


def test_r_m1_16_unknown_kind_refused(cast: Any, frozen_now: dt.datetime) -> None:
    with pytest.raises(actions.TicketError) as exc:
        receive(cast, kind="gossip")
    assert "kind" in exc.value.fields


def test_r_m2_02_first_investigation_time_recorded(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-02: the investigation time is recorded once, on the first investigation."""
    t = receive(cast)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                            acting_user=cast.front_desk, now=frozen_now)
    actions.record_handling(ticket=t, measures="准备材料", acting_user=cast.worker, now=frozen_now)
    t.refresh_from_db()
    assert t.investigated_at is None
    later = frozen_now + dt.timedelta(hours=2)
    actions.record_handling(ticket=t, investigation="现场核实：灯管损坏", acting_user=cast.worker, now=later)
    actions.record_handling(ticket=t, investigation="再次查看", acting_user=cast.worker,
                            now=later + dt.timedelta(hours=1))
    t.refresh_from_db()
    assert t.investigated_at == later
    assert actions.investigation_late(t, later + dt.timedelta(days=3)) is False


def test_r_m2_02_not_investigated_by_end_of_intake_day_is_late(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-02: soft deadline 23:59:59 (project time) of the intake day."""
    t = receive(cast)
    end_of_day = frozen_now.replace(hour=23, minute=59, second=59)
    assert actions.investigation_late(t, end_of_day) is False
    assert actions.investigation_late(t, end_of_day + dt.timedelta(seconds=1)) is True
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                            acting_user=cast.front_desk, now=frozen_now)
    actions.record_handling(ticket=t, investigation="次日才核实", acting_user=cast.worker,
                            now=frozen_now + dt.timedelta(days=1))
    t.refresh_from_db()
    assert actions.investigation_late(t, frozen_now + dt.timedelta(days=1)) is True


def _online(cast: Any) -> Any:
    return receive(cast, channel=Channel.ONLINE, source=Source.WEBSITE, acting_user=cast.quality_inspector,
                   online_url="https://bbs.example.com/t/1", agreed_feedback_at=None)


def test_r_m2_09_online_complaint_email_and_phone_times_recorded(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-09: the information administrator records the email forward and the phone notification."""
    t = _online(cast)
    actions.record_online_notification(ticket=t, emailed=True, acting_user=cast.quality_inspector, now=frozen_now)
    later = frozen_now + dt.timedelta(minutes=5)
    actions.record_online_notification(ticket=t, phoned=True, note="已电话告知陈经理",
                                       acting_user=cast.quality_inspector, now=later)
    t.refresh_from_db()
    assert t.online_emailed_at == frozen_now
    assert t.online_phoned_at == later
    notes = TicketEvent.objects.filter(ticket=t, kind="note").order_by("id")
    last = notes.last()
    assert notes.count() == 2 and last is not None and "电话通知" in last.message
    with pytest.raises(actions.TicketError) as exc:
        actions.record_online_notification(ticket=t, emailed=True, phoned=True,
                                           acting_user=cast.quality_inspector, now=later)
    assert exc.value.code == "already_recorded"


def test_r_m2_09_only_quality_and_only_online(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-09 (boundary): project staff cannot record it; a phone complaint has no such notice."""
    t = _online(cast)
    with pytest.raises(actions.TicketError):
        actions.record_online_notification(ticket=t, emailed=True, acting_user=cast.front_desk, now=frozen_now)
    phone = receive(cast)
    with pytest.raises(actions.TicketError) as exc:
        actions.record_online_notification(ticket=phone, emailed=True, acting_user=cast.quality_inspector,
                                           now=frozen_now)
    assert "channel" in exc.value.fields
    t.refresh_from_db()
    assert t.online_emailed_at is None


def test_r_m2_23_incident_reported_to_gm_and_return_visited(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-23: an owner's accident/incident is a ticket kind, reported to the 物业总经理 (timestamp)
    and return-visited."""
    t = receive(cast, kind=Kind.INCIDENT, content="业主在地库滑倒受伤")
    assert Kind.INCIDENT in RETURN_VISIT_KINDS
    assert actions.return_visit_required(t) is True
    actions.report_incident_to_gm(ticket=t, report="业主滑倒，已送医", acting_user=cast.cs_manager, now=frozen_now)
    t.refresh_from_db()
    assert t.gm_reported_at == frozen_now
    assert TicketEvent.objects.filter(ticket=t, kind="reported", message__contains="报告总经理").exists()
    with pytest.raises(actions.TicketError):
        actions.report_incident_to_gm(ticket=t, report="再次报告", acting_user=cast.cs_manager, now=frozen_now)


def test_r_m2_23_gm_report_only_for_incidents_by_supervisors(cast: Any, frozen_now: dt.datetime) -> None:
    complaint = receive(cast)
    with pytest.raises(actions.TicketError) as exc:
        actions.report_incident_to_gm(ticket=complaint, report="x", acting_user=cast.cs_manager, now=frozen_now)
    assert "kind" in exc.value.fields
    incident = receive(cast, kind=Kind.INCIDENT)
    with pytest.raises(actions.TicketError):
        actions.report_incident_to_gm(ticket=incident, report="x", acting_user=cast.worker, now=frozen_now)
    incident.refresh_from_db()
    assert incident.gm_reported_at is None


def test_r_m2_09_r_m2_22_r_m2_23_staff_see_the_records_on_the_ticket_page(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-09, R-M2-22, R-M2-23: the notification/report times and the important flag are shown
    to staff on the ticket page."""
    from django.test import Client
    from django.urls import reverse

    online = _online(cast)
    actions.record_online_notification(ticket=online, emailed=True, phoned=True,
                                       acting_user=cast.quality_inspector, now=frozen_now)
    incident = receive(cast, kind=Kind.INCIDENT, important=True)
    actions.report_incident_to_gm(ticket=incident, report="已报告", acting_user=cast.cs_manager, now=frozen_now)
    c = Client()
    c.force_login(cast.cs_manager)
    page = c.get(reverse("tickets:detail", args=[online.pk])).content.decode()
    assert 'data-testid="ticket-online-notice"' in page and "电话通知" in page
    page = c.get(reverse("tickets:detail", args=[incident.pk])).content.decode()
    assert 'data-testid="ticket-gm-reported"' in page
    assert 'data-testid="badge-important"' in page
