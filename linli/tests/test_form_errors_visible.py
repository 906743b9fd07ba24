"""Issue 23 item 1: a form submitted empty shows its errors — beside the field and summarised at the top,
visible on screen (never hidden in a collapsed section), on every main form."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: (user, path) of the main create forms.
FORMS = [
    ("desk", "/tickets/new/"),
    ("desk", "/repairs/new/"),
    ("desk", "/visits/new/"),
    ("supervisor", "/reports/cases/new/"),
    ("csmanager", "/portal/manage/notice/new/"),
]


def _submit_empty(page: Any) -> None:
    """Empty every text field of the main form, switch off the browser's own checks, submit."""
    page.evaluate("""() => {
        const form = document.querySelector('main form[method=post], main form[method=POST]');
        form.noValidate = true;
        form.querySelectorAll('input[type=text], input[type=tel], input[type=search], textarea').forEach(
            el => { el.value = ''; });
        form.querySelectorAll('input[type=datetime-local], input[type=date]').forEach(el => { el.value = ''; });
        form.querySelectorAll('select').forEach(el => { if (el.querySelector('option[value=""]')) el.value = ''; });
    }""")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit], main form[method=POST] button[type=submit]").last.click()


@pytest.mark.parametrize("username, path", FORMS, ids=[p for _, p in FORMS])
def test_errors_of_an_empty_form_are_visible_beside_the_field_and_at_the_top(cast: Any, page: Any, live_server: Any,
                                                                              username: str, path: str):
    browser_login(page, live_server, username)
    page.goto(f"{live_server.url}{path}")
    _submit_empty(page)
    summary = page.locator("[data-testid=form-error-summary]")
    summary.wait_for()
    assert summary.is_visible()
    assert summary.locator("li").count() >= 1 and summary.inner_text().strip()
    errors = page.locator("main form ul.errorlist li")
    assert errors.count() >= 1
    for i in range(errors.count()):
        assert errors.nth(i).is_visible(), f"{path}: error {errors.nth(i).inner_text()!r} is hidden"
    box = summary.bounding_box()
    first = errors.first.bounding_box()
    assert box is not None and first is not None and box["y"] <= first["y"]
