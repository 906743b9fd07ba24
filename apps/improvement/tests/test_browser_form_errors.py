"""Issue 23 item 1 in a browser: the sub-forms of a record's page that sit in a folded section (an improvement
plan's new row and meeting, an activity's invitation), opened and sent empty, come back with the section open,
the summary at the top of the form and every field error visible on screen."""

from __future__ import annotations

from typing import Any

import pytest

from apps.activities import actions as activity_actions
from apps.improvement import actions
from apps.surveys.tests.conftest import at
from conftest import browser_login
from linli import clock
from linli.tests.test_form_errors_visible import _problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_OPEN_EMPTY_AND_SUBMIT = """(selector) => {
    const form = document.querySelector(selector);
    const folded = form.closest('details');
    if (folded) folded.open = true;  // what the user's tap on the section's title does
    form.noValidate = true;
    form.querySelectorAll('input[type=text], input[type=number], input[type=date], input:not([type]), textarea')
        .forEach(el => { el.value = ''; });
    form.querySelectorAll('select').forEach(el => { if (el.querySelector('option[value=""]')) el.value = ''; });
    form.requestSubmit();
}"""


def _submit_empty(page: Any, url: str, selector: str) -> str | None:
    page.goto(url)
    with page.expect_navigation():
        page.evaluate(_OPEN_EMPTY_AND_SUBMIT, selector)
    return _problem(page, f"{url} {selector}")


def test_folded_sub_forms_show_their_errors_when_sent_empty(cast: Any, page: Any, live_server: Any) -> None:
    plan = actions.create_plan(
        company=cast.company,
        year=2025,
        kind="line",
        line="engineering",
        acting_user=cast.cs_manager,
        now=at(2025, 9, 2),
    )
    with clock.frozen(at(2025, 9, 20)):
        aplan = activity_actions.draw_up_plan(
            project=cast.project,
            period="annual",
            year=2025,
            title="2025年社区文化活动计划",
            acting_user=cast.supervisor,
            now=clock.now(),
        )
        activity = activity_actions.add_activity(
            plan=aplan,
            title="国庆游园会",
            held_on=at(2025, 10, 1).date(),
            implementation_plan="游园、猜灯谜",
            budget="3000",
            acting_user=cast.supervisor,
            now=clock.now(),
        )
    with clock.frozen(at(2025, 9, 26)):
        activity_actions.approve_implementation(activity=activity, acting_user=cast.cs_manager, now=clock.now())
    problems = []
    browser_login(page, live_server, cast.cs_manager.username)
    for selector in ("[data-testid=action-form]", "[data-testid=meeting-form]"):
        problems.append(_submit_empty(page, f"{live_server.url}/improvement/{plan.pk}/", selector))
    page.context.clear_cookies()
    browser_login(page, live_server, cast.supervisor.username)
    problems.append(
        _submit_empty(
            page, f"{live_server.url}/activities/{activity.pk}/", f"form[action='/activities/{activity.pk}/invite/']"
        )
    )
    assert not [p for p in problems if p]
