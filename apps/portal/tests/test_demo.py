"""Demo notices on the owners' notice board for ``make run`` (R-M17-12, R-M10-07)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from typing import cast as cast_to

import pytest

from apps.org.models import User
from apps.portal.demo import load_demo_publications
from apps.portal.models import Publication, PublicationKind

pytestmark = pytest.mark.django_db


def test_r_m17_12_demo_board_shows_an_approved_open_letter_and_a_notice(cast: Any, frozen_now: dt.datetime,
                                                                         client: Any) -> None:
    """R-M17-12: the demo company's residential boards carry an open letter (with the approver, R-M10-07)
    and a notice, posted by the 客服经理; the public page lists them newest first without logging in."""
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    rep = cast_to(User, UserFactory(username="mrep", display_name="冯代表"))
    member(rep, Role.MANAGEMENT_REP, company=cast.company)
    # 翠湖苑 of the cast has no 客服经理; 阳光花园 also has an outdated notice, withdrawn (issue 23 item 3)
    assert load_demo_publications(cast.company, now=frozen_now) == 3
    letter = Publication.objects.get(project=cast.project, kind=PublicationKind.OPEN_LETTER)
    notice = Publication.objects.get(project=cast.project, kind=PublicationKind.NOTICE, withdrawn_at=None)
    withdrawn = Publication.objects.get(project=cast.project, kind=PublicationKind.NOTICE, withdrawn_at__isnull=False)
    assert withdrawn.withdraw_reason and withdrawn.withdrawn_by == cast.cs_manager
    assert letter.approved_by == rep and letter.approved_by_name == "冯代表"
    assert letter.published_by == cast.cs_manager
    assert notice.published_at > letter.published_at
    page = client.get(f"/portal/{cast.project.code}/").content.decode()
    assert page.index("电梯维保停运通知") < page.index("致全体业主的一封信")
    assert "停水通知" not in page
