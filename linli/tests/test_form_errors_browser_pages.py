"""Issue 23 item 1 in a browser, on the list, record and settings pages of ``form_pages.PAGES`` and
``form_pages.DETAIL_FORMS``: the same forms the test-client walk sends (``form_pages.forms_to_walk``), each opened
as the user opens it (a folded "更多" section tapped open), emptied and submitted, must answer with its error on
screen — the summary at the top of the form above the field errors, every field error visible — or, for a step of
a record's page that goes back to the page, an error message visible at the top of the page. One browser, one
sign-in per role."""
from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import browser_login
from linli.tests.form_pages import DETAIL_FORMS, PAGES, forms_of, forms_to_walk, objects, pick
from linli.tests.test_form_errors_visible import _problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: (username, path, skip, which): PAGES walked whole, DETAIL_FORMS one form each
WALKS: list[tuple[str, str, tuple[str, ...], str | None | bool]] = [
    *[(u, p, s, False) for u, p, s in PAGES],
    *[(u, p, (), w) for u, p, w in DETAIL_FORMS],
]
ROLES = sorted({u for u, *_ in WALKS})
CJK = re.compile(r"[\u4e00-\u9fff]")

_OPEN_EMPTY_AND_SUBMIT = """(index) => {
    const forms = Array.from(document.querySelectorAll('main form'))
        .filter(f => (f.getAttribute('method') || '').toLowerCase() === 'post');
    const form = forms[index];
    for (let d = form.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;  // the user's tap
    form.noValidate = true;
    form.querySelectorAll('input[type=text], input[type=tel], input[type=search], input[type=number], input[type=email], '
        + 'input[type=url], input[type=password], input[type=datetime-local], input[type=date], input[type=time], '
        + 'input[type=month], input:not([type]), textarea').forEach(el => { el.value = ''; });
    form.querySelectorAll('select').forEach(el => { if (el.querySelector('option[value=""]')) el.value = ''; });
    const buttons = form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]');
    form.requestSubmit(buttons.length ? buttons[buttons.length - 1] : undefined);
}"""


def _answer_problem(page: Any, where: str) -> str | None:
    """The form came back with its errors (the summary and the field errors visible), or the page it went back to
    shows a visible Chinese error message."""
    if page.locator("main [data-testid=form-error-summary]").count():
        return _problem(page, where)
    flashed = page.locator("main .flash-error")
    if any(flashed.nth(i).is_visible() and CJK.search(flashed.nth(i).inner_text()) for i in range(flashed.count())):
        return None
    beside = page.locator("main ul.errorlist li")
    if beside.count() and all(beside.nth(i).is_visible() for i in range(beside.count())):
        return None if page.locator("main ul.errorlist:not(.nonfield)").count() == 0 else \
            f"{where}: errors beside the fields but no summary"
    return f"{where}: no visible error"


@pytest.mark.parametrize("username", ROLES)
def test_each_form_sent_empty_in_the_browser_shows_its_error_on_screen(cast: Any, page: Any, live_server: Any,
                                                                     username: str) -> None:
    ids = objects(cast)
    browser_login(page, live_server, username)
    problems, walked = [], 0
    for user, path, skip, which in WALKS:
        if user != username:
            continue
        url = path.format(**ids)
        page.goto(f"{live_server.url}{url}")
        html = page.content()
        if which is False:
            chosen = [(i, a) for i, a, _ in forms_to_walk(html, url, skip=tuple(s.format(**ids) for s in skip))]
        else:
            forms = forms_of(html)
            form = pick(forms, which)  # type: ignore[arg-type]
            chosen = [(forms.index(form), form.attrs.get("action") or url)]
        for n, (index, action) in enumerate(chosen):
            if n:
                page.goto(f"{live_server.url}{url}")
            try:
                with page.expect_navigation():
                    page.evaluate(_OPEN_EMPTY_AND_SUBMIT, index)
            except Exception as exc:  # noqa: BLE001 - reported with the form's name
                problems.append(f"{url} → {action}: no answer ({exc.__class__.__name__})")
                continue
            walked += 1
            problem = _answer_problem(page, f"{url} → {action}")
            if problem:
                problems.append(problem)
    assert walked, f"no form walked for {username}"
    assert not problems, "\n".join(problems)
