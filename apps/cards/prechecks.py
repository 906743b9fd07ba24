"""Audit pre-checks from the card records (R-M13-04 registry in apps.core.prechecks): door codes
changed each quarter with a week's notice (R-M11-06, AS-29), the issuing computer's password changed
each quarter (R-M11-03), the 《IC卡季度整理表》 each quarter (R-M11-02). Pure reads."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.cards.models import CardQuarterlyReview, Door
from apps.cards.queries import door_code_quarters, password_quarters, quarter_bounds, quarters_between
from apps.core import prechecks
from apps.core.prechecks import Evidence, Finding, Verdict


def register() -> None:
    prechecks.register("cards.door_codes_quarterly", label=_("门禁密码每季度更换并提前一周通知"), check=door_codes_quarterly)
    prechecks.register("cards.issuing_password_quarterly", label=_("发卡电脑密码每季度更改"),
                       check=issuing_password_quarterly)
    prechecks.register("cards.quarterly_review", label=_("IC卡每季度整理"), check=quarterly_review)


def _ended(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """The quarters of the period that end within it (a quarter still running is not judged)."""
    return [yq for yq in quarters_between(start, end) if quarter_bounds(*yq)[1] <= end]


def door_codes_quarterly(project: Any, start: dt.date, end: dt.date) -> Finding:
    if not Door.objects.filter(project=project, active=True).exists():
        return Finding(Verdict.UNKNOWN, str(_("该项目没有登记门禁，无法判断。")))
    quarters = _ended(start, end)
    if not quarters:
        return Finding(Verdict.UNKNOWN, str(_("期间内没有已结束的季度。")))
    rows = [r for r in door_code_quarters(project, start, end) if (r.year, r.quarter) in quarters]
    missing = [f"{r.door.name} {r.year}年第{r.quarter}季度未更换" for r in rows if not r.changed]
    late = [f"{c.door.name} {c.effective_on:%Y-%m-%d} 生效，通知仅提前{c.lead_days if c.lead_days is not None else '—'}天"
            for r in rows for c in r.late]
    url = reverse("cards:doors") + f"?project={project.pk}"
    if missing or late:
        return Finding(Verdict.NONCONFORM, "；".join(missing + late), (Evidence(str(_("门禁密码更换记录")), url),))
    return Finding(Verdict.CONFORM, str(_("每个门禁每季度均已更换，且均提前通知住户。")),
                   (Evidence(str(_("门禁密码更换记录")), url),))


def issuing_password_quarterly(project: Any, start: dt.date, end: dt.date) -> Finding:
    quarters = _ended(start, end)
    if not quarters:
        return Finding(Verdict.UNKNOWN, str(_("期间内没有已结束的季度。")))
    changes = password_quarters(project, start, end)
    missing = [f"{y}年第{q}季度" for y, q in quarters if not changes.get((y, q))]
    url = reverse("cards:home") + f"?project={project.pk}"
    if missing:
        return Finding(Verdict.NONCONFORM, "发卡电脑密码未更改：" + "、".join(missing),
                       (Evidence(str(_("发卡电脑密码更改记录")), url),))
    return Finding(Verdict.CONFORM, str(_("发卡电脑密码每季度均已更改。")), (Evidence(str(_("发卡电脑密码更改记录")), url),))


def quarterly_review(project: Any, start: dt.date, end: dt.date) -> Finding:
    quarters = _ended(start, end)
    if not quarters:
        return Finding(Verdict.UNKNOWN, str(_("期间内没有已结束的季度。")))
    done = set(CardQuarterlyReview.objects.filter(project=project).values_list("year", "quarter"))
    missing = [f"{y}年第{q}季度" for y, q in quarters if (y, q) not in done]
    url = reverse("cards:home") + f"?project={project.pk}"
    if missing:
        return Finding(Verdict.NONCONFORM, "缺少IC卡季度整理表：" + "、".join(missing),
                       (Evidence(str(_("IC卡季度整理表")), url),))
    return Finding(Verdict.CONFORM, str(_("每季度均有IC卡季度整理表。")), (Evidence(str(_("IC卡季度整理表")), url),))
