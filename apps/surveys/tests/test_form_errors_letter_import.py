"""Issue 23 item 1 (errors visible) on a project survey's open-letter page and its Excel import page: each form
sent empty answers no server error, writes nothing and tells why in Chinese beside the field with the summary at
the top of the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.surveys import actions
from apps.surveys.tests.conftest import at
from apps.surveys.tests.test_statistics_supervision import _recovered
from linli import clock
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _walk(user: Any, url: str, skip: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    c = Client()
    c.force_login(user)
    return empty_post_problems(c, url, skip=skip)


def test_open_letter_forms_sent_empty_are_refused_in_chinese(sv: Any, ps: Any) -> None:
    """The 客服部经理 drafts the letter: title and text required; a second draft (after one exists) likewise;
    sent empty, 发布 of a letter not yet approved by the 管理者代表 is refused in Chinese."""
    _recovered(sv, ps)
    url = f"/surveys/{ps.pk}/letter/"
    with clock.frozen(at(2025, 10, 12)):
        problems, walked = _walk(sv.cast.cs_manager, url)
        assert walked == [url], walked
        actions.draft_letter(survey=ps, title="致全体业主的公开信", body="感谢各位业主参与本次满意度调查，现就意见集中的问题答复如下。",
                             issues=["维修及时率"], acting_user=sv.cast.cs_manager, now=clock.now())
        more, walked = _walk(sv.cast.cs_manager, url)
        assert walked == [url, url], walked  # 发布 (refused: not approved) and the new draft
        problems += more
    assert not problems, "\n".join(problems)


def test_answer_import_sent_without_a_file_is_refused_in_chinese(sv: Any, ps: Any) -> None:
    """The Excel import of recovered questionnaires sent without a file."""
    url = f"/surveys/{ps.pk}/import/"
    with clock.frozen(at(2025, 9, 30)):
        problems, walked = _walk(sv.cast.supervisor, url)
    assert walked == [url], walked
    assert not problems, "\n".join(problems)
