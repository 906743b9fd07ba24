"""Issue 19 item 6: the owner chooses which SMS they receive — on the account page (/me/sms/) and
through /api/v1/me/sms-preferences; ``notify_owner`` honours it (a switched-off message is logged as
not sent), sign-in codes and emergencies always go out; every topic is on by default."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from apps.notify.models import Delivery, OwnerSmsOptOut
from apps.notify.notices import send_owner_notice
from apps.owners.tests.conftest import OTHER, OWNER

pytestmark = pytest.mark.django_db


def _festival(cast: Any, now: Any) -> Any:
    return send_owner_notice(project=cast.project, kind="festival", body="【阳光花园】中秋快乐！",
                             acting_user=cast.cs_manager, now=now)


def test_defaults_every_topic_on(owner_client: Any, homes: Any) -> None:
    c = owner_client(OWNER, homes["1502"])
    r = c.get("/me/sms/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "短信通知设置" in page and "节日问候" in page and "缴费提醒" in page
    assert page.count("checked") == 7 and "报事进度通知" in page
    assert "R-M" not in page and "notice_" not in page


def test_owner_switches_greetings_off_on_the_page_and_the_sms_honours_it(
        owner_client: Any, homes: Any, cast: Any, frozen_now: Any) -> None:
    c = owner_client(OWNER, homes["1502"])
    r = c.post("/me/sms/", {"topics": ["requests", "service", "fees", "surveys", "activities", "reminders"]})
    assert r.status_code == 302
    assert list(OwnerSmsOptOut.objects.values_list("phone", "topic")) == [(OWNER, "greetings")]
    assert c.get("/me/sms/").content.decode().count("checked") == 6
    notice = _festival(cast, frozen_now)
    mine = Delivery.objects.filter(kind="notice_festival", address=OWNER)
    theirs = Delivery.objects.get(kind="notice_festival", address=OTHER)
    # the owner is on two households: both messages logged, neither sent
    assert mine.count() == 2 and set(mine.values_list("status", flat=True)) == {"skipped"}
    assert theirs.status == "queued"
    assert notice.recipients == 1
    # switching it back on: the next notice goes out
    c.post("/me/sms/", {"topics": ["requests", "service", "fees", "surveys", "activities", "reminders", "greetings"]})
    assert not OwnerSmsOptOut.objects.exists()


def test_sign_in_code_always_sent(owner_client: Any, homes: Any, settings: Any) -> None:
    settings.LINLI_OWNER_CODE_INTERVAL_SECONDS = 0
    c = owner_client(OWNER, homes["1502"])
    c.post("/me/sms/", {})  # everything off
    assert OwnerSmsOptOut.objects.filter(phone=OWNER).count() == 7
    Client().post("/me/sign-in/", {"phone": OWNER})
    assert Delivery.objects.filter(kind="owner_sign_in_code", address=OWNER).order_by("-id")[0].status != "skipped"


def test_unknown_topic_refused_nothing_written(owner_client: Any, homes: Any) -> None:
    c = owner_client(OWNER, homes["1502"])
    r = c.post("/me/sms/", {"topics": ["fees", "lottery"]})
    assert r.status_code == 400 and "短信类别不存在" in r.content.decode()
    assert not OwnerSmsOptOut.objects.exists()


def test_api_reads_and_saves_preferences(api_token: Any, homes: Any, cast: Any, frozen_now: Any) -> None:
    token = api_token(OTHER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    c = Client()
    r = c.get("/api/v1/me/sms-preferences", **auth)
    assert r.status_code == 200 and all(t["on"] for t in r.json()) and len(r.json()) == 7
    r = c.put("/api/v1/me/sms-preferences", json.dumps({"topics": ["service"]}), content_type="application/json",
              **auth)
    assert r.status_code == 200
    assert {t["code"] for t in r.json() if t["on"]} == {"service"}
    _festival(cast, frozen_now)
    assert Delivery.objects.get(kind="notice_festival", address=OTHER).status == "skipped"
    r = c.put("/api/v1/me/sms-preferences", json.dumps({"topics": ["nope"]}), content_type="application/json",
              **auth)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_topic"
    assert OwnerSmsOptOut.objects.filter(phone=OTHER).count() == 6


def test_api_refuses_without_owner_token(cast: Any) -> None:
    assert Client().get("/api/v1/me/sms-preferences").status_code == 401
