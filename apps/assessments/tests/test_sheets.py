"""Staff assessment through the pages: AS-35 and every refused input (R-M14-01…-03)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from apps.assessments import actions
from apps.assessments.models import AssessmentEntry, DisciplinaryReferral, StaffAssessment

pytestmark = pytest.mark.django_db


def _post_entry(client, sheet, item, **kw):
    data = {"item": item.pk if item else "", "source": "department_check", "quantity": "1",
            "occurred_on": "2026-03-10", "note": "现场发现", "value": ""}
    data.update({k: str(v) for k, v in kw.items()})
    return client.post(f"/assessments/{sheet.pk}/entries/", data)


def test_as_35_supervisor_enters_march_on_the_page(client, cast, sheet, item):
    """AS-35: 1.1 twice (2) + 5.6 once (2) + 5.1 one missing item (1) + 1.4 at 6 = 11; 1.4 at 12 refused;
    5.2 at 0.5 accepted; 1.3 creates a disciplinary referral with 0 points."""
    client.force_login(cast.supervisor)
    assert _post_entry(client, sheet, item("1.1"), quantity=2).status_code == 302
    assert _post_entry(client, sheet, item("5.6")).status_code == 302
    assert _post_entry(client, sheet, item("5.1"), quantity=1).status_code == 302
    assert _post_entry(client, sheet, item("1.4"), value="6", source="customer_complaint").status_code == 302
    assert actions_total(sheet) == Decimal("11")
    r = _post_entry(client, sheet, item("1.4"), value="12", source="customer_complaint")
    assert r.status_code == 422 and "1.4 的扣分应在 5–10 分之间" in r.content.decode()
    assert actions_total(sheet) == Decimal("11")
    assert _post_entry(client, sheet, item("5.2"), value="0.5").status_code == 302
    assert _post_entry(client, sheet, item("1.3"), note="与业主争吵").status_code == 302
    referral = DisciplinaryReferral.objects.get()
    assert referral.entry.points == 0 and referral.employee == cast.front_desk
    page = client.get(f"/assessments/{sheet.pk}/").content.decode()
    assert "11.50" in page and "已转介处分" in page and "R-M" not in page


def actions_total(sheet):
    return sum(e.points for e in AssessmentEntry.objects.filter(sheet=sheet, removed_at__isnull=True))


def test_r_m14_01_second_sheet_self_assessment_and_frozen_sheet_are_refused(client, cast, sheet, item):
    client.force_login(cast.supervisor)
    r = client.post("/assessments/new/", {"project": cast.project.pk, "employee": cast.front_desk.pk,
                                          "period": "2026-03"})
    assert r.status_code == 409 and "考核表已存在" in r.content.decode()
    r = client.post("/assessments/new/", {"project": cast.project.pk, "employee": cast.supervisor.pk,
                                          "period": "2026-03"})
    assert r.status_code == 422 and "不能考核自己" in r.content.decode()
    assert StaffAssessment.objects.count() == 1
    assert client.post(f"/assessments/{sheet.pk}/submit/").status_code == 302
    # the manager's spot check on the submitted sheet, then sign-off freezes it
    client.force_login(cast.cs_manager)
    assert _post_entry(client, sheet, item("5.4"), source="manager_spot_check").status_code == 302
    assert client.post(f"/assessments/{sheet.pk}/sign-off/", {"note": "同意"}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.frozen and sheet.signed_off_by == cast.cs_manager
    r = _post_entry(client, sheet, item("5.4"), source="manager_spot_check")
    assert r.status_code == 409
    client.force_login(cast.supervisor)
    r = _post_entry(client, sheet, item("1.1"))
    assert r.status_code == 409 and "冻结" in r.content.decode()
    assert AssessmentEntry.objects.filter(sheet=sheet).count() == 1


def test_r_m14_03_fixed_item_value_and_unconfigured_item(client, cast, sheet, item):
    client.force_login(cast.supervisor)
    r = _post_entry(client, sheet, item("1.1"), value="3")
    assert r.status_code == 422 and "不在范围内" in r.content.decode()
    r = _post_entry(client, sheet, item("8.x"))
    assert r.status_code == 422 and "尚未设定" in r.content.decode()
    r = _post_entry(client, sheet, None, source="customer_praise", note="业主送锦旗表扬")
    assert r.status_code == 302 and AssessmentEntry.objects.get().points == 0
    r = _post_entry(client, sheet, item("1.1"), occurred_on="2026-04-02")
    assert r.status_code == 422 and "发生日期" in r.content.decode()


def test_r_m14_02_starting_score_is_a_setting_and_export_per_department(client, cast, catalogue, frozen_now, item):
    client.force_login(cast.cs_manager)
    assert client.post(f"/assessments/settings/?project={cast.project.pk}", {"starting_score": "120"}).status_code == 302
    r = client.post(f"/assessments/settings/?project={cast.project.pk}", {"starting_score": "-5"})
    assert r.status_code == 422 and "起始分" in r.content.decode()
    sheet = actions.open_sheet(employee=cast.butler, project=cast.project, period=dt.date(2026, 3, 1),
                               acting_user=cast.supervisor, now=frozen_now)
    assert sheet.starting_score == Decimal("120")
    actions.add_entry(sheet=sheet, item=item("2.2"), source="daily_inspection", occurred_on=dt.date(2026, 3, 5),
                      acting_user=cast.supervisor, now=frozen_now)
    r = client.get(f"/assessments/?month=2026-03&department={cast.cs_dept.pk}&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert any(str(cast.butler) in [str(c) for c in row] for row in rows)
    assert "115" in " ".join(str(c) for row in rows for c in row)
