"""/api/v1/audits: AS-34 and the refused inputs through the API (R-M13-01…-04)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from apps.api.actions import issue_token
from apps.audits.models import AuditFinding, StandardRow
from apps.audits.tests.conftest import AS34

pytestmark = pytest.mark.django_db


def _auth(user, now):
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, data, auth):
    return client.post(url, data, content_type="application/json", **auth)


def test_as_34_through_the_api(client, cast, standard, frozen_now):
    q = _auth(cast.quality_inspector, frozen_now)
    r = _post(client, "/api/v1/audits/", {"project_id": cast.project.pk, "audited_on": "2026-03-18",
                                          "period_start": "2026-01-01", "period_end": "2026-03-17"}, q)
    assert r.status_code == 201, r.content
    audit_id = r.json()["id"]
    for f in AuditFinding.objects.filter(audit_id=audit_id).select_related("item"):
        code = f.item.code
        body = ({"result": "nonconform", "count": AS34[code], "note": "发现", "override_reason": "现场核实"}
                if code in AS34 else {"result": "conform", "override_reason": "现场核实"})
        r = _post(client, f"/api/v1/audits/{audit_id}/findings/{f.pk}", body, q)
        assert r.status_code == 200, r.content
    r = _post(client, f"/api/v1/audits/{audit_id}/complete", {"summary": "  "}, q)
    assert r.status_code == 422 and r.json()["error"]["code"] == "summary_required"
    r = _post(client, f"/api/v1/audits/{audit_id}/complete", {"summary": "个别项目需整改"}, q)
    assert r.status_code == 200 and Decimal(r.json()["score"]) == Decimal("12.3")
    assert [Decimal(i["score"]) for i in r.json()["indicators"]] == [Decimal("0"), Decimal("7.4"), Decimal("4.9")]
    ranking = client.get("/api/v1/audits/ranking", **_auth(cast.project_manager, frozen_now)).json()
    assert ranking[0]["project_id"] == cast.project.pk


def test_r_m13_02_api_refuses_bad_input(client, cast, open_audit, frozen_now):
    audit = open_audit()
    q = _auth(cast.quality_inspector, frozen_now)
    f = AuditFinding.objects.get(audit=audit, item__code="B3.1")
    assert _post(client, f"/api/v1/audits/{audit.pk}/findings/{f.pk}", {"result": "conform"}, q).status_code == 200
    r = _post(client, f"/api/v1/audits/{audit.pk}/findings/{f.pk}", {"result": "nonconform", "note": "x"}, q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_answered"
    r = _post(client, f"/api/v1/audits/{audit.pk}/complete", {}, q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "unanswered"
    r = _post(client, f"/api/v1/audits/{audit.pk}/findings/{f.pk}", {"result": "maybe"}, q)
    assert r.status_code == 422
    # a front desk cannot audit; another project's staff does not see the audit
    assert _post(client, "/api/v1/audits/", {"project_id": cast.project.pk, "audited_on": "2026-03-18",
                                             "period_start": "2026-01-01", "period_end": "2026-03-17"},
                 _auth(cast.front_desk, frozen_now)).status_code == 403
    assert client.get(f"/api/v1/audits/{audit.pk}", **_auth(cast.outsider, frozen_now)).status_code == 404
    row = StandardRow.objects.get(code="B1", indicator__version=audit.version)
    r = _post(client, f"/api/v1/audits/standards/rows/{row.pk}", {"reason": "改读法", "mode": "by_count",
                                                                   "count_deductions": {"4": "0.2"}}, q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "version_in_use"
