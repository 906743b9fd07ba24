"""Company and project settings on staff pages and the API (SPEC Appendix A, issue 17 item 3): the
系统管理员 changes company values, the 管理处经理 overrides for their own project, every change has
a reason and a history row, and bad input is refused beside the field and in the API's error shape."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.org.models import SettingChange
from apps.org.tests.factories import PASSWORD
from apps.workdays import queries as wq
from apps.workdays.models import DeadlineSettings, RuleSet, RuleSetChoice

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _auth(user, now):
    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _deadline_form(**kw):
    data = {"same_day_mode": "literal", "response_on": "on", "end_of": "midnight", "soft_target_hours": "",
            "reason": "公司决定"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_p_26_sysadmin_changes_company_deadline_conventions_on_the_page(client, cast, frozen_now):
    """P-02/P-03/P-26/P-27/P-28/P-31 company-wide by the 系统管理员, recorded with who and why."""
    _login(client, cast.sysadmin)
    r = client.get("/org/settings/")
    assert r.status_code == 200 and "时限口径" in r.content.decode()
    assert "P-2" not in r.content.decode() and "R-M" not in r.content.decode()
    r = client.post("/org/settings/deadline-conventions/", _deadline_form(start_day_counts="on",
                                                                          reason="按公司新制度执行"))
    assert r.status_code == 302
    row = DeadlineSettings.objects.get(company=cast.company, project=None)
    assert row.start_day_counts is True
    assert wq.settings_for(cast.project).start_day_counts is True
    change = SettingChange.objects.get()
    assert change.changed_by == cast.sysadmin and change.reason == "按公司新制度执行"
    assert change.before["start_day_counts"] is False and change.after["start_day_counts"] is True
    page = client.get("/org/settings/deadline-conventions/").content.decode()
    assert "按公司新制度执行" in page and "受理当日（工作日）计入工作日数" in page
    assert row.history.latest().history_change_reason == "按公司新制度执行"


def test_p_26_project_manager_overrides_only_their_project(client, cast, frozen_now):
    """管理处经理: project override yes, company values no, another project no."""
    _login(client, cast.project_manager)
    r = client.post("/org/settings/deadline-conventions/", _deadline_form())
    assert r.status_code == 404
    r = client.get("/org/settings/deadline-conventions/")
    assert r.status_code == 200 and 'data-testid="settings-form"' not in r.content.decode()
    r = client.post(f"/org/settings/deadline-conventions/project/{cast.other_project.pk}/", _deadline_form())
    assert r.status_code == 404
    r = client.post(f"/org/settings/deadline-conventions/project/{cast.project.pk}/",
                    _deadline_form(end_of="work_end", reason="本项目下班即截止"))
    assert r.status_code == 302
    assert wq.settings_for(cast.project).end_of == "work_end"
    assert wq.settings_for(cast.other_project).end_of == "midnight"
    assert not DeadlineSettings.objects.filter(project=None).exists()
    # removing the override brings the company's values back
    r = client.post(f"/org/settings/deadline-conventions/project/{cast.project.pk}/",
                    {"step": "remove", "reason": "恢复公司口径"})
    assert r.status_code == 302
    assert wq.settings_for(cast.project).end_of == "midnight"
    assert list(SettingChange.objects.order_by("pk").values_list("action", flat=True)) == ["change",
                                                                                         "remove_override"]


def test_p_31_bad_input_is_refused_beside_the_field_and_nothing_is_written(client, cast, frozen_now):
    _login(client, cast.sysadmin)
    r = client.post("/org/settings/deadline-conventions/", _deadline_form(soft_target_hours="-2", reason=""))
    assert r.status_code == 422
    page = r.content.decode()
    assert "软目标须大于0，或留空" in page and "请填写修改原因" in page and 'data-testid="form-errors"' in page
    assert not DeadlineSettings.objects.exists() and not SettingChange.objects.exists()


def test_other_roles_cannot_open_the_settings(client, cast):
    for user in (cast.front_desk, cast.supervisor, cast.worker, cast.quality_inspector):
        _login(client, user)
        assert client.get("/org/settings/").status_code == 404
        assert client.get("/org/settings/deadline-conventions/").status_code == 404


def test_p_14_rule_sets_per_concern_company_and_project(client, cast, frozen_now):
    """P-01/P-14/P-15/P-16: the rule set per concern; a project chooses its own arrival limits."""
    arrival_b = RuleSet.objects.get(code="arrival_b")
    reply_c = RuleSet.objects.get(code="reply_c")
    _login(client, cast.sysadmin)
    form = client.get("/org/settings/rule-sets/").context["form"]
    data = {name: str(form.initial[name]) for name in form.fields}
    data.update(reply="", reason="全公司改用4个工作日")
    data["reply"] = str(reply_c.pk)
    assert client.post("/org/settings/rule-sets/", data).status_code == 302
    assert wq.rule_sets_for(cast.project)["reply"] == reply_c
    _login(client, cast.project_manager)
    data = {name: "" for name in form.fields}
    data.update(arrival=str(arrival_b.pk), reason="本项目采用制度10")
    assert client.post(f"/org/settings/rule-sets/project/{cast.project.pk}/", data).status_code == 302
    sets = wq.rule_sets_for(cast.project)
    assert sets["arrival"] == arrival_b and sets["reply"] == reply_c
    assert wq.rule_sets_for(cast.other_project)["arrival"].code == "arrival_a"
    assert RuleSetChoice.objects.filter(project=cast.project).count() == 1


def test_p_21_quiet_hours_per_project_through_the_api(client, cast, frozen_now):
    """P-21 by the API as the 管理处经理: validation in the documented error shape, then the change."""
    auth = _auth(cast.project_manager, frozen_now)
    r = client.get("/api/v1/org/settings", **auth)
    assert r.status_code == 200 and {"quiet-hours", "deadline-conventions"} <= {s["key"] for s in r.json()}
    r = client.put("/api/v1/org/settings/quiet-hours", {"project_id": cast.project.pk, "reason": "午休延长",
                                                        "values": {"windows": [["25:00", "14:00"]]}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and "windows" in r.json()["error"]["fields"]
    r = client.put("/api/v1/org/settings/quiet-hours", {"project_id": cast.project.pk, "reason": "午休延长",
                                                        "values": {"windows": [["12:00", "14:30"], ["21:00", "08:00"]]}},
                   content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["source"] == "project" and body["values"]["windows"][0] == ["12:00", "14:30"]
    assert body["values"]["applies_to_calls"] is True
    r = client.put("/api/v1/org/settings/quiet-hours", {"project_id": None, "reason": "x" * 3, "values": {}},
                   content_type="application/json", **auth)
    assert r.status_code == 403  # the company's value is the 系统管理员's
    r = client.put("/api/v1/org/settings/quiet-hours", {"reason": "全公司晚上九点半后免打扰",
                                                        "values": {"windows": [["21:30", "08:00"]]}},
                   content_type="application/json", **_auth(cast.sysadmin, frozen_now))
    assert r.status_code == 200 and r.json()["source"] == "company"
    from apps.notify import queries as nq

    assert nq.policy_for(cast.other_project).describe() != nq.policy_for(cast.project).describe()
    assert len(nq.policy_for(cast.other_project).windows) == 1 and len(nq.policy_for(cast.project).windows) == 2
    r = client.get(f"/api/v1/org/settings/quiet-hours/history?project_id={cast.project.pk}", **auth)
    assert r.status_code == 200 and r.json()[0]["reason"] == "午休延长"


def test_p_12_api_roles_and_errors(client, cast, frozen_now):
    """P-12/P-29 company-wide by the 系统管理员 through the API; the 管理处经理 is refused company values."""
    r = client.put("/api/v1/org/settings/escalation-thresholds",
                   {"reason": "集团新规", "values": {"hot_distinct_complainants": 4}},
                   content_type="application/json", **_auth(cast.project_manager, frozen_now))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    auth = _auth(cast.sysadmin, frozen_now)
    r = client.put("/api/v1/org/settings/escalation-thresholds",
                   {"reason": "集团新规", "values": {"warn_fraction": 1.5, "bogus": 1}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"bogus"}
    r = client.put("/api/v1/org/settings/escalation-thresholds",
                   {"reason": "集团新规", "values": {"warn_fraction": 1.5}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"warn_fraction"}
    r = client.put("/api/v1/org/settings/escalation-thresholds",
                   {"reason": "集团新规", "values": {"hot_distinct_complainants": 4, "window": "calendar_month"}},
                   content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    assert r.json()["values"]["hot_distinct_complainants"] == 4 and r.json()["values"]["hot_report_hours"] == 4
    r = client.get("/api/v1/org/settings/escalation-thresholds", **_auth(cast.front_desk, frozen_now))
    assert r.status_code == 403
    r = client.put("/api/v1/org/settings/report-cadences",
                   {"project_id": cast.project.pk, "reason": "项目", "values": {"legacy_cadence": "quarterly"}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["error"]["code"] == "company_only"


def test_p_30_targets_are_checked(client, cast, frozen_now):
    auth = _auth(cast.sysadmin, frozen_now)
    r = client.put("/api/v1/org/settings/kpi-targets",
                   {"reason": "调整目标", "values": {"targets": {"satisfaction_rate": {"value": 120, "op": ">="}}}},
                   content_type="application/json", **auth)
    assert r.status_code == 422 and "targets" in r.json()["error"]["fields"]
    r = client.put("/api/v1/org/settings/kpi-targets",
                   {"reason": "调整目标", "values": {"targets": {"satisfaction_rate": {"value": 90, "op": ">="}}}},
                   content_type="application/json", **auth)
    assert r.status_code == 200
    from apps.reports.models import KpiSettings

    assert KpiSettings.objects.get(company=cast.company).targets == {"satisfaction_rate": {"value": 90, "op": ">="}}


def test_p_08_ticket_policy_project_override_on_the_page(client, cast, frozen_now):
    from apps.tickets.models import TicketPolicy

    _login(client, cast.project_manager)
    page = client.get(f"/org/settings/ticket-policy/project/{cast.project.pk}/")
    assert page.status_code == 200
    assert client.post(f"/org/settings/ticket-policy/project/{cast.project.pk}/", {
        "close_needs_manager_reply": "on", "count_internal_staff_complaints": "on",
        "no_contact_exemption": "online_only", "quality_owns": "b4", "company_follow_up": "verify",
        "reason": "业委会要求"}).status_code == 302
    row = TicketPolicy.objects.get(project=cast.project)
    assert row.count_internal_staff_complaints and row.no_contact_exemption == "online_only"
    assert row.company == cast.company


def test_settings_index_lists_one_query_bound(client, cast, django_assert_max_num_queries):
    _login(client, cast.sysadmin)
    with django_assert_max_num_queries(60):
        assert client.get("/org/settings/").status_code == 200


def test_settings_apply_from_now_on(cast, frozen_now):
    """Existing deadlines keep their basis: a change writes settings rows only, stamped rows stay."""
    from apps.org import actions, settings_registry

    section = settings_registry.get("deadline-conventions")
    assert section is not None
    actions.change_setting(section=section, company=cast.company, project=None,
                           data={"same_day_mode": "rollover", "end_of": "midnight", "response_on": "on"},
                           reason="改为顺延", by=cast.sysadmin, now=frozen_now + dt.timedelta(minutes=1))
    assert wq.settings_for(cast.project).same_day_mode == "rollover"
