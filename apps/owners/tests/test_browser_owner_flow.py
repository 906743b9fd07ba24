"""Issue 19 item 8: the owner's flow on a 390×844 phone screen in Debian's chromium — sign in with the
SMS code, submit a repair with a photo, follow it, confirm the repair is fixed and rate the handling
(an online return visit, R-M4-07 / R-M8-08 e)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.core.tests import samples
from apps.owners.models import OwnerPhoto
from apps.owners.tests.conftest import OTHER, last_code
from apps.repairs import actions as ra
from apps.repairs.tests.conftest import SITE_OK, repair_seed  # noqa: F401  (the fixture, used below)
from apps.tickets import actions as ta
from apps.tickets.models import ReturnVisit, Ticket
from apps.tickets.tests.helpers import answer_by_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_390(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _complete_by_staff(cast: Any, ticket: Any, now: Any) -> None:
    order = ra.order_for(ticket)
    ra.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    ra.accept_order(order=order, acting_user=cast.worker, now=now)
    ra.record_arrival(order=order, acting_user=cast.worker, now=now)
    ra.diagnose(order=order, diagnosis="阀芯老化", chargeable=False, acting_user=cast.worker, now=now)
    ra.start_work(order=order, acting_user=cast.worker, now=now)
    ra.complete_repair(order=order, result="已更换阀芯", labour_hours="1", checklist=SITE_OK,
                       acting_user=cast.worker, now=now)


def _reply_and_verify(cast: Any, ticket: Any, now: Any) -> None:
    """The front desk replies the result and the supervisor verifies it (R-M4-01): the rating follows."""
    answer_by_phone(cast, ticket, now, content="已为您更换阀芯")  # with the reviews an online request needs
    ta.verify_ticket(ticket=ticket, passed=True, notes="已核实", acting_user=cast.supervisor, now=now)


@pytest.mark.usefixtures("repair_seed")
def test_owner_signs_in_submits_a_repair_with_a_photo_follows_confirms_and_rates_on_a_phone(
        cast: Any, homes: Any, frozen_now: Any, phone_390: Any, live_server: Any) -> None:
    page = phone_390
    page.goto(f"{live_server.url}/me/sign-in/")
    _fits(page)
    page.fill("#phone", OTHER)
    page.click("button:has-text('获取验证码')")
    page.locator("#code").wait_for()
    page.fill("#code", last_code(OTHER))
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/me/")
    _fits(page)
    tile = page.locator("nav.tiles a", has_text="我要报修")
    assert tile.bounding_box()["height"] >= 44  # a large tap target
    tile.click()
    page.fill("#content", "厨房水龙头漏水，关不紧")
    page.set_input_files("#photos", files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}])
    _fits(page)
    page.click("button:has-text('提交')")
    page.wait_for_url("**/submitted/")
    ticket = Ticket.objects.get()
    assert ticket.number in page.content() and ticket.channel == "online"
    assert OwnerPhoto.objects.filter(ticket=ticket).count() == 1
    _fits(page)

    _complete_by_staff(cast, ticket, frozen_now)
    page.goto(f"{live_server.url}/me/requests/")
    page.click(f"text={ticket.number}")
    page.wait_for_url(f"**/me/requests/{ticket.pk}/")
    assert page.locator(".photos img").count() == 1
    assert "已受理" in page.locator("#timeline").inner_text()
    _fits(page)
    page.click("button:has-text('已修好，确认')")
    page.locator("#confirmed").wait_for()
    assert page.locator("#rate-form").count() == 0  # not before the result is replied and verified
    _reply_and_verify(cast, ticket, frozen_now)
    page.reload()
    form = page.locator("#rate-form")
    form.locator("fieldset").nth(0).locator("input[value=satisfied]").check()
    form.locator("fieldset").nth(1).locator("input[value=satisfied]").check()
    form.locator("textarea[name=words]").fill("师傅很专业，谢谢")
    page.click("button:has-text('提交评价')")
    page.locator("#rated").wait_for()
    assert "满意" in page.locator("#rated").inner_text()
    _fits(page)
    visit = ReturnVisit.objects.get(ticket=ticket, completed_at__isnull=False)
    assert visit.method == "online" and visit.satisfaction == "satisfied"
