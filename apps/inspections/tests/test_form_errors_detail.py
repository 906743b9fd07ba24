"""Issue 23 item 1 (errors visible) on an inspection's page: handing a finding on, closing it and completing
the inspection, sent empty by the 工程部经理 who inspected, answer no server error, write nothing and tell why
in Chinese in the error message at the top of the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.inspections import actions
from linli import clock
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def test_inspection_page_forms_sent_empty_are_refused_in_chinese(cast: Any, frozen_now: Any) -> None:
    insp = actions.record_inspection(
        project=cast.project,
        kind="daily",
        level="specialist",
        inspected_at=dt.datetime(2026, 11, 23, 9, tzinfo=clock.SHANGHAI),
        scope="泵房",
        acting_user=cast.eng_head,
        now=frozen_now,
        findings=[{"description": "水泵漏水", "cause": "facility", "department": cast.eng_dept}],
    )
    finding = insp.findings.get()
    c = Client()
    c.force_login(cast.eng_head)
    problems, walked = empty_post_problems(c, f"/inspections/{insp.pk}/")
    assert {
        f"/inspections/findings/{finding.pk}/hand-on/",
        f"/inspections/findings/{finding.pk}/close/",
    } <= set(walked)
    assert not problems, "\n".join(problems)
