"""Profile page (issue 2 item 7/8): roles and projects, language choice, API tokens created once,
listed by prefix, revoked — through the same action as ``manage.py create_api_token``."""
import datetime as dt

from apps.api.models import ApiToken, hash_token
from linli import clock

PASSWORD = "pw-Linli-2026"


def test_profile_lists_roles_and_projects(cast, client):
    client.login(username="desk", password=PASSWORD)
    page = client.get("/profile/").content.decode()
    assert "客服前台" in page and "阳光花园" in page and "翠湖苑" not in page
    client.login(username="quality", password=PASSWORD)
    page = client.get("/profile/").content.decode()
    assert "品质管理部" in page and "全公司" in page and "可查看公司所有项目" in page


def test_token_is_shown_once_then_listed_by_prefix(cast, client, frozen_now):
    client.login(username="desk", password=PASSWORD)
    r = client.post("/profile/tokens/", {"name": "微信小程序"})
    assert r.status_code == 302
    page = client.get("/profile/").content.decode()
    row = ApiToken.objects.get(user=cast.front_desk)
    raw = page.split('class="token-once"><code>')[1].split("</code>")[0]
    assert row.digest == hash_token(raw) and row.name == "微信小程序"
    assert row.created_at == frozen_now
    # shown once: the next visit lists only the prefix
    again = client.get("/profile/").content.decode()
    assert raw not in again and f"{row.prefix}…" in again and "从未使用" in again
    # the token works for the API and its last use appears on the profile
    with clock.frozen(frozen_now + dt.timedelta(minutes=5)):
        assert client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_token_needs_a_purpose(cast, client):
    client.login(username="desk", password=PASSWORD)
    client.post("/profile/tokens/", {"name": "  "})
    page = client.get("/profile/").content.decode()
    assert "请填写令牌用途" in page and not ApiToken.objects.exists()


def test_revoked_token_no_longer_authenticates(cast, client, frozen_now):
    from apps.api.actions import issue_token

    token, raw = issue_token(cast.front_desk, name="集成", now=frozen_now)
    client.login(username="desk", password=PASSWORD)
    r = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at == frozen_now
    assert "已吊销令牌" in client.get("/profile/").content.decode()
    from django.test import Client

    api = Client()
    r = api.get("/api/v1/org/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_cannot_revoke_someone_elses_token(cast, client, frozen_now):
    from apps.api.actions import issue_token

    token, _raw = issue_token(cast.butler, name="别人的", now=frozen_now)
    client.login(username="desk", password=PASSWORD)
    client.post(f"/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "令牌不存在" in client.get("/profile/").content.decode()


def test_revoke_and_create_need_post(cast, client):
    client.login(username="desk", password=PASSWORD)
    assert client.get("/profile/tokens/").status_code == 405


def test_language_choice_switches_to_english(cast, client):
    client.login(username="desk", password=PASSWORD)
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/profile/"})
    assert r.status_code == 302
    cookie = client.cookies["django_language"]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600  # remembered for a year


def test_project_switcher_only_to_visible_projects(cast, client):
    client.login(username="quality", password=PASSWORD)
    r = client.post("/switch-project/", {"project": cast.other_project.pk, "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert "翠湖苑" in client.get("/").content.decode().split("<main")[1][:400]
    client.login(username="desk", password=PASSWORD)
    client.post("/switch-project/", {"project": cast.other_project.pk, "next": "https://evil.example/"})
    page = client.get("/").content.decode()
    assert "阳光花园" in page.split("<main")[1][:400]


def test_project_switcher_refuses_foreign_project_and_open_redirect(cast, client):
    client.login(username="desk", password=PASSWORD)
    r = client.post("/switch-project/", {"project": cast.other_project.pk, "next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert client.session.get("linli_project_id") is None


def test_password_change_from_the_profile(cast, client):
    client.login(username="desk", password=PASSWORD)
    assert "修改密码" in client.get("/profile/").content.decode()
    r = client.post("/profile/password/", {"old_password": "wrong", "new_password1": "Qingshui-2026!",
                                          "new_password2": "Qingshui-2026!"})
    assert r.status_code == 200 and "old_password" in r.context["form"].errors
    r = client.post("/profile/password/", {"old_password": PASSWORD, "new_password1": "Qingshui-2026!",
                                          "new_password2": "Qingshui-2026!"})
    assert r.status_code == 302 and r["Location"] == "/profile/password/done/"
    cast.front_desk.refresh_from_db()
    assert cast.front_desk.check_password("Qingshui-2026!")
    assert "密码已修改" in client.get("/profile/password/done/").content.decode()
