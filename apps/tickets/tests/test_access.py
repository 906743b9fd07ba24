"""Permission checks across projects (issue 4 item 10; STYLE §7; SPEC M19, R-M4-01)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.tickets import actions
from apps.tickets.access import TicketNotFound, access_ticket, visible_tickets
from apps.tickets.actions import TicketError
from apps.tickets.tests.helpers import receive, to_replied

pytestmark = pytest.mark.django_db


def test_visible_tickets_four_cases(cast: Any, frozen_now: dt.datetime) -> None:
    """anonymous, no role, right role, right role in another project; company level sees all."""
    mine = receive(cast)
    theirs = receive(cast, project=cast.other_project, acting_user=cast.outsider)
    assert not visible_tickets(AnonymousUser()).exists()
    assert not visible_tickets(cast.nobody).exists()
    assert set(visible_tickets(cast.front_desk)) == {mine}
    assert set(visible_tickets(cast.outsider)) == {theirs}
    assert set(visible_tickets(cast.quality_inspector)) == {mine, theirs}
    assert set(visible_tickets(cast.leader)) == {mine, theirs}


def test_access_ticket_other_project_is_404_like_missing(cast: Any, frozen_now: dt.datetime) -> None:
    mine = receive(cast)
    assert access_ticket(cast.front_desk, mine.pk) == mine
    assert access_ticket(cast.front_desk, mine.number) == mine
    with pytest.raises(TicketNotFound) as other:
        access_ticket(cast.outsider, mine.pk)
    with pytest.raises(TicketNotFound) as missing:
        access_ticket(cast.outsider, 999999)
    assert str(other.value) == str(missing.value)
    with pytest.raises(TicketNotFound):
        access_ticket(cast.nobody, mine.pk)


def test_intake_in_another_project_is_404(cast: Any, frozen_now: dt.datetime) -> None:
    with pytest.raises(TicketError) as exc:
        receive(cast, project=cast.other_project, acting_user=cast.front_desk)
    assert exc.value.status == 404 and exc.value.fields == {"project": ["项目不存在"]}


def test_action_on_other_projects_ticket_is_404(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    with pytest.raises(TicketError) as exc:
        actions.void_ticket(ticket=t, reason="x", acting_user=cast.outsider, now=frozen_now)
    assert exc.value.status == 404


def test_r_m4_01_front_desk_cannot_verify(cast: Any, frozen_now: dt.datetime) -> None:
    """AS-19: a front-desk user without supervisor rank is refused and nothing changes."""
    t = to_replied(cast, receive(cast), frozen_now)
    for user in (cast.front_desk, cast.butler, cast.worker):
        with pytest.raises(TicketError) as exc:
            actions.verify_ticket(ticket=t, passed=True, acting_user=user, now=frozen_now)
        assert exc.value.status == 403
    t.refresh_from_db()
    assert t.status == "replied" and not t.verifications.exists()
    actions.verify_ticket(ticket=t, passed=True, acting_user=cast.project_manager, now=frozen_now)


def test_worker_cannot_dispatch_and_only_assigned_department_handles(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    with pytest.raises(TicketError) as exc:
        actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.worker, now=frozen_now)
    assert exc.value.status == 403
    d = actions.dispatch_ticket(ticket=t, department=cast.security_dept, acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)  # worker is 工程部
    assert exc.value.status == 403


def test_void_needs_supervisor(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    with pytest.raises(TicketError) as exc:
        actions.void_ticket(ticket=t, reason="重复", acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.status == 403
