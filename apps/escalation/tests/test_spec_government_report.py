"""R-M3-14: optional per-city government major-event report (e.g. 西安市物业管理条例 art. 57)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from apps.escalation.models import EscalationPolicy, EscalationReport, GovernmentEventCause, ReportKind
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def test_r_m3_14_off_by_default_then_raises_one_report_task_with_its_record(cast, complaint, outbox) -> None:
    t = complaint("外墙瓷砖大面积松动随时可能坠落", T0)
    with pytest.raises(actions.EscalationError, match="未启用") as err:
        actions.raise_government_report(t, cause=GovernmentEventCause.HAZARD, acting_user=cast.cs_manager, now=T0)
    assert err.value.code == "not_enabled" and not EscalationReport.objects.filter(kind="government_report").exists()

    EscalationPolicy.objects.create(company=cast.company, government_report_enabled=True,
                                    government_authority="雁塔区物业管理办公室")
    with pytest.raises(actions.EscalationError, match="事件类型"):
        actions.raise_government_report(t, cause="flood", acting_user=cast.cs_manager, now=T0)
    with pytest.raises(actions.NotAllowed):
        actions.raise_government_report(t, cause=GovernmentEventCause.HAZARD, acting_user=cast.worker, now=T0)
    r = actions.raise_government_report(t, cause=GovernmentEventCause.HAZARD, acting_user=cast.cs_manager, now=T0)
    again = actions.raise_government_report(t, cause=GovernmentEventCause.HAZARD, acting_user=cast.cs_manager,
                                            now=T0 + dt.timedelta(hours=1))
    assert again.pk == r.pk and r.kind == ReportKind.GOVERNMENT_REPORT and r.recipients == "雁塔区物业管理办公室"
    assert "8小时内无法排除" in r.content
    gov = [c for c in outbox.calls if c["kind"] == "escalation_government_report"]
    assert len(gov) == 1 and cast.quality_inspector.username in gov[0]["recipients"]

    # the record of the report: what was reported, when, by whom
    sent = actions.submit_report(r, acting_user=cast.cs_manager, now=T0 + dt.timedelta(hours=2),
                                 current_handling="已设置警戒区，10:30 电话报告区物业办李科长")
    assert sent.sent_at == T0 + dt.timedelta(hours=2) and sent.sent_by_id == cast.cs_manager.pk


def test_r_m3_14_page_offers_the_task_only_where_enabled(cast, complaint, outbox, client) -> None:
    t = complaint("小区门口业主聚集堵路", T0)
    client.force_login(cast.cs_manager)
    assert "政府重大事件报告" not in client.get(f"/escalation/tickets/{t.pk}/").content.decode()
    EscalationPolicy.objects.create(company=cast.company, project=cast.project, government_report_enabled=True)
    assert "政府重大事件报告" in client.get(f"/escalation/tickets/{t.pk}/").content.decode()
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        r = client.post(f"/escalation/tickets/{t.pk}/government/", {"cause": GovernmentEventCause.MASS_INCIDENT})
    assert r.status_code == 302
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.GOVERNMENT_REPORT)
    assert report.recipients == "区/县物业行政主管部门" and "群体性突发事件" in report.content
