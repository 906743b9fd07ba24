"""Issue 23 item 8 (languages): with English chosen, the main pages of every everyday role show no
Chinese outside user data.

Non-browser walk through Django's test client with the language cookie (what the language switch
sets). The fixture data the test controls is named in ASCII (company, projects, departments, people,
buildings, households, ticket texts), so any Chinese left on a page is UI text. What stays user data
although the test does not write it (the category tree, the deadline rule tables, the check
templates a company edits, the ticket journal written when things happened) is read from the
database and cut from the page before the check, as are the Chinese column names and keywords of an
import file on its import page. ``<script>``/``<style>`` blocks (vendored code) and form values are
cut too. A failure lists, per role and page, the snippets still in Chinese.
"""
from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.test import Client

CJK = re.compile(r"[\u3400-\u9fff]")
PASSWORD = "pw-Linli-2026"


def _ascii_cast(cast: Any) -> None:
    """Rename what the cast wrote in Chinese: the company's own names are user data."""
    from apps.org.models import Department, User

    cast.company.name = "Acme Property"
    cast.company.save()
    for project, name in ((cast.project, "Sunny Garden"), (cast.other_project, "Lake Court")):
        project.name = name
        project.address = "1 Sunny Road"
        project.save()
    for i, dept in enumerate(Department.objects.filter(company=cast.company)):
        dept.name = f"Dept {i}"
        dept.save()
    for user in User.objects.all():
        user.display_name = user.username.title()
        user.save()


def _visible(html: str) -> str:
    """The page without what is not UI text: vendored scripts and styles, form values (what a user
    typed or a form proposes for the owners), the native name of Chinese in the language choices,
    the brand, and samples marked ``lang="zh-Hans"`` (a file format that is Chinese by nature)."""
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<(pre|code|span)\b[^>]*lang=\"zh[^\"]*\"[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<option value=\"zh-hans\"[^>]*>[^<]*</option>", " ", html)
    html = re.sub(r"""\svalue=("[^"]*"|'[^']*')""", " ", html)
    html = html.replace('aria-label="Language / 语言"', " ")
    return html.replace("<strong>邻里</strong>", " ")


def _snippets(text: str, limit: int = 8) -> list[str]:
    found = []
    for m in re.finditer(r"[^<>\n]{0,30}[\u3400-\u9fff][^<>\n]{0,30}", text):
        found.append(m.group(0).strip())
        if len(found) >= limit:
            break
    return found


def _client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


STAFF_PAGES = {
    "desk": ["/", "/tickets/", "/tickets/new/", "/estates/", "/repairs/", "/repairs/new/", "/visits/",
             "/visits/agenda/", "/notify/", "/desk/", "/desk/mail/", "/desk/keys/", "/desk/decorations/",
             "/desk/logs/", "/desk/meetings/", "/desk/items/", "/profile/", "/org/directory/"],
    "supervisor": ["/", "/tickets/queue/verification/", "/tickets/queue/return-visit/", "/escalation/",
                   "/quality/ncr/", "/calendar/", "/reports/", "/reports/dashboard/", "/reports/cases/",
                   "/surveys/", "/surveys/questionnaires/", "/assessments/", "/visits/problems/",
                   "/visits/programme/", "/visits/plans/", "/tickets/inventory/",
                   "/reports/steward/week/", "/reports/visits/immediate/"],
    "csmanager": ["/", "/reports/compliance/", "/improvement/", "/activities/", "/activities/board/",
                  "/assessments/settings/", "/cards/", "/inspections/", "/inspections/new/",
                  "/inspections/pool/", "/inspections/rounds/", "/inspections/bulletin/"],
    "quality": ["/", "/audits/", "/audits/new/", "/audits/standards/", "/surveys/policy/",
                "/reports/quality/queue/", "/quality/ncr/"],
    "butler": ["/", "/desk/steward/", "/visits/", "/visits/new/"],
    "worker": ["/", "/repairs/", "/tickets/queue/department/"],
    "leader": ["/", "/reports/dashboard/", "/audits/"],
    "pm": ["/", "/portal/manage/", "/repairs/cash/", "/repairs/measures/", "/repairs/price-lists/", "/escalation/legacy/"],
    "admin1": ["/", "/org/settings/", "/tickets/settings/validity-criteria/", "/visits/programme/settings/",
               "/cards/settings/", "/fees/settings/", "/estates/import/", "/calendar/import/", "/notify/deliveries/",
               "/notify/quiet-hours/"],
    "cashier": ["/", "/fees/", "/fees/bills/", "/fees/arrears/", "/fees/reconciliation/", "/fees/standards/",
                "/fees/cycles/", "/fees/charges/new/", "/fees/handovers/", "/fees/import/", "/fees/publish/"],
    "steward": ["/", "/desk/steward/", "/visits/agenda/"],
}


def _walk(client: Client, paths: list[str], strip: list[str], found: dict[str, Any], who: str) -> None:
    tokens = _format_tokens()
    for path in paths:
        r = client.get(path)
        key = f"{who} {path}"
        if r.status_code >= 400 and r.status_code != 403:
            found[key] = [f"HTTP {r.status_code}"]
            continue
        if r.status_code in (301, 302):
            continue
        text = _visible(r.content.decode())
        for s in [*strip, *tokens.get(path, [])]:
            text = text.replace(s, " ")
        if CJK.search(text):
            found[key] = _snippets(text)


def _user_data() -> list[str]:
    """Names and texts a company enters or edits that the test did not write: its category tree
    (seeded from the company's procedure), its deadline rule tables (names and the wording of each
    rule, which the deadlines quote) and its check templates. Longest first, so that a path
    (工程/给排水) goes before its parts. Also the journal lines of the tickets: history written
    when it happened, in the site's language, and shown as written."""
    from apps.inspections.models import CheckTemplate
    from apps.tickets.models import Category, TicketEvent
    from apps.workdays.models import LimitPolicy, RuleSet

    names: set[str] = set()
    for category in Category.objects.all():
        names.update({category.name, category.path})
    names.update(RuleSet.objects.values_list("name", flat=True))
    names.update(LimitPolicy.objects.values_list("rule", flat=True))
    names.update(CheckTemplate.objects.values_list("name", flat=True))
    names.update(TicketEvent.objects.values_list("message", flat=True))
    return sorted((n for n in names if CJK.search(n)), key=len, reverse=True)


def _format_tokens() -> dict[str, list[str]]:
    """Words of a file format that the importer reads in Chinese, quoted by the English help of the
    import pages (the column names of the audit standard, the day types of the calendar)."""
    from apps.audits.actions import IMPORT_HEADERS, MODE_NAMES
    from apps.workdays.actions import KIND_WORDS

    def chinese(words: Any) -> list[str]:
        return sorted((w for w in words if CJK.search(w)), key=len, reverse=True)

    return {"/audits/standards/": chinese([*IMPORT_HEADERS, *MODE_NAMES]), "/calendar/import/": chinese(KIND_WORDS)}


def _records(cast: Any) -> dict[str, int]:
    """A ticket and a work order with ASCII texts, and a household with an owner."""
    from apps.estates.models import Building, Household, Person, Unit
    from apps.repairs.tests import helpers as rh
    from apps.tickets.tests.helpers import receive
    from linli import clock

    b = Building.objects.create(project=cast.project, name="B5")
    u = Unit.objects.create(building=b, name="U2")
    home = Household.objects.create(project=cast.project, building=b, unit=u, room_no="1502", label="B5-U2-1502")
    Person.objects.create(project=cast.project, household=home, name="Owner Wang", phone=OWNER_PHONE)
    now = clock.now()
    ticket = receive(cast, content="Corridor light is out", complainant_surname="Wang", household=home)
    order = rh.receive(cast, content="Kitchen tap leaks", location="B5-U2-1502", complainant_surname="Wang",
                       now=now)
    return {"ticket": ticket.pk, "order": order.pk}


OWNER_PHONE = "13800138888"


def _owner_client() -> Client:
    from apps.owners.tests.conftest import last_code

    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert c.post("/me/sign-in/", {"phone": OWNER_PHONE}).status_code == 200
    r = c.post("/me/sign-in/", {"phone": OWNER_PHONE, "step": "code", "code": last_code(OWNER_PHONE)})
    assert r.status_code == 302
    return c


def test_main_pages_have_no_chinese_in_english(cast: Any, frozen_now: Any) -> None:
    """Issue 23 item 8: every main page of every everyday role, the owner's pages and the public
    board, in English, without a Chinese character outside user data."""
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    _ascii_cast(cast)
    for username, role in (("cashier", Role.CASHIER), ("steward", Role.BUILDING_STEWARD)):
        u = UserFactory(username=username, display_name=username.title())
        member(u, role, company=cast.company, project=cast.project, department=cast.cs_dept)
    ids = _records(cast)
    strip = _user_data()
    pages = {**STAFF_PAGES}
    pages["desk"] = [*pages["desk"], f"/tickets/{ids['ticket']}/", f"/repairs/orders/{ids['order']}/"]
    pages["supervisor"] = [*pages["supervisor"], f"/tickets/{ids['ticket']}/", f"/repairs/orders/{ids['order']}/"]
    pages["worker"] = [*pages["worker"], f"/repairs/orders/{ids['order']}/"]
    found: dict[str, Any] = {}
    for who, paths in pages.items():
        _walk(_client(who), paths, strip, found, who)
    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _walk(anonymous, ["/login/", f"/portal/{cast.project.code}/", "/me/sign-in/"], strip, found, "anonymous")
    _walk(_owner_client(), ["/me/", "/me/requests/", "/me/requests/new/", "/me/members/"], strip, found, "owner")
    assert not found, "Chinese left on English pages:\n" + "\n".join(f"{k}: {v}" for k, v in found.items())
