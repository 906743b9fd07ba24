"""R-M17-12: the portal's reactions are explicit calls in the publishing action's transaction (issue 13,
reaction (a)): when telling owners by SMS or recording the publication on the report fails, nothing is
published; every change of a publication keeps its history row."""
from __future__ import annotations

from typing import Any

import pytest

from apps.notify.queries import NotifyError
from apps.portal import actions
from apps.portal.models import Publication
from apps.portal.tests.test_spec_portal import NOW, make_report
from apps.reports.models import Report

pytestmark = pytest.mark.django_db


def test_r_m17_12_a_refused_sms_rolls_the_notice_back(cast: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kw: Any) -> Any:
        raise NotifyError("短信通道未配置", code="no_channel", status=409)

    monkeypatch.setattr(actions.notices, "send_owner_notice", refuse)
    with pytest.raises(actions.PortalError) as exc:
        actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日停水",
                               acting_user=cast.cs_manager, now=NOW, notify_owners=True)
    assert exc.value.field == "notify_owners" and exc.value.status == 409
    assert not Publication.objects.exists()


def test_r_m17_12_a_failure_recording_the_publication_rolls_the_push_back(cast: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    report = make_report(cast)

    real = actions.record_publication

    def broken(*args: Any, **kw: Any) -> Any:
        real(*args, **kw)  # the report records the board, then something fails
        raise RuntimeError("reports unavailable")

    monkeypatch.setattr(actions, "record_publication", broken)
    with pytest.raises(RuntimeError):
        actions.publish_report(report, acting_user=cast.cs_manager, now=NOW)
    assert not Publication.objects.exists()
    assert actions.PORTAL_PLACE not in Report.objects.get(pk=report.pk).published_where


def test_r_m17_12_publishing_and_withdrawing_keep_their_history(cast: Any) -> None:
    pub = actions.publish_notice(project=cast.project, kind="notice", title="停水通知", body="明日停水",
                                 acting_user=cast.cs_manager, now=NOW)
    actions.withdraw(pub, reason="通知有误", acting_user=cast.cs_manager, now=NOW)
    rows = list(pub.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert rows[0].history_change_reason == "公告" and rows[1].history_change_reason == "撤下：通知有误"
    assert {r.history_user for r in rows} == {cast.cs_manager}
