"""Issue 23 item 1 (errors visible) on a project's survey page and its field-work pages: every form the page
offers to the 客服主管 and the 客服部经理, sent empty, answers no server error, writes nothing and tells why in
Chinese beside the field (or in the error message of the page it goes back to)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.surveys.tests.conftest import at
from apps.surveys.tests.test_statistics_supervision import _recovered
from linli import clock
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _walk(user: Any, url: str, skip: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    c = Client()
    c.force_login(user)
    return empty_post_problems(c, url, skip=skip)


def test_sampled_survey_forms_sent_empty_are_refused_in_chinese(sv: Any, ps: Any) -> None:
    """Sampled: re-sampling, adding/removing households, assigning the field work (客服主管), supervision
    (客服部经理); and the fast keying of paper answers."""
    with clock.frozen(at(2025, 9, 27)):
        # 重新抽样 has only optional fields (empty = the rule's minimum, a random seed): a legitimate re-draw
        problems, walked = _walk(sv.cast.supervisor, f"/surveys/{ps.pk}/", skip=(f"/surveys/{ps.pk}/sample/",))
        assert {f"/surveys/{ps.pk}/{a}/" for a in ("households", "assign")} <= set(walked)
        more, walked = _walk(sv.cast.cs_manager, f"/surveys/{ps.pk}/", skip=(f"/surveys/{ps.pk}/sample/",))
        assert f"/surveys/{ps.pk}/supervision/" in walked
        problems += more
        # 登记发放 sent empty registers every sampled household not yet registered, now (its documented default)
        for page in ("key",):
            more, walked = _walk(sv.cast.butler, f"/surveys/{ps.pk}/{page}/")
            assert walked, page
            problems += more
    assert not problems, "\n".join(problems)


def test_recovered_survey_forms_sent_empty_are_refused_in_chinese(sv: Any, ps: Any) -> None:
    """Recovered: the follow-up meeting and the owners' opinions of the 《与客户沟通登记表》."""
    _recovered(sv, ps)
    with clock.frozen(at(2025, 10, 10)):
        problems, walked = _walk(sv.cast.supervisor, f"/surveys/{ps.pk}/")
        assert {f"/surveys/{ps.pk}/{a}/" for a in ("follow-up", "feedback")} <= set(walked)
    assert not problems, "\n".join(problems)
