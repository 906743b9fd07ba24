"""R-M17-04: welcome SMS after the move-in formalities, with the butler's (steward's) number."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.notify import reminders
from apps.notify.models import Delivery, DeliveryStatus
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


def test_r_m17_04_owner_who_moved_in_gets_one_welcome_sms_with_the_stewards_number(cast, owner) -> None:
    from apps.estates.models import Person, PersonKind

    cast.project.service_phone = "029-88886666"
    cast.project.save(update_fields=["service_phone"])
    building = owner.household.building
    Person.objects.create(project=cast.project, household=owner.household, name="租客", phone="13900001111",
                          kind=PersonKind.TENANT, move_in_date=dt.date(2026, 11, 20))
    owner.move_in_date = dt.date(2026, 11, 20)
    owner.save(update_fields=["move_in_date"])

    assert reminders.queue_all(sh(2026, 11, 23, 9, 0)).welcomed == 0  # no steward recorded yet: waits
    cast.butler.phone = "13700009999"
    cast.butler.save(update_fields=["phone"])
    building.steward = cast.butler
    building.save(update_fields=["steward"])

    assert reminders.queue_all(sh(2026, 11, 23, 0, 30)).welcomed == 1
    assert reminders.queue_all(sh(2026, 11, 23, 9, 0)).welcomed == 0  # once per owner
    d = Delivery.objects.get(kind=reminders.WELCOME_KIND)
    assert d.address == owner.phone and d.person_id == owner.pk  # the owner, not the tenant
    assert "欢迎入住" in d.body and "13700009999" in d.body and "029-88886666" in d.body
    assert d.status == DeliveryStatus.SCHEDULED and d.next_attempt_at == sh(2026, 11, 23, 8, 0)  # not at night


def test_r_m17_04_household_move_in_date_counts_and_old_move_ins_are_not_welcomed(cast, owner) -> None:
    cast.butler.phone = "13700009999"
    cast.butler.save(update_fields=["phone"])
    hh = owner.household
    hh.building.steward = cast.butler
    hh.building.save(update_fields=["steward"])
    hh.move_in_date = dt.date(2026, 9, 1)  # long ago: no welcome now
    hh.save(update_fields=["move_in_date"])
    assert reminders.queue_all(sh(2026, 11, 23, 10, 0)).welcomed == 0
    hh.move_in_date = dt.date(2026, 11, 22)
    hh.save(update_fields=["move_in_date"])
    assert reminders.queue_all(sh(2026, 11, 23, 10, 0)).welcomed == 1
