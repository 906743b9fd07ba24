"""R-M1-02: a project is active (在管) only with a 24-hour service number and a 24-hour repair number
(they may be the same) — on the project page, through the API and in the model's own check."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from apps.api.models import ApiToken
from apps.org.models import Project
from linli import clock

pytestmark = pytest.mark.django_db


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _patch(user: Any, project: Project, body: dict[str, Any]) -> Any:
    _token, raw = ApiToken.issue(user, name="test", now=clock.now())
    return Client().patch(f"/api/v1/org/projects/{project.pk}", json.dumps(body), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_R_M1_02_project_page_refuses_activation_without_both_24h_numbers(cast: Any) -> None:
    """The 系统管理员 takes a project into management on its page: without the repair number it is refused
    beside the field in Chinese and nothing is saved; with both (the same number) it is saved."""
    project = cast.other_project
    Project.objects.filter(pk=project.pk).update(active=False, service_phone="", repair_phone="")
    admin = _page(cast.sysadmin)
    assert "翠湖苑" in admin.get("/org/projects/").content.decode()
    url = f"/org/projects/{project.pk}/"
    r = admin.post(url, {"name": "翠湖苑", "address": "深圳市福田区翠湖路8号", "service_phone": "0755-83330000",
                         "repair_phone": "", "active": "on", "reason": "项目接管，开始在管"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "在管项目须有24小时报修电话" in page and 'data-testid="form-error-summary"' in page
    project.refresh_from_db()
    assert project.active is False and project.service_phone == ""
    r = admin.post(url, {"name": "翠湖苑", "address": "深圳市福田区翠湖路8号", "service_phone": "0755-83330000",
                         "repair_phone": "0755-83330000", "active": "on", "reason": "项目接管，开始在管"})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.active and project.repair_phone == "0755-83330000"


def test_R_M1_02_api_refuses_an_active_project_without_24h_numbers(cast: Any) -> None:
    """Through the API: clearing the service number of an active project is refused (422, the field named);
    the 管理处经理 may change the numbers of their project but not take it into or out of management; a
    front desk may not edit at all."""
    project = cast.project
    Project.objects.filter(pk=project.pk).update(active=True, service_phone="0755-26880000",
                                                 repair_phone="0755-26881111")
    r = _patch(cast.sysadmin, project, {"service_phone": "", "reason": "号码停用"})
    assert r.status_code == 422 and "service_phone" in r.json()["error"]["fields"]
    assert "24小时服务电话" in r.json()["error"]["fields"]["service_phone"][0]
    project.refresh_from_db()
    assert project.service_phone == "0755-26880000"
    r = _patch(cast.front_desk, project, {"repair_phone": "0755-1", "reason": "改号"})
    assert r.status_code == 403
    r = _patch(cast.project_manager, project, {"repair_phone": "0755-26889999", "reason": "报修电话改号"})
    assert r.status_code == 200, r.content
    assert r.json()["repair_phone"] == "0755-26889999"
    r = _patch(cast.project_manager, project, {"active": False, "reason": "撤场"})
    assert r.status_code == 403
    r = _patch(cast.sysadmin, project, {"active": False, "service_phone": "", "reason": "撤场"})
    assert r.status_code == 200, r.content
    r = _patch(cast.sysadmin, project, {"active": True, "reason": "重新接管"})
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"service_phone"}


def test_R_M1_02_model_check_for_the_admin(cast: Any) -> None:
    project = cast.project
    project.service_phone, project.repair_phone, project.active = "", "", True
    with pytest.raises(ValidationError) as err:
        project.full_clean()
    assert {"service_phone", "repair_phone"} <= set(err.value.message_dict)
    project.active = False
    project.full_clean()
