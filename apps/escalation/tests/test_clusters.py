"""Same-complaint groups on real tickets (R-M3-02 b, R-M3-04, P-29; issue 5 item 3)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions, jobs, queries
from apps.escalation.models import ClusterMember, ClusterState, ComplaintCluster
from apps.escalation.tests.conftest import household
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _receive(ticket) -> None:
    """Run the intake job again (it already ran after the intake's commit): a repeat changes nothing."""
    jobs.evaluate_complaint(ticket_id=ticket.pk, kind=ticket.kind, now=ticket.received_at.isoformat())


def test_r_m3_02b_three_households_same_matter_within_month_make_hot(cast, complaint, outbox) -> None:
    h1, h2, h3 = household(cast, "5栋", "101"), household(cast, "5栋", "202"), household(cast, "5栋", "303")
    a = complaint("5栋楼道灯一直不亮", T0, household=h1)
    _receive(a)
    b = complaint("五号楼走廊照明坏了好几天", T0 + dt.timedelta(days=3), household=h2)
    _receive(b)
    unrelated = complaint("车库入口下雨积水", T0 + dt.timedelta(days=4), household=h3)
    _receive(unrelated)
    assert not ClusterMember.objects.filter(ticket=unrelated).exists()
    member = ClusterMember.objects.get(ticket=b)
    assert set(member.cluster.members.values_list("ticket_id", flat=True)) == {a.pk, b.pk}
    # the same household again does not count twice
    again = complaint("5栋楼道灯还是不亮", T0 + dt.timedelta(days=5), household=h1)
    _receive(again)
    again.refresh_from_db()
    assert again.escalation_level == "none"
    c = complaint("5号楼楼梯间的灯坏了晚上很黑", T0 + dt.timedelta(days=6), household=h3)
    _receive(c)
    cluster = ComplaintCluster.objects.get(pk=member.cluster_id)
    assert cluster.distinct_complainants == 3
    # R-M3-04: the system only suggests; nothing is hot until staff confirm the group
    assert cluster.state == ClusterState.SUGGESTED
    for t in (a, b, c, again):
        t.refresh_from_db()
        assert t.escalation_level == "none", t
    assert "cluster_to_confirm" in outbox.kinds()  # staff are asked to confirm
    actions.confirm_cluster(cluster, acting_user=cast.supervisor, now=T0 + dt.timedelta(days=6, hours=1))
    for t in (a, b, c, again):
        t.refresh_from_db()
        assert t.escalation_level == "hot", t
    assert queries.reasons_for(c)[0]["rule_id"] == "R-M3-02b"


def test_r_m3_04_other_building_and_outside_window_are_not_grouped(cast, complaint, outbox) -> None:
    a = complaint("5栋楼道灯一直不亮", T0)
    _receive(a)
    other_building = complaint("3栋楼道灯一直不亮", T0 + dt.timedelta(days=1))
    _receive(other_building)
    late = complaint("五号楼走廊照明坏了", T0 + dt.timedelta(days=40))  # outside [t − 1 month, t]
    _receive(late)
    other_project = complaint("5栋楼道灯一直不亮", T0 + dt.timedelta(days=1), project=cast.other_project,
                              receiver=cast.outsider)
    _receive(other_project)
    assert ClusterMember.objects.count() == 0


def test_r_m3_04_staff_confirm_split_merge_and_mark_anonymous_distinct(cast, complaint, outbox) -> None:
    a = complaint("12栋电梯经常困人", T0, phone="13800000001")
    b = complaint("十二号楼电梯又把人关在里面了", T0 + dt.timedelta(days=1), phone="13800000002")
    c = complaint("12号楼升降梯故障停运", T0 + dt.timedelta(days=2), anonymous=True)
    for t in (a, b, c):
        _receive(t)
    cluster = ClusterMember.objects.get(ticket=a).cluster
    assert cluster.members.count() == 3 and cluster.state == ClusterState.SUGGESTED
    now = T0 + dt.timedelta(days=2, hours=1)
    with pytest.raises(actions.NotAllowed):
        actions.confirm_cluster(cluster, acting_user=cast.worker, now=now)
    actions.confirm_cluster(cluster, acting_user=cast.supervisor, now=now, title="12栋电梯困人")
    a.refresh_from_db()
    assert a.escalation_level == "none"  # anonymous c does not count yet: 2 complainants
    actions.mark_distinct(ClusterMember.objects.get(ticket=c), distinct=True, acting_user=cast.supervisor, now=now)
    a.refresh_from_db()
    assert a.escalation_level == "hot"
    # split c out into its own group; the raised levels stay (only go up)
    alone = actions.split_cluster(cluster, ticket_ids=[c.pk], acting_user=cast.supervisor, now=now)
    assert ClusterMember.objects.get(ticket=c).cluster == alone
    with pytest.raises(actions.EscalationError):
        actions.split_cluster(cluster, ticket_ids=[a.pk, b.pk], acting_user=cast.supervisor, now=now)
    # a second group about the same lift is merged into the first
    d = complaint("12栋电梯按钮失灵", T0 + dt.timedelta(days=3))
    other = ComplaintCluster.objects.create(project=cast.project, title="按钮", created_at=now)
    ClusterMember.objects.update_or_create(ticket=d, defaults={"cluster": other, "added_at": now})
    actions.merge_clusters(cluster, [other], acting_user=cast.supervisor, now=now)
    other.refresh_from_db()
    assert other.state == ClusterState.DISSOLVED
    assert set(cluster.members.values_list("ticket_id", flat=True)) == {a.pk, b.pk, d.pk}
    with pytest.raises(actions.EscalationError):
        actions.merge_clusters(cluster, [ComplaintCluster.objects.create(project=cast.other_project, title="x",
                                                                         created_at=now)],
                               acting_user=cast.quality_inspector, now=now)
    # c was split out by staff: a later intake did not pull it back
    assert ClusterMember.objects.get(ticket=c).cluster == alone
    with pytest.raises(actions.EscalationError):
        actions.add_to_cluster(cluster, c, acting_user=cast.supervisor, now=now)
    e = complaint("物业费发票一直开不出来", T0 + dt.timedelta(days=4))
    actions.add_to_cluster(cluster, e, acting_user=cast.supervisor, now=now)  # staff add what the matcher missed
    assert cluster.members.count() == 4
