"""R-M9-11 on PostgreSQL: raising a ticket from a problem while the visit is voided (threads, separate
connections) never leaves a ticket behind a voided visit."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from apps.core.errors import DomainError
from apps.tickets.models import Ticket
from apps.visits import actions
from apps.visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_r_m9_11_raise_and_void_race_never_leaves_a_ticket_behind_a_voided_visit(cast, record, frozen_now,
                                                                                  require_postgres):
    from django.db import connection

    for round_no in range(4):
        visit = record(problems=[{"description": f"保安不在岗 {round_no}"}])
        problem = visit.problems.get()
        barrier = threading.Barrier(2)
        refused: list[str] = []

        def raise_it(problem=problem, barrier=barrier, refused=refused) -> None:
            try:
                barrier.wait()
                actions.raise_ticket_from_problem(problem=problem, acting_user=cast.supervisor, now=frozen_now,
                                                  agreed_feedback_at=frozen_now + dt.timedelta(days=1))
            except DomainError as exc:
                refused.append(exc.code)
            finally:
                connection.close()

        def void_it(visit=visit, barrier=barrier, refused=refused) -> None:
            try:
                barrier.wait()
                actions.void_visit(visit=visit, reason="重复录入了", acting_user=cast.supervisor, now=frozen_now)
            except DomainError as exc:
                refused.append(exc.code)
            finally:
                connection.close()

        threads = [threading.Thread(target=raise_it), threading.Thread(target=void_it)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        visit = Visit.objects.get(pk=visit.pk)
        problem.refresh_from_db()
        tickets = Ticket.objects.filter(content__contains=f"走访记录 #{visit.pk}）").count()
        assert len(refused) == 1, refused  # exactly one of the two wins
        if visit.voided:
            assert tickets == 0 and problem.ticket_id is None and refused == ["voided"]
        else:
            assert tickets == 1 and problem.ticket_id is not None and refused == ["has_ticket"]
