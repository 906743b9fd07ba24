"""Issue 17 item 3: the demo company has set its own reply policy (R-M1-04, P-22, P-09) and compensation
limits (R-M2-24, P-11) on the staff settings pages, so after the demo both pages show the company's values
and rows in their change history (who, when, why), and the API reads the same values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.estates import demo
from apps.org.models import Company, SettingChange, User
from apps.tickets.models import CompensationLimit
from apps.workdays.demo import load_demo_policies
from apps.workdays.models import ReplyPolicy
from linli import clock

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def company() -> Company:
    demo.load_demo(seed=7)
    company = Company.objects.get(code="wanjia")
    with clock.frozen(NOW):
        assert load_demo_policies(company, now=NOW) == 3
    return company


def _page(user: str, url: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=user))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _history_rows(html: str) -> str:
    return html.split('data-testid="settings-history"', 1)[1].split("</table>", 1)[0]


def test_demo_reply_policy_page_shows_the_companys_values_and_history(company: Company) -> None:
    """/org/settings/reply-policy/: the company's own row (e-mail answered in writing, still reviewed by the
    办公室 too)
    with a history row giving who and why; 市民服务中心 overrides it for walk-in complaints."""
    row = ReplyPolicy.objects.get(company=company, project=None)
    assert (row.email, row.written_reviewers, row.phone) == ("written", "quality_office", "oral")
    html = _page("sysadmin", "/org/settings/reply-policy/")
    assert "公司设置" in html and "系统默认" not in html.split('data-testid="settings-source"', 1)[1][:80]
    history = _history_rows(html)
    assert "暂无修改记录" not in history and "邮件投诉一律正式回函" in history and "<td>" in history
    sm = ReplyPolicy.objects.get(company=company, project__code="SM")
    assert (sm.visit, sm.field_visit, sm.email, sm.written_reviewers) == ("written", "written", "written", "quality")
    project_html = _page("pm_sm", f"/org/settings/reply-policy/project/{sm.project_id}/")
    assert "项目单独设置" in project_html and "委托方" in _history_rows(project_html)
    assert SettingChange.objects.filter(company=company, section="reply-policy").count() == 2


def test_demo_compensation_limits_page_shows_the_companys_limits_and_history(company: Company) -> None:
    """/org/settings/compensation-limits/: the company's own limits per approving role (¥1,000 … ¥20,000; the
    company's leaders keep no limit), with the change, its author and its reason in the history."""
    limits = {r.role: r.max_amount for r in CompensationLimit.objects.filter(company=company).order_by("role")}
    assert {k: str(v) for k, v in limits.items()} == {
        "cs_manager": "1000.00",
        "general_manager": "20000.00",
        "project_manager": "3000.00",
        "quality": "10000.00",
    }
    html = _page("sysadmin", "/org/settings/compensation-limits/")
    assert "公司设置" in html and 'value="3000.00"' in html
    history = _history_rows(html)
    assert "赔偿管理办法" in history and "暂无修改记录" not in history
    change = SettingChange.objects.get(company=company, section="compensation-limits")
    assert change.changed_by.username == "sysadmin" and change.changed_at == NOW - dt.timedelta(days=33)
