"""Token authentication for integrations (issue 2 item 7): ``Authorization: Bearer``, hashed at
rest, revocable, scoped like the user; OpenAPI document and Swagger UI served locally."""
import datetime as dt

from django.test import Client

from apps.api.actions import issue_token, revoke_token
from apps.api.models import ApiToken
from linli import clock


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_bearer_token_authenticates_and_sees_only_the_users_projects(cast, frozen_now):
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    api = Client()
    me = api.get("/api/v1/org/me", **_bearer(raw))
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "desk" and not body["company_level"]
    assert [m["role"] for m in body["memberships"]] == ["front_desk"]
    assert "receive_tickets" in body["capabilities"]["YG"] and "CH" not in body["capabilities"]
    projects = api.get("/api/v1/org/projects", **_bearer(raw)).json()
    assert [p["code"] for p in projects] == ["YG"]
    assert projects[0]["work_start"] == "09:00" and projects[0]["age_years"] == 6


def test_r_m19_company_level_token_sees_every_project(cast, frozen_now):
    _t, raw = issue_token(cast.quality_inspector, name="品质报表", now=frozen_now)
    projects = Client().get("/api/v1/org/projects", **_bearer(raw)).json()
    assert [p["code"] for p in projects] == ["CH", "YG"]


def test_foreign_project_answers_like_a_missing_one(cast, frozen_now):
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    api = Client()
    foreign = api.get(f"/api/v1/org/projects/{cast.other_project.pk}", **_bearer(raw))
    missing = api.get("/api/v1/org/projects/999999", **_bearer(raw))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert foreign.json()["error"]["code"] == "not_found"


def test_departments_form_the_internal_directory_r_m19_12(cast, frozen_now):
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    rows = Client().get(f"/api/v1/org/projects/{cast.project.pk}/departments", **_bearer(raw)).json()
    names = {r["name"] for r in rows}
    assert {"客服部", "工程部", "安管部", "品质管理部"} <= names


def test_bad_missing_and_revoked_tokens_get_401(cast, frozen_now):
    token, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    api = Client()
    assert api.get("/api/v1/org/me", **_bearer("lnl_not-a-token")).status_code == 401
    assert api.get("/api/v1/org/me").status_code == 401
    revoke_token(cast.front_desk, token.pk, now=frozen_now)
    r = api.get("/api/v1/org/me", **_bearer(raw))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_token_of_deactivated_user_stops_working(cast, frozen_now):
    _t, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    type(cast.front_desk).objects.filter(pk=cast.front_desk.pk).update(is_active=False)
    assert Client().get("/api/v1/org/me", **_bearer(raw)).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(cast, frozen_now):
    token, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    api = Client()
    api.get("/api/v1/org/me", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == frozen_now
    with clock.frozen(frozen_now + dt.timedelta(seconds=30)):
        api.get("/api/v1/org/me", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == frozen_now
    with clock.frozen(frozen_now + dt.timedelta(minutes=2)):
        api.get("/api/v1/org/me", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == frozen_now + dt.timedelta(minutes=2)


def test_command_and_profile_share_one_action(cast, frozen_now, capsys):
    from django.core.management import call_command

    call_command("create_api_token", "desk", "--name", "命令行", "--now", "2026-11-23T10:00+08:00")
    raw = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(name="命令行")
    assert row.created_at == frozen_now and raw.startswith(row.prefix)


def test_openapi_json_and_docs_are_served_locally(client, db):
    doc = client.get("/api/openapi.json")
    assert doc.status_code == 200 and doc.json()["openapi"].startswith("3.")
    schemes = doc.json()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "/api/openapi.json" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    # the Swagger UI assets come from our own static files (served by WhiteNoise)
    import re

    from django.contrib.staticfiles import finders

    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert assets and all(finders.find(a) for a in assets), assets
