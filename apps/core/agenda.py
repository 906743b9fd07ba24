"""The planned-work calendar registry (issue 22): "due and overdue" items of the modules that plan work
— inspection rounds, visit plans and cycles, community activities — shown in one calendar per project
and swept for reminders before and at the due date.

Like :mod:`apps.core.prechecks`, the registry lives in the lowest layer so that sibling modules can add
to it without importing each other, and the calendar page and the sweep (in ``apps.visits``, the lowest
of the planning modules, which may use ``apps.notify``) can read every module's items without importing
them. A module registers a provider in its ``AppConfig.ready``::

    agenda.register("inspections.rounds", label=_("检查"), items=round_items)

    def round_items(project, start, end) -> list[agenda.DueItem]: ...

A provider is a pure read: it returns the open items of ``project`` due in [start, end] and the open
items already overdue before ``start`` (so overdue work never falls out of the calendar), each with the
people responsible.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DueItem:
    key: str  # stable identity of the item (used to remind once): "<module>.<what>:<id>"
    module: str  # the module's label, in words
    title: str
    due_on: dt.date  # due by 23:59:59 that day, project time
    url: str
    responsible_ids: tuple[int, ...] = ()

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


Provider = Callable[[Any, dt.date, dt.date], list[DueItem]]


@dataclass(frozen=True)
class Source:
    code: str
    label: Any
    items: Provider


_registry: dict[str, Source] = {}


def register(code: str, *, label: Any, items: Provider) -> None:
    existing = _registry.get(code)
    if existing is not None and existing.items is not items:
        raise ValueError(f"agenda source {code!r} registered twice")
    _registry[code] = Source(code=code, label=label, items=items)


def sources() -> dict[str, Source]:
    return dict(_registry)


def collect(project: Any, start: dt.date, end: dt.date) -> list[DueItem]:
    """Every registered module's open items of ``project`` due up to ``end`` (overdue ones included),
    by due date."""
    items: list[DueItem] = []
    for source in _registry.values():
        items.extend(source.items(project, start, end))
    return sorted(items, key=lambda i: (i.due_on, i.module, i.title))
