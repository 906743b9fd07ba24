"""Issue 23 item 1, without a browser: each create/edit page of ``form_pages.FORMS``, submitted empty, answers
the form again (200, or 400/422) with its Chinese error text beside the field and in the summary at the top of
the form, and writes nothing (no 500, no redirect as if it had succeeded)."""
from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urljoin

import pytest
from django.apps import apps

from linli.tests.form_pages import FORMS, USERS, forms_of, objects, pick

CJK = re.compile(r"[\u4e00-\u9fff]")


def _rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


def _texts(fragment: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", fragment, re.S)]


@pytest.mark.django_db
@pytest.mark.parametrize("username, path, which", FORMS, ids=[p for _, p, _ in FORMS])
def test_an_empty_form_answers_its_errors_beside_the_field_and_in_a_summary(cast: Any, client: Any, username: str,
                                                                           path: str, which: str | None):
    url = path.format(**objects(cast)) if "{" in path else path
    client.force_login(getattr(cast, USERS[username]))
    got = client.get(url)
    assert got.status_code == 200, url
    form = pick(forms_of(got.content.decode()), which)
    before = _rows()
    answer = client.post(urljoin(url, form.attrs.get("action") or url), form.empty_data())
    assert answer.status_code in (200, 400, 422), (url, answer.status_code, answer.get("Location"))
    html = answer.content.decode()
    beside = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    field_errors = [t for fragment in beside for t in _texts(fragment)]
    assert field_errors and all(CJK.search(t) for t in field_errors), (url, field_errors)
    summary = re.search(r'<div class="form-error-summary"[^>]*data-testid="form-error-summary">(.*?)</div>', html, re.S)
    assert summary, f"{url}: no error summary"
    listed = " ".join(_texts(summary.group(1)))
    assert all(t in listed for t in field_errors), (url, field_errors, listed)
    assert _rows() == before, f"{url}: an empty form wrote rows"
