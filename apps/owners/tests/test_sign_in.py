"""Issue 19 item 1: owners sign in with the phone on their household and an SMS one-time code;
owner and staff sessions are separate."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.owners.models import OwnerAccount, SignInCode
from apps.owners.tests.conftest import OTHER, OWNER, last_code
from linli import clock

pytestmark = pytest.mark.django_db


def _ask(c: Client, phone: str, **extra: Any) -> Any:
    return c.post("/me/sign-in/", {"phone": phone}, **extra)


def _enter(c: Client, phone: str, code: str) -> Any:
    return c.post("/me/sign-in/", {"phone": phone, "step": "code", "code": code})


def test_code_is_random_hashed_and_sent_by_sms(homes: Any, frozen_now: Any) -> None:
    c = Client()
    r = _ask(c, OWNER)
    assert r.status_code == 200
    assert "验证码已发送" in r.content.decode()
    code = last_code(OWNER)
    row = SignInCode.objects.get(phone=OWNER)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at == frozen_now + dt.timedelta(minutes=5)


def test_sign_in_with_code_then_choose_among_households(homes: Any, frozen_now: Any) -> None:
    c = Client()
    _ask(c, OWNER)
    r = _enter(c, OWNER, last_code(OWNER))
    assert r.status_code == 302 and r["Location"] == "/me/"
    r = c.get("/me/")
    assert r.status_code == 302 and r["Location"] == "/me/households/"
    page = c.get("/me/households/").content.decode()
    assert "5栋2单元1502" in page and "8栋0301" in page and "0801" not in page
    r = c.post("/me/households/", {"household": homes["0301"].pk})
    assert r.status_code == 302
    assert "8栋0301" in c.get("/me/").content.decode()
    assert OwnerAccount.objects.filter(phone=OWNER).count() == 1


def test_single_household_goes_straight_home(homes: Any, frozen_now: Any) -> None:
    c = Client()
    _ask(c, OTHER)
    _enter(c, OTHER, last_code(OTHER))
    r = c.get("/me/")
    assert r.status_code == 200 and "5栋2单元0801" in r.content.decode()


def test_choosing_another_households_home_is_404(owner_client: Any, homes: Any) -> None:
    c = owner_client(OWNER)
    assert c.post("/me/households/", {"household": homes["0801"].pk}).status_code == 404
    assert c.post("/me/households/", {"household": homes["other"].pk}).status_code == 404


def test_unknown_phone_refused_nothing_written(homes: Any, frozen_now: Any) -> None:
    r = _ask(Client(), "13600000000")
    assert r.status_code == 400
    assert "未登记在任何房屋上" in r.content.decode()
    assert not SignInCode.objects.exists()


def test_bad_phone_format(homes: Any, frozen_now: Any) -> None:
    r = _ask(Client(), "12345")
    assert r.status_code == 400 and "请输入11位手机号码" in r.content.decode()
    assert not SignInCode.objects.exists()


def test_wrong_code_refused_and_counted(homes: Any, frozen_now: Any) -> None:
    c = Client()
    _ask(c, OWNER)
    code = last_code(OWNER)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    r = _enter(c, OWNER, wrong)
    assert r.status_code == 400 and "验证码不正确" in r.content.decode()
    assert SignInCode.objects.get().wrong_attempts == 1
    assert "owners.account_id" not in c.session
    assert not OwnerAccount.objects.exists()


def test_expired_code_refused(homes: Any) -> None:
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    c = Client()
    with clock.frozen(start):
        _ask(c, OWNER)
    code = last_code(OWNER)
    with clock.frozen(start + dt.timedelta(minutes=5, seconds=1)):
        r = _enter(c, OWNER, code)
    assert r.status_code == 400 and "验证码已过期" in r.content.decode()
    assert not OwnerAccount.objects.exists()


def test_code_is_single_use(homes: Any, frozen_now: Any) -> None:
    c = Client()
    _ask(c, OWNER)
    code = last_code(OWNER)
    assert _enter(c, OWNER, code).status_code == 302
    r = _enter(Client(), OWNER, code)
    assert r.status_code == 400 and "验证码已使用或已失效" in r.content.decode()


def test_one_code_a_minute_and_five_an_hour(homes: Any) -> None:
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    c = Client()
    with clock.frozen(start):
        assert _ask(c, OWNER).status_code == 200
        r = _ask(c, OWNER)
        assert r.status_code == 400 and "验证码发送太频繁" in r.content.decode()
    for i in range(1, 5):
        with clock.frozen(start + dt.timedelta(minutes=2 * i)):
            assert _ask(c, OWNER).status_code == 200
    with clock.frozen(start + dt.timedelta(minutes=12)):
        r = _ask(c, OWNER)
    assert r.status_code == 400 and "次数已达上限" in r.content.decode()
    assert SignInCode.objects.count() == 5


def test_per_ip_limit(homes: Any, settings: Any) -> None:
    settings.LINLI_OWNER_CODES_PER_IP_HOUR = 1
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(start):
        assert _ask(Client(), OWNER, REMOTE_ADDR="198.51.100.7").status_code == 200
        r = _ask(Client(), OTHER, REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 400 and "获取验证码过于频繁" in r.content.decode()
    assert SignInCode.objects.count() == 1


def test_lockout_after_wrong_codes(homes: Any, settings: Any) -> None:
    settings.LINLI_OWNER_WRONG_CODES_LOCKOUT = 3
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    c = Client()
    with clock.frozen(start):
        _ask(c, OWNER)
        code = last_code(OWNER)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(3):
            _enter(c, OWNER, wrong)
        r = _enter(c, OWNER, code)  # even the right code is refused while locked
    assert r.status_code == 400 and "输错次数过多" in r.content.decode()
    with clock.frozen(start + dt.timedelta(minutes=2)):
        r = _ask(c, OWNER)
    assert r.status_code == 400 and "输错次数过多" in r.content.decode()
    assert not OwnerAccount.objects.exists()


def test_a_new_code_retires_the_older_one(homes: Any) -> None:
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    c = Client()
    with clock.frozen(start):
        _ask(c, OWNER)
    first = last_code(OWNER)
    with clock.frozen(start + dt.timedelta(minutes=2)):
        _ask(c, OWNER)
        second = last_code(OWNER)
        if first != second:
            assert _enter(c, OWNER, first).status_code == 400
        assert _enter(c, OWNER, second).status_code == 302


# ---------------------------------------------------------------- separation of staff and owners


def test_staff_session_cannot_use_owner_pages(cast: Any, homes: Any, frozen_now: Any) -> None:
    c = Client()
    c.force_login(cast.front_desk)
    for url in ("/me/", "/me/requests/", "/me/requests/new/", "/me/members/", "/me/sign-in/"):
        r = c.get(url)
        assert r.status_code == 403, url
        assert "员工账号不能使用" in r.content.decode()


def test_owner_session_never_reaches_staff_pages(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    for url in ("/", "/tickets/", "/tickets/new/", "/estates/", "/notify/outbox/", "/portal/manage/"):
        r = c.get(url)
        assert r.status_code in (302, 404), url
        if r.status_code == 302:
            assert "/login/" in r["Location"], url
    r = c.get("/api/v1/tickets")
    assert r.status_code in (401, 403)


def test_staff_login_after_owner_sign_in_cannot_keep_owner_session(cast: Any, owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    c.force_login(cast.front_desk)
    assert c.get("/me/").status_code == 403


def test_sign_out(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    assert c.post("/me/sign-out/").status_code == 302
    r = c.get("/me/")
    assert r.status_code == 302 and r["Location"] == "/me/sign-in/"
