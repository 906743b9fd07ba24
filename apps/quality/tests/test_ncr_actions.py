"""《不合格/纠正、预防措施报告》: raise, sign, return, verify, withdraw (R-M2-04, R-M19-08)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.notify.models import Notification
from apps.org.access import has_cap
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.quality import actions, queries
from apps.quality.actions import QualityError
from apps.quality.models import NcrEvent, NcrStatus, NonconformityReport
from apps.quality.tests.conftest import raise_for
from apps.tickets.choices import TicketEventKind
from apps.tickets.models import TicketEvent
from apps.tickets.tests.helpers import to_closed, to_replied

pytestmark = pytest.mark.django_db(transaction=True)


def test_r_m19_08_management_rep_is_company_level_rank_40_and_alone_signs() -> None:
    info = ROLE_INFO[Role.MANAGEMENT_REP]
    assert info.company_level and info.rank == 40
    assert {Cap.SIGN_NCR, Cap.VIEW_TICKETS, Cap.VIEW_REPORTS} <= info.caps
    assert [r for r, i in ROLE_INFO.items() if Cap.SIGN_NCR in i.caps] == [Role.MANAGEMENT_REP]
    raisers = {r for r, i in ROLE_INFO.items() if Cap.RAISE_NCR in i.caps}
    assert raisers == {Role.CS_MANAGER, Role.PROJECT_MANAGER, Role.DEPT_HEAD, Role.QUALITY}
    assert Role.MANAGEMENT_REP.label == "管理者代表"


def test_r_m19_08_management_rep_sees_every_project(cast: Any, mrep: Any) -> None:
    assert has_cap(mrep, Cap.SIGN_NCR, cast.project) and has_cap(mrep, Cap.SIGN_NCR, cast.other_project)
    assert has_cap(mrep, Cap.VIEW_TICKETS, cast.other_project)
    assert not has_cap(mrep, Cap.DISPATCH, cast.project)


def test_r_m2_04_raise_numbers_records_and_notifies_the_management_reps(cast: Any, mrep: Any, complaint: Any,
                                                                        frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now, cause_analysis="防水层老化")
    assert r.number == "NCR-2026-0001" and (r.year, r.seq) == (2026, 1)
    assert r.status == NcrStatus.AWAITING_SIGNATURE and r.raised_by == cast.cs_manager and r.raised_at == frozen_now
    assert r.project == cast.project and r.department == cast.eng_dept and r.cause_analysis == "防水层老化"
    assert list(r.events.values_list("kind", "new_status")) == [("raised", "awaiting_signature")]
    note = TicketEvent.objects.get(ticket=complaint, kind=TicketEventKind.NOTE, extra__ncr=r.pk)
    assert "NCR-2026-0001" in note.message and note.acting_user == cast.cs_manager
    n = Notification.objects.get(kind="ncr_awaiting_signature")
    assert n.recipient == mrep and "NCR-2026-0001" in n.subject and n.link == f"/quality/ncr/{r.pk}/"


def test_r_m2_04_numbering_is_per_company_and_year_and_unique(cast: Any, mrep: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.tests.helpers import receive

    numbers = []
    for i in range(3):
        t = receive(cast, content=f"第{i}件超出权限的投诉")
        numbers.append(raise_for(cast, t, frozen_now).number)
    assert numbers == ["NCR-2026-0001", "NCR-2026-0002", "NCR-2026-0003"]
    # the year is the project's local year (T-01): 2026-12-31 20:00 UTC is already 2027 in Shanghai
    new_year = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
    t = receive(cast, content="跨年的投诉", now=new_year)
    assert raise_for(cast, t, new_year).number == "NCR-2027-0001"
    assert NonconformityReport.objects.values("number").distinct().count() == 4


def test_r_m2_04_one_open_report_per_ticket(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    first = raise_for(cast, complaint, frozen_now)
    with pytest.raises(QualityError) as exc:
        raise_for(cast, complaint, frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "ncr_open") and first.number in exc.value.message
    assert NonconformityReport.objects.count() == 1
    # a withdrawn report no longer counts: a new one may be raised (numbers are not reused)
    actions.withdraw_ncr(report=first, reason="经核实属部门权限内", acting_user=cast.cs_manager, now=frozen_now)
    second = raise_for(cast, complaint, frozen_now)
    assert second.number == "NCR-2026-0002"


@pytest.mark.parametrize("who", ["front_desk", "butler", "supervisor", "worker", "leader", "sysadmin", "mrep",
                                 "nobody"])
def test_r_m2_04_only_department_managers_raise(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime,
                                                who: str) -> None:
    user = mrep if who == "mrep" else getattr(cast, who)
    with pytest.raises(QualityError) as exc:
        raise_for(cast, complaint, frozen_now, acting_user=user)
    assert exc.value.status in (403, 404)
    if who != "nobody":
        assert exc.value.status == 403 and exc.value.code == "forbidden"
    assert not NonconformityReport.objects.exists() and not NcrEvent.objects.exists()


@pytest.mark.parametrize("who", ["cs_manager", "project_manager", "eng_head", "quality_inspector"])
def test_r_m2_04_department_manager_roles_may_raise(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime,
                                                     who: str) -> None:
    r = raise_for(cast, complaint, frozen_now, acting_user=getattr(cast, who))
    assert r.raised_by == getattr(cast, who)


def test_raise_for_another_projects_ticket_is_not_found(cast: Any, mrep: Any, frozen_now: dt.datetime) -> None:
    from apps.org.tests.factories import UserFactory, member
    from apps.tickets.tests.helpers import receive

    t = receive(cast, project=cast.other_project, acting_user=cast.outsider, content="翠湖苑的投诉")
    manager: Any = UserFactory(username="yg_only")
    member(manager, Role.CS_MANAGER, company=cast.company, project=cast.project)
    with pytest.raises(QualityError) as exc:
        raise_for(cast, t, frozen_now, acting_user=manager)
    assert (exc.value.status, exc.value.code) == (404, "not_found")


@pytest.mark.parametrize("field, kw, message", [
    ("nonconformity", {"nonconformity": "  "}, "请填写不合格事实（至少4个字）"),
    ("nonconformity", {"nonconformity": "渗水"}, "请填写不合格事实（至少4个字）"),
    ("beyond_authority_reason", {"beyond_authority_reason": ""}, "请说明超出部门处理权限或需报请公司决定的原因（至少4个字）"),
    ("cause_analysis", {"cause_analysis": "长" * 4001}, "内容过长（最多4000字）"),
])
def test_r_m2_04_raise_refuses_bad_input_and_writes_nothing(cast: Any, mrep: Any, complaint: Any,
                                                            frozen_now: dt.datetime, field: str, kw: dict[str, str],
                                                            message: str) -> None:
    with pytest.raises(QualityError) as exc:
        raise_for(cast, complaint, frozen_now, **kw)
    assert exc.value.status == 422 and exc.value.fields == {field: [message]}
    assert not NonconformityReport.objects.exists()
    assert not TicketEvent.objects.filter(ticket=complaint, kind=TicketEventKind.NOTE).exists()
    assert not Notification.objects.filter(kind="ncr_awaiting_signature").exists()
    # nothing half-written: the counter rolled back, the next report is still number 1
    assert raise_for(cast, complaint, frozen_now).number == "NCR-2026-0001"


def test_raise_refuses_a_department_of_another_project_and_a_closed_ticket(cast: Any, mrep: Any, complaint: Any,
                                                                           frozen_now: dt.datetime) -> None:
    from apps.org.models import Department

    other = Department.objects.get(project=cast.other_project)
    with pytest.raises(QualityError) as exc:
        raise_for(cast, complaint, frozen_now, department=other)
    assert exc.value.fields == {"department": ["部门不属于该项目"]}
    to_closed(cast, complaint, frozen_now)
    with pytest.raises(QualityError) as exc:
        raise_for(cast, complaint, frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "ticket_closed")


def test_r_m19_08_only_the_management_rep_signs(cast: Any, mrep: Any, complaint: Any,
                                                frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    for user in (cast.cs_manager, cast.project_manager, cast.quality_inspector, cast.leader, cast.sysadmin,
                 cast.supervisor):
        with pytest.raises(QualityError) as exc:
            actions.sign_ncr(report=r, opinion="同意", acting_user=user, now=frozen_now)
        assert (exc.value.status, exc.value.code) == (403, "forbidden"), user
        assert "管理者代表" in exc.value.message
    r.refresh_from_db()
    assert r.status == NcrStatus.AWAITING_SIGNATURE and r.signed_by is None
    later = frozen_now + dt.timedelta(hours=2)
    actions.sign_ncr(report=r, opinion="同意先行维修，赔偿按公司流程报批", acting_user=mrep, now=later)
    r.refresh_from_db()
    assert (r.status, r.signed_by, r.signed_at) == (NcrStatus.SIGNED, mrep, later)
    assert r.sign_opinion == "同意先行维修，赔偿按公司流程报批"
    latest = r.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason, latest.status) == (mrep, "签发", "signed")
    assert r.history.count() == 2  # raised, signed
    n = Notification.objects.get(kind="ncr_signed")
    assert n.recipient == cast.cs_manager and r.number in n.subject


def test_r_m19_08_double_sign_is_a_conflict(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.sign_ncr(report=r, opinion="再次同意", acting_user=mrep, now=frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "already_signed")
    r.refresh_from_db()
    assert r.sign_opinion == "同意" and r.events.filter(kind="signed").count() == 1


def test_r_m19_08_sign_needs_an_opinion(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.sign_ncr(report=r, opinion="  ", acting_user=mrep, now=frozen_now)
    assert exc.value.fields == {"opinion": ["请填写管理者代表意见"]} and exc.value.status == 422
    r.refresh_from_db()
    assert r.status == NcrStatus.AWAITING_SIGNATURE


def test_r_m19_08_return_for_more_information_then_resubmit_and_sign(cast: Any, mrep: Any, complaint: Any,
                                                                     frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.return_ncr(report=r, reason="补", acting_user=mrep, now=frozen_now)
    assert exc.value.fields == {"reason": ["请填写退回原因（至少4个字）"]}
    with pytest.raises(QualityError) as exc:
        actions.return_ncr(report=r, reason="请补充受损车辆清单", acting_user=cast.cs_manager, now=frozen_now)
    assert exc.value.status == 403
    actions.return_ncr(report=r, reason="请补充受损车辆清单和维修报价", acting_user=mrep, now=frozen_now)
    r.refresh_from_db()
    assert r.status == NcrStatus.RETURNED and r.return_reason == "请补充受损车辆清单和维修报价"
    assert Notification.objects.get(kind="ncr_returned").recipient == cast.cs_manager
    with pytest.raises(QualityError) as exc:  # a returned report is resubmitted before it is signed
        actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "ncr_returned")
    actions.update_ncr(report=r, acting_user=cast.cs_manager, now=frozen_now,
                       nonconformity="地下车库顶板渗水，粤B12345等三辆车漆面受损，维修报价约4万元")
    r.refresh_from_db()
    assert r.status == NcrStatus.AWAITING_SIGNATURE
    assert list(r.events.values_list("kind", flat=True)) == ["raised", "returned", "resubmitted"]
    assert Notification.objects.filter(kind="ncr_awaiting_signature", recipient=mrep).count() == 2
    actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    r.refresh_from_db()
    assert r.status == NcrStatus.SIGNED


def test_update_after_signing_records_actions_but_not_the_signed_facts(cast: Any, mrep: Any, complaint: Any,
                                                                       frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.update_ncr(report=r, acting_user=cast.cs_manager, now=frozen_now, nonconformity="改写后的事实内容")
    assert (exc.value.status, exc.value.code, exc.value.field) == (409, "signed_fixed", "nonconformity")
    with pytest.raises(QualityError) as exc:
        actions.update_ncr(report=r, acting_user=cast.cs_manager, now=frozen_now, signed_by="x")
    assert exc.value.code == "unknown_field"
    with pytest.raises(QualityError) as exc:
        actions.update_ncr(report=r, acting_user=cast.worker, now=frozen_now, correction="维修顶板")
    assert exc.value.status == 403
    actions.update_ncr(report=r, acting_user=cast.eng_head, now=frozen_now, cause_analysis="防水层老化开裂",
                       correction="修补顶板防水，清洗受损车辆", corrective_action="更换整层防水层",
                       preventive_action="每年雨季前检查地库防水")
    r.refresh_from_db()
    assert (r.status, r.correction) == (NcrStatus.SIGNED, "修补顶板防水，清洗受损车辆")
    assert r.events.last().kind == "updated" and "纠正措施" in r.events.last().message


def test_verify_closes_after_handling_with_actions_recorded(cast: Any, mrep: Any, complaint: Any,
                                                            frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.verify_ncr(report=r, note="已整改完毕", acting_user=mrep, now=frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "actions_missing")
    actions.update_ncr(report=r, acting_user=cast.cs_manager, now=frozen_now, correction="修补顶板防水",
                       corrective_action="更换整层防水层")
    with pytest.raises(QualityError) as exc:
        actions.verify_ncr(report=r, note="已整改完毕", acting_user=mrep, now=frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "handling_not_done")
    to_replied(cast, complaint, frozen_now)
    for user in (cast.cs_manager, cast.front_desk):
        with pytest.raises(QualityError) as exc:
            actions.verify_ncr(report=r, note="已整改完毕", acting_user=user, now=frozen_now)
        assert exc.value.status == 403
    with pytest.raises(QualityError) as exc:
        actions.verify_ncr(report=r, note="", acting_user=mrep, now=frozen_now)
    assert exc.value.fields == {"note": ["请填写验证情况（至少4个字）"]}
    actions.verify_ncr(report=r, note="雨后复查无渗漏", effective=False, acting_user=cast.quality_inspector,
                       now=frozen_now)
    r.refresh_from_db()
    assert r.status == NcrStatus.SIGNED and r.verified_at is None
    assert Notification.objects.get(kind="ncr_not_effective").recipient == cast.cs_manager
    actions.verify_ncr(report=r, note="连续两场大雨后复查无渗漏", acting_user=mrep, now=frozen_now)
    r.refresh_from_db()
    assert (r.status, r.verified_by, r.effectiveness_note) == (NcrStatus.CLOSED, mrep, "连续两场大雨后复查无渗漏")
    with pytest.raises(QualityError) as exc:
        actions.update_ncr(report=r, acting_user=cast.cs_manager, now=frozen_now, correction="再改")
    assert exc.value.code == "ncr_final"
    with pytest.raises(QualityError) as exc:
        actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    assert exc.value.code == "already_signed"


def test_withdraw_only_unsigned(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    r = raise_for(cast, complaint, frozen_now)
    actions.sign_ncr(report=r, opinion="同意", acting_user=mrep, now=frozen_now)
    with pytest.raises(QualityError) as exc:
        actions.withdraw_ncr(report=r, reason="不再需要了", acting_user=cast.cs_manager, now=frozen_now)
    assert (exc.value.status, exc.value.code) == (409, "not_unsigned")


def test_list_puts_awaiting_signature_first_for_the_management_rep(cast: Any, mrep: Any,
                                                                   frozen_now: dt.datetime) -> None:
    from apps.tickets.tests.helpers import receive

    a = raise_for(cast, receive(cast, content="第一件"), frozen_now)
    actions.sign_ncr(report=a, opinion="同意", acting_user=mrep, now=frozen_now)
    b = raise_for(cast, receive(cast, content="第二件"), frozen_now - dt.timedelta(hours=1))
    c = raise_for(cast, receive(cast, content="第三件"), frozen_now + dt.timedelta(hours=1))
    actions.sign_ncr(report=c, opinion="同意", acting_user=mrep, now=frozen_now)
    assert [r.pk for r in queries.list_for(mrep)] == [b.pk, c.pk, a.pk]
    assert [r.pk for r in queries.list_for(cast.cs_manager)] == [c.pk, a.pk, b.pk]
    assert [r.pk for r in queries.list_for(mrep, status="signed")] == [c.pk, a.pk]
    assert list(queries.list_for(cast.outsider)) == []
