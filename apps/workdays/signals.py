"""Signals of the workdays app.

``calendar_year_confirmed`` (cross-app contract 3) is sent with ``year=<int>`` after an official
schedule for that year was imported or confirmed (sent on commit); apps.tickets recomputes its open
provisional deadlines (T-03, P-25).

The receivers below bump :class:`~apps.workdays.models.DataVersion` whenever calendar or policy data
changes, so every process rebuilds its cached calendars and policy tables on the next call.
"""
from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

calendar_year_confirmed = Signal()  # kwargs: year


def _bump(sender: Any, **kwargs: Any) -> None:
    from apps.workdays.models import DataVersion

    DataVersion.bump()


def connect_version_bumps() -> None:
    from apps.workdays import models as m

    for model in (m.OfficialYear, m.CalendarDay, m.RuleSet, m.LimitPolicy, m.RuleSetChoice, m.DeadlineSettings):
        post_save.connect(_bump, sender=model, dispatch_uid=f"workdays-bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"workdays-bump-delete-{model.__name__}")
