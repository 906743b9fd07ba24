"""Audit pre-checks: what Linli's own records say about an item of the supervision standard (R-M13-04).

The supervision audit (督导, SPEC M13) checks rules that Linli already enforces: the monthly summary
by the 28th, reports on the intranet on time, the handling response within one working day, door codes
changed each quarter, visit coverage … A module that holds such a record registers a *pre-check* at
start-up, in its ``AppConfig.ready`` (through its ``prechecks.py``'s ``register()``, like jobs)::

    # apps/reports/prechecks.py
    def register() -> None:
        prechecks.register("reports.monthly_summary_on_time", label=_("月度总结按时（每月28日前）"),
                           check=monthly_summary_on_time)

    def monthly_summary_on_time(project: Project, start: date, end: date) -> prechecks.Finding: ...

The audits module (which sits above every module that registers) opens an audit with each registered
pre-check's finding as a suggestion that the auditor confirms or overrides. The registry lives here,
in the lowest layer, so that any module can add to it without importing the audits module, and the
audits module can read it without importing every module.

A check is a pure read: it takes the project and the audited period (dates in Asia/Shanghai) and
returns a :class:`Finding`. It must not write, and it answers ``UNKNOWN`` (with the reason in words)
rather than guessing when the records it needs do not exist yet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    CONFORM = "conform", _("符合")
    NONCONFORM = "nonconform", _("不符合")
    UNKNOWN = "unknown", _("无法判断")


@dataclass(frozen=True)
class Evidence:
    """One record behind a finding: what it is, in words, and where a user can open it."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class Finding:
    verdict: str  # a Verdict value
    summary: str  # in words, for the auditor: "3 月总结 3月27日提交，按时"
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "summary": self.summary,
                "evidence": [{"label": e.label, "url": e.url} for e in self.evidence]}


#: check(project, start, end) → Finding. ``project`` is an ``apps.org.models.Project``.
Check = Callable[[Any, dt.date, dt.date], Finding]


@dataclass(frozen=True)
class Precheck:
    code: str
    label: Any  # str or lazy str
    check: Check
    module: str


_registry: dict[str, Precheck] = {}


def register(code: str, *, label: Any, check: Check) -> None:
    """Add a pre-check under a stable ``code`` (``<app>.<what>``); the same code twice is an error."""
    existing = _registry.get(code)
    if existing is not None and existing.check is not check:
        raise ValueError(f"pre-check {code!r} registered twice: {existing.check!r} and {check!r}")
    _registry[code] = Precheck(code=code, label=label, check=check, module=code.split(".", 1)[0])


def registered() -> dict[str, Precheck]:
    """Every registered pre-check by code (a copy)."""
    return dict(_registry)


def get(code: str) -> Precheck | None:
    return _registry.get(code)


def run(code: str, project: Any, start: dt.date, end: dt.date) -> Finding:
    """The finding of one pre-check; a check that does not exist (its module not installed) is UNKNOWN."""
    pre = _registry.get(code)
    if pre is None:
        return Finding(Verdict.UNKNOWN, str(_("该项目前没有系统记录可供预检。")))
    return pre.check(project, start, end)
