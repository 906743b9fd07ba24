"""R-M17-12: the open letter (R-M10-07) and the monthly publication (R-M5-07) on the owners' notice
board (业主公告栏) — publishing rules, snapshot without personal data, withdrawal, permissions and the
public pages."""
from __future__ import annotations

import datetime as dt
import re
from typing import cast as cast_to

import pytest
from django.urls import reverse

from apps.notify.models import Delivery, DeliveryStatus, QuietHoursPolicy
from apps.org.models import Company, Project, User
from apps.portal import actions
from apps.portal.actions import PortalError
from apps.portal.models import Publication
from apps.reports import actions as reports
from apps.reports import schedule
from apps.reports.models import Report
from linli import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=clock.SHANGHAI)  # Friday, before the 30th (R-M5-07)
MOBILE = re.compile(r"1[3-9]\d{9}")
ID_NO = re.compile(r"\d{17}[\dXx]")
PERSONAL = "业主张三丰（13912345678，身份证110101199001011234）反映5栋2单元1502门口积水。"


@pytest.fixture
def resident(cast):
    from apps.estates.models import Building, Household, Person

    b = Building.objects.create(project=cast.project, name="5栋")
    h = Household.objects.create(project=cast.project, building=b, room_no="1502",
                                 label=Household.make_label("5栋", None, "1502"))
    return Person.objects.create(project=cast.project, household=h, name="张三丰", phone="13912345678",
                                 id_number="110101199001011234")


def make_report(cast, *, duty=schedule.MONTHLY_BULLETIN, period=None, approve=True, project=None,
                sections=None, figures=None):
    period = period or schedule.month_period(2026, 11)
    report = reports.create_draft(
        duty=duty, period=period, project=project or cast.project, acting_user=cast.supervisor, now=NOW,
        figures=figures if figures is not None else {
            "period": period.label,
            "items": [{"category": "公共部位", "count": 3, "closed": 2, "measures": ["已清理5栋2单元1502门口积水"]}],
            "kpis": [{"code": "received", "label": "收到投诉", "value": 12, "unit": "件"}],
            "tables": [{"title": "按类别", "rows": [{"key": 1, "label": "公共部位", "count": 3}]}]},
        sections=sections if sections is not None else {"summary": "本月处理情况如下。" + PERSONAL,
                                                        "measures": "加强巡查。"})
    if approve:
        reports.submit_for_review(report, acting_user=cast.supervisor, now=NOW)
        reports.approve_report(report, acting_user=cast.cs_manager, now=NOW)
        report.refresh_from_db()
    return report


def publish(report, user, **kw):
    return actions.publish_report(report, acting_user=user, now=NOW, **kw)


# ------------------------------------------------------------------ what may be published


def test_r_m17_12_r_m5_07_only_an_approved_bulletin_is_pushed(cast, resident) -> None:
    draft = make_report(cast, approve=False)
    with pytest.raises(PortalError) as exc:
        publish(draft, cast.cs_manager)
    assert exc.value.status == 422 and exc.value.code == "not_approved" and "批准" in exc.value.message
    reports.submit_for_review(draft, acting_user=cast.supervisor, now=NOW)
    with pytest.raises(PortalError):  # in review is not approved either
        publish(draft, cast.cs_manager)
    assert Publication.objects.count() == 0
    draft.refresh_from_db()
    assert draft.published_at is None

    reports.approve_report(draft, acting_user=cast.cs_manager, now=NOW)
    pub = publish(draft, cast.cs_manager)
    assert (pub.project, pub.kind, pub.source_report, pub.published_by) == (
        cast.project, "monthly_bulletin", draft, cast.cs_manager)
    draft.refresh_from_db()
    assert draft.published_at == NOW and draft.published_where == "业主公告栏（线上）"


def test_r_m17_12_only_bulletin_and_service_report_notice_may_be_pushed(cast) -> None:
    summary = make_report(cast, duty=schedule.MONTHLY_SUMMARY)  # internal 月底投诉汇总表
    with pytest.raises(PortalError) as exc:
        publish(summary, cast.cs_manager)
    assert exc.value.code == "wrong_kind" and exc.value.status == 422
    notice = make_report(cast, duty=schedule.SERVICE_REPORT_NOTICE, period=schedule.quarter_period(2026, 3))
    pub = publish(notice, cast.cs_manager)
    assert pub.kind == "service_report_notice"
    assert Publication.objects.count() == 1


def test_r_m17_12_same_report_twice_is_refused_with_409(cast) -> None:
    report = make_report(cast)
    publish(report, cast.cs_manager)
    with pytest.raises(PortalError) as exc:
        publish(report, cast.project_manager)
    assert exc.value.status == 409 and exc.value.code == "already_published"
    assert Publication.objects.count() == 1


def test_r_m17_12_physical_notice_board_is_kept_and_the_portal_appended(cast) -> None:
    """The report's existing publication record (R-M5-07: date, where posted) is kept; the portal is
    one more place."""
    report = make_report(cast)
    earlier = NOW - dt.timedelta(days=1)
    reports.record_publication(report, where="小区公告栏", acting_user=cast.cs_manager, now=earlier)
    publish(report, cast.cs_manager)
    report.refresh_from_db()
    assert report.published_at == earlier
    assert report.published_where == "小区公告栏；业主公告栏（线上）"


def test_r_m17_12_corrected_version_replaces_the_old_one_on_the_board(cast) -> None:
    v1 = make_report(cast)
    old = publish(v1, cast.cs_manager)
    v2 = reports.reissue_report(v1, acting_user=cast.supervisor, now=NOW)
    reports.submit_for_review(v2, acting_user=cast.supervisor, now=NOW)
    reports.approve_report(v2, acting_user=cast.cs_manager, now=NOW)
    v1.refresh_from_db()
    with pytest.raises(PortalError) as exc:
        publish(v1, cast.cs_manager)  # superseded
    assert exc.value.code == "superseded"
    new = publish(v2, cast.cs_manager)
    old.refresh_from_db()
    assert old.withdrawn_at == NOW and "v2" in old.withdraw_reason
    assert list(Publication.objects.filter(withdrawn_at=None)) == [new]


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize("who", ["front_desk", "supervisor", "worker", "outsider", "nobody", "leader"])
def test_r_m17_12_only_managers_of_the_project_may_publish(cast, who) -> None:
    report = make_report(cast)
    with pytest.raises(PortalError) as exc:
        publish(report, getattr(cast, who))
    assert exc.value.status == 403
    assert Publication.objects.count() == 0


@pytest.mark.parametrize("who", ["cs_manager", "project_manager", "quality_inspector"])
def test_r_m17_12_managers_and_quality_department_may_publish(cast, who) -> None:
    assert publish(make_report(cast), getattr(cast, who)).pk


def test_r_m17_12_company_level_report_has_no_board(cast) -> None:
    report = reports.create_draft(duty=schedule.MONTHLY_BULLETIN, period=schedule.month_period(2026, 11),
                                  project=None, company=cast.company, figures={}, acting_user=cast.quality_inspector,
                                  now=NOW)
    Report.objects.filter(pk=report.pk).update(status="approved")
    with pytest.raises(PortalError) as exc:
        publish(report, cast.quality_inspector)
    assert exc.value.code == "no_project"


# ------------------------------------------------------------------ snapshot and personal data


def test_r_m17_12_snapshot_has_no_personal_data(cast, resident) -> None:
    pub = publish(make_report(cast), cast.cs_manager)
    text = str(pub.sections) + str(pub.tables) + pub.title
    assert "张三丰" not in text and "13912345678" not in text and "110101199001011234" not in text
    assert "1502" not in text
    assert not MOBILE.search(text) and not ID_NO.search(text)
    assert "某业主" in text and "公共部位" in text  # the content itself is kept


def test_r_m17_12_snapshot_survives_later_changes(cast) -> None:
    report = make_report(cast)
    pub = publish(report, cast.cs_manager)
    before = (pub.title, pub.sections, pub.tables)
    Report.objects.filter(pk=report.pk).update(title="改过的标题", sections={"summary": "改过"})
    pub.refresh_from_db()
    assert (pub.title, pub.sections, pub.tables) == before


# ------------------------------------------------------------------ withdraw


def test_r_m17_12_withdraw_needs_a_reason_and_hides_the_item(cast, client) -> None:
    pub = publish(make_report(cast), cast.cs_manager)
    item_url = reverse("portal:item", args=["YG", pub.pk])
    assert client.get(item_url).status_code == 200
    with pytest.raises(PortalError) as exc:
        actions.withdraw(pub, reason="  ", acting_user=cast.cs_manager, now=NOW)
    assert exc.value.field == "reason" and exc.value.status == 422
    with pytest.raises(PortalError) as exc:
        actions.withdraw(pub, reason="数据有误", acting_user=cast.front_desk, now=NOW)
    assert exc.value.status == 403
    pub.refresh_from_db()
    assert pub.withdrawn_at is None

    actions.withdraw(pub, reason="数据有误，待更正", acting_user=cast.project_manager, now=NOW)
    pub.refresh_from_db()
    assert (pub.withdrawn_by, pub.withdraw_reason) == (cast.project_manager, "数据有误，待更正")
    assert client.get(item_url).status_code == 404
    assert pub.title not in client.get(reverse("portal:board", args=["YG"])).content.decode()
    with pytest.raises(PortalError) as exc:
        actions.withdraw(pub, reason="again", acting_user=cast.project_manager, now=NOW)
    assert exc.value.status == 409


# ------------------------------------------------------------------ free-form notices and the open letter


@pytest.fixture
def mrep(cast):
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member

    user = cast_to(User, UserFactory(username="mrep", display_name="黄代表"))
    member(user, Role.MANAGEMENT_REP, company=cast.company)
    return user


def test_r_m17_12_r_m10_07_open_letter_needs_the_approver(cast, resident, mrep) -> None:
    with pytest.raises(PortalError) as exc:
        actions.publish_notice(project=cast.project, kind="open_letter", title="致全体业主的公开信",
                               body="关于电梯维修的答复", acting_user=cast.cs_manager, now=NOW)
    assert exc.value.field == "approved_by" and exc.value.code == "approval_required"
    assert Publication.objects.count() == 0
    pub = actions.publish_notice(project=cast.project, kind="open_letter", title="致全体业主的公开信",
                                 body="关于电梯维修的答复。" + PERSONAL, approved_by=mrep,
                                 acting_user=cast.cs_manager, now=NOW)
    assert pub.approved_by == mrep and pub.approved_by_name == "黄代表"
    assert "张三丰" not in pub.sections[0]["text"] and "13912345678" not in pub.sections[0]["text"]


@pytest.mark.parametrize("fields,field", [({"title": ""}, "title"), ({"body": " "}, "body"), ({"kind": "x"}, "kind")])
def test_r_m17_12_notice_bad_input(cast, fields, field) -> None:
    args = {"project": cast.project, "kind": "notice", "title": "停水通知", "body": "明日停水", "acting_user": cast.cs_manager,
            "now": NOW, **fields}
    with pytest.raises(PortalError) as exc:
        actions.publish_notice(**args)
    assert exc.value.field == field and exc.value.status == 422
    with pytest.raises(PortalError) as exc:
        actions.publish_notice(**{**args, **{"title": "停水通知", "body": "明日停水", "kind": "notice"},
                                  "acting_user": cast.supervisor})
    assert exc.value.status == 403
    assert Publication.objects.count() == 0


# ------------------------------------------------------------------ telling owners by SMS


def test_r_m17_12_owners_told_by_sms_only_when_ticked_and_out_of_quiet_hours(cast, resident) -> None:
    publish(make_report(cast), cast.cs_manager)
    assert Delivery.objects.filter(audience="owner").count() == 0  # not ticked: no SMS

    late = dt.datetime(2026, 11, 27, 22, 0, tzinfo=clock.SHANGHAI)
    assert not QuietHoursPolicy.objects.exists()  # defaults: SMS not covered in general
    pub = actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日9:00-12:00停水",
                                 acting_user=cast.cs_manager, now=late, notify_owners=True)
    sms = Delivery.objects.get(audience="owner")
    assert sms.address == "13912345678" and "停水通知" in sms.body and "/portal/YG/" in sms.body
    assert sms.status == DeliveryStatus.SCHEDULED
    assert sms.next_attempt_at == dt.datetime(2026, 11, 28, 8, 0, tzinfo=clock.SHANGHAI)  # after [21:00, 08:00)
    assert pub.owners_told is not None and pub.owners_told.recipients == 1


# ------------------------------------------------------------------ pages


def test_r_m17_12_public_board_lists_newest_first_without_login(cast, client, resident) -> None:
    first = publish(make_report(cast), cast.cs_manager)
    later = actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日停水",
                                   acting_user=cast.cs_manager, now=NOW + dt.timedelta(hours=1))
    actions.publish_notice(project=cast.other_project, kind="notice", title="翠湖苑通知", body="x",
                           acting_user=cast.quality_inspector, now=NOW)
    resp = client.get("/portal/YG/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.index("停水通知") < html.index(first.title)
    assert "翠湖苑通知" not in html
    assert 'name="viewport"' in html and "@media print" in html
    item = client.get(f"/portal/YG/{first.pk}/").content.decode()
    assert "公共部位" in item and "某业主" in item
    for page in (html, item):
        assert "张三丰" not in page and not MOBILE.search(page) and not ID_NO.search(page)
    assert later.pk


def test_r_m17_12_unknown_project_and_other_projects_item_are_404(cast, client) -> None:
    from apps.org.roles import Role
    from apps.org.tests.factories import CompanyFactory, ProjectFactory, UserFactory, member

    assert client.get("/portal/NOPE/").status_code == 404
    other_company = cast_to(Company, CompanyFactory(code="other", name="别家物业"))
    far = cast_to(Project, ProjectFactory(company=other_company, code="FAR", name="远方小区"))
    boss = cast_to(User, UserFactory(username="farboss"))
    member(boss, Role.PROJECT_MANAGER, company=other_company, project=far)
    theirs = actions.publish_notice(project=far, kind="notice", title="别家公告", body="x", acting_user=boss, now=NOW)
    ours = actions.publish_notice(project=cast.project, kind="notice", title="本家公告", body="x",
                                  acting_user=cast.cs_manager, now=NOW)
    assert client.get(f"/portal/YG/{theirs.pk}/").status_code == 404
    assert client.get(f"/portal/FAR/{ours.pk}/").status_code == 404
    assert client.get(f"/portal/FAR/{theirs.pk}/").status_code == 200
    assert client.get(f"/portal/CH/{ours.pk}/").status_code == 404
    # a manager of the other company cannot publish to ours
    with pytest.raises(PortalError) as exc:
        actions.publish_notice(project=cast.project, kind="notice", title="t", body="b", acting_user=boss, now=NOW)
    assert exc.value.status == 403


def test_r_m17_12_report_page_button_pushes_and_shows_where(cast, client) -> None:
    report = make_report(cast)
    client.force_login(cast.cs_manager)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "推送到业主公告栏" in page
    resp = client.post(reverse("portal:publish_report", args=[report.pk]), {"notify_owners": "on"})
    assert resp.status_code == 302 and resp["Location"] == reverse("reports:detail", args=[report.pk])
    pub = Publication.objects.get()
    assert pub.owners_told is not None  # ticked → owners told (no owner with a phone here: 0 recipients)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "已在业主公告栏" in page and "推送到业主公告栏</button>" not in page
    resp = client.post(reverse("portal:publish_report", args=[report.pk]), follow=True)
    assert "不能重复推送" in resp.content.decode()
    assert Publication.objects.count() == 1


def test_r_m17_12_report_page_has_no_button_for_supervisor_or_other_reports(cast, client) -> None:
    report = make_report(cast)
    client.force_login(cast.supervisor)
    assert "推送到业主公告栏</button>" not in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    resp = client.post(reverse("portal:publish_report", args=[report.pk]), follow=True)
    assert "没有推送到业主公告栏的权限" in resp.content.decode()
    summary = make_report(cast, duty=schedule.MONTHLY_SUMMARY)
    client.force_login(cast.cs_manager)
    assert "推送到业主公告栏</button>" not in client.get(reverse("reports:detail", args=[summary.pk])).content.decode()
    client.force_login(cast.outsider)  # another project's staff cannot even see the report
    assert client.post(reverse("portal:publish_report", args=[report.pk])).status_code == 404
    assert Publication.objects.count() == 0


def test_r_m17_12_manage_pages(cast, client) -> None:
    assert client.get(reverse("portal:manage")).status_code == 302  # login required
    client.force_login(cast.front_desk)
    assert client.get(reverse("portal:manage")).status_code == 404
    assert client.get(reverse("portal:notice_new")).status_code == 404
    client.force_login(cast.cs_manager)
    assert client.get(reverse("portal:notice_new")).status_code == 200
    resp = client.post(reverse("portal:notice_new"), {"kind": "open_letter", "title": "公开信", "body": "答复"})
    assert resp.status_code == 422 and "管理者代表" in resp.content.decode()
    resp = client.post(reverse("portal:notice_new"), {"kind": "notice", "title": "", "body": ""})
    assert resp.status_code == 422
    assert Publication.objects.count() == 0
    resp = client.post(reverse("portal:notice_new"), {"kind": "notice", "title": "电梯保养", "body": "周六保养"})
    pub = Publication.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/portal/YG/{pub.pk}/"
    page = client.get(reverse("portal:manage")).content.decode()
    assert "电梯保养" in page and "公告中" in page
    client.post(reverse("portal:withdraw", args=[pub.pk]), {"reason": ""})
    pub.refresh_from_db()
    assert pub.withdrawn_at is None
    client.post(reverse("portal:withdraw", args=[pub.pk]), {"reason": "已过期"})
    pub.refresh_from_db()
    assert pub.withdraw_reason == "已过期"
    assert "已撤下" in client.get(reverse("portal:manage")).content.decode()
    client.force_login(cast.outsider)
    assert client.post(reverse("portal:withdraw", args=[pub.pk]), {"reason": "x"}).status_code == 404


def test_r_m10_07_open_letter_approver_must_be_a_management_rep_of_the_company(cast, mrep) -> None:
    """R-M10-07: the approver is chosen among the company's 管理者代表, not typed in."""
    from apps.org.roles import Role
    from apps.org.tests.factories import CompanyFactory, UserFactory, member

    stranger = cast_to(User, UserFactory(username="farrep", display_name="别家代表"))
    member(stranger, Role.MANAGEMENT_REP, company=cast_to(Company, CompanyFactory(code="other", name="别家物业")))
    for who in (cast.leader, cast.quality_inspector, stranger):
        with pytest.raises(PortalError) as exc:
            actions.publish_notice(project=cast.project, kind="open_letter", title="公开信", body="答复",
                                   approved_by=who, acting_user=cast.cs_manager, now=NOW)
        assert (exc.value.field, exc.value.code, exc.value.status) == ("approved_by", "not_management_rep", 422)
    assert Publication.objects.count() == 0
    # a plain notice records no approver
    pub = actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日停水",
                                 approved_by=mrep, acting_user=cast.cs_manager, now=NOW)
    assert pub.approved_by is None and pub.approved_by_name == ""


def test_r_m10_07_notice_form_offers_the_management_reps(cast, client, mrep) -> None:
    client.force_login(cast.cs_manager)
    page = client.get(reverse("portal:notice_new")).content.decode()
    assert 'name="approved_by"' in page and "黄代表" in page and cast.leader.display_name not in page
    resp = client.post(reverse("portal:notice_new"), {"kind": "open_letter", "title": "公开信", "body": "答复",
                                                      "approved_by": str(cast.leader.pk)})
    assert resp.status_code == 422 and Publication.objects.count() == 0
    resp = client.post(reverse("portal:notice_new"), {"kind": "open_letter", "title": "公开信", "body": "答复",
                                                      "approved_by": str(mrep.pk)})
    assert resp.status_code == 302
    assert Publication.objects.get().approved_by == mrep


def test_r_m17_12_withdraw_page_validates_the_form(cast, client) -> None:
    pub = actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日停水",
                                 acting_user=cast.cs_manager, now=NOW)
    client.force_login(cast.cs_manager)
    resp = client.post(reverse("portal:withdraw", args=[pub.pk]), {"reason": "x" * 301}, follow=True)
    pub.refresh_from_db()
    assert pub.withdrawn_at is None and "300" in resp.content.decode()


def test_r_m17_12_manage_page_queries_do_not_grow_with_sms_notices(cast, client, resident) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.cs_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portal:manage")).status_code == 200
        return len(ctx.captured_queries)

    actions.publish_notice(project=cast.project, kind="notice", title="通知0", body="内容", acting_user=cast.cs_manager,
                           now=NOW, notify_owners=True)
    one = count()
    for i in range(1, 4):
        actions.publish_notice(project=cast.project, kind="notice", title=f"通知{i}", body="内容",
                               acting_user=cast.cs_manager, now=NOW, notify_owners=True)
    assert count() == one


def test_issue23_4_open_letter_publisher_never_approves_his_own(cast, client, mrep) -> None:
    """Separation of duties: a 管理者代表 who also publishes is not offered as approver of his own
    open letter, and the action refuses it."""
    from apps.org.roles import Role
    from apps.org.tests.factories import member

    member(mrep, Role.CS_MANAGER, company=cast.company, project=cast.project)
    client.force_login(mrep)
    page = client.get(reverse("portal:notice_new")).content.decode()
    assert f'<option value="{mrep.pk}"' not in page
    with pytest.raises(actions.PortalError) as exc:
        actions.publish_notice(project=cast.project, kind="open_letter", title="公开信", body="答复",
                               approved_by=mrep, acting_user=mrep, now=NOW)
    assert exc.value.code == "self_approval"
    assert Publication.objects.count() == 0
