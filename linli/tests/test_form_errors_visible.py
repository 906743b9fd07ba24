"""Issue 23 item 1: a form submitted empty shows its errors — beside the field and summarised at the top,
visible on screen (never hidden in a collapsed section), on every create/edit form (``form_pages.FORMS``).
One browser context per role, signed in once."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login
from linli.tests.form_pages import FORMS, objects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = sorted({u for u, _, _ in FORMS})

_EMPTY_AND_SUBMIT = """(which) => {
    const forms = Array.from(document.querySelectorAll('main form')).filter(f => (f.getAttribute('method') || '').toLowerCase() === 'post');
    const typeable = f => f.querySelector('textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])');
    const form = which === null ? forms.find(typeable)
        : which.startsWith('#') ? forms.find(f => f.id === which.slice(1))
        : forms.find(f => f.getAttribute('action') === which);
    form.noValidate = true;
    form.querySelectorAll('input[type=text], input[type=tel], input[type=search], input[type=number], input[type=email], '
        + 'input[type=url], input[type=password], input[type=datetime-local], input[type=date], input[type=time], '
        + 'input[type=month], input:not([type]), textarea').forEach(el => { el.value = ''; });
    form.querySelectorAll('select').forEach(el => { if (el.querySelector('option[value=""]')) el.value = ''; });
    const buttons = form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]');
    form.requestSubmit(buttons.length ? buttons[buttons.length - 1] : undefined);
}"""


def _problem(page: Any, path: str) -> str | None:
    """What is wrong with the errors shown on the page now, or None."""
    summary = page.locator("main [data-testid=form-error-summary]")
    if summary.count() != 1:
        return f"{path}: {summary.count()} error summaries"
    if not summary.is_visible() or not summary.locator("li").count() or not summary.inner_text().strip():
        return f"{path}: the error summary is hidden or empty"
    errors = page.locator("main form:has([data-testid=form-error-summary]) ul.errorlist li")
    if not errors.count():
        return f"{path}: no error beside a field"
    for i in range(errors.count()):
        if not errors.nth(i).is_visible():
            return f"{path}: error {errors.nth(i).inner_text()!r} is hidden"
    box, first = summary.bounding_box(), errors.first.bounding_box()
    if box is None or first is None or box["y"] > first["y"]:
        return f"{path}: the summary is not above the first error"
    return None


@pytest.mark.parametrize("username", ROLES)
def test_errors_of_each_empty_form_are_visible_beside_the_field_and_at_the_top(cast: Any, page: Any, live_server: Any,
                                                                             username: str):
    ids = objects(cast)
    browser_login(page, live_server, username)
    problems = []
    for user, path, which in FORMS:
        if user != username:
            continue
        url = path.format(**ids) if "{" in path else path
        page.goto(f"{live_server.url}{url}")
        with page.expect_navigation():
            page.evaluate(_EMPTY_AND_SUBMIT, which)
        problem = _problem(page, url)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)
