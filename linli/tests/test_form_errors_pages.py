"""Issue 23 item 1 on list and record pages (``form_pages.PAGES``): every POST form the page offers to the role,
sent empty as a browser sends it, answers no server error, writes nothing and tells why in Chinese — beside the
field with the summary at the top of the form (never in a closed section), or in the error message of the page
it goes back to."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from linli.tests.form_pages import PAGES, USERS, empty_post_problems, objects

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username, path, skip", PAGES, ids=[p for _, p, _ in PAGES])
def test_every_form_of_the_page_sent_empty_is_refused_in_chinese(cast: Any, username: str, path: str,
                                                                skip: tuple[str, ...]) -> None:
    ids = objects(cast)
    url, skip = path.format(**ids), tuple(s.format(**ids) for s in skip)
    c = Client()
    c.force_login(getattr(cast, USERS[username]))
    problems, walked = empty_post_problems(c, url, skip=skip)
    assert walked, f"{url}: no form offered to {username}"
    assert not problems, "\n".join(problems)
