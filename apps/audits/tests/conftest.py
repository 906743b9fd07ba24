from __future__ import annotations

import datetime as dt

import pytest

from apps.audits import actions
from apps.audits.models import AuditFinding, FindingResult


@pytest.fixture
def standard(cast, frozen_now):
    return actions.load_seed_standard(company=cast.company, acting_user=None, now=frozen_now)


@pytest.fixture
def open_audit(cast, standard, frozen_now):
    def make(project=None, **kw):
        kw.setdefault("audited_on", dt.date(2026, 3, 18))
        kw.setdefault("period_start", dt.date(2026, 1, 1))
        kw.setdefault("period_end", dt.date(2026, 3, 17))
        return actions.open_audit(project=project or cast.project, acting_user=cast.quality_inspector,
                                  now=frozen_now, **kw)
    return make


def answer_all(audit, user, now, nonconform: dict[str, int]) -> None:
    """Answer every item: those in ``nonconform`` (code → behaviours) not met, the rest met."""
    for f in AuditFinding.objects.filter(audit=audit).select_related("item"):
        code = f.item.code
        if code in nonconform:
            actions.answer_item(finding=f, result=FindingResult.NONCONFORM, count=nonconform[code], note="现场发现",
                                override_reason="现场核实", acting_user=user, now=now)
        else:
            actions.answer_item(finding=f, result=FindingResult.CONFORM, override_reason="现场核实",
                                acting_user=user, now=now)


AS34 = {"A1.1": 45, "B1.1": 1, "B1.3": 1, "B2.4": 1, "B12.3": 1, "B12.6": 1, "C1.3": 1}
