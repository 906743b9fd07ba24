"""Calendar data (P-25 package + override table + official years), the import of an official
schedule, contract 3 (the ``workdays.year_confirmed`` job event) and stamped deadlines staying put (T-03, P-25)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from apps.core.models import Job, JobState
from apps.tickets.models import Deadline
from apps.tickets.tests.helpers import receive
from apps.workdays import actions, queries
from apps.workdays import calendar as wc
from apps.workdays.models import CalendarDay, DataVersion, LimitPolicy, OfficialYear, RuleSet, RuleSetChoice
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI

IMPORT_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
日期,类型,名称
2027-01-01,休,元旦
2027-02-06~2027-02-12,休,春节
2027-02-14,班,春节调休
2027-10-01..2027-10-07,holiday,国庆节
2027-10-09,workday,国庆调休
"""


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def eod(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 23, 59, 59)


def test_calendar_for_uses_project_hours_and_timezone(cast: Any) -> None:
    p = cast.project
    p.work_start, p.work_end, p.lunch_start, p.lunch_end = dt.time(8, 30), dt.time(17, 30), None, None
    p.save()
    cal = queries.calendar_for(p)
    assert cal.hours == wc.WorkingHours(dt.time(8, 30), dt.time(17, 30), None, None)
    assert wc.add_working_days(at(2025, 9, 30, 10), 2, calendar=cal, end_of=wc.WORK_END) == at(2025, 10, 10, 17, 30)
    assert str(cal.tz) == "Asia/Shanghai"


def test_p_25_override_table_beats_package(cast: Any) -> None:
    """A global row makes 2025-10-08 a working day; the company's typhoon day beats everything."""
    CalendarDay.objects.create(date=dt.date(2025, 10, 8), kind="workday", name="测试：改为上班")
    assert wc.add_working_days(at(2025, 9, 30, 10), 1, calendar=queries.calendar_for(cast.project)) == \
        eod(2025, 10, 8)
    CalendarDay.objects.create(date=dt.date(2025, 10, 8), kind="holiday", name="台风停工", company=cast.company)
    CalendarDay.objects.create(date=dt.date(2026, 3, 11), kind="holiday", name="台风停工", company=cast.company)
    cal = queries.calendar_for(cast.project)
    assert wc.add_working_days(at(2025, 9, 30, 10), 1, calendar=cal) == eod(2025, 10, 9)
    assert wc.add_working_days(at(2026, 3, 10, 10), 1, calendar=cal) == eod(2026, 3, 12)


def test_p_25_company_rows_do_not_leak_to_other_companies(cast: Any) -> None:
    from apps.org.models import Company, Project

    other_co = Company.objects.create(name="别家物业", code="other")
    other = Project.objects.create(company=other_co, code="OT", name="别家小区")
    CalendarDay.objects.create(date=dt.date(2026, 3, 11), kind="holiday", name="台风停工", company=cast.company)
    assert wc.add_working_days(at(2026, 3, 10, 10), 1, calendar=queries.calendar_for(other)) == eod(2026, 3, 11)


def test_p_25_provisional_2027_until_imported(cast: Any) -> None:
    assert queries.uncovered_years([2026, 2027]) == [2027]
    item = queries.deadlines_for(cast.project, kind="complaint", channel="letter", urgency="normal",
                                  start=at(2026, 12, 30, 10), stages=["reply"])[0]
    assert (item.due_at, item.provisional) == (eod(2027, 1, 1), True) and "暂定" in item.rule
    actions.import_calendar(IMPORT_2027, source="测试", now=clock.now())
    assert queries.uncovered_years([2026, 2027]) == []
    item = queries.deadlines_for(cast.project, kind="complaint", channel="letter", urgency="normal",
                                  start=at(2026, 12, 30, 10), stages=["reply"])[0]
    assert (item.due_at, item.provisional) == (eod(2027, 1, 4), False)
    cal = queries.calendar_for(cast.project)
    assert cal.is_working_day(dt.date(2027, 2, 14)) and not cal.is_working_day(dt.date(2027, 10, 7))


def test_import_is_all_or_nothing_with_row_errors() -> None:
    bad = """日期,类型,名称
2027-01-01,休,元旦
2027-13-01,休,不存在
2027-02-03,班,周三不能调休上班
2027-05-01,假期,类型错
2027-01-01,休,重复
2027-03-05~2027-03-01,休,倒序
2026-05-01,休,不在年份内
justone
"""
    with pytest.raises(actions.CalendarImportError) as err:
        actions.import_calendar(bad, year=2027, now=clock.now())
    text = "\n".join(err.value.errors)
    for needle in ["第3行：日期“2027-13-01”无法识别", "第4行：2027-02-03 是周一至周五", "第5行：类型“假期”无法识别",
                   "第6行：日期 2027-01-01 与第2行重复", "第7行：日期范围“2027-03-05~2027-03-01”的结束早于开始",
                   "第8行：日期 2026-05-01 不在 2027 年", "第9行：至少需要“日期,类型”两列"]:
        assert needle in text, needle
    assert not CalendarDay.objects.exists()
    assert not OfficialYear.objects.filter(year=2027).exists()
    with pytest.raises(actions.CalendarImportError, match="没有任何日期"):
        actions.import_calendar("# only a comment\n", now=clock.now())


def test_import_replaces_earlier_rows_of_the_year() -> None:
    actions.import_calendar(IMPORT_2027, now=clock.now())
    n = CalendarDay.objects.filter(date__year=2027).count()
    assert n == 1 + 7 + 1 + 7 + 1
    result = actions.import_calendar("2027-01-01\t休\t元旦\n", year=2027, now=clock.now())
    assert (result.replaced, CalendarDay.objects.filter(date__year=2027).count()) == (n, 1)
    assert OfficialYear.objects.get(year=2027).status == "official"


def test_contract_3_year_confirmed_job_recomputes_provisional_deadlines(
        cast: Any, year_confirmed_reaction: None, django_capture_on_commit_callbacks: Any) -> None:
    """T-03/P-25: a reply due in 2027 is provisional until 2027 is imported, then recomputed by the
    durable job the import publishes (issue 13: a reaction is a job, not a signal)."""
    moment = at(2026, 12, 30, 10)
    with clock.frozen(moment):
        t = receive(cast, now=moment, channel="letter", agreed_feedback_at=None)
    reply = Deadline.objects.get(ticket=t, stage="reply")
    assert reply.provisional and reply.due_at == eod(2027, 1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.import_calendar(IMPORT_2027, now=clock.now())
    job = Job.objects.get(name="tickets.recompute_deadlines_for_year")
    assert job.payload == {"year": 2027} and job.state == JobState.DONE
    reply.refresh_from_db()
    assert not reply.provisional and reply.due_at.astimezone(SH) == eod(2027, 1, 4)


def test_confirm_year_publishes_the_event(year_confirmed_reaction: None,
                                          django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_year(2028, by="admin", now=clock.now())
    assert list(Job.objects.values_list("event", "payload")) == [("workdays.year_confirmed", {"year": 2028})]
    assert OfficialYear.objects.get(year=2028).confirmed_by == "admin"
    with pytest.raises(actions.CalendarYearError):
        actions.confirm_year(99, now=clock.now())


def test_a_failing_recompute_is_recorded_and_retried_not_lost(
        cast: Any, year_confirmed_reaction: None, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure path of the reaction: the year stays official, the job records the error and runs
    again later."""
    from apps.tickets import deadlines

    def boom(year: int) -> int:
        raise RuntimeError("recompute failed")

    monkeypatch.setattr(deadlines, "recompute_provisional", boom)
    monkeypatch.setattr("apps.tickets.jobs.recompute_provisional", boom)
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_year(2029, by="admin", now=clock.now())
    assert OfficialYear.objects.get(year=2029).status == "official"
    job = Job.objects.get(name="tickets.recompute_deadlines_for_year")
    assert job.state == JobState.PENDING and job.attempts == 1 and "recompute failed" in job.last_error
    monkeypatch.undo()
    from apps.core import jobs

    assert jobs.run_pending(now=clock.now() + dt.timedelta(hours=1)) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_policy_change_does_not_change_stamped_deadlines(cast: Any) -> None:
    """Issue 3 item 4: stamped deadlines are snapshots; new tickets get the new limit."""
    moment = at(2026, 3, 10, 10)
    with clock.frozen(moment):
        t1 = receive(cast, now=moment, channel="letter", agreed_feedback_at=None)
    before = Deadline.objects.get(ticket=t1, stage="reply")
    assert before.due_at == eod(2026, 3, 12) and before.policy_id is not None
    row = LimitPolicy.objects.get(pk=before.policy_id)
    row.amount = 5
    row.save()
    choice_rs = RuleSet.objects.get(code="reply_c")
    RuleSetChoice.objects.create(company=cast.company, project=cast.other_project, concern="reply", rule_set=choice_rs)
    with clock.frozen(moment):
        t2 = receive(cast, now=moment, channel="letter", agreed_feedback_at=None)
    assert Deadline.objects.get(ticket=t2, stage="reply").due_at == eod(2026, 3, 17)
    after = Deadline.objects.get(pk=before.pk)
    assert (after.due_at, after.rule, after.policy_id) == (before.due_at, before.rule, before.policy_id)


def test_data_version_changes_on_edit() -> None:
    v = DataVersion.current()
    CalendarDay.objects.create(date=dt.date(2030, 1, 2), kind="holiday")
    assert DataVersion.current() != v


def test_import_calendar_command(tmp_path: Path) -> None:
    f = tmp_path / "2027.csv"
    f.write_text(IMPORT_2027, encoding="utf-8")
    out = StringIO()
    call_command("import_calendar", str(f), "--year", "2027", "--now", "2026-12-01T09:00", stdout=out)
    assert "已导入 2027 年" in out.getvalue()
    assert OfficialYear.objects.get(year=2027).confirmed_at == at(2026, 12, 1, 9)
    f.write_text("2028-01-01,休,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不在 2027 年"):
        call_command("import_calendar", str(f), "--year", "2027")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_calendar", str(tmp_path / "missing.csv"))


def test_compute_any_clock_with_project_settings(cast: Any) -> None:
    """For modules whose limits are not ticket stages: T-07 (with P-28) and T-12."""
    from apps.workdays.models import DeadlineSettings

    assert queries.compute(cast.project, clock="calendar_days", amount=3, start=at(2025, 9, 29, 10)) == \
        (eod(2025, 10, 2), False)
    DeadlineSettings.objects.create(company=cast.company, roll_rest_days=True)
    assert queries.compute(cast.project, clock="calendar_days", amount=3, start=at(2025, 9, 29, 10)) == \
        (eod(2025, 10, 9), False)
    assert queries.compute(cast.project, clock="working_days", amount=Decimal("0.5"), start=at(2026, 3, 10, 9))[0] == \
        at(2026, 3, 10, 15)
    assert queries.compute(cast.project, clock="none", start=at(2026, 3, 10, 9)) == (None, False)
    with pytest.raises(ValueError):
        queries.compute(cast.project, clock="fortnights", amount=1, start=at(2026, 3, 10, 9))


@pytest.mark.parametrize(("kind", "channel", "urgency", "category", "stages"), [
    ("complaint", "letter", "normal", None, ["acknowledge", "respond", "reply"]),
    ("complaint", "online", "normal", None, ["acknowledge", "respond", "reply"]),
    ("repair", "phone", "normal", "repair_tap", ["arrive", "complete"]),
    ("repair", "phone", "urgent", "repair_water", ["arrive", "complete"]),
])
def test_t_04_deadlines_for_many_equals_one_call_per_start(cast: Any, kind: str, channel: str, urgency: str,
                                                           category: str | None, stages: list[str]) -> None:
    """Issue 15: the batch form of contract 1 gives every start exactly what deadlines_for gives it,
    the provisional year included (2026-12-30 + 1 working day falls in 2027, not yet imported)."""
    starts = [at(2026, 9, 30, 23, 30), at(2026, 10, 1, 9).astimezone(dt.UTC), at(2026, 12, 30, 10),
              at(2026, 3, 10, 17, 59), at(2026, 3, 10, 17, 59)]
    many = queries.deadlines_for_many(cast.project, kind=kind, channel=channel, urgency=urgency, starts=starts,
                                      stages=stages, category=category)
    assert many == [queries.deadlines_for(cast.project, kind=kind, channel=channel, urgency=urgency, start=s,
                                          stages=stages, category=category) for s in starts]
    if channel == "letter":  # the reply in working days: 2026-12-30 + N working days lies in 2027
        assert any(item.provisional for items in many for item in items)
