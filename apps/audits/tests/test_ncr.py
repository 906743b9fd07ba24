"""Issue 20 item 2: a nonconforming audit item raises an NCR through the quality module's action
(R-M13-02 with R-M2-04 and R-M19-08), on the page and through the API."""

from __future__ import annotations

import pytest

from apps.api.actions import issue_token
from apps.audits import actions
from apps.audits.models import AuditFinding, FindingResult
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.quality.models import NcrStatus, NonconformityReport
from apps.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _nonconform(audit, user, now, code="B3.1"):
    f = AuditFinding.objects.get(audit=audit, item__code=code)
    return actions.answer_item(
        finding=f,
        result=FindingResult.NONCONFORM,
        note="月度总结迟交",
        override_reason="现场核实",
        acting_user=user,
        now=now,
    )


def _rep(cast):
    return member(UserFactory(username="rep"), Role.MANAGEMENT_REP, company=cast.company)


def test_r_m13_02_r_m2_04_audit_finding_raises_ncr_through_the_page(client, cast, open_audit, frozen_now):
    _rep(cast)
    audit = open_audit()
    f = _nonconform(audit, cast.quality_inspector, frozen_now)
    client.force_login(cast.quality_inspector)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert 'data-testid="ncr-form"' in page and page.count('data-testid="ncr-form"') == 1  # only the nonconform item
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/ncr/", {f"n{f.pk}-beyond_authority_reason": "需公司协调整改"})
    assert r.status_code == 302, r.content.decode()
    report = NonconformityReport.objects.get()
    f.refresh_from_db()
    assert f.ncr_id == report.pk and report.status == NcrStatus.AWAITING_SIGNATURE
    assert report.project == cast.project and "B3.1" in report.nonconformity and "月度总结迟交" in report.nonconformity
    assert report.ticket.project == cast.project
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert report.number in page and 'data-testid="ncr-form"' not in page
    assert "R-M" not in page


def test_r_m13_02_ncr_page_refusals_in_chinese_nothing_written(client, cast, open_audit, frozen_now):
    """Too short a reason; no 管理者代表 yet (the quality module refuses): 4xx, message shown, nothing written."""
    audit = open_audit()
    f = _nonconform(audit, cast.quality_inspector, frozen_now)
    client.force_login(cast.quality_inspector)
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/ncr/", {f"n{f.pk}-beyond_authority_reason": "急"})
    assert r.status_code == 422 and "至少4个字" in r.content.decode()
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/ncr/", {f"n{f.pk}-beyond_authority_reason": "需公司协调整改"})
    assert r.status_code == 409 and "管理者代表" in r.content.decode()
    assert not NonconformityReport.objects.exists() and not Ticket.objects.exists()
    assert AuditFinding.objects.get(pk=f.pk).ncr_id is None
    # a front desk may not raise one
    client.force_login(cast.front_desk)
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/ncr/", {f"n{f.pk}-beyond_authority_reason": "需公司协调整改"})
    assert r.status_code in (403, 404)


def _auth(user, now):
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_m13_02_r_m19_08_audit_finding_ncr_through_the_api(client, cast, open_audit, frozen_now):
    _rep(cast)
    audit = open_audit()
    f = _nonconform(audit, cast.quality_inspector, frozen_now)
    ok = AuditFinding.objects.get(audit=audit, item__code="B3.2")
    actions.answer_item(
        finding=ok,
        result=FindingResult.CONFORM,
        override_reason="现场核实",
        acting_user=cast.quality_inspector,
        now=frozen_now,
    )
    q = _auth(cast.quality_inspector, frozen_now)
    url = f"/api/v1/audits/{audit.pk}/findings/{{}}/ncr"
    body = {"beyond_authority_reason": "需公司协调整改"}
    r = client.post(url.format(ok.pk), body, content_type="application/json", **q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_nonconform"
    # the project manager reads the audit but does not conduct it
    r = client.post(url.format(f.pk), body, content_type="application/json", **_auth(cast.project_manager, frozen_now))
    assert r.status_code == 403
    r = client.post(url.format(f.pk), {"beyond_authority_reason": ""}, content_type="application/json", **q)
    assert r.status_code == 422 and "beyond_authority_reason" in r.json()["error"]["fields"]
    r = client.post(url.format(f.pk), body, content_type="application/json", **q)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["ncr_number"] == NonconformityReport.objects.get().number and data["status"] == "awaiting_signature"
    r = client.post(url.format(f.pk), body, content_type="application/json", **q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ncr_exists"
    assert NonconformityReport.objects.count() == 1
    detail = client.get(f"/api/v1/audits/{audit.pk}", **q).json()
    ids = [x["ncr_id"] for i in detail["indicators"] for row in i["rows"] for x in row["findings"] if x["id"] == f.pk]
    assert ids == [data["ncr_id"]]
    assert (
        client.post(
            url.format(f.pk), body, content_type="application/json", **_auth(cast.outsider, frozen_now)
        ).status_code
        == 404
    )
