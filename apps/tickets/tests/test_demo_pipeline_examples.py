"""Issue 16 demo: one of each pipeline record, built through the actions (late investigation, the
steward's copy of a 派工单, 品质管理部's opinion, a municipal coordinator, a record-form complaint)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.estates import demo
from apps.org.models import Company
from apps.tickets import measures
from apps.tickets.demo import load_demo_pipeline_examples
from apps.tickets.models import Ticket, TicketEvent
from linli import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def test_demo_pipeline_examples_show_late_investigation_steward_copy_quality_opinion() -> None:
    demo.load_demo(seed=7)
    with clock.frozen(NOW):
        assert load_demo_pipeline_examples(Company.objects.get(), now=NOW) == 7
        late = Ticket.objects.get(content__contains="地下车库顶板渗水")
        assert late.investigated_at is not None and measures.investigation_late(late, NOW)
    assert TicketEvent.objects.filter(message__startswith="派工单抄送片区管理员").exists()
    petition = Ticket.objects.get(channel="government_petition")
    assert petition.held_by_quality and petition.quality_opinion and petition.quality_opinion_by is not None
    assert Ticket.objects.filter(municipal=True, coordinator__isnull=False).exists()
    assert Ticket.objects.filter(record_form=True, handler__isnull=False, record_form_by__isnull=False).exists()
    # R-M1-12, R-M1-15, R-M2-09: a box opening with its slip, a pending suggestion, an online notice
    assert Ticket.objects.filter(suggestion_box_opening__isnull=False, kind="suggestion").exists()
    assert Ticket.objects.filter(channel="online", online_emailed_at__isnull=False, online_phoned_at=None).exists()
