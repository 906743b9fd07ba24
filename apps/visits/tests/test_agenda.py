"""The planned-work calendar across inspections, visits and activities (issue 22 item 4): one "due and
overdue" view per project, and the sweep reminding the responsible person before and at the due date
through the notification machinery — once each."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from apps.activities import actions as activity_actions
from apps.inspections import actions as inspection_actions
from apps.inspections.models import CheckTemplate
from apps.notify.models import Notification
from apps.visits import agenda
from apps.visits.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(cast, homes, record):
    """On 2026-11-23: a round due 11-25 (项目经理), an activity on 12-05 (notice due 12-02), 5栋 last
    visited in Q2 2026 (overdue since Q3 ended), a plan for December not yet drawn up."""
    with clock.frozen(at(2026, 5, 10, 12)):
        record(visited_at=at(2026, 5, 10, 10), now=clock.now())
    homes.hh.building.steward = cast.butler
    homes.hh.building.save()
    with clock.frozen(at(2026, 11, 23, 9)):
        inspection_actions.schedule_round(project=cast.project, template=CheckTemplate.objects.get(kind="warehouse"),
                                          due_on=dt.date(2026, 11, 25), assignee=cast.project_manager,
                                          acting_user=cast.project_manager, now=clock.now())
        plan = activity_actions.draw_up_plan(project=cast.project, period="quarterly", year=2026, quarter=4,
                                             title="四季度活动", acting_user=cast.supervisor, now=clock.now())
        activity_actions.add_activity(plan=plan, title="冬至包饺子", held_on=dt.date(2026, 12, 5),
                                      implementation_plan="会所包饺子，邀请长者", acting_user=cast.supervisor,
                                      now=clock.now())


def test_calendar_page_shows_due_and_overdue_across_modules(client, cast, planned):
    with clock.frozen(at(2026, 11, 23, 10)):
        client.force_login(cast.supervisor)
        r = client.get(f"/visits/agenda/?project={cast.project.pk}&month=2026-12")
    body = r.content.decode()
    assert r.status_code == 200 and "R-M" not in body
    assert "王管家：1 户走访已逾期" in body  # visits (overdue)
    assert "管理处主任仓库月检" in body  # inspections (due 11-25)
    assert "冬至包饺子：实施方案待批准，活动通知须提前3天发布" in body  # activities (due 12-02)
    assert "2026年12月走访计划须经物业总经理批准" in body


def test_sweep_reminds_before_and_at_breach_once(cast, planned):
    """Warn within the window (7 days by default), breach once overdue, never twice."""
    now = at(2026, 11, 23, 10)
    result = agenda.sweep(now)
    assert result.warned >= 2 and result.breached >= 1
    assert Notification.objects.filter(recipient=cast.project_manager, kind="plan_warning",
                                       subject__contains="仓库月检").exists()
    assert Notification.objects.filter(recipient=cast.butler, kind="plan_breach", subject__contains="逾期").exists()
    again = agenda.sweep(now)
    assert again.warned == 0 and again.breached == 0
    call_command("plans_sweep", "--now", "2026-11-26T09:00+08:00")  # the round is now overdue: breach notice
    assert Notification.objects.filter(recipient=cast.project_manager, kind="plan_breach",
                                       subject__contains="仓库月检").exists()
