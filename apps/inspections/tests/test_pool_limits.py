"""泳池水质限值 (R-M18-16) through the page and the API: the 管理处经理 sets them, others read them,
impossible limits are refused and later readings are flagged against the new limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.api.actions import issue_token
from apps.inspections import actions
from apps.inspections.models import PoolLimits, PoolReading
from apps.org.tests.factories import ProjectFactory
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


FORM = {
    "footbath_cl_min": "6",
    "footbath_cl_max": "9",
    "kids_cl_min": "0.3",
    "kids_cl_max": "0.5",
    "ph_min": "7.0",
    "ph_max": "7.8",
    "br_min": "",
    "br_max": "",
    "footbath_change_hours": "4",
    "filter_cleanings_per_day": "2",
}


def test_r_m18_16_pool_limits_page_sets_limits_and_flags_readings(client, cast, frozen_now):
    url = f"/inspections/pool/limits/?project={cast.project.pk}"
    client.force_login(cast.project_manager)
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "使用公司默认值" in body and "pool-limits-form" in body and "R-M" not in body
    r = client.post(url, {**FORM, "project": cast.project.pk, "ph_max": "15"})
    assert r.status_code == 400 and "pH 限值数值不可能" in r.content.decode() and not PoolLimits.objects.exists()
    r = client.post(url, {**FORM, "project": cast.project.pk, "kids_cl_min": "0.6"})
    assert r.status_code == 400 and "下限不能高于上限" in r.content.decode() and not PoolLimits.objects.exists()
    r = client.post(url, {**FORM, "project": cast.project.pk})
    assert r.status_code == 302
    limits = PoolLimits.objects.get(project=cast.project)
    assert limits.footbath_cl_min == 6 and str(limits.ph_max) == "7.80"
    reading = actions.record_pool_reading(
        project=cast.project,
        taken_at=frozen_now - dt.timedelta(minutes=5),
        acting_user=cast.project_manager,
        now=frozen_now,
        footbath_cl="5.5",
        ph="8.1",
    )
    assert reading.flagged and "浸脚池余氯" in reading.flags and "pH" in reading.flags


def test_r_m18_16_pool_limits_read_only_for_recorders(client, cast):
    client.force_login(cast.butler)
    url = f"/inspections/pool/limits/?project={cast.project.pk}"
    r = client.get(url)
    if r.status_code == 200:
        assert "pool-limits-form" not in r.content.decode()
        assert client.post(url, {**FORM, "project": cast.project.pk}).status_code == 403
    else:
        assert r.status_code == 403
    assert not PoolLimits.objects.exists()
    other = ProjectFactory(company=cast.company)
    client.force_login(cast.project_manager)
    assert client.get(f"/inspections/pool/limits/?project={other.pk}").status_code == 404


def test_r_m18_16_pool_limits_api(client, cast, frozen_now):
    auth = _auth(cast.project_manager)
    r = client.get(f"/api/v1/inspections/pool-limits?project={cast.project.pk}", **auth)
    assert r.status_code == 200 and r.json()["own"] is False and Decimal(r.json()["footbath_cl_min"]) == 5
    payload = {
        "project_id": cast.project.pk,
        "footbath_cl_min": "5",
        "footbath_cl_max": "10",
        "kids_cl_min": "0.3",
        "kids_cl_max": "0.5",
        "ph_min": "7.2",
        "ph_max": "7.0",
    }
    r = client.put("/api/v1/inspections/pool-limits", payload, content_type="application/json", **auth)
    assert r.status_code == 422 and "ph_min" in r.json()["error"]["fields"] and not PoolLimits.objects.exists()
    payload["ph_max"] = "7.8"
    r = client.put("/api/v1/inspections/pool-limits", payload, content_type="application/json", **_auth(cast.butler))
    assert r.status_code in (403, 404) and not PoolLimits.objects.exists()
    r = client.put("/api/v1/inspections/pool-limits", payload, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["own"] is True and Decimal(r.json()["ph_max"]) == Decimal("7.8")
    r = client.post(
        "/api/v1/inspections/pool-readings",
        {"project_id": cast.project.pk, "taken_at": "2026-11-23T09:30:00+08:00", "ph": "6.9"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json()["flagged"] and PoolReading.objects.count() == 1
