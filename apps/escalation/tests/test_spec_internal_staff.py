"""R-M1-17 / POLICY P-08 in escalation: while internal-staff complaints are not customer complaints
(the default), an internal staff member is not one of the "≥ 3 different complainants" of R-M3-02 (b);
their complaint still joins the same-complaint group and is handled."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions, jobs
from apps.escalation.models import ClusterMember, ComplaintCluster
from apps.escalation.tests.conftest import household
from apps.tickets.models import TicketPolicy
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _receive(ticket) -> None:
    """Run the intake job again (it already ran after the intake's commit): a repeat changes nothing."""
    jobs.evaluate_complaint(ticket_id=ticket.pk, kind=ticket.kind, now=ticket.received_at.isoformat())


def _three(cast, complaint):
    h1, h2, h3 = household(cast, "5栋", "101"), household(cast, "5栋", "202"), household(cast, "5栋", "303")
    a = complaint("5栋楼道灯一直不亮", T0, household=h1)
    _receive(a)
    b = complaint("五号楼走廊照明坏了好几天", T0 + dt.timedelta(days=3), household=h2)
    _receive(b)
    staff = complaint("5号楼楼梯间的灯坏了晚上很黑", T0 + dt.timedelta(days=6), household=h3, internal_staff=True)
    _receive(staff)
    return a, b, staff


def test_r_m1_17_p_08_internal_staff_is_not_a_distinct_complainant(cast, complaint, outbox) -> None:
    a, b, staff = _three(cast, complaint)
    member = ClusterMember.objects.get(ticket=staff)  # grouped with the others all the same
    cluster = ComplaintCluster.objects.get(pk=member.cluster_id)
    assert set(cluster.members.values_list("ticket_id", flat=True)) == {a.pk, b.pk, staff.pk}
    assert cluster.distinct_complainants == 2
    for t in (a, b, staff):
        t.refresh_from_db()
        assert t.escalation_level == "none", t


def test_r_m1_17_p_08_counted_when_the_company_includes_them(cast, complaint, outbox) -> None:
    TicketPolicy.objects.create(company=cast.company, count_internal_staff_complaints=True)
    a, b, staff = _three(cast, complaint)
    cluster = ClusterMember.objects.get(ticket=staff).cluster
    assert cluster.distinct_complainants == 3
    actions.confirm_cluster(cluster, acting_user=cast.supervisor, now=staff.received_at)  # R-M3-04
    staff.refresh_from_db()
    assert staff.escalation_level == "hot"
