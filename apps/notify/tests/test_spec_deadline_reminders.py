"""R-M17-11: the deadline sweep reminds the person holding a ticket before its due time, at a lead time
the company sets (期限提醒 on the staff settings page and ``/api/v1/org/settings/deadline-reminders``; the
管理处经理 may override it for their project). The default is 75 % of the stage's time; a change applies
to deadlines stamped after it. The reminder reaches the worker holding the dispatched order."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.escalation import sweep
from apps.notify.models import DeadlineReminderPolicy, Notification
from apps.org.models import SettingChange
from apps.org.tests.factories import PASSWORD
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Stage
from apps.tickets.models import Deadline
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any, now: dt.datetime) -> dict[str, str]:
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _reply_warn(ticket: Any) -> dt.datetime:
    d = Deadline.objects.get(ticket=ticket, stage=Stage.REPLY, cycle=0)
    assert d.warn_at is not None
    return d.warn_at


def test_r_m17_11_company_sets_the_reminder_point_on_the_page_and_the_api(client: Any, cast: Any,
                                                                           frozen_now: dt.datetime) -> None:
    """R-M17-11: without a setting the warning comes at 75 % (6 h → after 4.5 h); the 系统管理员 sets 50 %
    for the company on the settings page (a bad value is refused beside the field), the 管理处经理 sets
    90 % for their project through the API; deadlines already stamped keep their warning moment."""
    first = receive(cast)  # reply agreed in 6 h
    assert _reply_warn(first) == frozen_now + dt.timedelta(hours=4, minutes=30)
    assert client.login(username=cast.sysadmin.username, password=PASSWORD)
    page = client.get("/org/settings/deadline-reminders/").content.decode()
    assert "期限提醒" in page and "R-M" not in page
    r = client.post("/org/settings/deadline-reminders/", {"warn_percent": "150", "reason": "提前提醒处理人"})
    assert r.status_code == 422 and not DeadlineReminderPolicy.objects.exists()  # refused beside the field
    r = client.post("/org/settings/deadline-reminders/", {"warn_percent": "50", "reason": "提前提醒处理人"})
    assert r.status_code == 302
    assert DeadlineReminderPolicy.objects.get(company=cast.company, project=None).warn_percent == 50
    assert SettingChange.objects.get().changed_by == cast.sysadmin
    second = receive(cast)
    assert _reply_warn(second) == frozen_now + dt.timedelta(hours=3)
    assert _reply_warn(first) == frozen_now + dt.timedelta(hours=4, minutes=30)  # kept its basis
    auth = _auth(cast.project_manager, frozen_now)
    r = client.put("/api/v1/org/settings/deadline-reminders", {"project_id": cast.project.pk, "reason": "项目提醒晚些",
                                                               "values": {"warn_percent": 0}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and "warn_percent" in r.json()["error"]["fields"]
    r = client.put("/api/v1/org/settings/deadline-reminders", {"project_id": cast.project.pk, "reason": "项目提醒晚些",
                                                               "values": {"warn_percent": 90}},
                   content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["source"] == "project", r.content
    third = receive(cast)
    assert _reply_warn(third) == frozen_now + dt.timedelta(hours=5, minutes=24)
    other = receive(cast, project=cast.other_project, acting_user=cast.outsider)
    assert _reply_warn(other) == frozen_now + dt.timedelta(hours=3)  # the company's 50 %


def test_r_m17_11_the_warning_reaches_the_worker_holding_the_order(client: Any, cast: Any,
                                                                   frozen_now: dt.datetime) -> None:
    """R-M17-11: a complaint dispatched to the 工程部 worker; at the warning moment the sweep tells the
    worker (in-app, read through the API), with the receiver and supervisors."""
    ticket = receive(cast)
    ticket_actions.dispatch_ticket(ticket=ticket, department=cast.eng_dept, assignee=cast.worker,
                                   acting_user=cast.front_desk, now=frozen_now)
    warn = _reply_warn(ticket)
    with clock.frozen(warn):
        assert sweep.warn_one_due_deadline(warn)
    to = set(Notification.objects.filter(kind="deadline_warning").values_list("recipient_id", flat=True))
    assert {cast.worker.pk, cast.front_desk.pk, cast.supervisor.pk} <= to
    r = client.get("/api/v1/notifications", **_auth(cast.worker, frozen_now))
    assert r.status_code == 200 and any("即将超时" in n["subject"] for n in r.json()["items"]), r.content
