"""Developer-legacy (地产遗留) complaints: monthly count and forwarding (R-M5-06, P-05, R-M2-03, R-M20-14)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions, queries
from apps.escalation.models import LegacyForward
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db


def test_r_m5_06_monthly_count_uses_project_zone_and_forwarding_once(cast, complaint) -> None:
    complaint("墙体开裂要求开发商维修", dt.datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI), developer_matter=True)
    complaint("窗户渗水是交房遗留问题", dt.datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI), developer_matter=True)
    complaint("九月的遗留问题", dt.datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI), developer_matter=True)
    complaint("物业费太贵", dt.datetime(2026, 10, 5, 10, 0, tzinfo=SHANGHAI))
    complaint("翠湖苑遗留问题", dt.datetime(2026, 10, 5, 10, 0, tzinfo=SHANGHAI), developer_matter=True,
              project=cast.other_project, receiver=cast.outsider)
    rows = queries.legacy_monthly_counts([cast.project, cast.other_project], dt.date(2026, 10, 1))
    assert [(r["project"].code, r["count"], r["open"]) for r in rows] == [("YG", 2, 2), ("CH", 1, 1)]
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(actions.EscalationError):
        actions.forward_legacy(cast.project, month=dt.date(2026, 11, 1), acting_user=cast.supervisor, now=now)
    with pytest.raises(actions.NotAllowed):
        actions.forward_legacy(cast.project, month=dt.date(2026, 10, 1), acting_user=cast.worker, now=now)
    fwd = actions.forward_legacy(cast.project, month=dt.date(2026, 10, 15), acting_user=cast.supervisor, now=now,
                                 document_no="YG-地产-2026-10")
    assert (fwd.month, fwd.count, fwd.recipient) == (dt.date(2026, 10, 1), 2, "地产客户服务中心")
    assert len(fwd.ticket_numbers) == 2
    with pytest.raises(actions.EscalationError) as err:
        actions.forward_legacy(cast.project, month=dt.date(2026, 10, 1), acting_user=cast.supervisor, now=now)
    assert err.value.code == "already_forwarded" and LegacyForward.objects.count() == 1
