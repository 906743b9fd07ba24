"""Review findings on the visits app, each pinned by a test that fails without its fix."""
from __future__ import annotations

import io

import pytest

from apps.estates.models import AccessAction, CustomerDataAccessLog
from apps.visits import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cast, homes, record, frozen_now):
    mine = record(problems=[{"description": "楼道灯不亮", "department": cast.eng_dept}])
    theirs = actions.record_visit(project=cast.other_project, household=homes.other_hh, category="special",
                                  method="phone", visited_at=frozen_now, communicated="介绍", opinions="翠湖苑的意见",
                                  acting_user=cast.outsider, now=frozen_now, person=homes.other_person)
    return mine, theirs


# ---------------------------------------------------------------- 1. owners' names masked, archive gated, export logged


def test_r_m7_01_visit_detail_shows_the_masked_name(client, cast, two):
    mine, _ = two
    for user in (cast.butler, cast.supervisor, cast.quality_inspector):
        client.force_login(user)
        html = client.get(f"/visits/{mine.pk}/").content.decode()
        assert "张**" in html and "张三丰" not in html


def test_r_m7_01_archive_problems_and_export_need_view_archive_or_record_visits(client, cast, two):
    for user in (cast.worker, cast.nobody):  # no VIEW_ARCHIVE / RECORD_VISITS anywhere
        client.force_login(user)
        assert client.get("/visits/").status_code == 403
        assert client.get("/visits/problems/").status_code == 403
        assert client.get("/visits/?format=xlsx").status_code == 403
    assert not CustomerDataAccessLog.objects.exists()
    client.force_login(cast.eng_head)  # VIEW_ARCHIVE without RECORD_VISITS
    assert client.get("/visits/").status_code == 200
    assert client.get("/visits/problems/").status_code == 200


def test_r_m7_01_export_masks_names_and_is_logged(client, cast, two):
    from openpyxl import load_workbook

    client.force_login(cast.quality_inspector)  # sees both projects
    resp = client.get("/visits/?format=xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    names = {r[4] for r in rows[2:]}
    assert names == {"张**", "赵*"}
    logs = CustomerDataAccessLog.objects.order_by("project__code")
    assert {(log.project_id, log.action, log.row_count, log.user_id) for log in logs} == {
        (cast.project.pk, AccessAction.EXPORT_MASKED, 1, cast.quality_inspector.pk),
        (cast.other_project.pk, AccessAction.EXPORT_MASKED, 1, cast.quality_inspector.pk)}
    assert all(log.fields == "" for log in logs)


# ---------------------------------------------------------------- 2. long reasons fit the history column


def test_r_m6_06_long_void_and_correction_reasons_are_kept_within_the_history_column(cast, record, frozen_now):
    """history_change_reason is 100 characters: a long reason is cut, never a 500 (PostgreSQL)."""
    visit = record()
    long = "重复录入" * 40  # 160 characters
    actions.correct_visit(visit=visit, changes={"category": "special"}, reason=long, acting_user=cast.butler,
                          now=frozen_now)
    visit.refresh_from_db()
    actions.void_visit(visit=visit, reason=long, acting_user=cast.supervisor, now=frozen_now)
    visit.refresh_from_db()
    assert visit.voided and visit.void_reason == long
    reasons = [h.history_change_reason for h in visit.history.order_by("history_id")]
    assert [len(r) for r in reasons[1:]] == [100, 100]
    assert reasons[1].startswith("更正：重复录入") and reasons[2].startswith("作废：重复录入")


def test_r_m6_06_void_page_validates_the_reason(client, cast, record):
    visit = record()
    client.force_login(cast.supervisor)
    resp = client.post(f"/visits/{visit.pk}/void/", {"reason": "错" * 201}, follow=True)
    visit.refresh_from_db()
    assert not visit.voided
    assert "200" in resp.content.decode()  # Django's max_length message names the limit
    resp = client.post(f"/visits/{visit.pk}/void/", {}, follow=True)
    visit.refresh_from_db()
    assert not visit.voided and "这个字段是必填项" in resp.content.decode()


# ---------------------------------------------------------------- 3. raising a ticket re-checks under the locks


def test_r_m9_11_raising_rechecks_under_lock(cast, record, frozen_now):
    """A problem settled or a visit voided after the caller read it is refused under the locks; no ticket."""
    import datetime as dt

    from apps.tickets.models import Ticket

    visit = record(problems=[{"description": "保安不在岗"}, {"description": "噪音"}])
    a, b = visit.problems.order_by("pk")
    actions.settle_problem(problem=a, outcome="solved", text="已处理", acting_user=cast.supervisor, now=frozen_now)
    with pytest.raises(actions.VisitError) as exc:
        actions.raise_ticket_from_problem(problem=a, acting_user=cast.supervisor, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert exc.value.status == 409
    actions.void_visit(visit=visit, reason="重复录入了", acting_user=cast.supervisor, now=frozen_now)
    with pytest.raises(actions.VisitError) as exc:
        actions.raise_ticket_from_problem(problem=b, acting_user=cast.supervisor, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert exc.value.code == "voided"
    b.refresh_from_db()
    assert b.ticket is None and not Ticket.objects.exists()


# ---------------------------------------------------------------- 4. a correction keeps an unchanged visit time


def _correct_post(**kw):
    data = {"category": "special", "method": "face_to_face", "communicated": "介绍近期工作：外墙清洗",
            "opinions": "希望加强夜间巡逻", "reason": "类别记错"}
    data.update(kw)
    return data


def test_r_m6_06_correction_does_not_rewrite_the_visit_time(client, cast, record, frozen_now):
    import datetime as dt

    visit = record(visited_at=frozen_now - dt.timedelta(minutes=61, seconds=23))  # 08:58:37
    client.force_login(cast.butler)
    html = client.get(f"/visits/{visit.pk}/correct/").content.decode()
    assert 'value="2026-11-23T08:58"' in html
    resp = client.post(f"/visits/{visit.pk}/correct/", _correct_post(visited_at="2026-11-23T08:58"))
    assert resp.status_code == 302
    visit.refresh_from_db()
    assert visit.category == "special" and visit.visited_at == frozen_now - dt.timedelta(minutes=61, seconds=23)
    last = visit.history.order_by("-history_id").first()
    assert last.prev_record is not None
    assert {c.field for c in last.diff_against(last.prev_record).changes} == {"category"}


def test_r_m6_06_correction_reads_the_time_in_the_project_zone(client, cast, record, frozen_now):
    import datetime as dt
    from zoneinfo import ZoneInfo

    visit = record(visited_at=frozen_now - dt.timedelta(hours=1))  # 09:00 Shanghai
    cast.project.timezone = "Asia/Tokyo"
    cast.project.save(update_fields=["timezone"])
    client.force_login(cast.butler)
    html = client.get(f"/visits/{visit.pk}/correct/").content.decode()
    assert 'value="2026-11-23T10:00"' in html  # 10:00 in Tokyo
    resp = client.post(f"/visits/{visit.pk}/correct/", _correct_post(visited_at="2026-11-23T10:30",
                                                                       category="periodic", reason="时间记错"))
    assert resp.status_code == 302, resp.content.decode()
    visit.refresh_from_db()
    assert visit.visited_at == dt.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert visit.visited_on == dt.date(2026, 11, 23)


# ---------------------------------------------------------------- 5. a double submission files one visit / one ticket


def test_r_m9_03_double_submitted_form_files_one_visit(client, cast, homes, frozen_now):
    import re

    from apps.visits.models import Visit

    client.force_login(cast.butler)
    html = client.get("/visits/new/").content.decode()
    found = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html)
    assert found is not None
    key = found.group(1)
    data = {"project": cast.project.pk, "household": "5栋2单元1502", "person_name": "张三丰", "category": "periodic",
            "method": "face_to_face", "visited_at": "2026-11-23T09:00", "communicated": "介绍近期主要工作",
            "opinions": "希望加强夜间巡逻", "submission_key": key, "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0", "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "20",
            "problems-0-description": "楼道灯不亮", "problems-0-status": "open"}
    first = client.post("/visits/new/", data)
    second = client.post("/visits/new/", data)
    visit = Visit.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/visits/{visit.pk}/"
    assert visit.problems.count() == 1


def _auth(user, now):
    from apps.api.actions import issue_token

    _token, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_m9_03_api_idempotency_key_records_one_visit(client, cast, homes, frozen_now):
    from apps.visits.models import Visit

    body = {"project_id": cast.project.pk, "household_id": homes.hh.pk, "category": "periodic", "method": "phone",
            "visited_at": "2026-11-23T09:00:00+08:00", "communicated": "介绍近期工作", "opinions": "希望加强巡逻"}
    auth = {**_auth(cast.butler, frozen_now), "HTTP_IDEMPOTENCY_KEY": "visit-1"}
    a = client.post("/api/v1/visits/", body, content_type="application/json", **auth)
    b = client.post("/api/v1/visits/", body, content_type="application/json", **auth)
    assert a.status_code == b.status_code == 201, a.content
    assert a.json()["id"] == b.json()["id"] == Visit.objects.get().pk
    c = client.post("/api/v1/visits/", {**body, "opinions": "另一条"}, content_type="application/json", **auth)
    assert c.status_code == 409 and Visit.objects.count() == 1


def test_r_m9_11_api_idempotency_key_raises_one_ticket(client, cast, record, frozen_now):
    from apps.tickets.models import Ticket

    problem = record(problems=[{"description": "保安不在岗"}]).problems.get()
    auth = {**_auth(cast.supervisor, frozen_now), "HTTP_IDEMPOTENCY_KEY": "raise-1"}
    body = {"agreed_feedback_at": "2026-11-24T10:00:00+08:00"}
    a = client.post(f"/api/v1/visits/problems/{problem.pk}/ticket", body, content_type="application/json", **auth)
    b = client.post(f"/api/v1/visits/problems/{problem.pk}/ticket", body, content_type="application/json", **auth)
    assert a.status_code == b.status_code == 201, a.content
    assert a.json() == b.json() and Ticket.objects.count() == 1


# ---------------------------------------------------------------- 6. the visitor filter lists the projects' staff


def test_r_m6_06_visitor_filter_lists_project_members_without_scanning_visits(client, cast, two):
    client.force_login(cast.supervisor)
    html = client.get("/visits/").content.decode()
    options = html.split('name="visitor"')[1].split("</select>")[0]
    # the front desk recorded nothing yet but is a member of 阳光花园; 翠湖苑's staff are not listed
    assert f'value="{cast.front_desk.pk}"' in options and f'value="{cast.butler.pk}"' in options
    assert f'value="{cast.outsider.pk}"' not in options


# ---------------------------------------------------------------- 7. no query per row


def _queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def test_r_m5_12_year_statistics_query_count_does_not_grow_with_months_or_problems(cast, record, frozen_now):
    import datetime as dt

    from apps.tickets.models import Category
    from apps.visits import queries

    child = Category.objects.filter(company=None, parent__isnull=False).first()
    assert child is not None
    record(problems=[{"description": "一", "category": child}])
    n_small, _ = _queries(lambda: queries.period_statistics(cast.project, dt.date(2026, 11, 1),
                                                             dt.date(2026, 11, 30)))
    record(problems=[{"description": f"问题{i}", "category": child} for i in range(5)])
    n_year, figures = _queries(lambda: queries.period_statistics(cast.project, dt.date(2026, 1, 1),
                                                                  dt.date(2026, 12, 31)))
    assert n_year == n_small
    assert figures["unsolved_total"] == 6 and figures["open_problems"][0]["category"] == str(child)
    months = figures["visit_tables"][2]["rows"]
    assert len(months) == 12 and months[10]["count"] == 2 and sum(r["count"] for r in months) == 2


def test_r_m9_03_api_detail_runs_no_query_per_problem(client, cast, record, frozen_now):
    from apps.tickets.models import Category

    child = Category.objects.filter(company=None, parent__isnull=False).first()
    one = record(problems=[{"description": "一", "category": child, "department": cast.eng_dept}])
    many = record(problems=[{"description": f"问题{i}", "category": child, "department": cast.eng_dept}
                            for i in range(6)])
    auth = _auth(cast.supervisor, frozen_now)
    client.get(f"/api/v1/visits/{one.pk}", **auth)  # warm up (the token's first use is recorded once)
    n_one, r1 = _queries(lambda: client.get(f"/api/v1/visits/{one.pk}", **auth))
    n_many, r2 = _queries(lambda: client.get(f"/api/v1/visits/{many.pk}", **auth))
    assert r1.status_code == r2.status_code == 200
    assert n_one == n_many and len(r2.json()["problems"]) == 6
    assert r2.json()["problems"][0]["category"] == str(child)


# ---------------------------------------------------------------- 8. intake refusals go up unchanged


def test_r_m9_11_intake_refusal_keeps_its_fields_and_writes_nothing(cast, record, frozen_now, monkeypatch):
    import datetime as dt

    from apps.tickets import actions as ta

    problem = record(problems=[{"description": "保安不在岗"}]).problems.get()
    refusal = ta.TicketError("请填写联系方式", code="invalid",
                             fields={"phone": ["请填写电话"], "complainant_surname": ["请填写姓氏"]})

    def refuse(**kw):
        raise refusal

    monkeypatch.setattr(ta, "receive_ticket", refuse)
    with pytest.raises(ta.TicketError) as exc:
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert exc.value is refusal and set(exc.value.fields) == {"phone", "complainant_surname"}
    problem.refresh_from_db()
    assert problem.ticket is None


def test_r_m9_11_page_and_api_show_an_intake_refusal(client, cast, record, frozen_now):
    visit = record(person=None, problems=[{"description": "保安不在岗"}])
    problem = visit.problems.get()
    client.force_login(cast.butler)
    resp = client.post(f"/visits/problems/{problem.pk}/ticket/", {"agreed_feedback_at": "2026-11-24T10:00"},
                       follow=True)
    assert resp.status_code == 200 and resp.redirect_chain[-1][0] == f"/visits/{visit.pk}/"
    r = client.post(f"/api/v1/visits/problems/{problem.pk}/ticket", {"agreed_feedback_at": "2026-11-24T10:00:00+08:00"},
                    content_type="application/json", **_auth(cast.butler, frozen_now))
    assert r.status_code == 422 and "complainant_surname" in r.json()["error"]["fields"]
    problem.refresh_from_db()
    assert problem.ticket is None


# ---------------------------------------------------------------- 9. smaller checks


def test_r_m9_03_correction_refuses_an_inactive_visitor(cast, record, frozen_now):
    visit = record()
    cast.front_desk.is_active = False
    cast.front_desk.save(update_fields=["is_active"])
    with pytest.raises(actions.VisitError) as exc:
        actions.correct_visit(visit=visit, changes={"visitor": cast.front_desk}, reason="走访人记错",
                              acting_user=cast.butler, now=frozen_now)
    assert exc.value.field == "visitor" and exc.value.message == "走访人不是本项目员工"
    visit.refresh_from_db()
    assert visit.visitor == cast.butler


def test_r_m9_03_api_visitor_must_be_a_member_of_the_project(client, cast, homes, frozen_now):
    from apps.visits.models import Visit

    body = {"project_id": cast.project.pk, "household_id": homes.hh.pk, "category": "periodic", "method": "phone",
            "visited_at": "2026-11-23T09:00:00+08:00", "communicated": "介绍近期工作", "opinions": "希望加强巡逻"}
    auth = _auth(cast.butler, frozen_now)
    answers = []
    for visitor_id in (cast.outsider.pk, 999999):  # staff of 翠湖苑, and no such user: the same answer
        r = client.post("/api/v1/visits/", {**body, "visitor_id": visitor_id}, content_type="application/json",
                        **auth)
        assert r.status_code == 422
        answers.append(r.json()["error"])
    assert answers[0] == answers[1]
    assert answers[0]["fields"] == {"visitor_id": ["走访人不是本项目员工"]}
    assert not Visit.objects.exists()
    r = client.post("/api/v1/visits/", {**body, "visitor_id": cast.front_desk.pk}, content_type="application/json",
                    **auth)
    assert r.status_code == 201 and Visit.objects.get().visitor == cast.front_desk


def test_r_m9_03_at_most_twenty_problems_per_visit(client, cast, homes, frozen_now, record):
    from apps.visits.models import Visit

    body = {"project_id": cast.project.pk, "household_id": homes.hh.pk, "category": "periodic", "method": "phone",
            "visited_at": "2026-11-23T09:00:00+08:00", "communicated": "介绍近期工作", "opinions": "希望加强巡逻",
            "problems": [{"description": f"问题{i}"} for i in range(21)]}
    r = client.post("/api/v1/visits/", body, content_type="application/json", **_auth(cast.butler, frozen_now))
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"problems": ["一次走访最多记录20个问题"]}
    with pytest.raises(actions.VisitError) as exc:
        record(problems=[{"description": f"问题{i}"} for i in range(21)])
    assert exc.value.field == "problems"
    client.force_login(cast.butler)
    data = {"project": cast.project.pk, "household": "5栋2单元1502", "category": "periodic",
            "method": "face_to_face", "visited_at": "2026-11-23T09:00", "communicated": "介绍近期主要工作",
            "opinions": "希望加强夜间巡逻", "problems-TOTAL_FORMS": "21", "problems-INITIAL_FORMS": "0",
            "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "20"}
    for i in range(21):
        data.update({f"problems-{i}-description": f"问题{i}", f"problems-{i}-status": "open"})
    resp = client.post("/visits/new/", data)
    assert resp.status_code == 400 and "20" in resp.content.decode()
    assert not Visit.objects.exists()
