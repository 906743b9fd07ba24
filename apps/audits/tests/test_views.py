"""Audit pages: open, answer, override, complete, report, standards import and edit (R-M13-01…-04)."""
from __future__ import annotations

import io

import openpyxl
import pytest

from apps.audits import actions
from apps.audits.models import Audit, AuditFinding, StandardRow, StandardVersion
from apps.audits.tests.conftest import AS34, answer_all

pytestmark = pytest.mark.django_db


def _finding(audit, code):
    return AuditFinding.objects.get(audit=audit, item__code=code)


def test_r_m13_02_quality_opens_and_answers_an_audit_through_the_pages(client, cast, standard, frozen_now):
    client.force_login(cast.quality_inspector)
    r = client.post("/audits/new/", {"project": cast.project.pk, "kind": "supervision", "audited_on": "2026-03-18",
                                     "period_start": "2026-01-01", "period_end": "2026-03-17"})
    assert r.status_code == 302, r.content.decode()
    audit = Audit.objects.get()
    assert audit.findings.count() == 38
    f = _finding(audit, "A1.1")
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "nonconform", f"f{f.pk}-count": "45",
                                                          f"f{f.pk}-note": "保安未着装"})
    assert r.status_code == 302
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "检查方法" in page and "现场抽查安全、清洁、技术、管理人员" in page  # R-M13-03
    assert "R-M" not in page and "P-2" not in page


def test_r_m13_02_bad_input_on_the_audit_page_is_refused_with_a_clear_message(client, cast, open_audit, frozen_now):
    """An item answered twice, a nonconformity without a note, a date in the future: refused, nothing changed."""
    audit = open_audit()
    client.force_login(cast.quality_inspector)
    f = _finding(audit, "B1.1")
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "nonconform"})
    assert r.status_code == 422 and "不符合项请填写说明或证据链接" in r.content.decode()
    assert _finding(audit, "B1.1").result == ""
    client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "conform"})
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "nonconform", f"f{f.pk}-note": "x"})
    assert r.status_code == 409 and "已作答" in r.content.decode()
    assert _finding(audit, "B1.1").result == "conform"
    r = client.post("/audits/new/", {"project": cast.project.pk, "kind": "supervision", "audited_on": "2027-01-01",
                                     "period_start": "2026-01-01", "period_end": "2026-03-17"})
    assert r.status_code == 422 and "审核日期不能晚于今天" in r.content.decode()
    r = client.post(f"/audits/{audit.pk}/complete/", {})
    assert r.status_code == 409 and "还有检查项未作答" in r.content.decode()


def test_r_m13_04_overriding_a_suggestion_needs_and_records_a_reason(client, cast, open_audit, frozen_now):
    audit = open_audit()
    f = _finding(audit, "B1.2")
    AuditFinding.objects.filter(pk=f.pk).update(suggested="conform", suggestion_summary="系统记录显示已公示")
    client.force_login(cast.quality_inspector)
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "nonconform", f"f{f.pk}-note": "未公示"})
    assert r.status_code == 422 and "推翻预检的理由" in r.content.decode()
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "nonconform", f"f{f.pk}-note": "未公示",
                                                          f"f{f.pk}-override_reason": "现场未见公示牌"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.overridden and f.override_reason == "现场未见公示牌"
    assert "现场未见公示牌" in client.get(f"/audits/{audit.pk}/").content.decode()


def test_as_34_completed_audit_report_pdf_excel_history_and_ranking(client, cast, open_audit, frozen_now):
    audit = open_audit()
    answer_all(audit, cast.quality_inspector, frozen_now, AS34)
    client.force_login(cast.quality_inspector)
    assert client.post(f"/audits/{audit.pk}/complete/", {"summary": "整体良好"}).status_code == 302
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "12.30 / 17.00" in page
    pdf = client.get(f"/audits/{audit.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    xlsx = client.get(f"/audits/{audit.pk}/report.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert 12.3 in values or "12.30" in values or "12.3" in values
    # the project manager sees history and ranking; another project's front desk does not
    client.force_login(cast.project_manager)
    listing = client.get("/audits/").content.decode()
    assert "阳光花园" in listing and 'data-testid="rank-row"' in listing
    client.force_login(cast.outsider)
    assert client.get("/audits/").status_code == 403
    assert client.get(f"/audits/{audit.pk}/").status_code == 404


def _sheet(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(actions.IMPORT_HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "standard.xlsx"
    return buf


def test_r_m13_01_import_lists_row_errors_and_imports_nothing(client, cast, frozen_now):
    client.force_login(cast.quality_inspector)
    bad = _sheet([["人员素质", 4, "A1", "客户服务人员", "", "现场抽查", "", "按次数", 0.1, 4, "A1.1", "着装规范", None, ""],
                  ["顾客信息", "八", "B1", "顾客投诉", "流程", "询问", "", "每项", 0.1, None, "B1.1", "", None, ""]])
    r = client.post("/audits/standards/", {"purpose": "supervision", "name": "公司标准", "version": "2027", "file": bad})
    body = r.content.decode()
    assert r.status_code == 422 and "第3行" in body and "分值应为数字" in body and "请填写检查标准" in body
    assert not StandardVersion.objects.exists()
    good = _sheet([["人员素质", 4, "A1", "客户服务人员", "", "现场抽查", "", "按次数", 0.1, 4, "A1.1", "着装规范", None, ""],
                   ["管理服务", 10, "D1", "设施", "", "查记录", "", "每项", 0.5, None, "D1.1", "设施完好", None, ""]])
    r = client.post("/audits/standards/", {"purpose": "supervision", "name": "公司标准", "version": "2027", "file": good})
    assert r.status_code == 302
    assert StandardVersion.objects.get(version="2027").total_points == 14


def test_r_m13_01_a_version_used_by_an_audit_cannot_be_edited(client, cast, standard, open_audit, frozen_now):
    row = StandardRow.objects.get(code="B1", indicator__version=standard)
    client.force_login(cast.quality_inspector)
    data = {"check_method": "询问", "mode": "by_count", "per_item": "0", "count_deductions": "4:0.2, 3:0.1",
            "reason": "采用按项数的读法"}
    assert client.post(f"/audits/standards/rows/{row.pk}/", data).status_code == 302  # P-24 alternative, unused
    row.refresh_from_db()
    assert row.mode == "by_count" and row.count_deductions == {"4": "0.20", "3": "0.10"}
    open_audit()
    r = client.post(f"/audits/standards/rows/{row.pk}/", {**data, "mode": "per_item"})
    assert r.status_code == 409 and "已被审核使用" in r.content.decode()
    row.refresh_from_db()
    assert row.mode == "by_count"


def test_empty_answer_and_conclusion_are_refused_beside_the_field_and_nothing_is_written(client, cast, open_audit,
                                                                                        frozen_now):
    """Issue 23 (errors visible), R-M13-02: an item's answer sent with no result chosen, and completing an audit
    with no 审核结论, answer the page again with the Chinese message beside the field and in the summary;
    no answer, no score and no history row is written (the API refuses the empty conclusion the same way)."""
    audit = open_audit()
    client.force_login(cast.quality_inspector)
    f = _finding(audit, "B1.1")
    history_before = AuditFinding.history.count()
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "", f"f{f.pk}-note": ""})
    page = r.content.decode()
    assert r.status_code == 400 and "这个字段是必填项" in page and "请选择结果" in page
    assert _finding(audit, "B1.1").result == "" and AuditFinding.history.count() == history_before
    answer_all(audit, cast.quality_inspector, frozen_now, AS34)
    r = client.post(f"/audits/{audit.pk}/complete/", {"summary": "   "})
    page = r.content.decode()
    assert r.status_code == 422 and page.count("请填写审核结论") >= 2  # beside the field and in the summary
    audit.refresh_from_db()
    assert audit.status != "completed" and audit.score is None
    assert client.post(f"/audits/{audit.pk}/complete/", {"summary": "个别项目需整改"}).status_code == 302
    audit.refresh_from_db()
    assert audit.summary == "个别项目需整改" and audit.score is not None
