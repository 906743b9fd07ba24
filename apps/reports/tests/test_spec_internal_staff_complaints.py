"""R-M1-17 / POLICY P-08: complaints by internal staff flow through the pipeline but, under the default
("excluded", 002 篇4 "不包括内部职员的投诉"), are left out of complaint statistics — every KPI, its
drill-down list and the complaint ledger, filtered once in ``kpis.tickets``."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.reports import kpis, ledgers
from apps.tickets.models import TicketPolicy
from apps.tickets.tests.helpers import receive, to_closed

pytestmark = pytest.mark.django_db


def _dataset(cast: Any, now: dt.datetime) -> dict[str, Any]:
    """Three customer complaints (one valid, one closed), two internal-staff complaints (one valid, one
    closed) and one repair, all in 阳光花园 this month."""
    t = {
        "C1": receive(cast, content="楼道灯不亮", valid_complaint=True),
        "C2": receive(cast, content="垃圾清运不及时"),
        "C3": to_closed(cast, receive(cast, content="电梯异响"), now),
        "I1": receive(cast, content="员工宿舍热水不稳定", internal_staff=True, valid_complaint=True),
        "I2": to_closed(cast, receive(cast, content="员工食堂卫生差", internal_staff=True), now),
        "R1": receive(cast, kind="repair", content="厨房水龙头漏水"),
    }
    return t


def _scope(cast: Any, now: dt.datetime, *projects: Any) -> kpis.Scope:
    ids = [p.pk for p in (projects or (cast.project,))]
    return kpis.Scope.for_dates(ids, dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=now)


def _numbers(qs: Any) -> set[str]:
    return set(qs.values_list("number", flat=True))


def test_r_m1_17_p_08_default_excludes_internal_staff_complaints_from_kpis(cast: Any, frozen_now: dt.datetime) -> None:
    t = _dataset(cast, frozen_now)
    scope = _scope(cast, frozen_now)
    received = kpis.compute("received", scope).counts
    assert (received["all"], received["complaint"], received["repair"]) == (4, 3, 1)
    valid = kpis.compute("valid_complaint_rate", scope)
    assert (valid.counts["numerator"], valid.counts["denominator"], valid.value) == (1, 3, 33.33)
    closure = kpis.compute("closure_rate", scope).counts
    assert (closure["numerator"], closure["denominator"]) == (1, 4)
    # the drill-down list equals the figure, and the ledger of complaints agrees
    assert _numbers(kpis.part_queryset("received", "complaint", scope)) == {t[k].number for k in ("C1", "C2", "C3")}
    _header, rows = ledgers.complaint_ledger(scope)
    assert {r[0] for r in rows} == {t[k].number for k in ("C1", "C2", "C3")}
    # one aggregate for several KPIs gives the same figures as each alone
    together = {r.code: r.counts for r in kpis.all_kpis(scope, ["received", "valid_complaint_rate"])}
    assert together["received"]["all"] == 4 and together["valid_complaint_rate"]["denominator"] == 3


def test_r_m1_17_p_08_included_when_the_company_counts_them(cast: Any, frozen_now: dt.datetime) -> None:
    t = _dataset(cast, frozen_now)
    TicketPolicy.objects.create(company=cast.company, count_internal_staff_complaints=True)
    scope = _scope(cast, frozen_now)
    received = kpis.compute("received", scope).counts
    assert (received["all"], received["complaint"]) == (6, 5)
    valid = kpis.compute("valid_complaint_rate", scope)
    assert (valid.counts["numerator"], valid.counts["denominator"], valid.value) == (2, 5, 40.0)
    closure = kpis.compute("closure_rate", scope).counts
    assert (closure["numerator"], closure["denominator"]) == (2, 6)
    assert _numbers(kpis.part_queryset("valid_complaint_rate", "numerator", scope)) == {t["C1"].number,
                                                                                        t["I1"].number}
    _header, rows = ledgers.complaint_ledger(scope)
    assert len(list(rows)) == 5


def test_r_m1_17_p_08_project_row_overrides_the_company(cast: Any, frozen_now: dt.datetime) -> None:
    """Company counts them, 阳光花园 does not: over both projects only 翠湖苑's internal complaint counts."""
    _dataset(cast, frozen_now)
    other = receive(cast, project=cast.other_project, acting_user=cast.outsider, content="员工更衣室漏水",
                    internal_staff=True)
    TicketPolicy.objects.create(company=cast.company, count_internal_staff_complaints=True)
    TicketPolicy.objects.create(company=cast.company, project=cast.project, count_internal_staff_complaints=False)
    scope = _scope(cast, frozen_now, cast.project, cast.other_project)
    assert kpis.compute("received", scope).counts["complaint"] == 4  # C1–C3 + 翠湖苑's internal one
    assert other.number in _numbers(kpis.part_queryset("received", "complaint", scope))
    by_project = {r["key"]: r["count"] for r in kpis.breakdown(scope, "project", code="received", part="complaint")}
    assert by_project == {cast.project.pk: 3, cast.other_project.pk: 1}


def test_r_m1_17_p_08_repeat_complaints_ignore_an_earlier_internal_one(cast: Any, frozen_now: dt.datetime) -> None:
    """A customer's complaint is not a "repeat" because an internal staff member complained first."""
    from apps.estates.models import Building, Household

    b = Building.objects.create(project=cast.project, name="9栋")
    h = Household.objects.create(project=cast.project, building=b, room_no="101", label="9栋101")
    from apps.tickets.models import Category

    lights = Category.objects.filter(company=None, active=True).order_by("pk").first()
    receive(cast, household=h, category=lights, content="楼道灯不亮", internal_staff=True,
            received_at=frozen_now - dt.timedelta(days=3))
    receive(cast, household=h, category=lights, content="楼道灯还是不亮")
    scope = _scope(cast, frozen_now)
    assert kpis.compute("repeat_complaints", scope).counts["numerator"] == 0
    TicketPolicy.objects.create(company=cast.company, count_internal_staff_complaints=True)
    assert kpis.compute("repeat_complaints", scope).counts["numerator"] == 1


def test_r_m1_17_p_08_no_repeat_through_a_same_complaint_group_with_an_internal_one(cast: Any,
                                                                                   frozen_now: dt.datetime) -> None:
    """A customer's complaint grouped (same complaint, R-M3-04) with an earlier internal-staff complaint
    is not a repeat under the P-08 default; when the company counts internal staff, it is."""
    from apps.escalation.models import ClusterMember

    first = receive(cast, content="5栋楼道灯一直不亮", internal_staff=True,
                    received_at=frozen_now - dt.timedelta(days=3))
    later = receive(cast, content="五号楼走廊照明坏了好几天")
    from apps.escalation.actions import attach_to_cluster

    attach_to_cluster(later, now=frozen_now)  # what the ticket_received receiver does after commit
    grouped = ClusterMember.objects.filter(ticket=later).values_list("cluster_id", flat=True).first()
    assert grouped is not None and ClusterMember.objects.filter(cluster_id=grouped, ticket=first).exists()
    scope = _scope(cast, frozen_now)
    assert kpis.compute("repeat_complaints", scope).counts["numerator"] == 0
    TicketPolicy.objects.create(company=cast.company, count_internal_staff_complaints=True)
    assert kpis.compute("repeat_complaints", scope).counts["numerator"] == 1
