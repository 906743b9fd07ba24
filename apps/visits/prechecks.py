"""Audit pre-check of the visits app (R-M13-04): visit coverage — every occupied household visited
periodically in each calendar quarter of the audited period that has ended (R-M9-12, P-17 default).

Coverage is counted against the households occupied today (the roster keeps no occupancy history),
which the finding says."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core import prechecks
from apps.visits import cycles, programme


def register() -> None:
    prechecks.register("visits.coverage", label=_("业主走访覆盖（每户每季度至少一次）"), check=visit_coverage)


def visit_coverage(project: Any, start: dt.date, end: dt.date) -> prechecks.Finding:
    quarters = range(cycles.quarter_index(start), cycles.quarter_index(end) + 1)
    ended = [q for q in quarters if cycles.quarter_end(q) <= end]
    if not ended:
        return prechecks.Finding(prechecks.Verdict.UNKNOWN, str(_("审核期内没有已结束的季度，无法判断走访覆盖。")))
    parts, evidence, conform = [], [], True
    for q in ended:
        rows = programme.coverage(project, cycles.quarter_start(q), cycles.quarter_end(q))
        total = sum(r["total"] for r in rows)
        visited = sum(r["visited"] for r in rows)
        if total == 0:
            return prechecks.Finding(prechecks.Verdict.UNKNOWN, str(_("项目没有已入住房屋的记录。")))
        conform = conform and visited >= total
        parts.append(f"{cycles.quarter_label(q)}：{visited}/{total} 户（{round(100 * visited / total, 1)}%）")
        evidence.append(prechecks.Evidence(label=f"{cycles.quarter_label(q)} 走访覆盖",
                                           url=f"/visits/programme/?project={project.pk}"))
    verdict = prechecks.Verdict.CONFORM if conform else prechecks.Verdict.NONCONFORM
    summary = "；".join(parts) + "（按当前已入住房屋统计）"
    return prechecks.Finding(verdict, summary, tuple(evidence))
