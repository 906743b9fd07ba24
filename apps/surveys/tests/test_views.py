"""Survey pages through the Django test client: each role the SPEC names, each bad input refused with a
clear message and nothing changed (R-M10-01 … R-M10-11, AS-24 … AS-28)."""
from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from apps.portal.models import Publication
from apps.surveys import actions
from apps.surveys.models import OpenLetter, ProjectSurvey, SampledHousehold, SurveyAnswer
from apps.surveys.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _text(response: Any) -> str:
    return response.content.decode()


def test_r_m10_03_quality_issues_campaign_through_page(sv: Any) -> None:
    """R-M10-03/R-M10-04: 品质部 issues a campaign on the page; the project's minimum and explanation show."""
    c = client_for(sv.cast.quality_inspector)
    with clock.frozen(at(2025, 9, 26, 9)):
        r = c.post(reverse("surveys:campaign_new"), {"title": "2025下半年调查", "questionnaire": sv.questionnaire.pk,
                                                     "received_on": "2025-09-26", "projects": [sv.cast.project.pk]})
    assert r.status_code == 302
    ps = ProjectSurvey.objects.get()
    with clock.frozen(at(2025, 9, 26, 10)):
        page = _text(c.get(reverse("surveys:detail", args=[ps.pk])))
    assert "100 户，2020-06-01 首次交付，至收到日 2025-09-26 满 5 年 → 15% → 15 户" in page
    assert "2025-09-29 23:59:59" in page
    assert "R-M10" not in page and "P-20" not in page


def test_bad_input_campaign_without_projects_refused(sv: Any) -> None:
    c = client_for(sv.cast.quality_inspector)
    r = c.post(reverse("surveys:campaign_new"), {"title": "x", "questionnaire": sv.questionnaire.pk,
                                                 "received_on": "2025-09-26"})
    assert r.status_code == 400 and not ProjectSurvey.objects.exists()


def test_r_m10_03_butler_may_not_issue_or_sample(sv: Any, ps: Any) -> None:
    c = client_for(sv.cast.butler)
    assert c.get(reverse("surveys:campaign_new")).status_code == 403
    r = c.post(reverse("surveys:sample", args=[ps.pk]), {"size": "20"})
    assert r.status_code == 400 and "只有客服部主管/经理可以抽样" in _text(r)


def test_bad_input_sample_below_minimum_without_reason_page(sv: Any, ps: Any) -> None:
    """Bad input: a sample below the minimum without a reason — refused beside the field, nothing changed."""
    before = list(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    c = client_for(sv.cast.supervisor)
    with clock.frozen(at(2025, 9, 26, 11)):
        r = c.post(reverse("surveys:sample", args=[ps.pk]), {"size": "5", "reason": ""})
    assert r.status_code == 400 and "少于最低 15 户" in _text(r) and "须填写原因" in _text(r)
    assert list(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True)) == before


def _distribute(sv: Any, ps: Any, n: int | None = None) -> list[SampledHousehold]:
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household"))[:n]
    c = client_for(sv.cast.butler)
    with clock.frozen(at(2025, 9, 27, 10)):
        r = c.post(reverse("surveys:distribute", args=[ps.pk]),
                   {"labels": "\n".join(x.household.label for x in rows), "channel": "paper", "signed_off": "on"})
    assert r.status_code == 302, _text(r)
    return rows


def test_r_m10_04_steward_distributes_and_bad_labels(sv: Any, ps: Any) -> None:
    """R-M10-04: the 客服楼宇员 records distribution; an unknown house number is refused."""
    c = client_for(sv.steward)
    r = c.post(reverse("surveys:distribute", args=[ps.pk]), {"labels": "99栋9999", "channel": "paper"})
    assert r.status_code == 400 and "房号不存在：99栋9999" in _text(r)
    outsider = next(h for h in sv.homes if not SampledHousehold.objects.filter(survey=ps, household=h).exists())
    with clock.frozen(at(2025, 9, 27, 10)):
        r = c.post(reverse("surveys:distribute", args=[ps.pk]), {"labels": outsider.label, "channel": "paper"})
    assert r.status_code == 400 and "不在本次调查的样本中" in _text(r)
    assert not SampledHousehold.objects.filter(survey=ps, distributed_at__isnull=False).exists()
    with clock.frozen(at(2025, 9, 27, 10)):
        r = c.post(reverse("surveys:distribute", args=[ps.pk]), {"labels": "", "channel": "paper", "signed_off": "on"})
    assert r.status_code == 302
    assert SampledHousehold.objects.filter(survey=ps, distributed_at__isnull=False, signed_off=True).count() == 15


def test_r_m10_05_fast_keying_and_bad_inputs(sv: Any, ps: Any) -> None:
    """R-M10-05: keyed paper answers; refused before distribution, for a household not sampled, twice."""
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household"))
    c = client_for(sv.cast.butler)
    url = reverse("surveys:key", args=[ps.pk])
    answers = {"q_cs_attitude": "1", "q_eng_speed": "2", "q_security_access": "2", "q_clean_quality": "1",
               "q_overall": "1", "q_advice": "保持"}
    with clock.frozen(at(2025, 9, 28, 10)):
        r = c.post(url, {"household": rows[0].household.label, **answers})
    assert r.status_code == 400 and "尚未发放问卷，不能回收" in _text(r)
    outsider = next(h for h in sv.homes if not SampledHousehold.objects.filter(survey=ps, household=h).exists())
    with clock.frozen(at(2025, 9, 28, 10)):
        r = c.post(url, {"household": outsider.label, **answers})
    assert r.status_code == 400 and "不在本次调查的样本中" in _text(r)
    _distribute(sv, ps, 3)
    with clock.frozen(at(2025, 9, 28, 10)):
        r = c.post(url, {"household": rows[0].household.label, **answers, "q_eng_speed": "7"})
        assert r.status_code == 400 and "不是有效选项" in _text(r)
        r = c.post(url, {"household": rows[0].household.label, **answers})
        assert r.status_code == 302 and r["Location"] == url
        r = c.post(url, {"household": rows[0].household.label, **answers, "q_overall": "4"})
    assert r.status_code == 400 and "同一份问卷不能再次作答" in _text(r)
    assert SurveyAnswer.objects.get(response=rows[0], item__code="overall").option.key == 1  # type: ignore[union-attr]


def _xlsx(rows: list[list[Any]], headers: list[str]) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "answers.xlsx"
    return buf


def test_r_m10_05_excel_import_with_row_errors(sv: Any, ps: Any) -> None:
    """R-M10-05: an import with errors names the rows and imports nothing; a clean file imports all."""
    rows = _distribute(sv, ps, 4)
    headers = ["房号", "回收日期", "匿名（是/否）", "1.客服人员服务态度", "2.维修及时", "3.门岗人员出入管理", "4.公共区域保洁",
               "5.总体满意度", "6.意见和建议", "业主意见"]
    c = client_for(sv.cast.butler)
    url = reverse("surveys:import", args=[ps.pk])
    bad = _xlsx([[rows[0].household.label, "2025-09-28", "否", 1, 2, 1, 1, 1, "", ""],
                 ["99栋1", "2025-09-28", "否", 1, 2, 1, 1, 1, "", ""],
                 [rows[1].household.label, "2025-09-28", "是", 1, 8, 1, 1, 1, "", ""]], headers)
    with clock.frozen(at(2025, 9, 29, 10)):
        r = c.post(url, {"file": bad})
    assert r.status_code == 400 and "房号不存在：99栋1" in _text(r)
    assert not SurveyAnswer.objects.exists()
    bad2 = _xlsx([[rows[0].household.label, "2025-09-28", "否", 1, 2, 1, 1, 1, "", ""],
                  [rows[1].household.label, "2025-09-28", "是", 1, 8, 1, 1, 1, "", ""]], headers)
    with clock.frozen(at(2025, 9, 29, 10)):
        r = c.post(url, {"file": bad2})
    assert r.status_code == 400 and "不是有效选项" in _text(r) and "<td>3</td>" in _text(r)
    assert not SurveyAnswer.objects.exists()
    good = _xlsx([[x.household.label, "2025-09-28", "否", 1, 2, 1, 1, 2, "", ""] for x in rows], headers)
    with clock.frozen(at(2025, 9, 29, 10)):
        r = c.post(url, {"file": good})
    assert r.status_code == 302
    assert SampledHousehold.objects.filter(survey=ps, recovered_at__isnull=False, overall_satisfied=True).count() == 4
    not_excel = io.BytesIO(b"just text")
    not_excel.name = "x.xlsx"
    r = c.post(url, {"file": not_excel})
    assert r.status_code == 400 and "文件类型不允许" in _text(r)


def _ready_for_letter(sv: Any, ps: Any) -> None:
    _distribute(sv, ps)
    rows = SampledHousehold.objects.filter(survey=ps).select_related("household")
    actions.complete_distribution(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 9, 28))
    actions.record_recoveries(survey=ps, rows=[{"household": r.household, "answers": {"overall": 1, "eng_speed": 3}}
                                               for r in rows], acting_user=sv.cast.butler, now=at(2025, 10, 2))
    actions.complete_recovery(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 10, 9))


def test_as_26_letter_posted_only_after_management_rep_approval_page(sv: Any, ps: Any) -> None:
    """AS-26 / R-M10-07: the page refuses to post an unapproved letter; the 管理者代表 approves; then it posts."""
    _ready_for_letter(sv, ps)
    url = reverse("surveys:letter", args=[ps.pk])
    sup = client_for(sv.cast.supervisor)
    with clock.frozen(at(2025, 10, 15)):
        page = _text(sup.get(url))
        assert "维修及时" in page  # the concentrated issue is suggested
        r = sup.post(url, {"op": "draft", "title": "致全体业主的公开信", "issues": "维修及时率不高",
                           "body": "感谢您参与本次满意度调查，针对维修及时率我们将增加万能工并缩短响应时间。"})
    assert r.status_code == 302
    mgr = client_for(sv.cast.cs_manager)
    with clock.frozen(at(2025, 10, 20)):
        r = mgr.post(url, {"op": "post"})
    assert r.status_code == 400 and "公开信须经管理者代表审批后才能发布" in _text(r)
    assert not Publication.objects.exists()
    with clock.frozen(at(2025, 10, 19)):
        assert sup.post(url, {"op": "approve"}).status_code == 400  # only the 管理者代表 approves
        assert client_for(sv.mgmtrep).post(url, {"op": "approve"}).status_code == 302
    with clock.frozen(at(2025, 10, 20)):
        assert mgr.post(url, {"op": "post"}).status_code == 302
    letter = OpenLetter.objects.get()
    assert letter.publication is not None and letter.publication.approved_by == sv.mgmtrep
    board = Client().get(reverse("portal:board", args=[ps.project.code]))
    assert "致全体业主的公开信" in _text(board)
    # R-M10-08: submission after statistics; R-M10-09 GM meeting; R-M10-10 quality verification
    step = reverse("surveys:step", args=[ps.pk, "submit"])
    with clock.frozen(at(2025, 10, 21)):
        r = sup.post(step)
        assert r.status_code == 409 and "请先完成统计分析" in _text(r)
        sup.post(reverse("surveys:step", args=[ps.pk, "statistics"]))
        assert sup.post(step).status_code == 302
    ps.refresh_from_db()
    assert ps.closed_at is not None
    fu = reverse("surveys:follow_up", args=[ps.pk])
    with clock.frozen(at(2025, 10, 22)):
        r = sup.post(fu, {"kind": "gm_meeting", "held_on": "2025-10-22", "summary": "专题会议布置整改"})
        assert r.status_code == 400 and "物业总经理" in _text(r)
        assert client_for(sv.gm).post(fu, {"kind": "gm_meeting", "held_on": "2025-10-22",
                                           "summary": "专题会议布置整改"}).status_code == 302
        assert client_for(sv.cast.quality_inspector).post(fu, {"kind": "verification", "held_on": "2025-10-22",
                                                               "summary": "电话回访公开信问题已解决",
                                                               "satisfied": "true"}).status_code == 302
    assert ps.follow_ups.count() == 2


def test_one_time_link_page_expired_and_reused(sv: Any, ps: Any) -> None:
    """Bad input: the one-time link works once without login; reused → refused; expired → refused."""
    row = SampledHousehold.objects.filter(survey=ps).select_related("household").first()
    token = actions.record_distribution(survey=ps, household=row.household, channel="portal",  # type: ignore[union-attr]
                                        acting_user=sv.cast.butler, now=at(2025, 9, 27)).token
    url = reverse("surveys:answer", args=[token])
    anon = Client()
    with clock.frozen(at(2025, 9, 28)):
        page = anon.get(url)
        assert page.status_code == 200 and "业主满意度调查问卷" in _text(page)
        r = anon.post(url, {"q_cs_attitude": "1"})
        assert r.status_code == 400  # the overall item is required
        r = anon.post(url, {"q_cs_attitude": "1", "q_overall": "2", "q_advice": "好"})
        assert r.status_code == 200 and "感谢您的参与" in _text(r)
        again = anon.get(url)
    assert again.status_code == 409 and "只能使用一次" in _text(again)
    other = SampledHousehold.objects.filter(survey=ps, recovered_at=None).select_related("household").first()
    token2 = actions.record_distribution(survey=ps, household=other.household, channel="portal",  # type: ignore[union-attr]
                                         acting_user=sv.cast.butler, now=at(2025, 9, 27)).token
    with clock.frozen(at(2025, 12, 1)):
        r = anon.get(reverse("surveys:answer", args=[token2]))
    assert r.status_code == 410 and "链接已过期" in _text(r)
    assert anon.get(reverse("surveys:answer", args=["nonsense"])).status_code == 404


def test_as_28_frequency_on_the_index(sv: Any, ps: Any) -> None:
    """AS-28: one survey in October 2025 → H1 non-compliant after 06-30 and the year non-compliant (P-19 default);
    with P-19 = once a year → compliant."""
    c = client_for(sv.cast.quality_inspector)
    with clock.frozen(at(2025, 11, 1)):
        page = _text(c.get(reverse("surveys:index") + "?year=2025"))
    assert "上半年 0 次、下半年 1 次" in page and "不合规" in page
    with clock.frozen(at(2025, 11, 1)):
        r = c.post(reverse("surveys:policy"), {"frequency": "once_a_year", "scope": "sample", "rate_young": "0.3",
                                               "rate_old": "0.15", "old_years": "5", "recovery_rate": "0.75",
                                               "satisfaction_target": "0.95", "concentrated_share": "0.1",
                                               "distribution_days": "3", "recovery_days": "10", "statistics_days": "3",
                                               "letter_days": "14", "submission_days": "5"})
        assert r.status_code == 302
        page = _text(c.get(reverse("surveys:index") + "?year=2025"))
    assert "要求每年至少1次 → 合规" in page


def test_bad_input_policy_rate_out_of_range(sv: Any) -> None:
    c = client_for(sv.cast.quality_inspector)
    r = c.post(reverse("surveys:policy"), {"frequency": "once_a_year", "scope": "sample", "rate_young": "1.5",
                                           "rate_old": "0.15", "old_years": "5", "recovery_rate": "0.75",
                                           "satisfaction_target": "0.95", "concentrated_share": "0.1",
                                           "distribution_days": "3", "recovery_days": "10", "statistics_days": "3",
                                           "letter_days": "14", "submission_days": "5"})
    assert r.status_code == 400 and "比例须大于 0 且不超过 1" in _text(r)
    assert client_for(sv.cast.butler).get(reverse("surveys:policy")).status_code == 403


def test_r_m10_11_questionnaire_pages(sv: Any) -> None:
    """R-M10-11: the 客服主管 builds a questionnaire on the page; publishing without the three aspects is refused."""
    c = client_for(sv.cast.supervisor)
    r = c.post(reverse("surveys:questionnaires"), {"code": "mini", "title": "简表", "options": "满意 *\n不满意"})
    assert r.status_code == 302
    url = r["Location"]
    assert c.post(url, {"op": "add", "code": "overall", "line": "overall", "aspect": "attitude", "text": "总体",
                        "overall": "on"}).status_code == 302
    r = c.post(url, {"op": "publish"})
    assert r.status_code == 400 and "缺少：服务质量、服务效率" in _text(r)
    assert client_for(sv.cast.butler).get(reverse("surveys:questionnaires")).status_code == 403


def test_outputs_pdf_and_excel(sv: Any, ps: Any) -> None:
    """R-M10-06: the 客户满意率统计表 as PDF and the results as Excel."""
    _ready_for_letter(sv, ps)
    c = client_for(sv.cast.supervisor)
    html = c.get(reverse("surveys:statistics_pdf", args=[ps.pk]) + "?format=html")
    assert "客户满意率统计表" in _text(html) and "R-M10" not in _text(html)
    pdf = c.get(reverse("surveys:statistics_pdf", args=[ps.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xl = c.get(reverse("surveys:results_xlsx", args=[ps.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(xl.streaming_content)))  # type: ignore[attr-defined]
    values = [c.value for c in next(wb.active.iter_rows(min_row=1, max_row=3))] + \
             [c.value for row in wb.active.iter_rows(min_row=2) for c in row]
    assert "5.总体满意度" in values or any("总体满意度" in str(v) for v in values)


def test_list_query_count(sv: Any, ps: Any, django_assert_max_num_queries: Any) -> None:
    """The survey list and the detail page do not query per row."""
    _distribute(sv, ps)
    c = client_for(sv.cast.quality_inspector)
    with django_assert_max_num_queries(25):
        assert c.get(reverse("surveys:index")).status_code == 200
    with django_assert_max_num_queries(40):
        assert c.get(reverse("surveys:detail", args=[ps.pk])).status_code == 200


def test_outsider_cannot_see_survey(sv: Any, ps: Any) -> None:
    assert client_for(sv.cast.outsider).get(reverse("surveys:detail", args=[ps.pk])).status_code == 404

