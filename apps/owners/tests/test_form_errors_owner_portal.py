"""Issue 23 item 1, the owners' portal: each form of ``form_pages.OWNER_FORMS`` (and the sign-in form), sent
empty by a signed-in owner, answers the form again (400/422, or 200) with a Chinese message beside the field
and writes nothing — no 500, no redirect as if it had succeeded."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import pytest
from django.apps import apps
from django.test import Client

from apps.owners.tests.conftest import OWNER
from apps.tickets.models import Ticket
from linli.tests.form_pages import OWNER_FORMS, forms_of, pick

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


def _errors(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", e).strip() for e in re.findall(r'<small class="err">(.*?)</small>', html, re.S)]


def _empty_post(c: Client, url: str, which: str | None) -> tuple[int, list[str], bool]:
    got = c.get(url)
    assert got.status_code == 200, url
    form = pick(forms_of(got.content.decode()), which)
    before = _rows()
    answer = c.post(urljoin(url, form.attrs.get("action") or url), form.empty_data())
    return answer.status_code, _errors(answer.content.decode()), _rows() == before


@pytest.mark.parametrize("path, which", OWNER_FORMS, ids=[p for p, _ in OWNER_FORMS])
def test_an_owner_form_sent_empty_answers_a_chinese_message_and_writes_nothing(owner_client: Any, homes: Any,
                                                                             path: str, which: str | None) -> None:
    c = owner_client(OWNER, household=homes["1502"])
    if "{request}" in path:
        assert c.post("/me/requests/new/", {"kind": "repair", "content": "厨房水龙头漏水"}).status_code == 302
        path = path.format(request=Ticket.objects.get().pk)
    status, errors, unchanged = _empty_post(c, path, which)
    assert status in (200, 400, 422), (path, status)
    assert errors and all(CJK.search(e) for e in errors), (path, errors)
    assert unchanged, f"{path}: an empty form wrote rows"


def test_the_sign_in_form_sent_empty_answers_a_chinese_message(homes: Any, frozen_now: Any) -> None:
    status, errors, unchanged = _empty_post(Client(), "/me/sign-in/", None)
    assert status in (200, 400, 422) and errors and all(CJK.search(e) for e in errors) and unchanged, errors
