"""NCR pages (R-M2-04, R-M19-08): the ticket panel, raising, the list with filters, detail with the
steps each role may take, the printable form; bad input and refused steps show Chinese messages."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.quality import actions
from apps.quality.models import NcrStatus, NonconformityReport
from apps.quality.tests.conftest import raise_for

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def raise_data(**over: Any) -> dict[str, Any]:
    data = {"nonconformity": "地下车库顶板渗水，三辆车漆面受损",
            "beyond_authority_reason": "涉及防水大修和车辆赔偿，须报公司决定", "cause_analysis": "",
            "correction": "", "corrective_action": "", "preventive_action": "", "department": ""}
    data.update(over)
    return data


def test_r_m2_04_ticket_page_offers_raising_to_a_manager_only(cast: Any, mrep: Any, complaint: Any) -> None:
    url = reverse("tickets:detail", args=[complaint.pk])
    page = login(cast.cs_manager).get(url).content.decode()
    assert 'data-testid="ncr-raise-link"' in page and reverse("quality:ncr_raise", args=[complaint.pk]) in page
    page = login(cast.front_desk).get(url).content.decode()
    assert 'data-testid="ncr-raise-link"' not in page and 'data-testid="section-ncr"' not in page


def test_r_m2_04_raise_page_creates_the_report_and_the_ticket_shows_the_gate(cast: Any, mrep: Any, complaint: Any,
                                                                              frozen_now: dt.datetime) -> None:
    c = login(cast.cs_manager)
    url = reverse("quality:ncr_raise", args=[complaint.pk])
    r = c.get(url)
    assert r.status_code == 200 and "提出《不合格/纠正、预防措施报告》" in r.content.decode()
    r = c.post(url, raise_data(department=cast.eng_dept.pk))
    report = NonconformityReport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("quality:ncr_detail", args=[report.pk])
    assert report.department == cast.eng_dept and report.raised_by == cast.cs_manager
    page = c.get(reverse("tickets:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="ncr-gate"' in page and report.number in page
    assert 'data-testid="ncr-raise-link"' not in page  # one open report per ticket
    # the front desk's dispatch through the ticket page is refused with the Chinese message (409)
    r = login(cast.front_desk).post(reverse("tickets:action", args=[complaint.pk, "dispatch"]),
                                    {"department": cast.eng_dept.pk, "assignee": cast.worker.pk})
    assert r.status_code == 409 and "须经管理者代表签发后才能开始处理" in r.content.decode()


def test_raise_page_bad_input_and_refusals(cast: Any, mrep: Any, complaint: Any) -> None:
    c = login(cast.cs_manager)
    url = reverse("quality:ncr_raise", args=[complaint.pk])
    r = c.post(url, raise_data(nonconformity=""))
    assert r.status_code == 422 and "请填写不合格事实（至少4个字）" in r.content.decode()
    assert not NonconformityReport.objects.exists()
    r = login(cast.front_desk).get(url)
    assert r.status_code == 403 and "只有部门经理" in r.content.decode()
    r = login(cast.front_desk).post(url, raise_data())
    assert r.status_code == 403 and not NonconformityReport.objects.exists()
    assert login(cast.outsider).get(url).status_code == 404
    c.post(url, raise_data())
    r = c.post(url, raise_data())
    assert r.status_code == 409 and "该工单已有未关闭的不合格报告" in r.content.decode()


def test_r_m19_08_detail_offers_signing_to_the_management_rep_only(cast: Any, mrep: Any, complaint: Any,
                                                                   frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    url = reverse("quality:ncr_detail", args=[report.pk])
    page = login(mrep).get(url).content.decode()
    assert 'data-testid="ncr-action-sign"' in page and 'data-testid="ncr-action-return"' in page
    page = login(cast.cs_manager).get(url).content.decode()
    assert 'data-testid="ncr-action-sign"' not in page and 'data-testid="ncr-action-withdraw"' in page
    assert 'data-testid="ncr-gate"' in page
    sign = reverse("quality:ncr_action", args=[report.pk, "sign"])
    r = login(cast.cs_manager).post(sign, {"opinion": "同意"})
    assert r.status_code == 403 and "只有管理者代表可以签发" in r.content.decode()
    r = login(mrep).post(sign, {"opinion": ""})
    assert r.status_code == 422 and "请填写管理者代表意见" in r.content.decode()
    report.refresh_from_db()
    assert report.status == NcrStatus.AWAITING_SIGNATURE
    r = login(mrep).post(sign, {"opinion": "同意先行维修"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.signed_by) == (NcrStatus.SIGNED, mrep)
    r = login(mrep).post(sign, {"opinion": "再签一次"})
    assert r.status_code == 409 and "已由" in r.content.decode()
    assert login(cast.outsider).get(url).status_code == 404
    assert login(mrep).post(reverse("quality:ncr_action", args=[report.pk, "nosuchop"]), {}).status_code == 404


def test_detail_return_update_verify_through_the_pages(cast: Any, mrep: Any, complaint: Any,
                                                       frozen_now: dt.datetime) -> None:
    from apps.tickets.tests.helpers import to_replied

    report = raise_for(cast, complaint, frozen_now)
    op = lambda name: reverse("quality:ncr_action", args=[report.pk, name])  # noqa: E731
    assert login(mrep).post(op("return"), {"reason": "请补充维修报价"}).status_code == 302
    page = login(cast.cs_manager).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert "请补充维修报价" in page and "补充后重新提交" in page
    texts = {"nonconformity": "地下车库顶板渗水，维修报价4万元", "beyond_authority_reason": "涉及大修，须报公司决定",
             "cause_analysis": "", "correction": "", "corrective_action": "", "preventive_action": ""}
    assert login(cast.cs_manager).post(op("update"), texts).status_code == 302
    assert login(mrep).post(op("sign"), {"opinion": "同意"}).status_code == 302
    to_replied(cast, complaint, frozen_now)
    page = login(cast.eng_head).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert 'name="corrective_action"' in page and 'name="nonconformity"' not in page  # signed facts stay
    actions_only = {"cause_analysis": "防水层老化", "correction": "修补顶板防水", "corrective_action": "更换整层防水层",
                    "preventive_action": "", "nonconformity": "企图改写已签发的事实"}
    assert login(cast.eng_head).post(op("update"), actions_only).status_code == 302
    report.refresh_from_db()
    assert report.nonconformity == "地下车库顶板渗水，维修报价4万元" and report.corrective_action == "更换整层防水层"
    r = login(mrep).post(op("verify"), {"effective": "1", "note": ""})
    assert r.status_code == 422 and "请填写验证情况" in r.content.decode()
    assert login(mrep).post(op("verify"), {"effective": "1", "note": "雨后复查无渗漏"}).status_code == 302
    report.refresh_from_db()
    assert report.status == NcrStatus.CLOSED
    page = login(mrep).get(reverse("quality:ncr_detail", args=[report.pk])).content.decode()
    assert page.count('data-testid="ncr-event"') == 6 and "当前没有您可以办理的步骤" in page
    assert list(report.events.values_list("kind", flat=True)) == ["raised", "returned", "resubmitted", "signed",
                                                                   "updated", "verified"]


def test_list_filters_and_puts_awaiting_first_for_the_management_rep(cast: Any, mrep: Any,
                                                                     frozen_now: dt.datetime) -> None:
    from apps.tickets.tests.helpers import receive

    a = raise_for(cast, receive(cast, content="第一件"), frozen_now)
    actions.sign_ncr(report=a, opinion="同意", acting_user=mrep, now=frozen_now)
    b = raise_for(cast, receive(cast, content="第二件"), frozen_now - dt.timedelta(hours=3))
    other = receive(cast, project=cast.other_project, acting_user=cast.outsider, content="翠湖苑")
    c_report = raise_for(cast, other, frozen_now + dt.timedelta(hours=1), acting_user=cast.quality_inspector)
    url = reverse("quality:ncr_list")
    page = login(mrep).get(url).content.decode()
    order = [page.index(x.number) for x in (c_report, b, a)]
    assert order == sorted(order) and 'data-testid="ncr-sign-hint"' in page
    page = login(mrep).get(url, {"status": "signed"}).content.decode()
    assert a.number in page and b.number not in page
    page = login(mrep).get(url, {"project": cast.other_project.pk}).content.decode()
    assert c_report.number in page and a.number not in page
    page = login(cast.front_desk).get(url).content.decode()  # 阳光花园 only
    assert a.number in page and b.number in page and c_report.number not in page
    assert login(mrep).get(url, {"status": "bogus", "project": "x"}).status_code == 200
    assert login(cast.nobody).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_printable_form_masks_the_phone(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    actions.sign_ncr(report=report, opinion="同意先行维修", acting_user=mrep, now=frozen_now)
    r = login(cast.cs_manager).get(reverse("quality:ncr_print", args=[report.pk]))
    page = r.content.decode()
    assert r.status_code == 200 and "不合格/纠正、预防措施报告" in page and report.number in page
    assert "13800138888" not in page and "138****8888" in page
    assert "同意先行维修" in page and "冯代表" in page and "2026-11-23 10:00" in page
    assert login(cast.outsider).get(reverse("quality:ncr_print", args=[report.pk])).status_code == 404


def test_home_page_shows_the_management_rep_what_awaits_signature(cast: Any, mrep: Any, complaint: Any,
                                                                  frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    page = login(mrep).get("/").content.decode()
    assert 'data-panel="management_rep"' in page and report.number in page


def test_admin_lists_reports(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    from apps.org.tests.factories import UserFactory

    report = raise_for(cast, complaint, frozen_now)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    c = login(admin)
    assert report.number in c.get(reverse("admin:quality_nonconformityreport_changelist")).content.decode()
    assert c.get(reverse("admin:quality_nonconformityreport_change", args=[report.pk])).status_code == 200


def test_printable_form_as_pdf(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    report = raise_for(cast, complaint, frozen_now)
    r = login(mrep).get(reverse("quality:ncr_print", args=[report.pk]), {"format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert f'filename="{report.number}.pdf"' in r["Content-Disposition"]
