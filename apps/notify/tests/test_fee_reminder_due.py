"""R-M17-07 (R-M16-12) — the monthly fee reminder is a monthly duty: the owner-notice page and the API tell
the front desk which of its projects have not had this month's reminder sent to all owners yet; a reminder
to one building does not count; next month it is due again."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.estates.models import Building
from apps.notify.models import NoticeKind
from apps.notify.tests.conftest import sh
from apps.notify.tests.test_spec_owner_notices import owners  # noqa: F401 (fixture)
from linli import clock

pytestmark = pytest.mark.django_db
NOW = sh(2026, 11, 23, 10, 0)
DUE = "/api/v1/notifications/owner-notices/fee-reminders-due"


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_r_m17_07_fee_reminder_due_each_month_page_and_api(cast, owners):  # noqa: F811
    desk = Client()
    desk.force_login(cast.front_desk)
    api = _api(cast.front_desk)
    building = Building.objects.create(project=cast.project, name="9栋")
    with clock.frozen(NOW):
        page = desk.get("/notify/owner-notices/").content.decode()
        assert 'data-testid="fee-reminders-due"' in page and cast.project.name in page
        assert [d["project_id"] for d in api.get(DUE).json()] == [cast.project.pk]
        # a reminder to one building leaves the project's monthly reminder due
        r = desk.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.FEE,
                                                 "building": building.pk, "body": "请缴纳本月物业费"})
        assert r.status_code == 302, r.content.decode()
        assert [d["project_id"] for d in api.get(DUE).json()] == [cast.project.pk]
        r = api.post("/api/v1/notifications/owner-notices",
                     json.dumps({"project_id": cast.project.pk, "kind": NoticeKind.FEE, "body": "请于月底前缴纳本月物业费"}),
                     content_type="application/json")
        assert r.status_code == 201
        assert api.get(DUE).json() == []
        assert 'data-testid="fee-reminders-due"' not in desk.get("/notify/owner-notices/").content.decode()
    with clock.frozen(sh(2026, 12, 1, 9, 0)):
        assert [d["project_id"] for d in api.get(DUE).json()] == [cast.project.pk]


def test_r_m17_07_fee_reminder_due_refused_without_the_reply_right(cast):
    assert _api(cast.worker).get(DUE).status_code == 403
