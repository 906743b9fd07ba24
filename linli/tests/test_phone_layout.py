"""Issue 23 item 7 (phones): staff lists become cards under 600 px (tables with class ``cards`` whose cells
carry ``data-label``), owners' numbers are tel: links only when shown in full (see
apps/estates/tests/test_phone_links.py for the masking, grant and read-log rules), and the work order is
usable one-handed on a 390×844 phone."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.estates.tests.conftest import estate, grant_for  # noqa: F401  (fixtures)
from apps.repairs.tests.conftest import repair_seed  # noqa: F401  (fixture)
from conftest import browser_login

ROOT = Path(__file__).resolve().parents[2]

#: every staff list page that is a table (issue 23 item 7), besides the ticket and NCR lists
LIST_TEMPLATES = [
    "activities/templates/activities/index.html", "assessments/templates/assessments/sheet_list.html",
    "audits/templates/audits/audit_list.html", "audits/templates/audits/standards.html",
    "cards/templates/cards/home.html", "cards/templates/cards/doors.html", "desk/templates/desk/page.html",
    "estates/templates/estates/grants.html", "estates/templates/estates/access_log.html",
    "fees/templates/fees/home.html", "fees/templates/fees/bills.html", "fees/templates/fees/arrears.html",
    "fees/templates/fees/reconciliation.html", "fees/templates/fees/account.html",
    "inspections/templates/inspections/index.html", "inspections/templates/inspections/pool.html",
    "inspections/templates/inspections/night.html", "inspections/templates/inspections/rounds.html",
    "surveys/templates/surveys/index.html", "surveys/templates/surveys/questionnaires.html",
    "visits/templates/visits/visit_list.html", "visits/templates/visits/programme.html",
    "visits/templates/visits/plan_list.html", "visits/templates/visits/problem_list.html",
    "reports/templates/reports/report_list.html", "escalation/templates/escalation/overview.html",
    "improvement/templates/improvement/index.html", "notify/templates/notify/deliveries.html",
    "portal/templates/portal/manage.html", "repairs/templates/repairs/price_lists.html",
    "org/templates/org/directory.html", "tickets/templates/tickets/_rows.html",
    "quality/templates/quality/ncr_list.html",
]

#: (cast member, URL name) of the list pages, rendered
LIST_PAGES = [
    ("cs_manager", "activities:index"), ("cs_manager", "assessments:list"), ("cs_manager", "audits:list"),
    ("quality_inspector", "audits:standards"), ("supervisor", "cards:home"), ("supervisor", "cards:doors"),
    ("front_desk", "desk:keys"), ("front_desk", "desk:mail"), ("front_desk", "desk:items"),
    ("supervisor", "estates:grants"), ("supervisor", "estates:access_log"),
    ("supervisor", "fees:home"), ("supervisor", "fees:bills"), ("supervisor", "fees:arrears"),
    ("supervisor", "fees:reconciliation"), ("supervisor", "inspections:index"), ("supervisor", "inspections:pool"),
    ("supervisor", "inspections:night"), ("supervisor", "inspections:rounds"), ("supervisor", "surveys:index"),
    ("supervisor", "surveys:questionnaires"), ("front_desk", "visits:list"), ("front_desk", "visits:problems"),
    ("front_desk", "visits:programme"), ("front_desk", "visits:plans"), ("supervisor", "reports:list"),
    ("supervisor", "escalation:overview"), ("supervisor", "improvement:index"), ("cs_manager", "notify:deliveries"),
    ("cs_manager", "portal:manage"), ("project_manager", "repairs:price_lists"), ("front_desk", "org:directory"),
    ("front_desk", "tickets:list"), ("supervisor", "quality:ncr_list"),
]

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_TR = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_TD = re.compile(r"<td\b([^>]*)>")


@pytest.mark.parametrize("name", LIST_TEMPLATES)
def test_every_list_table_is_cards_with_a_label_on_each_cell(name: str) -> None:
    source = (ROOT / "apps" / name).read_text(encoding="utf-8")
    tables = _TABLE.findall(source)
    assert tables, name
    for table in tables:
        assert re.match(r'<table\b[^>]*class="[^"]*\bcards\b', table), f"{name}: {table[:80]}"
        head, _, body = table.partition("</thead>")
        labels = [re.sub(r"<[^>]+>", "", h).strip() for h in _TH.findall(head)]
        for row in _TR.findall(body):
            for i, attrs in enumerate(_TD.findall(row)):
                if "colspan" in attrs or (i < len(labels) and not labels[i]):
                    continue  # the empty-list row; a column without a header (row buttons)
                assert "data-label=" in attrs, f"{name}: cell {i} of {row[:120]}"


def test_the_card_layout_is_one_rule_set_in_the_stylesheet() -> None:
    css = (ROOT / "apps/core/static/linli/linli.css").read_text(encoding="utf-8")
    assert css.count("table.cards td[data-label]::before") == 1
    others = [p for p in (ROOT / "apps").rglob("*.css") if p.name != "linli.css"]
    assert not [p for p in others if "table.cards" in p.read_text(encoding="utf-8")]


@pytest.mark.django_db
def test_list_pages_render_as_cards_with_labels(cast: Any, client: Any, estate: Any, grant_for: Any) -> None:  # noqa: F811
    from apps.estates import actions as estates_actions

    grant_for(cast.front_desk)  # a row on the grants page
    estates_actions.reveal_household(cast.supervisor, estate.hh, reason="回访业主", screen="房屋档案页")  # access log
    who = None
    for member, url_name in LIST_PAGES:
        if member != who:
            client.force_login(getattr(cast, member))
            who = member
        response = client.get(reverse(url_name))
        assert response.status_code == 200, f"{url_name} as {member}: {response.status_code}"
        html = response.content.decode()
        assert re.search(r'<table\b[^>]*class="[^"]*\bcards\b', html), f"{url_name}: no cards table"
        if url_name in ("estates:grants", "estates:access_log", "org:directory", "visits:programme"):
            assert re.search(r'<td data-label="[^"]+"', html), f"{url_name}: rows without data-label"


# ---------------------------------------------------------------- the phone in the hand (browser)

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone390(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def _tappable(locator: Any) -> None:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and locator.is_visible()
    assert box["height"] >= 40, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_work_order_one_handed_on_a_390_phone(cast: Any, phone390: Any, live_server: Any, frozen_now: Any,
                                              repair_seed: None, estate: Any) -> None:  # noqa: F811
    from apps.estates.models import AccessAction, Building, CustomerDataAccessLog
    from apps.repairs.tests.helpers import assigned

    Building.objects.filter(pk=estate.hh.building_id).update(steward=cast.butler)
    order = assigned(cast, now=frozen_now, household=estate.hh)
    page = phone390

    # the repair worker: his list is cards, the order's buttons are big, the owner's number stays masked
    browser_login(page, live_server, cast.worker.username)
    page.goto(f"{live_server.url}/repairs/")
    _fits(page)
    page.locator('[data-testid="my-orders"] [data-testid="order-card"]').first.click()
    page.wait_for_url(f"**/repairs/orders/{order.pk}/")
    _fits(page)
    _tappable(page.locator('[data-testid="btn-accept"]'))
    assert page.locator('[data-testid="owner-phone"] a[href^="tel:"]').count() == 0
    assert "138****8888" in page.locator('[data-testid="owner-phone"]').inner_text()
    page.locator('[data-testid="btn-accept"]').click()
    _tappable(page.locator('[data-testid="btn-arrive"]'))
    _fits(page)

    # the building steward: the list, the order, 拨打 turns the masked number into a tel: link (logged)
    page.context.clear_cookies()
    browser_login(page, live_server, cast.butler.username)
    page.goto(f"{live_server.url}/repairs/")
    _fits(page)
    card = page.locator('[data-testid="steward-orders"] [data-testid="order-card"]').first
    _tappable(card)
    card.click()
    page.wait_for_url(f"**/repairs/orders/{order.pk}/")
    _fits(page)
    call = page.locator('[data-testid="owner-phone"] [data-testid="call-button"]')
    _tappable(call)
    call.click()
    tel = page.locator('[data-testid="owner-phone"] a[href^="tel:"]')
    tel.wait_for()
    assert tel.get_attribute("href") == "tel:13800138888"
    _tappable(tel)
    _fits(page)
    log = CustomerDataAccessLog.objects.get(action=AccessAction.VIEW)
    assert (log.user_id, log.fields, log.reason) == (cast.butler.pk, "phone", "拨打电话")

    # a staff list table on the same phone: one card per row, no sideways scrolling
    page.goto(f"{live_server.url}/visits/programme/")
    _fits(page)
    row = page.locator("table.cards tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert page.locator("table.cards thead").first.evaluate("h => h.getBoundingClientRect().height") <= 1
