"""Annual and external evaluations (R-M18-11) and emergency plans with drills (R-M18-15) through the
pages and the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.api.actions import issue_token
from apps.inspections import actions
from apps.inspections.models import EmergencyPlan, Evaluation
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _jpeg(name="cert.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 80)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_r_m18_11_evaluation_page_records_result_and_proof(client, cast, frozen_now):
    url = f"/inspections/evaluations/?project={cast.project.pk}"
    client.force_login(cast.quality_inspector)
    r = client.get(url)
    assert r.status_code == 200 and "evaluation-form" in r.content.decode() and "R-M" not in r.content.decode()
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "kind": "certification",
            "held_on": "2026-12-20",
            "body": "深圳质量认证中心",
            "result": "通过",
        },
    )
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode() and not Evaluation.objects.exists()
    fake = SimpleUploadedFile("cert.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "kind": "certification",
            "held_on": "2026-11-10",
            "body": "深圳质量认证中心",
            "result": "通过",
            "attachment": fake,
        },
    )
    assert r.status_code == 400 and not Evaluation.objects.exists()
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "kind": "certification",
            "held_on": "2026-11-10",
            "body": "深圳质量认证中心",
            "result": "监督审核通过，无严重不符合项",
            "attachment": _jpeg(),
        },
    )
    assert r.status_code == 302
    ev = Evaluation.objects.get()
    assert ev.kind_label == "认证机构监督/复审" and ev.attachment
    body = client.get(url).content.decode()
    assert "深圳质量认证中心" in body and "认证机构监督/复审" in body
    assert client.get(f"/inspections/evaluations/{ev.pk}/attachment/").status_code == 200
    client.force_login(cast.butler)
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "kind": "customer",
            "held_on": "2026-11-10",
            "body": "客服部",
            "result": "满意率 92%",
        },
    )
    assert r.status_code == 403 and Evaluation.objects.count() == 1
    client.force_login(cast.outsider)
    assert client.get(f"/inspections/evaluations/{ev.pk}/attachment/").status_code == 404


def test_r_m18_11_evaluation_api(client, cast, frozen_now):
    auth = _auth(cast.quality_inspector)
    r = client.post(
        "/api/v1/inspections/evaluations",
        {
            "project_id": cast.project.pk,
            "kind": "nonsense",
            "held_on": "2026-11-01",
            "body": "品质管理部",
            "result": "x",
        },
        **auth,
    )
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"] and not Evaluation.objects.exists()
    r = client.post(
        "/api/v1/inspections/evaluations",
        {
            "project_id": cast.project.pk,
            "kind": "iso_internal",
            "held_on": "2026-11-01",
            "body": "品质管理部",
            "result": "不符合项 3 项，已下发纠正措施",
            "attachment": _jpeg(),
        },
        **auth,
    )
    assert r.status_code == 201 and r.json()["has_attachment"] and r.json()["kind_label"] == "ISO内部审核"
    r = client.get(f"/api/v1/inspections/evaluations?project={cast.project.pk}&year=2026", **auth)
    assert r.status_code == 200 and [e["kind"] for e in r.json()] == ["iso_internal"]
    r = client.get(f"/api/v1/inspections/evaluations?project={cast.other_project.pk}", **_auth(cast.project_manager))
    assert r.status_code == 404


PLAN = "总指挥：管理处经理；现场：安管主管带队疏散；工程部切断电源；客服中心通知业主并联系119。"


def test_r_m18_15_emergency_plan_page_versions_and_drills(client, cast, frozen_now, sig):
    url = f"/inspections/emergency-plans/?project={cast.project.pk}"
    client.force_login(cast.project_manager)
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "emergency": "火警",
            "version": "A0",
            "issued_on": "2026-01-05",
            "organisation": "见附件",
        },
    )
    assert r.status_code == 400 and "具体措施" in r.content.decode() and not EmergencyPlan.objects.exists()
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "emergency": "火警",
            "version": "A0",
            "issued_on": "2026-01-05",
            "organisation": PLAN,
        },
    )
    assert r.status_code == 302
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "emergency": "火警",
            "version": "A0",
            "issued_on": "2026-06-05",
            "organisation": PLAN,
        },
    )
    assert r.status_code == 400 and "已存在" in r.content.decode() and EmergencyPlan.objects.count() == 1
    r = client.post(
        url,
        {
            "project": cast.project.pk,
            "emergency": "火警",
            "version": "A1",
            "issued_on": "2026-06-05",
            "organisation": PLAN + "增设微型消防站。",
        },
    )
    assert r.status_code == 302
    actions.record_inspection(
        project=cast.project,
        kind="emergency_drill",
        inspected_at=frozen_now,
        scope="火警应急预案演练（3栋）",
        acting_user=cast.project_manager,
        now=frozen_now,
        all_normal=True,
        inspector_signature=sig,
    )
    body = client.get(url).content.decode()
    assert body.count('data-testid="plan-row"') == 1 and "A1" in body and "微型消防站" in body
    assert "火警应急预案演练（3栋）" in body and "R-M" not in body


def test_r_m18_15_emergency_plan_api(client, cast, frozen_now):
    payload = {
        "project_id": cast.project.pk,
        "emergency": "电梯困人",
        "version": "2026",
        "issued_on": "2026-03-01",
        "organisation": "工程部值班电工 5 分钟内到场，维保单位 30 分钟内到场；客服中心安抚并记录。",
    }
    r = client.post(
        "/api/v1/inspections/emergency-plans", payload, content_type="application/json", **_auth(cast.butler)
    )
    assert r.status_code in (403, 404) and not EmergencyPlan.objects.exists()
    auth = _auth(cast.project_manager)
    r = client.post("/api/v1/inspections/emergency-plans", payload, content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["current"]
    r = client.post("/api/v1/inspections/emergency-plans", payload, content_type="application/json", **auth)
    assert r.status_code == 409 and "version" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/inspections/emergency-plans",
        {**payload, "version": "2027", "issued_on": "2026-11-01"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201
    r = client.get(f"/api/v1/inspections/emergency-plans?project={cast.project.pk}", **auth)
    plans = r.json()["plans"]
    assert r.status_code == 200 and [(p["version"], p["current"]) for p in plans] == [("2027", True), ("2026", False)]
