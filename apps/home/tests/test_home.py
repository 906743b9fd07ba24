"""Home page per role (issue 2 item 8): each role sees its own work, from the ticket pipeline."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.home import queries as dashboard
from apps.tickets import actions
from apps.tickets.choices import EscalationLevel
from apps.tickets.tests.helpers import FakePolicies, receive, to_replied, to_verified  # noqa: F401
from linli import clock

PASSWORD = "pw-Linli-2026"


def _panel(panels, key):
    found = [p for p in panels if p.key == key]
    assert found, f"no panel {key!r} in {[p.key for p in panels]}"
    return found[0]


def _stat(panel, label):
    return next(s.value for s in panel.stats if s.label == label)


def test_front_desk_sees_intake_open_and_due_today(cast, frozen_now, policies):
    receive(cast)  # received 10:00; respond due +1 day, reply due 16:00 today (agreed +6 h)
    receive(cast, now=frozen_now - dt.timedelta(days=2))  # older one: its deadlines are past
    receive(cast, project=cast.other_project, acting_user=cast.outsider)  # another project: not counted
    desk = _panel(dashboard.home_panels(cast.front_desk, cast.project), "desk")
    assert _stat(desk, "今日受理") == 1
    assert _stat(desk, "未结工单") == 2
    assert _stat(desk, "今日到期") == 1  # today's reply deadline (16:00)
    assert _stat(desk, "已超时") == 1  # issue 23 item 2: the older ticket, counted once (two late deadlines)
    assert desk.rows and desk.rows[0].title.endswith("回复业主")


def test_home_page_of_front_desk_renders_panel_and_links(cast, client, frozen_now, policies):
    receive(cast)
    client.login(username="desk", password=PASSWORD)
    page = client.get("/").content.decode()
    assert 'data-panel="desk"' in page and "今日受理" in page and "客服前台" in page
    assert 'data-panel="company"' not in page and 'data-panel="sysadmin"' not in page


def test_butler_sees_return_visits_due(cast, frozen_now, policies):
    t = receive(cast)
    to_verified(cast, t, frozen_now)  # R-M4-04: the return-visit deadline starts at verification
    panel = _panel(dashboard.home_panels(cast.butler, cast.project), "butler")
    assert _stat(panel, "待回访") == 1
    assert [r.title for r in panel.rows] == [f"{t.number} · 回访"]
    with clock.frozen(frozen_now + dt.timedelta(hours=49)):
        late = _panel(dashboard.home_panels(cast.butler, cast.project), "butler")
    assert _stat(late, "回访时限已超") == 1 and late.rows[0].overdue


def test_department_head_and_worker_see_their_dispatches(cast, frozen_now, policies):
    mine = receive(cast, content="厨房漏水")
    actions.dispatch_ticket(ticket=mine, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=frozen_now, due_at=frozen_now + dt.timedelta(hours=2))
    unassigned = receive(cast, content="路灯不亮")
    actions.dispatch_ticket(ticket=unassigned, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    security = receive(cast, content="车辆乱停")
    actions.dispatch_ticket(ticket=security, department=cast.security_dept, acting_user=cast.front_desk, now=frozen_now)

    head = _panel(dashboard.home_panels(cast.eng_head, cast.project), "dept")
    assert _stat(head, "待接单") == 2  # only 工程部's, not 安管部's
    assert {r.title.split(" · ")[0] for r in head.rows} == {mine.number, unassigned.number}

    worker = _panel(dashboard.home_panels(cast.worker, cast.project), "worker")
    assert _stat(worker, "派给我的") == 1 and _stat(worker, "部门未指派") == 1
    with clock.frozen(frozen_now + dt.timedelta(hours=3)):
        later = _panel(dashboard.home_panels(cast.worker, cast.project), "worker")
    assert _stat(later, "已超时") == 1


def test_r_m4_01_supervisor_sees_verification_queue_and_overdue(cast, frozen_now, policies):
    t = receive(cast)
    to_replied(cast, t, frozen_now)
    receive(cast, now=frozen_now - dt.timedelta(days=3))
    for user in (cast.supervisor, cast.cs_manager, cast.project_manager):
        panel = _panel(dashboard.home_panels(user, cast.project), "supervision")
        assert _stat(panel, "待验证") == 1
        assert _stat(panel, "超时未办") >= 1 and panel.rows[0].overdue
    # the front desk has no supervision panel (R-M19-09: verification is 主管以上)
    assert "supervision" not in [p.key for p in dashboard.home_panels(cast.front_desk, cast.project)]


def test_hot_and_major_counted_per_project_for_company_roles(cast, frozen_now, policies,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # escalation evaluates after the intake commits
        hot = receive(cast, collective=True, people_count=4, content="多户反映电梯故障")
        major = receive(cast, project=cast.other_project, acting_user=cast.outsider, collective=True,
                        people_count=12, content="集体投诉停车收费")
    hot.refresh_from_db()
    major.refresh_from_db()
    assert (hot.escalation_level, major.escalation_level) == (EscalationLevel.HOT, EscalationLevel.MAJOR)
    for user in (cast.quality_inspector, cast.leader):
        panel = _panel(dashboard.home_panels(user, cast.project), "company")
        assert _stat(panel, "热点投诉") == 1 and _stat(panel, "重大投诉") == 1
        table = {r["project"].code: r for r in panel.table}
        assert (table["YG"]["hot"], table["YG"]["major"]) == (1, 0)
        assert (table["CH"]["hot"], table["CH"]["major"]) == (0, 1)
    # project staff see only their own project's hot complaint
    sup = _panel(dashboard.home_panels(cast.supervisor, cast.project), "supervision")
    assert _stat(sup, "热点投诉") == 1 and _stat(sup, "重大投诉") == 0


def test_sysadmin_sees_configuration_links_and_calendar_warnings(cast, client, frozen_now):
    from apps.org.models import User

    User.objects.filter(pk=cast.worker.pk).update(certificate="电工证", certificate_valid_until=dt.date(2026, 1, 1))
    panel = _panel(dashboard.home_panels(cast.sysadmin, None), "sysadmin")
    assert _stat(panel, "证书过期员工") == 1  # R-M19-10: an expired certificate is flagged
    assert any(link.label == "项目" for link in panel.links)
    # chinesecalendar 1.11 does not know 2027 yet (ARCHITECTURE "Findings")
    assert any("2027" in r.title for r in panel.rows)
    client.login(username="admin1", password=PASSWORD)
    assert 'data-panel="sysadmin"' in client.get("/").content.decode()


def test_url_or_none_hides_pages_that_do_not_exist():
    assert dashboard.url_or_none("home") == "/"
    assert dashboard.url_or_none("nosuchapp:nosuchpage") is None


@pytest.mark.parametrize("username", ["desk", "butler", "supervisor", "csmanager", "pm", "enghead", "worker",
                                      "quality", "leader", "admin1", "outsider", "nobody"])
def test_every_role_gets_a_home_page(cast, client, username):
    client.login(username=username, password=PASSWORD)
    r = client.get("/")
    assert r.status_code == 200
    if username == "nobody":
        assert "您尚未加入任何项目" in r.content.decode()
    else:
        assert 'class="panel"' in r.content.decode()


def test_home_needs_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


@pytest.mark.parametrize("username", ["desk", "supervisor", "enghead", "quality", "admin1"])
def test_home_page_query_count_does_not_grow_with_tickets(cast, client, frozen_now, policies, username,
                                                          django_assert_max_num_queries):
    """The work lists load their tickets with the rows (no query per row)."""
    for i in range(12):
        t = receive(cast, content=f"事项{i}", now=frozen_now - dt.timedelta(days=2))
        actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now,
                                due_at=frozen_now - dt.timedelta(hours=1))
    client.login(username=username, password=PASSWORD)
    # measured: 10–12 whatever the number of tickets, plus up to 7 for the reports panel of issue 23 (19 for 品质部),
    # plus the menu by capability (memberships, visible projects) — 21 for 品质部
    with django_assert_max_num_queries(22):
        assert client.get("/").status_code == 200


def test_worker_sees_a_dispatch_assigned_to_them_in_another_department(cast, frozen_now, policies):
    t = receive(cast, content="小区门禁坏了")
    actions.dispatch_ticket(ticket=t, department=cast.security_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=frozen_now)
    other = receive(cast, content="车辆乱停")
    actions.dispatch_ticket(ticket=other, department=cast.security_dept, acting_user=cast.front_desk, now=frozen_now)
    panel = _panel(dashboard.home_panels(cast.worker, cast.project), "worker")
    assert [r.title.split(" · ")[0] for r in panel.rows] == [t.number]


@pytest.mark.parametrize("username", ["desk", "supervisor", "enghead", "quality"])
def test_home_page_query_count_is_equal_for_2_and_12_tickets(cast, client, frozen_now, policies, username):
    """Issue 13 item 11: the dashboard's query count does not grow with the rows it shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def build(n, start):
        for i in range(start, start + n):
            t = receive(cast, content=f"事项{i}", now=frozen_now - dt.timedelta(days=2))
            actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now,
                                    due_at=frozen_now - dt.timedelta(hours=1))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx)

    client.login(username=username, password=PASSWORD)
    build(2, 0)
    few = count()
    build(10, 2)
    assert count() == few


def test_office_clerk_sees_written_replies_awaiting_the_office_review(cast, client, frozen_now, policies):
    """Issue 23 item 3, R-M2-08: the 办公室 clerk's home page lists the written replies waiting for the
    办公室's review; one the 办公室 approved, a phone answer and another company's draft are not listed."""
    from apps.tickets.tests.helpers import office_clerk

    clerk = office_clerk(cast)
    waiting = receive(cast)
    letter = actions.give_reply(ticket=waiting, kind="result", channel="letter", content="书面函复：已更换灯管",
                                acting_user=cast.front_desk, now=frozen_now)
    actions.review_reply(reply=letter, department="quality", approved=True, acting_user=cast.quality_inspector,
                         now=frozen_now)
    done = receive(cast, content="电梯异响")
    approved = actions.give_reply(ticket=done, kind="result", channel="letter", content="书面函复：已维修",
                                  acting_user=cast.front_desk, now=frozen_now)
    actions.review_reply(reply=approved, department="office", approved=True, acting_user=clerk, now=frozen_now)
    actions.give_reply(ticket=receive(cast, content="噪音"), kind="result", channel="phone", content="已处理",
                       owner_response="agree", acting_user=cast.front_desk, now=frozen_now)
    panel = _panel(dashboard.home_panels(clerk, cast.project), "office")
    assert _stat(panel, "待办公室审核") == 1
    assert [r.title for r in panel.rows] == [f"{waiting.number} · 书面函件"]
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert 'data-panel="office"' in page and waiting.number in page and done.number not in page
    # nobody else gets the panel
    assert "office" not in [p.key for p in dashboard.home_panels(cast.front_desk, cast.project)]
