"""Grab pool under concurrency (PostgreSQL): of several workers grabbing one order at the same
moment exactly one wins; the others get 409 (issue 6 item 2)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.org.models import Membership
from apps.org.roles import Role
from apps.repairs import actions, queries
from apps.repairs.errors import RepairError
from apps.repairs.tests.helpers import at, dispatch_of, new_user, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pool_grab_has_one_winner(cast, require_postgres, fake_policies, repair_seed):
    now = at(2026, 11, 23, 10, 0)
    workers = [cast.worker]
    for i in range(4):
        u = new_user(username=f"grabber{i}")
        Membership.objects.create(user=u, role=Role.WORKER, company=cast.company, project=cast.project,
                                  department=cast.eng_dept)
        workers.append(u)
    order = receive(cast, "repair_tap", now=now)
    barrier = threading.Barrier(len(workers))
    outcome: dict[str, list] = {"won": [], "lost": [], "other": []}

    def grab(user):
        try:
            barrier.wait()
            actions.grab_order(order=queries.visible_orders(user).get(pk=order.pk), acting_user=user, now=now)
            outcome["won"].append(user)
        except RepairError as exc:
            outcome["lost" if exc.status == 409 else "other"].append(exc.code)
        except Exception as exc:  # noqa: BLE001
            outcome["other"].append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=grab, args=(u,)) for u in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcome["won"]) == 1 and len(outcome["lost"]) == len(workers) - 1, outcome
    d = dispatch_of(order)
    assert d.assignee == outcome["won"][0] and d.accepted_by == outcome["won"][0]
