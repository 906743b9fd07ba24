"""POLICY P-09 (who reviews written answers, R-M2-08), P-11 (compensation approval limits, R-M2-24) and P-22
(intake method → reply class, R-M1-04) are the company's data: its 系统管理员 changes them on the settings
pages and the API (a project's 管理处经理 overrides P-09/P-22 for the project), other roles are refused,
and the pipeline follows the new values for new records."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from apps.org.models import SettingChange
from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.models import CompensationLimit, Reply
from apps.workdays import queries as wq
from apps.workdays.models import ReplyPolicy
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI
MOMENT = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SH)


def _page_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    form = client.get(url).context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form.initial.get(name)
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_p_22_r_m1_04_sysadmin_maps_email_to_written_on_the_page_and_new_tickets_follow(
        cast: Any, make_ticket: Any) -> None:
    """P-22 on the page: the 系统管理员 reads email as 书面; a new email complaint is then of the written
    class — the same reply limit as a letter's and the written answer's reviews (P-09) — while a ticket
    received before keeps its class."""
    with clock.frozen(MOMENT):
        before = make_ticket(channel="email", agreed_feedback_at=None)
        assert before.reply_class == "email"
        admin = Client()
        admin.force_login(cast.sysadmin)
        page = admin.get("/org/settings/")
        assert page.status_code == 200 and "投诉方式与答复" in page.content.decode()
        url = "/org/settings/reply-policy/"
        body = admin.get(url).content.decode()
        assert "电子邮件" in body and "书面答复的审核部门" in body and "P-22" not in body
        r = admin.post(url, _page_data(admin, url, email="written", reason="公司规定邮件按书面答复"))
        assert r.status_code == 302, r.content.decode()
        row = ReplyPolicy.objects.get(company=cast.company, project=None)
        assert row.email == "written" and row.letter == "written"
        change = SettingChange.objects.get(section="reply-policy")
        assert change.changed_by == cast.sysadmin and change.before["email"] == "email"
        assert change.after["email"] == "written"

        after = make_ticket(channel="email", agreed_feedback_at=None)
        letter = make_ticket(channel="letter", agreed_feedback_at=None)
        assert after.reply_class == "written"
        reply_due = lambda t: t.deadlines.get(stage="reply", cycle=0).due_at  # noqa: E731
        assert reply_due(after) == reply_due(letter)
        assert actions.reviews_for(after, channel="phone", kind="result") == {"quality", "office"}
        before.refresh_from_db()
        assert before.reply_class == "email"
        assert actions.reviews_for(before, channel="phone", kind="result") == {"quality"}


def test_p_22_p_09_project_manager_overrides_own_project_through_the_api(cast: Any, api: Any) -> None:
    """The 管理处经理 changes the mapping and the reviewers for their own project through the API;
    the company value and another project stay; the company's value is refused to them."""
    pm = api(cast.project_manager)
    url = "/api/v1/org/settings/reply-policy"
    with clock.frozen(MOMENT):
        r = pm.client.put(url, {"project_id": cast.project.pk, "reason": "本项目书面答复仅品质部审核",
                                "values": {"written_reviewers": "quality", "suggestion_box": "oral"}},
                          content_type="application/json", **pm._headers(None))
        assert r.status_code == 200, r.content
        assert r.json()["source"] == "project" and r.json()["values"]["written_reviewers"] == "quality"
        r = pm.client.put(url, {"project_id": None, "reason": "全公司改", "values": {"written_reviewers": "quality"}},
                          content_type="application/json", **pm._headers(None))
        assert r.status_code == 403
        r = pm.client.put(url, {"project_id": cast.project.pk, "reason": "错误的值",
                                "values": {"letter": "telepathy"}},
                          content_type="application/json", **pm._headers(None))
        assert r.status_code == 422 and "letter" in r.json()["error"]["fields"]
        assert wq.reply_class_of("suggestion_box", cast.project) == "oral"
        assert wq.reply_class_of("suggestion_box", cast.other_project) == "written"
        assert wq.reply_rules_for(cast.project).written_reviewers == ("quality",)
        assert wq.reply_rules_for(cast.other_project).written_reviewers == ("quality", "office")

        desk = api(cast.front_desk)
        r = desk.post("/api/v1/tickets", {"project": cast.project.pk, "kind": "complaint", "channel": "letter",
                                          "content": "物业费公示不清", "complainant_surname": "赵",
                                          "phone": "13600001111"})
        tid = r.json()["id"]
        r = desk.post(f"/api/v1/tickets/{tid}/replies", {"kind": "result", "channel": "phone",
                                                         "content": "电话告知已公示明细", "owner_response": "agree"})
        assert r.status_code == 200, r.content
        reply = Reply.objects.get(ticket_id=tid)
        assert reply.sent_at is None
        quality = api(cast.quality_inspector)
        assert quality.post(f"/api/v1/tickets/{tid}/replies/{reply.pk}/reviews",
                            {"department": "quality", "approved": True}).status_code == 200
        # only 品质管理部 reviews written answers in this project now: no 办公室 review needed
        r = desk.post(f"/api/v1/tickets/{tid}/replies/{reply.pk}/send", {"owner_response": "agree"})
        assert r.status_code == 200, r.content


def test_p_22_other_roles_cannot_change_the_reply_policy(cast: Any, api: Any) -> None:
    for user in (cast.front_desk, cast.quality_inspector, cast.worker):
        c = Client()
        c.force_login(user)
        assert c.get("/org/settings/reply-policy/").status_code == 404
        a = api(user)
        r = a.client.put("/api/v1/org/settings/reply-policy",
                         {"project_id": cast.project.pk, "reason": "试图修改", "values": {"email": "oral"}},
                         content_type="application/json", **a._headers(None))
        assert r.status_code in (403, 404)
    assert not ReplyPolicy.objects.exists() and not SettingChange.objects.exists()


def test_p_11_r_m2_24_sysadmin_changes_approval_limits_and_approvals_follow(cast: Any, api: Any) -> None:
    """P-11 on the page and the API: the 系统管理员 raises the 客服经理's limit (page), then sets the
    管理处经理's to none (API); decisions follow; the limits are company-wide only."""
    with clock.frozen(MOMENT):
        t = actions.receive_ticket(
            project=cast.project, kind="complaint", channel="phone", source="project", urgency="normal",
            content="漏水泡坏地板", desired_outcome="赔偿", received_at=MOMENT, household=None, person=None,
            complainant_surname="王", phone="13800138888", address="", anonymous=False, category=None,
            department=None, people_count=1, media_exposed=False, litigation=False, media_or_litigation_risk=False,
            developer_matter=False, municipal=False, agreed_feedback_at=MOMENT + dt.timedelta(hours=6),
            acting_user=cast.front_desk, now=MOMENT)
        claim = actions.claim_compensation(ticket=t, amount="3000", content="漏水泡坏地板", acting_user=cast.front_desk,
                                           now=MOMENT)
        with pytest.raises(TicketError) as exc:  # default limit of the 客服经理: 2000
            actions.decide_compensation(claim=claim, approve=True, acting_user=cast.cs_manager, now=MOMENT)
        assert exc.value.code == "over_limit"

        admin = Client()
        admin.force_login(cast.sysadmin)
        url = "/org/settings/compensation-limits/"
        body = admin.get(url).content.decode()
        assert "赔偿审批权限" in body and "客服经理" in body and "P-11" not in body
        r = admin.post(url, _page_data(admin, url, cs_manager="3000", reason="客服经理权限提高到3000元"))
        assert r.status_code == 302, r.content.decode()
        assert actions.compensation_limit_for(cast.cs_manager, cast.project) == Decimal("3000")
        change = SettingChange.objects.get(section="compensation-limits")
        assert change.before["cs_manager"] == "2000.00" and change.after["cs_manager"] == "3000.00"
        actions.decide_compensation(claim=claim, approve=True, acting_user=cast.cs_manager, now=MOMENT)
        claim.refresh_from_db()
        assert claim.status == "approved"

        sysadmin = api(cast.sysadmin)
        r = sysadmin.client.put("/api/v1/org/settings/compensation-limits",
                                {"reason": "管理处经理不再审批赔偿", "values": {"project_manager": "0"}},
                                content_type="application/json", **sysadmin._headers(None))
        assert r.status_code == 200, r.content
        assert r.json()["values"]["project_manager"] == "0.00" and r.json()["source"] == "company"
        assert r.json()["values"]["cs_manager"] == "3000.00"
        assert actions.compensation_limit_for(cast.project_manager, cast.project) == Decimal(0)
        r = sysadmin.client.put("/api/v1/org/settings/compensation-limits",
                                {"reason": "负数", "values": {"cs_manager": "-5"}},
                                content_type="application/json", **sysadmin._headers(None))
        assert r.status_code == 422 and "cs_manager" in r.json()["error"]["fields"]
        assert CompensationLimit.objects.get(company=cast.company, role="cs_manager").max_amount == Decimal("3000")


def test_p_11_project_manager_and_others_cannot_change_approval_limits(cast: Any, api: Any) -> None:
    for user in (cast.project_manager, cast.cs_manager, cast.front_desk):
        c = Client()
        c.force_login(user)
        r = c.post("/org/settings/compensation-limits/", {"cs_manager": "99999", "reason": "自己提高权限"})
        assert r.status_code in (403, 404)
        a = api(user)
        r = a.client.put("/api/v1/org/settings/compensation-limits",
                         {"reason": "自己提高权限", "values": {"cs_manager": "99999"}},
                         content_type="application/json", **a._headers(None))
        assert r.status_code in (403, 404, 422)
    assert not CompensationLimit.objects.filter(company=cast.company).exists()
