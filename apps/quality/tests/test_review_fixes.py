"""Review fixes of the NCR (R-M2-04, R-M19-08): who may change/withdraw, no edits while awaiting
signature, a company without 管理者代表, the ticket's fate, separation of duties, empty resubmits."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notify.models import Notification
from apps.org.models import Membership
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.quality import actions
from apps.quality.actions import QualityError
from apps.quality.models import NcrStatus, NonconformityReport
from apps.quality.tests.conftest import raise_for
from apps.tickets import actions as ticket_actions
from apps.tickets.tests.conftest import Api
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db(transaction=True)


def _refused(fn: Any, code: str, status: int, **kw: Any) -> QualityError:
    with pytest.raises(QualityError) as exc:
        fn(**kw)
    assert exc.value.code == code and exc.value.status == status, (exc.value.code, exc.value.message)
    return exc.value


def test_r_m2_04_other_department_head_cannot_withdraw_or_update(cast: Any, mrep: Any, complaint: Any,
                                                                 frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)  # cs_manager raises for the 工程部
    security_head: Any = UserFactory(username="sechead", display_name="安保主管")
    member(security_head, Role.DEPT_HEAD, company=cast.company, project=cast.project, department=cast.security_dept)
    err = _refused(actions.withdraw_ncr, "forbidden", 403, report=report, reason="误提交的报告",
                   acting_user=security_head, now=frozen_now)
    assert "本部门" in err.message
    # the 工程部 head (rank 20) of the report's department may not withdraw the 客服经理's (rank 30) report
    err = _refused(actions.withdraw_ncr, "forbidden", 403, report=report, reason="误提交的报告",
                   acting_user=cast.eng_head, now=frozen_now)
    assert "撤回" in err.message
    report.refresh_from_db()
    assert report.status == NcrStatus.AWAITING_SIGNATURE and report.blocks_handling
    actions.sign_ncr(report=report, opinion="同意", acting_user=mrep, now=frozen_now)
    _refused(actions.update_ncr, "forbidden", 403, report=report, acting_user=security_head, now=frozen_now,
             correction="换防水层")
    # the responsible department head records what it did; the 管理处经理 (same rank) and 品质管理部 may too
    actions.update_ncr(report=report, acting_user=cast.eng_head, now=frozen_now, correction="先行修补顶板")
    actions.update_ncr(report=report, acting_user=cast.project_manager, now=frozen_now, cause_analysis="防水层老化")
    actions.update_ncr(report=report, acting_user=cast.quality_inspector, now=frozen_now, preventive_action="年检")
    page = _client(security_head).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert 'name="correction"' not in page


def test_r_m2_04_raiser_and_same_rank_manager_may_withdraw(cast: Any, mrep: Any, complaint: Any,
                                                           frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    actions.withdraw_ncr(report=report, reason="属本部门权限内", acting_user=cast.project_manager, now=frozen_now)
    assert report.status == NcrStatus.WITHDRAWN


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_m2_04_no_text_edits_while_awaiting_signature(cast: Any, mrep: Any, complaint: Any,
                                                        frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    _refused(actions.update_ncr, "awaiting_signature", 409, report=report, acting_user=cast.cs_manager,
             now=frozen_now, nonconformity="其实只是一辆车受损")
    report.refresh_from_db()
    assert report.nonconformity == "地下车库顶板渗水，三辆车漆面受损"
    page = _client(cast.cs_manager).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert 'name="nonconformity"' not in page and "ncr-awaiting-no-edit" in page
    r = _client(cast.cs_manager).post(reverse("quality:ncr_action", args=[report.pk, "update"]),
                                      {"nonconformity": "其实只是一辆车受损", "beyond_authority_reason": "须报公司决定"})
    assert r.status_code == 409 and "不能修改" in r.content.decode()
    r = Api(cast.cs_manager).post(f"/api/v1/quality/ncr/{report.pk}/update", {"nonconformity": "其实只是一辆车受损"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "awaiting_signature"


def test_r_m2_04_raising_refused_without_a_management_rep(cast: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    assert not Membership.objects.filter(company=cast.company, role=Role.MANAGEMENT_REP).exists()
    err = _refused(raise_for, "no_management_rep", 409, cast=cast, ticket=complaint, now=frozen_now)
    assert err.message == "公司尚未设置管理者代表，无法提交不合格报告"
    assert not NonconformityReport.objects.exists()
    r = Api(cast.cs_manager).post(f"/api/v1/quality/tickets/{complaint.pk}/ncr",
                                  {"nonconformity": "地下车库顶板渗水", "beyond_authority_reason": "须报公司决定的事项"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_management_rep"


def test_r_m19_08_no_signing_for_a_closed_or_voided_ticket(cast: Any, mrep: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, content="外墙脱落砸坏车辆，要求赔偿")
    report = raise_for(cast, t, frozen_now)
    # the ticket is closed while the report still waits (e.g. the owner withdrew the complaint)
    from apps.tickets.models import Ticket

    Ticket.objects.filter(pk=t.pk).update(status="closed")
    _refused(actions.sign_ncr, "ticket_finished", 409, report=report, opinion="同意", acting_user=mrep,
             now=frozen_now)
    assert NonconformityReport.objects.get(pk=report.pk).status == NcrStatus.AWAITING_SIGNATURE


def test_r_m2_04_voiding_the_ticket_withdraws_its_unsigned_report(cast: Any, mrep: Any, complaint: Any,
                                                                  frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    ticket_actions.void_ticket(ticket=complaint, reason="重复登记", acting_user=cast.supervisor, now=frozen_now)
    report.refresh_from_db()
    assert report.status == NcrStatus.WITHDRAWN
    last = report.events.order_by("-id").first()
    assert last.kind == "withdrawn" and last.acting_user is None and "作废" in last.message
    page = _client(mrep).get(reverse("quality:ncr_list") + "?status=awaiting_signature").content.decode()
    assert report.number not in page
    _refused(actions.sign_ncr, "ncr_final", 409, report=report, opinion="同意", acting_user=mrep, now=frozen_now)


def test_r_m2_04_verification_refused_on_a_voided_ticket(cast: Any, mrep: Any, complaint: Any,
                                                         frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now, correction="修补", corrective_action="更换防水层")
    actions.sign_ncr(report=report, opinion="同意", acting_user=mrep, now=frozen_now)
    ticket_actions.void_ticket(ticket=complaint, reason="录错项目", acting_user=cast.supervisor, now=frozen_now)
    assert NonconformityReport.objects.get(pk=report.pk).status == NcrStatus.SIGNED  # signed ones stay
    _refused(actions.verify_ncr, "ticket_voided", 409, report=report, note="已整改完毕", acting_user=mrep,
             now=frozen_now)


def test_r_m19_08_raiser_cannot_sign_own_report(cast: Any, mrep: Any, complaint: Any,
                                                frozen_now: dt.datetime) -> None:
    member(mrep, Role.CS_MANAGER, company=cast.company, project=cast.project)  # also 客服经理 of the project
    report = raise_for(cast, complaint, frozen_now, acting_user=mrep)
    err = _refused(actions.sign_ncr, "own_report", 403, report=report, opinion="同意", acting_user=mrep,
                   now=frozen_now)
    assert "自己提出" in err.message
    assert NonconformityReport.objects.get(pk=report.pk).signed_by is None
    page = _client(mrep).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert 'name="opinion"' not in page


def test_r_m2_04_resubmit_without_a_change_is_refused(cast: Any, mrep: Any, complaint: Any,
                                                      frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    actions.return_ncr(report=report, reason="请补充维修报价", acting_user=mrep, now=frozen_now)
    _refused(actions.update_ncr, "no_change", 422, report=report, acting_user=cast.cs_manager, now=frozen_now,
             nonconformity=report.nonconformity)
    assert NonconformityReport.objects.get(pk=report.pk).status == NcrStatus.RETURNED
    actions.update_ncr(report=report, acting_user=cast.cs_manager, now=frozen_now,
                       cause_analysis="维修报价4万元")
    assert report.status == NcrStatus.AWAITING_SIGNATURE
    # notices are deduplicated per event: the resubmission notice is a new one
    assert Notification.objects.filter(kind="ncr_awaiting_signature", recipient=mrep).count() == 2
    n = Notification.objects.filter(kind="ncr_returned").get()
    assert n.link == reverse("quality:ncr_detail", args=[report.pk])


def test_r_m2_04_list_api_queries_do_not_grow_with_reports(cast: Any, mrep: Any, frozen_now: dt.datetime) -> None:
    def count() -> int:
        api = Api(mrep)
        with CaptureQueriesContext(connection) as ctx:
            r = api.get("/api/v1/quality/ncr")
        assert r.status_code == 200
        return len(ctx.captured_queries)

    raise_for(cast, receive(cast, content="第一件超出权限的投诉"), frozen_now)
    one = count()
    for i in range(3):
        raise_for(cast, receive(cast, content=f"第{i}件另外的投诉"), frozen_now)
    assert count() == one
    assert len(Api(mrep).get("/api/v1/quality/ncr").json()) == 4


def test_r_m2_04_demo_raises_nothing_without_a_management_rep(cast: Any, complaint: Any,
                                                              frozen_now: dt.datetime) -> None:
    from apps.quality.demo import load_demo_ncrs

    assert load_demo_ncrs(cast.company, now=frozen_now) == 0
    assert not NonconformityReport.objects.exists()
