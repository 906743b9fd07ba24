"""日盘点 and 意见箱 (R-M1-11, R-M1-12, AS-42) and the sweep (R-M2-17, AS-11)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from apps.tickets import actions, inventory, sweeps
from apps.tickets.models import DailyInventory
from apps.tickets.tests.helpers import FakePolicies, at, receive
from linli import clock

pytestmark = pytest.mark.django_db


def _five_on_nov_5(cast: Any) -> list[Any]:
    out = []
    for h in range(9, 14):
        moment = at(2025, 11, 5, h, 0)
        with clock.frozen(moment):
            out.append(receive(cast, now=moment, channel="letter", agreed_feedback_at=None))
    return out


def test_r_m1_11_received_today_per_receiver_open_and_due_tomorrow(cast: Any, policies: FakePolicies) -> None:
    tickets = _five_on_nov_5(cast)
    moment = at(2025, 11, 5, 15, 0)
    with clock.frozen(moment):
        butler_ticket = receive(cast, now=moment, acting_user=cast.butler)
        actions.void_ticket(ticket=tickets[0], reason="重复", acting_user=cast.supervisor, now=moment)
    groups = inventory.received_by_receiver(cast.project, dt.date(2025, 11, 5))
    assert len(groups[cast.front_desk]) == 4 and groups[cast.butler] == [butler_ticket]
    assert inventory.still_open([cast.project]).count() == 5
    due = inventory.due_tomorrow(cast.project, dt.date(2025, 11, 5))  # respond = +1 day in the stand-in
    assert sorted(due.values_list("ticket", flat=True)) == [t.pk for t in [*tickets[1:], butler_ticket]]
    assert set(due.values_list("stage", flat=True)) == {"respond"}


def test_r_m1_11_as_42_unconfirmed_inventory_reminded_next_working_morning(cast: Any) -> None:
    _five_on_nov_5(cast)
    night = at(2025, 11, 6, 8, 0)
    assert sweeps.run(night).reminders == 0  # before working hours
    morning = at(2025, 11, 6, 9, 0)
    assert sweeps.run(morning).reminders == 1
    row = DailyInventory.objects.get(receiver=cast.front_desk, day=dt.date(2025, 11, 5))
    assert row.reminded_at == morning and row.ticket_count == 5 and row.confirmed_at is None
    assert sweeps.run(morning + dt.timedelta(minutes=1)).reminders == 0  # once only


def test_r_m1_11_confirmed_inventory_gets_no_reminder(cast: Any) -> None:
    _five_on_nov_5(cast)
    evening = at(2025, 11, 5, 18, 0)
    row = actions.confirm_inventory(project=cast.project, day=dt.date(2025, 11, 5), acting_user=cast.front_desk,
                                      now=evening)
    assert (row.ticket_count, row.open_count) == (5, 5)
    assert sweeps.run(at(2025, 11, 6, 9, 0)).reminders == 0


def test_r_m1_12_as_42_missing_box_opening_flagged_and_slips_linked(cast: Any) -> None:
    opened = at(2025, 11, 4, 9, 0)
    with clock.frozen(opened):
        box = actions.record_box_opening(project=cast.project, opened_at=opened, opened_by=cast.butler, slip_count=1,
                                         acting_user=cast.front_desk, now=opened)
        slip = receive(cast, now=opened, channel="suggestion_box", suggestion_box_opening=box, anonymous=True,
                       complainant_surname="", phone="", agreed_feedback_at=None)
    assert list(box.tickets.all()) == [slip]
    assert inventory.days_without_box_opening(cast.project, dt.date(2025, 11, 4), dt.date(2025, 11, 5)) == [
        dt.date(2025, 11, 5)]
    assert sweeps.run(at(2025, 11, 6, 9, 0)).missing_box_days["YG"] == [dt.date(2025, 11, 5)]


def test_r_m2_17_open_complaint_flagged_after_respond_limit(cast: Any, frozen_now: dt.datetime,
                                                            policies: FakePolicies) -> None:
    t = receive(cast)
    assert sweeps.run(frozen_now).record_forms == 0
    later = frozen_now + dt.timedelta(days=1, seconds=1)
    call_command("tickets_sweep", "--now", later.isoformat())
    t.refresh_from_db()
    assert t.record_form
    assert sweeps.run(later).record_forms == 0


def test_r_m1_11_tickets_sweep_task_runs_the_same_pass_as_the_command(cast: Any, frozen_now: Any) -> None:
    """The beat's ``apps.tickets.tasks.tickets_sweep`` runs :func:`sweeps.run` at the clock's time."""
    from apps.tickets import tasks

    assert tasks.tickets_sweep.name == "apps.tickets.tasks.tickets_sweep"  # the beat schedule's entry
    expected = sweeps.run(frozen_now)
    assert tasks.tickets_sweep() == {"record_forms": expected.record_forms, "reminders": expected.reminders,
                                     "owner_update_reminders": expected.owner_update_reminders,
                                     "missing_box_days": sum(len(d) for d in expected.missing_box_days.values())}
