"""R-M17-12: an owner reads the notice board on a 360-px phone (Debian's chromium), no login."""
from __future__ import annotations

import datetime as dt
from typing import Any
from typing import cast as cast_to

import pytest

from apps.org.models import User
from apps.portal import actions
from linli import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_r_m17_12_owner_reads_the_board_on_a_phone(cast: Any, phone_page: Any, live_server: Any) -> None:
    now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=clock.SHANGHAI)
    long_text = "关于小区二期地下车库照明改造、电梯年检安排及绿化补种计划的说明。" * 20
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    rep = cast_to(User, UserFactory(username="mrep", display_name="冯代表"))
    member(rep, Role.MANAGEMENT_REP, company=cast.company)
    pub = actions.publish_notice(project=cast.project, kind="open_letter", title="致全体业主的公开信",
                                 body=long_text, approved_by=rep, acting_user=cast.cs_manager, now=now)
    phone_page.goto(f"{live_server.url}/portal/YG/")
    assert phone_page.locator('[data-testid="board-list"] li').count() == 1
    phone_page.click("text=致全体业主的公开信")
    phone_page.wait_for_url(f"{live_server.url}/portal/YG/{pub.pk}/")
    assert "公开信" in phone_page.locator('[data-testid="publication"]').inner_text()
    # nothing wider than the 360-px screen: no horizontal scrolling
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
