"""SPEC R-M1-15 (合理化建议): the 管理处主任 decides; adoption posts the measures publicly, puts the
resident on the "爱我小区" list and gives the household priority in the "文明户" selection."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets.actions import TicketError, decide_suggestion
from apps.tickets.choices import Kind
from apps.tickets.models import Commendation, SuggestionDecision, TicketEvent
from apps.tickets.suggestions import civilised_priority_households
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def _suggestion(cast: Any, households: dict[str, Any]) -> Any:
    person = households["1502"].persons.get()
    return receive(cast, kind=Kind.SUGGESTION, content="建议在地库增加指示牌", person=person,
                   complainant_surname="", phone="")


def test_r_m1_15_adopted_suggestion_posted_commended_and_prioritised(cast: Any, frozen_now: dt.datetime,
                                                                   households: dict[str, Any]) -> None:
    t = _suggestion(cast, households)
    d = decide_suggestion(ticket=t, adopted=True, measures="地库增设 12 块指示牌", posted_where="小区公告栏",
                          acting_user=cast.project_manager, now=frozen_now)
    assert d.adopted and d.posted_on == frozen_now.date() and d.decided_by == cast.project_manager
    c = Commendation.objects.get(ticket=t)
    assert c.household == households["1502"] and c.resident_name == "王建国" and c.civilised_priority
    assert list(civilised_priority_households(cast.project)) == [households["1502"].pk]
    assert list(civilised_priority_households(cast.other_project)) == []
    assert TicketEvent.objects.filter(ticket=t, kind="note", message__startswith="采纳建议").exists()
    with pytest.raises(TicketError) as exc:
        decide_suggestion(ticket=t, adopted=False, note="改主意", acting_user=cast.project_manager, now=frozen_now)
    assert exc.value.code == "decided"


def test_r_m1_15_declined_suggestion_needs_reason_and_commends_nobody(cast: Any, frozen_now: dt.datetime,
                                                                    households: dict[str, Any]) -> None:
    t = _suggestion(cast, households)
    with pytest.raises(TicketError) as exc:
        decide_suggestion(ticket=t, adopted=False, acting_user=cast.project_manager, now=frozen_now)
    assert "note" in exc.value.fields
    decide_suggestion(ticket=t, adopted=False, note="不符合规划", acting_user=cast.project_manager, now=frozen_now)
    assert not Commendation.objects.exists()


def test_r_m1_15_only_the_director_decides_and_adoption_needs_posting(cast: Any, frozen_now: dt.datetime,
                                                                    households: dict[str, Any]) -> None:
    t = _suggestion(cast, households)
    with pytest.raises(TicketError) as exc:
        decide_suggestion(ticket=t, adopted=True, measures="x", posted_where="公告栏", acting_user=cast.front_desk,
                          now=frozen_now)
    assert exc.value.status == 403
    with pytest.raises(TicketError) as exc:
        decide_suggestion(ticket=t, adopted=True, measures="增设指示牌", acting_user=cast.project_manager, now=frozen_now)
    assert "posted_where" in exc.value.fields
    complaint = receive(cast)
    with pytest.raises(TicketError) as exc:
        decide_suggestion(ticket=complaint, adopted=False, note="x", acting_user=cast.project_manager, now=frozen_now)
    assert "kind" in exc.value.fields
    assert not SuggestionDecision.objects.exists()
