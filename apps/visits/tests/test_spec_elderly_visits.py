"""R-M7-08 / R-M9-18: the household flag 空巢老人 marks the elderly living alone for regular visits on their own
configurable interval (走访周期设置, ``elderly_interval_days``) and for holiday greetings (the greeting side:
apps/notify/tests/test_elderly_greetings.py). The schedule is the visit programme (/visits/programme/ and
``GET /api/v1/visits/programme/due``) filtered to the flagged households: their next visit, its reason and
whether it is overdue; a visit of any kind restarts the interval."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.visits.tests.conftest import Homes, at
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any, now: dt.datetime) -> dict[str, str]:
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_m7_08_elderly_visit_schedule_on_the_page_and_the_api(client: Any, cast: Any, homes: Homes,
                                                                 record: Any) -> None:
    """R-M7-08: 5栋2单元1502 is flagged 空巢老人 and was visited on 2026-11-02; with the project's interval set
    to 14 days by the 管理处经理 it is due on 2026-11-16 and overdue on 2026-11-23 — listed by the elderly
    schedule (page and API) which leaves out the other household; a visit restarts the interval."""
    homes.hh.elderly_alone = True
    homes.hh.save(update_fields=["elderly_alone"])
    with clock.frozen(at(2026, 11, 2, 12)):
        record(visited_at=at(2026, 11, 2, 10), now=clock.now())
    with clock.frozen(at(2026, 11, 23, 10)) as now:
        client.force_login(cast.project_manager)
        r = client.post(f"/visits/programme/settings/?project={cast.project.pk}", {
            "project": cast.project.pk, "cycle_mode": "calendar_quarter", "cycle_months": 3, "new_owner_days": 3,
            "elderly_interval_days": 14, "warn_days": 7})
        assert r.status_code == 302
        client.force_login(cast.butler)
        page = client.get(f"/visits/programme/?project={cast.project.pk}&elderly=1").content.decode()
        assert "5栋2单元1502" in page and "6栋1单元101" not in page
        assert "空巢老人走访" in page and "2026-11-16" in page and "逾期" in page and "R-M" not in page
        assert "6栋1单元101" in client.get(f"/visits/programme/?project={cast.project.pk}").content.decode()
        r = client.get(f"/api/v1/visits/programme/due?project={cast.project.pk}&elderly=true", **_auth(cast.butler, now))
        assert r.status_code == 200
        rows = r.json()
        assert [x["household"] for x in rows] == ["5栋2单元1502"]
        assert rows[0]["elderly_alone"] and rows[0]["due_on"] == "2026-11-16" and rows[0]["overdue"]
        assert rows[0]["due_reason"] == "空巢老人走访"
        record(visited_at=at(2026, 11, 23, 9), now=now, method="phone")  # a phone call counts as a visit
        r = client.get(f"/api/v1/visits/programme/due?project={cast.project.pk}&elderly=true", **_auth(cast.butler, now))
        assert r.json()[0]["due_on"] == "2026-12-07" and not r.json()[0]["overdue"]
