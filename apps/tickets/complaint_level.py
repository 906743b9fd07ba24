"""投诉级别 as people see it (R-M3-01) — one definition for the ticket page, the lists, the escalation
pages, the 投诉台账, the printed register and the API.

A complaint has one level: 一般 < 重要 < 热点 < 重大. 热点 and 重大 are stored in
``Ticket.escalation_level``, raised only by :mod:`apps.escalation` when a criterion is met; 重要 is the
manual judgement ``Ticket.important`` (R-M2-22). The level shown is the highest that holds, so a hot
complaint also marked important is 热点, and an important one is 重要, not 一般.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

NONE, IMPORTANT, HOT, MAJOR = "none", "important", "hot", "major"
RANK: dict[str, int] = {NONE: 0, IMPORTANT: 1, HOT: 2, MAJOR: 3}
LABELS: dict[str, Any] = {NONE: _("一般"), IMPORTANT: _("重要"), HOT: _("热点"), MAJOR: _("重大")}
CHOICES = [(code, LABELS[code]) for code in (NONE, IMPORTANT, HOT, MAJOR)]


def level_of(escalation_level: str | None, important: bool, kind: str = "complaint") -> str:
    """The level shown for a ticket with this stored escalation level and important flag."""
    level = escalation_level or NONE
    if level not in RANK:
        level = NONE
    if important and kind == "complaint" and RANK[level] < RANK[IMPORTANT]:
        return IMPORTANT
    return level


def complaint_level(ticket: Any) -> str:
    """The level code of ``ticket``: none / important / hot / major."""
    return level_of(getattr(ticket, "escalation_level", NONE), bool(getattr(ticket, "important", False)),
                    getattr(ticket, "kind", "complaint"))


def complaint_level_label(ticket: Any) -> str:
    """The level of ``ticket`` as shown: 一般 / 重要 / 热点 / 重大."""
    return str(LABELS[complaint_level(ticket)])


def level_expression() -> Any:
    """:func:`complaint_level` as a database expression (for GROUP BY in the statistics): the same
    order — 重大, else 热点, else 重要 (a complaint marked important), else 一般."""
    return Case(When(escalation_level=MAJOR, then=Value(MAJOR)), When(escalation_level=HOT, then=Value(HOT)),
                When(Q(important=True, kind="complaint"), then=Value(IMPORTANT)),
                default=Value(NONE), output_field=CharField())


def level_q(code: str) -> Any:
    """The tickets whose :func:`complaint_level` is ``code`` (a drill-down from a statistics row)."""
    if code not in RANK:
        raise KeyError(code)
    if code in (MAJOR, HOT):
        return Q(escalation_level=code)
    higher = Q(escalation_level__in=(HOT, MAJOR))
    important = Q(important=True, kind="complaint")
    return (important & ~higher) if code == IMPORTANT else (~important & ~higher)
