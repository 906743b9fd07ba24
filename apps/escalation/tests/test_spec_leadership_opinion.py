"""R-M3-12: the leadership's handling opinion on a complaint that could not be resolved."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from apps.escalation.models import LeadershipOpinion
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
LATER = dt.datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)


def test_r_m3_12_opinion_who_and_date_are_recorded(cast, complaint, outbox) -> None:
    t = complaint("地下车库渗水多次维修未解决", T0)
    o = actions.record_leadership_opinion(t, opinion="由工程部牵头请开发商维修，两周内给业主书面答复",
                                          given_by_name="张总（分管副总）", given_on=dt.date(2026, 11, 19),
                                          acting_user=cast.quality_inspector, now=LATER)
    o.refresh_from_db()
    assert (o.ticket_id, o.given_by_name, o.given_on, o.recorded_by_id, o.recorded_at) == (
        t.pk, "张总（分管副总）", dt.date(2026, 11, 19), cast.quality_inspector.pk, LATER)
    assert o.opinion.startswith("由工程部牵头")
    # a leader with a login records their own opinion; the name defaults to theirs
    own = actions.record_leadership_opinion(t, opinion="同意品质部意见", given_by=cast.leader,
                                            given_on=dt.date(2026, 11, 20), acting_user=cast.leader, now=LATER)
    assert own.given_by_id == cast.leader.pk and own.given_by_name
    assert list(LeadershipOpinion.objects.filter(ticket=t).values_list("given_on", flat=True)) == [
        dt.date(2026, 11, 19), dt.date(2026, 11, 20)]


@pytest.mark.parametrize(("kw", "field"), [
    ({"opinion": "好"}, "opinion"),
    ({"given_by_name": " "}, "given_by_name"),
    ({"given_on": dt.date(2026, 11, 21)}, "given_on"),  # in the future
    ({"given_on": dt.date(2026, 11, 1)}, "given_on"),  # before the complaint was received
])
def test_r_m3_12_bad_input_is_refused_in_chinese(cast, complaint, outbox, kw, field) -> None:
    t = complaint("电梯经常停运", T0)
    args = {"opinion": "请物业经理督办", "given_by_name": "王总", "given_on": dt.date(2026, 11, 20), **kw}
    with pytest.raises(actions.EscalationError) as err:
        actions.record_leadership_opinion(t, acting_user=cast.quality_inspector, now=LATER, **args)
    assert err.value.field == field and any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
    assert not LeadershipOpinion.objects.exists()


def test_r_m3_12_only_escalating_staff_record_and_page_shows_it(cast, complaint, outbox, client) -> None:
    t = complaint("物业费公示不清", T0)
    with pytest.raises(actions.NotAllowed):
        actions.record_leadership_opinion(t, opinion="请财务说明", given_by_name="王总", given_on=dt.date(2026, 11, 20),
                                          acting_user=cast.worker, now=LATER)
    client.force_login(cast.cs_manager)
    with clock.frozen(LATER):
        r = client.post(f"/escalation/tickets/{t.pk}/opinion/",
                        {"opinion": "三日内召开业主说明会", "given_by_name": "公司管理层", "given_on": "2026-11-20"})
        assert r.status_code == 302
        page = client.get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert "三日内召开业主说明会" in page and "公司管理层" in page and "2026-11-20" in page
    assert LeadershipOpinion.objects.get(ticket=t).recorded_by_id == cast.cs_manager.pk
