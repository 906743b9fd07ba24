"""The audit and assessment lists run a fixed number of queries whatever the number of rows."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.assessments import actions as assessment_actions

pytestmark = pytest.mark.django_db


def test_audit_list_and_detail_query_counts(client, cast, open_audit, django_assert_max_num_queries):
    audits = [open_audit(audited_on=dt.date(2026, 3, day), period_end=dt.date(2026, 3, day - 1))
              for day in (10, 11, 12)]
    client.force_login(cast.quality_inspector)
    with django_assert_max_num_queries(15):
        assert client.get("/audits/").status_code == 200
    with django_assert_max_num_queries(20):  # the id of a created audit: sequences need not start at 1
        assert client.get(f"/audits/{audits[0].pk}/").status_code == 200


def test_assessment_list_query_count(client, cast, frozen_now, django_assert_max_num_queries):
    assessment_actions.load_seed_catalogue(company=cast.company, now=frozen_now)
    for u in (cast.front_desk, cast.butler, cast.cs_manager):
        assessment_actions.open_sheet(employee=u, project=cast.project, period=dt.date(2026, 3, 1),
                                      acting_user=cast.supervisor, now=frozen_now)
    client.force_login(cast.supervisor)
    with django_assert_max_num_queries(14):
        r = client.get("/assessments/?month=2026-03")
    assert r.status_code == 200 and r.content.decode().count('data-testid="sheet-row"') == 3
