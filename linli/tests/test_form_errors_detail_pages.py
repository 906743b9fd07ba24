"""Issue 23 item 1, the sub-forms of detail and settings pages (``form_pages.DETAIL_FORMS``): each, sent empty
by a role who may use it, answers no server error, writes nothing, and tells why in Chinese — beside the
field, or (a step of a record's page that answers by going back to the page) in an error message shown on
the page it returns to."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import constants

from linli.tests.form_pages import DETAIL_FORMS, USERS, forms_of, objects, pick

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in django_apps.get_models()
            if m._meta.managed and not m._meta.proxy}


def _chinese_errors(response: Any) -> list[str]:
    html = response.content.decode()
    beside = [re.sub(r"<[^>]+>", "", li).strip() for fragment in
              re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
              for li in re.findall(r"<li>(.*?)</li>", fragment, re.S)]
    flashed = [str(m) for m in (response.context or {}).get("messages", []) if m.level == constants.ERROR] \
        if response.context is not None and "messages" in response.context else []
    return [t for t in beside + flashed if CJK.search(t)]


@pytest.mark.parametrize("role, page, which", DETAIL_FORMS, ids=[p for _, p, _ in DETAIL_FORMS])
def test_a_detail_page_form_sent_empty_is_refused_in_chinese_and_writes_nothing(cast: Any, client: Any, role: str,
                                                                             page: str, which: str | None) -> None:
    url = page.format(**objects(cast)) if "{" in page else page
    client.force_login(getattr(cast, USERS[role]))
    got = client.get(url)
    assert got.status_code == 200, (url, role, got.status_code)
    form = pick(forms_of(got.content.decode()), which)
    before = _rows()
    answer = client.post(urljoin(url, form.attrs.get("action") or url), form.empty_data(), follow=True)
    assert answer.status_code in (200, 400, 422), (url, which, answer.status_code)
    assert _rows() == before, f"{url} {which}: an empty form wrote rows"
    assert _chinese_errors(answer), f"{url} {which}: no Chinese error message"
