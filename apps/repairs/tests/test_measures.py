"""Measures on a hand-built dataset with known answers (issue 6 item 6; R-M8-03, R-M8-04, R-M8-07,
R-M8-13)."""
from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest

from apps.org.models import Membership
from apps.org.roles import Role
from apps.repairs import actions
from apps.repairs.measures import repair_measures
from apps.repairs.tests.conftest import SITE_OK, png
from apps.repairs.tests.helpers import assigned, at, completed, new_user, on_site, receive, verified

pytestmark = pytest.mark.django_db
M = dt.timedelta(minutes=1)


@pytest.fixture
def dataset(cast, fake_policies):
    w2 = new_user(username="worker2", display_name="周师傅")
    Membership.objects.create(user=w2, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    # A: on time, on time, signed, return-visited satisfied, closed
    t0 = at(2026, 11, 23, 9, 0)
    a = assigned(cast, now=t0)
    actions.accept_order(order=a, acting_user=cast.worker, now=t0)
    actions.record_arrival(order=a, acting_user=cast.worker, now=t0 + 10 * M)
    actions.diagnose(order=a, diagnosis="阀芯", chargeable=False, acting_user=cast.worker, now=t0 + 11 * M)
    completed(cast, a, now=t0 + 60 * M)
    verified(cast, a, now=t0 + 70 * M)
    actions.record_repair_return_visit(order=a, method="phone", reached=True, quality="satisfied",
                                        attitude="satisfied", acting_user=cast.butler, now=at(2026, 11, 23, 16, 0))
    # B: late arrival (40 min > 30), completed in time, verified, no return visit yet
    b = assigned(cast, now=t0)
    actions.accept_order(order=b, acting_user=cast.worker, now=t0)
    actions.record_arrival(order=b, acting_user=cast.worker, now=t0 + 40 * M)
    actions.diagnose(order=b, diagnosis="x", chargeable=False, acting_user=cast.worker, now=t0 + 41 * M)
    completed(cast, b, now=t0 + 120 * M)
    verified(cast, b, now=t0 + 130 * M)
    # C: urgent water, arrival in time (10 < 15), completed two days later (late), owner refused
    c = assigned(cast, "repair_water", now=t0)
    on_site(cast, c, now=t0 + 10 * M)
    actions.start_work(order=c, acting_user=cast.worker, now=t0 + 11 * M)
    actions.complete_repair(checklist=SITE_OK, order=c, result="换管", labour_hours=3, late_explanation="需停水施工",
                             acting_user=cast.worker, now=at(2026, 11, 25, 9, 0))
    actions.refuse_acceptance(order=c, reason="墙面没有恢复", acting_user=cast.worker, now=at(2026, 11, 25, 9, 5))
    # E: never arrived; at as_of both arrival (30 min) and completion (1 day) are past due
    e = assigned(cast, now=at(2026, 11, 25, 10, 0))
    # F: by w2, in time, return visit 不满意 → reworked (quality fails, visit counts)
    f = receive(cast, now=t0)
    actions.assign_order(order=f, assignee=w2, acting_user=cast.front_desk, now=t0)
    actions.accept_order(order=f, acting_user=w2, now=t0)
    actions.record_arrival(order=f, acting_user=w2, now=t0 + 20 * M)
    actions.diagnose(order=f, diagnosis="x", chargeable=False, acting_user=w2, now=t0 + 21 * M)
    actions.start_work(order=f, acting_user=w2, now=t0 + 22 * M)
    actions.complete_repair(checklist=SITE_OK, order=f, result="修好", labour_hours=1, acting_user=w2, now=t0 + 60 * M)
    actions.sign_acceptance(order=f, signature="data:image/png;base64," + base64.b64encode(png()).decode(),
                            signed_name="王先生", quality_ok=True, acting_user=w2, now=t0 + 61 * M)  # AS-23: signed before the visit
    verified(cast, f, now=t0 + 90 * M)
    actions.record_repair_return_visit(order=f, method="phone", reached=True, quality="unsatisfied",
                                        attitude="satisfied", acting_user=cast.butler, now=at(2026, 11, 23, 17, 0))
    # D: received ten minutes before as_of — nothing decided yet
    as_of = at(2026, 11, 26, 12, 0)
    d = assigned(cast, now=as_of - 10 * M)
    # G: October, arrived in time
    g = assigned(cast, now=at(2026, 10, 30, 10, 0))
    actions.accept_order(order=g, acting_user=cast.worker, now=at(2026, 10, 30, 10, 0))
    actions.record_arrival(order=g, acting_user=cast.worker, now=at(2026, 10, 30, 10, 5))
    return {"as_of": as_of, "w2": w2, "orders": (a, b, c, d, e, f, g)}


def rate(row, m):
    return (row[m]["hit"], row[m]["total"])


def test_measures_per_month_with_known_answers(cast, dataset):
    rows = repair_measures(projects=[cast.project], start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 1),
                           as_of=dataset["as_of"], group_by=("month",))
    by = {r.get("month", "total"): r for r in rows[:-1]}
    total = rows[-1]
    nov = by["2026-11"]
    assert nov["count"] == 6
    assert rate(nov, "arrival") == (3, 5) and nov["arrival"]["rate"] == Decimal("0.6000")
    assert rate(nov, "completion") == (3, 5)
    assert rate(nov, "quality") == (2, 4)
    assert rate(nov, "return_visit") == (2, 4)
    assert nov["completion"]["target"] == Decimal("0.99") and nov["completion"]["meets_target"] is False
    oct_ = by["2026-10"]
    assert oct_["count"] == 1 and rate(oct_, "arrival") == (1, 1) and oct_["arrival"]["meets_target"] is True
    assert oct_["quality"]["rate"] is None
    assert total["count"] == 7 and rate(total, "arrival") == (4, 6)


def test_measures_per_worker_and_department(cast, dataset):
    rows = repair_measures(projects=[cast.project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1),
                           as_of=dataset["as_of"], group_by=("department", "worker"))
    by = {r["worker"]: r for r in rows[:-1]}
    sun, zhou = by["孙师傅"], by["周师傅"]
    assert sun["department"] == "工程部"
    assert (rate(sun, "arrival"), rate(sun, "completion"), rate(sun, "quality"), rate(sun, "return_visit")) == (
        (2, 4), (2, 4), (2, 3), (1, 3))
    assert (rate(zhou, "arrival"), rate(zhou, "completion"), rate(zhou, "quality"), rate(zhou, "return_visit")) == (
        (1, 1), (1, 1), (0, 1), (1, 1))


def test_measures_only_see_the_given_projects(cast, dataset):
    rows = repair_measures(projects=[cast.other_project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1),
                           as_of=dataset["as_of"])
    assert rows[-1]["count"] == 0 and rows[-1]["arrival"]["rate"] is None


def test_repair_measures_command_takes_now(cast, dataset):
    """The command prints the same figures; ``--now`` decides which open limits are already late."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("repair_measures", "--from", "2026-11", "--group", "worker", "--now", "2026-11-26T12:00+08:00",
                 stdout=out)
    text = out.getvalue()
    assert "孙师傅" in text and "50.0% (2/4)" in text and "合计" in text
