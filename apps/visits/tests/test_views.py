"""Visit pages with Django's test client: archive (R-M6-06), record form, detail actions (R-M9-04,
R-M9-11), export, project scope (anonymous / no role / right role / right role in another project)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from apps.tickets.models import Ticket
from apps.visits import actions
from apps.visits.models import Visit, VisitProblem

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cast, homes, record, frozen_now):
    mine = record(problems=[{"description": "楼道灯不亮", "department": cast.eng_dept},
                            {"description": "车位价格", "status": "on_spot", "answer": "300元"}])
    theirs = actions.record_visit(project=cast.other_project, household=homes.other_hh, category="special",
                                  method="phone", visited_at=frozen_now, communicated="介绍", opinions="翠湖苑的意见",
                                  acting_user=cast.outsider, now=frozen_now)
    return mine, theirs


def test_r_m6_06_archive_requires_login(client, two):
    resp = client.get("/visits/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_r_m6_06_archive_lists_only_visible_projects(client, cast, two, django_assert_max_num_queries):
    mine, theirs = two
    client.force_login(cast.eng_head)
    with django_assert_max_num_queries(15):
        html = client.get("/visits/").content.decode()
    assert f'data-id="{mine.pk}"' in html and f'data-id="{theirs.pk}"' not in html
    assert "客服部" in html and "记录走访" not in html  # the department head reads but does not record
    client.force_login(cast.quality_inspector)
    html = client.get("/visits/").content.decode()
    assert f'data-id="{mine.pk}"' in html and f'data-id="{theirs.pk}"' in html
    client.force_login(cast.nobody)
    assert client.get("/visits/").status_code == 403


def test_r_m6_06_archive_filters(client, cast, homes, two, record, frozen_now):
    mine, _ = two
    other = record(household=homes.hh2, person=None, category="repair_return", method="phone",
                   visitor=cast.front_desk, visited_at=dt.datetime(2026, 10, 5, 10, tzinfo=frozen_now.tzinfo))
    client.force_login(cast.supervisor)

    def ids(qs: str) -> set[int]:
        html = client.get(f"/visits/?{qs}").content.decode()
        return {v.pk for v in Visit.objects.all() if f'data-id="{v.pk}"' in html}

    assert ids("") == {mine.pk, other.pk}
    assert ids(f"project={cast.project.pk}&year=2026&month=10") == {other.pk}
    assert ids("category=repair_return") == {other.pk}
    assert ids("method=face_to_face") == {mine.pk}
    assert ids(f"visitor={cast.front_desk.pk}") == {other.pk}
    assert ids("status=open") == {mine.pk}
    assert ids("household=6栋") == {other.pk}
    assert ids("date_from=2026-11-01&date_to=2026-11-30") == {mine.pk}
    resp = client.get("/visits/?category=nonsense&month=13&year=2026")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "走访类别不正确" in html and "月份应为 1–12" in html


def test_r_m6_06_export_is_the_visit_record_form(client, cast, two):
    from openpyxl import load_workbook

    client.force_login(cast.supervisor)
    resp = client.get("/visits/?format=xlsx")
    assert resp.status_code == 200 and ".xlsx" in resp["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "业主回访记录表" and rows[1][0] == "项目"
    assert len(rows) == 3 and rows[2][3] == "5栋2单元1502" and rows[2][13] == "客服部" and rows[2][10] == 2


def test_r_m9_03_record_page_for_cs_staff_only(client, cast, homes):
    client.force_login(cast.worker)
    assert client.get("/visits/new/").status_code == 404
    client.force_login(cast.quality_inspector)
    assert client.get("/visits/new/").status_code == 404
    client.force_login(cast.butler)
    resp = client.get("/visits/new/")
    assert resp.status_code == 200 and 'data-testid="visit-form"' in resp.content.decode()


def _post_data(cast, **kw):
    data = {"project": cast.project.pk, "household": "5栋2单元1502", "person_name": "张三丰", "category": "periodic",
            "method": "face_to_face", "visited_at": "2026-11-23T09:00", "communicated": "介绍近期主要工作",
            "opinions": "希望加强夜间巡逻", "problems-TOTAL_FORMS": "3", "problems-INITIAL_FORMS": "0",
            "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "20",
            "problems-0-description": "楼道灯不亮", "problems-0-status": "open",
            "problems-0-department": cast.eng_dept.pk,
            "problems-1-description": "", "problems-1-status": "open",
            "problems-2-description": "", "problems-2-status": "open"}
    data.update(kw)
    return data


def test_r_m9_03_record_a_visit_through_the_page(client, cast, homes, frozen_now):
    client.force_login(cast.butler)
    resp = client.post("/visits/new/", _post_data(cast))
    visit = Visit.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/visits/{visit.pk}/"
    assert visit.person == homes.owner and visit.filed_department == cast.cs_dept
    assert visit.visited_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=frozen_now.tzinfo)
    assert list(visit.problems.values_list("description", "department")) == [("楼道灯不亮", cast.eng_dept.pk)]
    html = client.get(resp["Location"]).content.decode()
    assert 'data-testid="filed-department">客服部' in html and "楼道灯不亮" in html and "记录走访" in html


def test_r_m9_03_the_visit_time_is_the_projects_local_time(client, cast, homes, frozen_now):
    """R-M9-03: the time typed on the form is the wall time of the visited project (times are stored in
    UTC and each project has its own time zone)."""
    from zoneinfo import ZoneInfo

    cast.project.timezone = "Asia/Urumqi"  # UTC+6, two hours behind Beijing
    cast.project.save()
    client.force_login(cast.butler)
    assert client.post("/visits/new/", _post_data(cast, visited_at="2026-11-23T07:00")).status_code == 302
    assert Visit.objects.get().visited_at == dt.datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("Asia/Urumqi"))


@pytest.mark.parametrize(("override", "words"), [
    ({"household": "99栋1单元101"}, "该项目没有这个房号"),
    ({"person_name": "无此人"}, "该房屋没有登记此人"),
    ({"problems-0-status": "on_spot"}, "请填写当场的答复"),
    ({"visited_at": "2026-11-24T09:00"}, "走访时间不能晚于当前时间"),
])
def test_r_m9_03_record_page_refuses_bad_input(client, cast, homes, frozen_now, override, words):
    client.force_login(cast.butler)
    resp = client.post("/visits/new/", _post_data(cast, **override))
    assert resp.status_code == 400 and words in resp.content.decode()
    assert not Visit.objects.exists()


def test_visit_of_another_project_is_404(client, cast, two):
    mine, theirs = two
    client.force_login(cast.outsider)
    assert client.get(f"/visits/{mine.pk}/").status_code == 404
    assert client.get(f"/visits/{theirs.pk}/").status_code == 200
    problem = mine.problems.first()
    assert client.post(f"/visits/problems/{problem.pk}/settle/", {"outcome": "solved", "text": "已修"}).status_code == 404
    assert client.post(f"/visits/{mine.pk}/void/", {"reason": "不是我的记录"}).status_code == 404
    assert client.get(f"/visits/{mine.pk}/correct/").status_code == 404


def test_r_m9_04_settle_a_problem_on_the_detail_page(client, cast, two):
    mine, _ = two
    problem = mine.problems.get(status="open")
    client.force_login(cast.supervisor)
    resp = client.post(f"/visits/problems/{problem.pk}/settle/", {"outcome": "cannot_solve", "text": "短"})
    assert resp.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "open"
    page = client.get(f"/visits/{mine.pk}/").content.decode()
    assert "请填写无法解决的原因" in page
    client.post(f"/visits/problems/{problem.pk}/settle/", {"outcome": "cannot_solve", "text": "属市政管线，物业无法解决"})
    problem.refresh_from_db()
    assert problem.status == "cannot_solve" and problem.cannot_reason == "属市政管线，物业无法解决"
    html = client.get("/visits/problems/?status=unsolved").content.decode()
    assert f'data-id="{problem.pk}"' in html and "属市政管线" in html


def test_r_m9_11_raise_a_complaint_ticket_from_the_detail_page(client, cast, two):
    mine, _ = two
    problem = mine.problems.get(status="open")
    client.force_login(cast.butler)
    resp = client.post(f"/visits/problems/{problem.pk}/ticket/", {"complainant_surname": "", "phone": ""})
    assert resp.status_code == 302 and resp["Location"] == f"/visits/{mine.pk}/"
    assert not Ticket.objects.exists()
    resp = client.post(f"/visits/problems/{problem.pk}/ticket/", {"agreed_feedback_at": "2026-11-24T10:00"})
    ticket = Ticket.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.channel == "field_visit"
    problem.refresh_from_db()
    assert problem.ticket == ticket
    html = client.get(f"/visits/{mine.pk}/").content.decode()
    assert ticket.number in html


def test_correct_and_void_through_the_pages_keep_the_history(client, cast, two):
    mine, _ = two
    client.force_login(cast.butler)
    assert client.get(f"/visits/{mine.pk}/correct/").status_code == 200
    resp = client.post(f"/visits/{mine.pk}/correct/", {"category": "special", "method": "face_to_face",
                                                       "visited_at": "2026-11-23T09:00", "communicated": "介绍",
                                                       "opinions": "希望加强夜间巡逻", "reason": ""})
    assert resp.status_code == 400
    resp = client.post(f"/visits/{mine.pk}/correct/", {"category": "special", "method": "face_to_face",
                                                       "visited_at": "2026-11-23T09:00", "communicated": "介绍近期工作",
                                                       "opinions": "希望加强夜间巡逻", "reason": "类别记错"})
    assert resp.status_code == 302
    mine.refresh_from_db()
    assert mine.category == "special"
    # the butler may not void; the supervisor may
    client.post(f"/visits/{mine.pk}/void/", {"reason": "重复录入了"})
    mine.refresh_from_db()
    assert not mine.voided
    client.force_login(cast.supervisor)
    client.post(f"/visits/{mine.pk}/void/", {"reason": "重复录入了"})
    mine.refresh_from_db()
    assert mine.voided
    html = client.get(f"/visits/{mine.pk}/").content.decode()
    assert 'data-testid="voided"' in html and "更正：类别记错" in html and "作废：重复录入了" in html
    assert f'data-id="{mine.pk}"' not in client.get("/visits/").content.decode()
    assert f'data-id="{mine.pk}"' in client.get("/visits/?include_voided=1").content.decode()
    assert VisitProblem.objects.filter(visit=mine).count() == 2  # nothing deleted


def test_nav_links_to_the_visit_archive(client, cast):
    client.force_login(cast.butler)
    assert 'data-testid="nav-visits"' in client.get("/visits/").content.decode()


def test_household_archive_links_to_its_visits(client, cast, homes, two, record):
    mine, _ = two
    other_room = record(household=homes.hh2, person=None)
    client.force_login(cast.butler)
    page = client.get(f"/estates/households/{homes.hh.pk}/").content.decode()
    assert f'href="/visits/?hh={homes.hh.pk}"' in page
    html = client.get(f"/visits/?hh={homes.hh.pk}").content.decode()
    assert f'data-id="{mine.pk}"' in html and f'data-id="{other_room.pk}"' not in html
    assert f'/visits/new/?hh={homes.hh.pk}' in html
    form = client.get(f"/visits/new/?hh={homes.hh.pk}").content.decode()
    assert 'value="5栋2单元1502"' in form


def test_r_m6_06_export_writes_owner_formula_as_text(client, cast, record):
    """Issue 14 item 4: an owner's opinion ``=HYPERLINK(…)`` comes out of the visit archive export as text."""
    from openpyxl import load_workbook

    evil = '=HYPERLINK("http://x","y")'
    record(opinions=evil)
    client.force_login(cast.supervisor)
    resp = client.get("/visits/?format=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).worksheets[0]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'" + evil in values and evil not in values
