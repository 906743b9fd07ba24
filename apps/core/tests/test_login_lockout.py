"""Login with lockout (issue 2 item 8): failures per username and per address, Chinese message
with the retry time, success clears, the admin login is protected too."""
import datetime as dt

import pytest
from django.test import override_settings

from apps.core import lockout
from apps.core.models import LoginAttempt
from linli import clock

PASSWORD = "pw-Linli-2026"


def _login(client, username, password, *, addr="10.0.0.1", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_repeated_failures_lock_the_username_with_retry_time(cast, client, frozen_now):
    for _ in range(2):
        r = _login(client, "desk", "wrong")
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    r = _login(client, "desk", "wrong")
    page = r.content.decode()
    assert "已暂时锁定" in page
    # 10:00 Shanghai + 15 min → retry at 10:15 (shown in Asia/Shanghai, T-01)
    assert "10:15" in page and "15 分钟" in page
    # even the right password is refused while locked, and it is not counted
    r = _login(client, "desk", PASSWORD)
    assert r.status_code == 200 and "已暂时锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username="desk", succeeded=False).count() == 3


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_lock_expires_after_the_window(cast, client, frozen_now):
    for _ in range(3):
        _login(client, "desk", "wrong")
    with clock.frozen(frozen_now + dt.timedelta(minutes=14, seconds=59)):
        assert "已暂时锁定" in _login(client, "desk", PASSWORD).content.decode()
    with clock.frozen(frozen_now + dt.timedelta(minutes=15, seconds=1)):
        r = _login(client, "desk", PASSWORD)
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast.front_desk.pk)


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_failures_spread_beyond_the_window_do_not_lock(cast, client, frozen_now):
    for minutes in (0, 10, 20):
        with clock.frozen(frozen_now + dt.timedelta(minutes=minutes)):
            _login(client, "desk", "wrong")
    with clock.frozen(frozen_now + dt.timedelta(minutes=21)):
        assert _login(client, "desk", PASSWORD).status_code == 302


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_success_clears_the_failures(cast, client, frozen_now):
    _login(client, "desk", "wrong")
    _login(client, "desk", "wrong")
    assert _login(client, "desk", PASSWORD).status_code == 302
    client.logout()
    _login(client, "desk", "wrong")
    _login(client, "desk", "wrong")
    assert lockout.lock_for("desk", "10.0.0.1") is None
    assert LoginAttempt.objects.filter(username="desk", succeeded=True).count() == 1


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_username_lock_holds_from_any_address_and_ignores_case(cast, client, frozen_now):
    for i in range(3):
        _login(client, "Desk" if i % 2 else "desk", "wrong", addr=f"10.0.0.{i + 1}")
    r = _login(client, "DESK", PASSWORD, addr="192.168.1.9")
    assert "已暂时锁定" in r.content.decode()
    # other users are not affected
    assert _login(client, "butler", PASSWORD, addr="192.168.1.9").status_code == 302


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS=5, LINLI_LOGIN_LOCK_MINUTES=15)
def test_password_spraying_locks_the_address(cast, client, frozen_now):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "wrong", addr="203.0.113.7")
    r = _login(client, "butler", PASSWORD, addr="203.0.113.7")
    assert "此地址登录失败次数过多" in r.content.decode()
    # the same user from another address gets in
    assert _login(client, "butler", PASSWORD, addr="203.0.113.8").status_code == 302


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_admin_login_is_protected_too(cast, client, frozen_now):
    from apps.org.models import User

    User.objects.filter(pk=cast.sysadmin.pk).update(is_staff=True, is_superuser=True)
    for _ in range(3):
        _login(client, "admin1", "wrong", url="/admin/login/")
    r = _login(client, "admin1", PASSWORD, url="/admin/login/")
    assert r.status_code == 200 and "已暂时锁定" in r.content.decode()
    assert LoginAttempt.objects.filter(username="admin1", screen="admin").count() == 3
    # the ordinary login shares the same counter
    assert "已暂时锁定" in _login(client, "admin1", PASSWORD).content.decode()


@override_settings(LINLI_LOGIN_MAX_FAILURES=3, LINLI_LOGIN_LOCK_MINUTES=15)
def test_administrator_unlock(cast, client, frozen_now):
    for _ in range(3):
        _login(client, "desk", "wrong")
    assert lockout.unlock(username="desk") == 3
    assert _login(client, "desk", PASSWORD).status_code == 302


@override_settings(LINLI_BEHIND_PROXY=True)
def test_client_address_behind_proxy_uses_the_proxy_appended_entry(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.2", REMOTE_ADDR="127.0.0.1")
    assert lockout.client_address(request) == "198.51.100.2"


@pytest.mark.parametrize("behind", [False])
def test_client_address_without_proxy_is_remote_addr(rf, settings, behind):
    settings.LINLI_BEHIND_PROXY = behind
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="127.0.0.1")
    assert lockout.client_address(request) == "127.0.0.1"


def test_blank_form_records_nothing(cast, client, frozen_now):
    r = client.post("/login/", {"username": "", "password": ""}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 200
    assert not LoginAttempt.objects.exists()


def test_successful_login_is_recorded_with_address(cast, client, frozen_now):
    assert _login(client, "desk", PASSWORD, addr="192.0.2.10").status_code == 302
    row = LoginAttempt.objects.get()
    assert (row.username, row.address, row.succeeded, row.at) == ("desk", "192.0.2.10", True, frozen_now)


def test_admin_unlock_action(cast, client, frozen_now, settings):
    from apps.org.models import User

    settings.LINLI_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _login(client, "desk", "wrong")
    assert lockout.lock_for("desk", None) is not None
    User.objects.filter(pk=cast.sysadmin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(cast.sysadmin)
    ids = list(LoginAttempt.objects.values_list("pk", flat=True))
    r = client.post("/admin/core/loginattempt/", {"action": "unlock_selected", "_selected_action": ids})
    assert r.status_code == 302
    assert lockout.lock_for("desk", None) is None
    assert LoginAttempt.objects.count() == 2  # the audit rows stay, only cleared


def test_purge_command_keeps_recent_attempts(cast, frozen_now):
    from django.core.management import call_command

    old = frozen_now - dt.timedelta(days=200)
    lockout.record_failure("desk", "10.0.0.1", now=old)
    lockout.record_failure("desk", "10.0.0.1", now=frozen_now)
    call_command("purge_login_attempts", "--days", "180", "--now", "2026-11-23T10:00+08:00")
    assert list(LoginAttempt.objects.values_list("at", flat=True)) == [frozen_now]
