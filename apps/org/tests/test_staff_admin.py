"""Staff accounts on staff pages and the API (issue 17 item 4): the 系统管理员 creates a staff user,
gives and takes project roles, deactivates an account; every change is in the staff change log with
who, when and why; other roles get 404/403."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from apps.api.actions import issue_token
from apps.org import actions
from apps.org.models import Membership, StaffChange, User
from apps.org.roles import Role
from apps.org.tests.factories import PASSWORD
from linli import clock

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def _login(user):
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _api(user):
    _token, raw = issue_token(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_sysadmin_manages_staff_on_the_pages(cast):
    """Create a user, assign a project role, deactivate: each recorded with who and why."""
    c = _login(cast.sysadmin)
    assert c.get("/org/staff/").status_code == 200
    r = c.post("/org/staff/", {"username": "wang_fd", "display_name": "王前台", "password": "short"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()  # refused beside the field
    r = c.post("/org/staff/", {"username": "wang_fd", "display_name": "王前台", "password": "Linli-2026-strong"})
    user = User.objects.get(username="wang_fd")
    assert r.status_code == 302 and r.url == f"/org/staff/{user.pk}/"
    r = c.post(f"/org/staff/{user.pk}/", {"step": "assign", "role": Role.FRONT_DESK, "project": "",
                                          "reason": "入职"})
    assert "请选择项目" in r.content.decode()  # a project role without a project
    c.post(f"/org/staff/{user.pk}/", {"step": "assign", "role": Role.FRONT_DESK, "project": cast.project.pk,
                                      "reason": "入职"})
    m = Membership.objects.get(user=user)
    assert m.project == cast.project and m.role == Role.FRONT_DESK
    page = c.get(f"/org/staff/{user.pk}/").content.decode()
    assert "客服前台" in page and cast.project.name in page
    r = c.post(f"/org/staff/{user.pk}/", {"step": "deactivate", "reason": ""})
    user.refresh_from_db()
    assert user.is_active
    c.post(f"/org/staff/{user.pk}/", {"step": "deactivate", "reason": "离职"})
    user.refresh_from_db()
    assert not user.is_active and user.status == "left"
    log = list(StaffChange.objects.filter(user=user).order_by("pk").values_list("action", "changed_by", "reason"))
    assert log == [("create", cast.sysadmin.pk, ""), ("assign", cast.sysadmin.pk, "入职"),
                   ("deactivate", cast.sysadmin.pk, "离职")]
    page = c.get(f"/org/staff/{user.pk}/").content.decode()
    assert "离职" in page and "停用账号" in page


def test_other_roles_cannot_open_the_staff_pages(cast):
    for user in (cast.project_manager, cast.leader, cast.front_desk):
        assert _login(user).get("/org/staff/").status_code == 404
        assert _api(user).get("/api/v1/org/staff").status_code == 403
    with pytest.raises(actions.StaffError):
        actions.create_staff(company=cast.company, username="x1", display_name="x", password="Linli-2026-strong",
                             acting_user=cast.project_manager, now=NOW)


def test_sysadmin_manages_staff_through_the_api(cast):
    api = _api(cast.sysadmin)
    r = api.post("/api/v1/org/staff", json.dumps({"username": "li_w", "display_name": "李师傅",
                                                  "password": "Linli-2026-strong"}), content_type="application/json")
    assert r.status_code == 201, r.content
    uid = r.json()["id"]
    r = api.post("/api/v1/org/staff", json.dumps({"username": "li_w", "display_name": "李师傅",
                                                  "password": "Linli-2026-strong"}), content_type="application/json")
    assert r.status_code == 409 and "username" in r.json()["error"]["fields"]
    r = api.post(f"/api/v1/org/staff/{uid}/roles", json.dumps({"role": "worker", "project_id": cast.project.pk,
                                                              "department_id": cast.eng_dept.pk, "reason": "入职"}),
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["memberships"][0]["role"] == "worker"
    r = api.post(f"/api/v1/org/staff/{uid}/roles", json.dumps({"role": "leadership", "project_id": cast.project.pk}),
                 content_type="application/json")
    assert r.status_code == 422 and "project_id" in r.json()["error"]["fields"]
    mid = r.json() and Membership.objects.get(user_id=uid).pk
    r = api.delete(f"/api/v1/org/staff/{uid}/roles/{mid}?reason=调岗")
    assert r.status_code == 200 and r.json()["memberships"] == []
    r = api.post(f"/api/v1/org/staff/{uid}/active", json.dumps({"active": False, "reason": "离职"}),
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = api.post(f"/api/v1/org/staff/{cast.sysadmin.pk}/active", json.dumps({"active": False, "reason": "x"}),
                 content_type="application/json")
    assert r.status_code in (404, 409)
    history = api.get(f"/api/v1/org/staff/{uid}/history").json()
    assert [h["action"] for h in history] == ["deactivate", "unassign", "assign", "create"]


def test_staff_list_query_count(cast, django_assert_max_num_queries):
    c = _login(cast.sysadmin)
    c.get("/org/staff/")
    with django_assert_max_num_queries(12):
        assert c.get("/org/staff/").status_code == 200
    api = _api(cast.sysadmin)
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/org/staff").status_code == 200
