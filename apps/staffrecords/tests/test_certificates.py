"""R-M19-10: staff certificates with type, number, issuer and validity; an expired one is flagged and one
expiring soon is warned about — kept by the 办公室主任 (company) or 管理处经理 (their projects), through
the pages and /api/v1/staff-records/."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.staffrecords import actions
from apps.staffrecords.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(cast):
    return member(
        UserFactory(username="office", display_name="办公室王主任"), Role.OFFICE_DIRECTOR, company=cast.company
    ).user


def _cert(user, holder, now, number, valid_until, **kw):
    values = {"kind": "post", "name": "物业管理员岗位证书", "issuer": "市住建局", "issued_on": dt.date(2024, 1, 5)}
    values.update(kw)
    return actions.add_certificate(
        acting_user=user, now=now, holder=holder, number=number, valid_until=valid_until, **values
    )


def _auth(user, now):
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_m19_10_certificate_registered_on_the_page_and_expiry_flagged(client, cast, office, frozen_now):
    client.force_login(office)
    r = client.post(
        "/staff-records/certificates/new/",
        {
            "holder": cast.front_desk.pk,
            "kind": "post",
            "name": "客服岗位证书",
            "number": "GW-2024-001",
            "issuer": "市物业管理协会",
            "issued_on": "2024-03-01",
            "valid_until": "2026-12-31",
        },
    )
    assert r.status_code == 302, r.content.decode()
    _cert(office, cast.worker, frozen_now, "DG-1", dt.date(2026, 10, 1), kind="electrician", name="低压电工作业证")
    _cert(office, cast.butler, frozen_now, "ZY-1", None, kind="property_management", name="物业管理从业资格证")
    page = client.get("/staff-records/certificates/").content.decode()
    assert 'data-testid="expiry-warning"' in page and "已过期 1 张" in page and "60天内到期 1 张" in page
    states = {c: page.count(f'data-state="{c}"') for c in ("expired", "expiring", "valid")}
    assert states == {"expired": 1, "expiring": 1, "valid": 1}
    assert "长期有效" in page and 'class="cards"' in page and "R-M" not in page
    expired = client.get("/staff-records/certificates/?state=expired").content.decode()
    assert "低压电工作业证" in expired and "客服岗位证书" not in expired
    # renew: the history keeps the old date
    cert = Certificate.objects.get(number="DG-1")
    r = client.post(
        f"/staff-records/certificates/{cert.pk}/edit/",
        {
            "holder": cast.worker.pk,
            "kind": "electrician",
            "name": "低压电工作业证",
            "number": "DG-1",
            "issuer": "市应急管理局",
            "issued_on": "2024-01-05",
            "valid_until": "2029-10-01",
            "reason": "复审换证",
        },
    )
    assert r.status_code == 302, r.content.decode()
    cert.refresh_from_db()
    assert cert.valid_until == dt.date(2029, 10, 1) and cert.history.count() == 2
    assert cert.history.first().history_change_reason == "复审换证"


def test_r_m19_10_bad_certificate_input_refused_in_chinese_beside_the_field(client, cast, office, frozen_now):
    client.force_login(office)
    base = {
        "holder": cast.front_desk.pk,
        "kind": "post",
        "name": "客服岗位证书",
        "number": "GW-1",
        "issuer": "市物业管理协会",
        "issued_on": "2024-03-01",
        "valid_until": "2023-12-31",
    }
    r = client.post("/staff-records/certificates/new/", base)
    assert r.status_code == 422 and "有效期至不能早于发证日期" in r.content.decode()
    r = client.post("/staff-records/certificates/new/", {**base, "valid_until": "", "issued_on": "2026-12-01"})
    assert r.status_code == 422 and "发证日期不能晚于今天" in r.content.decode()
    r = client.post("/staff-records/certificates/new/", {**base, "valid_until": "", "name": ""})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    assert not Certificate.objects.exists()
    assert client.post("/staff-records/certificates/new/", {**base, "valid_until": ""}).status_code == 302
    r = client.post("/staff-records/certificates/new/", {**base, "valid_until": ""})
    assert r.status_code == 409 and "已登记过" in r.content.decode()
    assert Certificate.objects.count() == 1
    # a front desk cannot keep records; sees only their own certificates
    client.force_login(cast.front_desk)
    assert client.get("/staff-records/certificates/new/").status_code == 403
    page = client.get("/staff-records/certificates/").content.decode()
    assert "客服岗位证书" in page and "登记证书" not in page


def test_r_m19_10_project_manager_keeps_only_their_projects_staff(client, cast, office, frozen_now):
    _cert(office, cast.outsider, frozen_now, "X-1", dt.date(2027, 6, 1))
    _cert(office, cast.front_desk, frozen_now, "X-2", dt.date(2027, 6, 1))
    client.force_login(cast.project_manager)
    page = client.get("/staff-records/certificates/").content.decode()
    assert page.count('data-testid="certificate-row"') == 1
    other = Certificate.objects.get(number="X-1")
    assert client.get(f"/staff-records/certificates/{other.pk}/edit/").status_code == 404


def test_r_m19_10_certificates_through_the_api(client, cast, office, frozen_now):
    h = _auth(office, frozen_now)
    body = {
        "holder_id": cast.worker.pk,
        "kind": "electrician",
        "name": "低压电工作业证",
        "number": "T-1",
        "issuer": "市应急管理局",
        "issued_on": "2023-01-01",
        "valid_until": "2026-12-20",
    }
    r = client.post("/api/v1/staff-records/certificates", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "expiring"
    cid = r.json()["id"]
    r = client.post("/api/v1/staff-records/certificates", body, content_type="application/json", **h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"
    r = client.post(
        "/api/v1/staff-records/certificates",
        {**body, "number": "T-2", "valid_until": "2020-01-01"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422 and "valid_until" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/staff-records/certificates",
        {**body, "number": "T-3"},
        content_type="application/json",
        **_auth(cast.front_desk, frozen_now),
    )
    assert r.status_code == 403
    r = client.patch(
        f"/api/v1/staff-records/certificates/{cid}",
        {"valid_until": "2030-01-01", "reason": "换证"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["state"] == "valid"
    listing = client.get("/api/v1/staff-records/certificates?state=valid", **h).json()
    assert [c["id"] for c in listing] == [cid]
    assert client.get("/api/v1/staff-records/certificates?state=expired", **h).json() == []
    assert (
        client.patch(
            f"/api/v1/staff-records/certificates/{cid}",
            {"note": "x"},
            content_type="application/json",
            **_auth(cast.outsider, frozen_now),
        ).status_code
        == 403
    )


def test_certificate_list_query_count(client, cast, office, frozen_now, django_assert_max_num_queries):
    for i, u in enumerate((cast.front_desk, cast.butler, cast.worker, cast.supervisor, cast.cs_manager)):
        _cert(office, u, frozen_now, f"Q-{i}", dt.date(2027, 1, 1) + dt.timedelta(days=30 * i))
    client.force_login(office)
    with django_assert_max_num_queries(12):
        r = client.get("/staff-records/certificates/")
    assert r.status_code == 200 and r.content.decode().count('data-testid="certificate-row"') == 5
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/staff-records/certificates", **_auth(office, frozen_now)).json()) == 5


def test_api_kinds_match_the_model():
    from typing import get_args

    from apps.api.staffrecords import KindLiteral
    from apps.staffrecords.models import CertificateKind

    assert set(get_args(KindLiteral)) == set(CertificateKind.values)
