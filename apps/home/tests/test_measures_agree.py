"""Issue 23 item 2 — one definition per measure: on one data set, the home dashboard, the ticket
list (page and API) and the reports' KPI agree on "open", "overdue" and "due soon"."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.home import queries as dashboard
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Linli-2026"


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _stat(panels, key, label):
    panel = next(p for p in panels if p.key == key)
    return next(s.value for s in panel.stats if s.label == label)


def test_issue23_item2_dashboard_lists_reports_and_api_agree(cast, policies, client):
    """Issue 23 item 2: the same counts on every page and in the API."""
    build(cast)
    clock.set_now(NOW)
    receive(cast, now=NOW - dt.timedelta(hours=1))  # a fresh one: its reply deadline falls due later today
    project = cast.project.pk
    api = _api(cast.project_manager)

    def api_count(**query):
        r = api.get("/api/v1/tickets", {"project": project, "page_size": 1, **query})
        assert r.status_code == 200, r.content
        return r.json()["count"]

    def page_count(**query):
        client.force_login(cast.project_manager)
        r = client.get("/tickets/", {"project": project, **query})
        assert r.status_code == 200
        return r.context["page"].paginator.count

    overdue, soon, open_ = api_count(overdue="yes"), api_count(overdue="soon"), api_count(state="open")
    assert overdue > 0 and soon > 0 and open_ >= overdue + soon  # the data set exercises every measure
    assert page_count(overdue="yes") == overdue and page_count(overdue="soon") == soon
    assert page_count(state="open") == open_

    desk = dashboard.home_panels(cast.front_desk, cast.project)
    assert _stat(desk, "desk", "已超时") == overdue
    assert _stat(desk, "desk", "今日到期") == soon
    assert _stat(desk, "desk", "未结工单") == open_
    boss = dashboard.home_panels(cast.project_manager, cast.project)
    assert _stat(boss, "supervision", "超时未办") == overdue
    [row] = [r for r in dashboard.figures_by_project([cast.project], NOW)]
    assert (row["overdue"], row["open"]) == (overdue, open_)

    r = api.get("/api/v1/reports/kpis", {"from": (NOW.date() - dt.timedelta(days=120)).isoformat(), "to": NOW.date().isoformat(),
                                         "projects": str(project)})
    assert r.status_code == 200, r.content
    kpis = {k["code"]: k for k in r.json()["kpis"]}
    assert kpis["overdue_now"]["counts"]["all"] == overdue
