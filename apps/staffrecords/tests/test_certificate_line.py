"""R-M19-10: registering or renewing a Certificate (page or API) keeps the holder's one-line
``User.certificate`` / ``certificate_valid_until`` — read by the 持证上岗 checks (R-M8-18) — in step."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.staffrecords.models import Certificate

pytestmark = pytest.mark.django_db

FORM = {"kind": "electrician", "name": "低压电工作业证", "number": "DG-9", "issuer": "市应急管理局",
        "issued_on": "2024-01-05", "valid_until": "2027-03-01"}


def test_r_m19_10_certificate_on_the_page_fills_the_users_certificate_line(client, cast, office, frozen_now):
    client.force_login(office)
    assert client.post("/staff-records/certificates/new/", {**FORM, "holder": cast.worker.pk}).status_code == 302
    cast.worker.refresh_from_db()
    assert cast.worker.certificate == "低压电工作业证/DG-9/市应急管理局"
    assert cast.worker.certificate_valid_until == dt.date(2027, 3, 1)
    assert cast.worker.certificate_valid_on(dt.date(2027, 2, 1))
    cert = Certificate.objects.get()
    r = client.post(f"/staff-records/certificates/{cert.pk}/edit/",
                    {**FORM, "holder": cast.worker.pk, "valid_until": "2026-11-01", "reason": "更正"})
    assert r.status_code == 302
    cast.worker.refresh_from_db()
    assert cast.worker.certificate_valid_until == dt.date(2026, 11, 1)
    assert not cast.worker.certificate_valid_on(frozen_now.date())
    # moved to another holder: the first one's line is emptied
    r = client.post(f"/staff-records/certificates/{cert.pk}/edit/", {**FORM, "holder": cast.eng_head.pk})
    assert r.status_code == 302
    cast.worker.refresh_from_db()
    cast.eng_head.refresh_from_db()
    assert cast.worker.certificate == "" and cast.worker.certificate_valid_until is None
    assert cast.eng_head.certificate.startswith("低压电工作业证")


def test_r_m19_10_certificate_through_the_api_fills_the_line_long_term_wins(client, cast, office, frozen_now, auth):
    h = auth(office, frozen_now)
    body = {**FORM, "holder_id": cast.butler.pk, "kind": "post", "name": "楼宇管理员岗位证书", "number": "GW-1"}
    assert client.post("/api/v1/staff-records/certificates", body, content_type="application/json",
                       **h).status_code == 201
    body = {**body, "kind": "property_management", "name": "物业管理从业资格证", "number": "WY-1", "valid_until": None}
    assert client.post("/api/v1/staff-records/certificates", body, content_type="application/json",
                       **h).status_code == 201
    cast.butler.refresh_from_db()
    assert cast.butler.certificate == "物业管理从业资格证/WY-1/市应急管理局"
    assert cast.butler.certificate_valid_until is None
    # a refused registration changes nothing
    r = client.post("/api/v1/staff-records/certificates", {**body, "number": "WY-2", "valid_until": "2020-01-01"},
                    content_type="application/json", **h)
    assert r.status_code == 422
    cast.butler.refresh_from_db()
    assert cast.butler.certificate == "物业管理从业资格证/WY-1/市应急管理局"
    r = client.post("/api/v1/staff-records/certificates", {**body, "number": "WY-3"}, content_type="application/json",
                    **auth(cast.butler, frozen_now))
    assert r.status_code == 403
