"""Browser tests of the ticket pages (issue 4 item 10): the front-desk intake flow by keyboard only,
and dispatch → handling → reply → verification → return visit → close through the action panels.
The real deadline engine (apps.workdays.queries) stamps the deadlines."""
from __future__ import annotations

from typing import Any

import pytest

from apps.core.tests import samples
from conftest import browser_login
from linli import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page: Any, attr: str) -> str:
    return page.evaluate(f"() => (document.activeElement && document.activeElement.getAttribute('{attr}')) || ''")


def _tab_until(page: Any, attr: str, value: str, limit: int = 25) -> None:
    for _ in range(limit):
        if _focused(page, attr) == value:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach [{attr}={value}] with Tab")


def test_R_M1_05_front_desk_intake_by_keyboard_with_household_lookup(cast: Any, households: Any, page: Any,
                                                                     live_server: Any) -> None:
    """R-M1-05/R-M1-09: 房号 look-up, the household's open tickets shown, agreed feedback time, saved
    with the keyboard only."""
    from apps.tickets import actions as ticket_actions
    from apps.tickets.models import Ticket

    now = clock.now()
    earlier = ticket_actions.receive_ticket(project=cast.project, kind="complaint", channel="phone", content="门禁坏了",
                               household=households["1502"], complainant_surname="王", phone="13800138888",
                               agreed_feedback_at=now + clock_hours(5), acting_user=cast.front_desk, now=now)
    browser_login(page, live_server, "desk")
    page.goto(f"{live_server.url}/tickets/new/")
    assert _focused(page, "id") == "hh-lookup"  # autofocus: type at once
    page.keyboard.type("1502")
    page.wait_for_selector("[data-testid=household-option]")
    page.keyboard.press("ArrowDown")
    assert _focused(page, "data-testid") == "household-option"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=similar-list]")
    assert earlier.number in page.inner_text("[data-testid=similar-list]")
    assert "5栋2单元1502" in page.inner_text("[data-testid=household-chosen]")
    assert _focused(page, "name") == "content"  # picking the household jumps to the event
    page.keyboard.type("楼上漏水，天花板渗水")
    page.keyboard.press("Tab")
    page.keyboard.type("尽快上门查看")
    _tab_until(page, "data-testid", "agree-2h")
    page.keyboard.press("Enter")
    assert page.input_value("input[name=agreed_feedback_at]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=ticket-number]")
    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    assert ticket.number in page.inner_text("[data-testid=ticket-number]")
    assert (ticket.household, ticket.complainant_surname, ticket.desired_outcome) == (households["1502"], "王",
                                                                                      "尽快上门查看")
    assert ticket.agreed_feedback_at is not None and ticket.receiver == cast.front_desk
    assert page.locator("[data-testid=deadline]").count() >= 1  # stamped by the deadline engine


def test_intake_shows_chinese_errors_and_keeps_input(cast: Any, page: Any, live_server: Any) -> None:
    browser_login(page, live_server, "desk")
    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("textarea[name=content]", "噪音扰民")
    page.fill("input[name=complainant_surname]", "李")
    page.fill("input[name=phone]", "13900001111")
    page.click("[data-testid=intake-submit]")
    page.wait_for_selector(".errorlist")
    assert "约定反馈时间" in page.inner_text("body")
    assert page.input_value("textarea[name=content]") == "噪音扰民"


def _act(page: Any, action: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None,
         check: tuple[str, ...] = ()) -> None:
    panel = page.locator(f"[data-testid=action-{action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (fill or {}).items():
        panel.locator(f"[name={name}]").fill(value)
    for name, value in (select or {}).items():
        panel.locator(f"select[name={name}]").select_option(value)
    for name in check:
        panel.locator(f"input[name={name}]").check()
    with page.expect_navigation():
        panel.locator(f"[data-testid=submit-{action}]").click()
    assert page.locator(".errorlist").count() == 0, page.inner_text("main")[:800]
    assert page.locator(".flash-success").count() == 1


def _as(page: Any, live_server: Any, username: str, ticket_id: int) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, username)
    page.goto(f"{live_server.url}/tickets/{ticket_id}/")


def test_R_M2_26_dispatch_to_close_through_the_pages(cast: Any, page: Any, phone_page: Any, live_server: Any,
                                                    tmp_path: Any, settings: Any, frozen_now: Any) -> None:
    """R-M2-01 dispatch + handling with a photo (the worker on a 360-px phone), R-M2-13 reply, R-M4-01
    verification, R-M4-07 return visit, R-M2-21 reply to the 管理处主任, R-M2-18 close — each by the role
    that does it. Frozen on a working morning: a phone return visit in quiet hours is refused (R-M4-14)."""
    from apps.tickets import actions as ticket_actions
    from apps.tickets.models import Ticket

    settings.MEDIA_ROOT = str(tmp_path)
    now = clock.now()
    t = ticket_actions.receive_ticket(project=cast.project, kind="complaint", channel="phone", content="楼道灯不亮",
                         complainant_surname="王", phone="13800138888", agreed_feedback_at=now + clock_hours(6),
                         acting_user=cast.front_desk, now=now)
    _as(page, live_server, "desk", t.pk)
    _act(page, "dispatch", select={"department": str(cast.eng_dept.pk), "assignee": str(cast.worker.pk)})
    assert "已派工" in page.inner_text("[data-testid=ticket-number]")

    phone = phone_page
    _as(phone, live_server, "worker", t.pk)
    with phone.expect_navigation():
        phone.click("[data-testid=action-accept]")
    assert "已接单" in phone.inner_text(".flash-success")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(samples.jpeg())
    panel = phone.locator("[data-testid=action-handling]")
    panel.locator("summary").click()
    panel.locator("input[name=attachment]").set_input_files(str(photo))
    _act(phone, "handling", fill={"investigation": "灯管老化", "measures": "更换灯管", "result": "已更换，照明正常"},
         check=("done",))
    assert "已处理" in phone.inner_text("[data-testid=ticket-number]")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 362

    _as(page, live_server, "desk", t.pk)
    _act(page, "reply", fill={"content": "已为您更换灯管"}, select={"kind": "result", "channel": "phone",
                                                                 "owner_response": "agree"})
    _as(page, live_server, "supervisor", t.pk)
    _act(page, "verify", fill={"notes": "现场查看已落实"}, select={"passed": "pass"})
    _as(page, live_server, "desk", t.pk)
    _act(page, "return_visit", fill={"owner_words": "很满意"}, select={"method": "phone", "reached": "yes",
                                                                        "satisfaction": "satisfied"})
    # R-M2-21: the close panel names the missing reply to the 管理处主任 and records it in place
    panel = page.locator("[data-testid=action-close]")
    panel.locator("summary").click()
    assert "须同时向管理处主任回复处理结果" in panel.inner_text()
    panel.locator("[data-testid=manager-reply-form] select[name=channel]").select_option("in_person")
    with page.expect_navigation():
        panel.locator("[data-testid=submit-manager-reply]").click()
    assert page.locator(".flash-success").count() == 1
    _act(page, "close")
    assert "已关闭" in page.inner_text("[data-testid=ticket-number]")
    t = Ticket.objects.get(pk=t.pk)
    assert t.status == "closed" and t.attachments.count() == 1
    assert page.locator("[data-testid=event]").count() >= 8


def test_pages_fit_a_360_px_phone(cast: Any, phone_page: Any, live_server: Any) -> None:
    from apps.tickets import actions as ticket_actions

    now = clock.now()
    t = ticket_actions.receive_ticket(project=cast.project, kind="complaint", channel="phone", content="楼道灯不亮" * 10,
                         complainant_surname="王", phone="13800138888", agreed_feedback_at=now + clock_hours(6),
                         acting_user=cast.front_desk, now=now)
    browser_login(phone_page, live_server, "desk")
    for path in ("/tickets/new/", "/tickets/", f"/tickets/{t.pk}/", "/tickets/inventory/"):
        phone_page.goto(f"{live_server.url}{path}")
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 362, (path, width)


def clock_hours(n: float) -> Any:
    import datetime as dt

    return dt.timedelta(hours=n)
