"""Cache invalidation of the workdays app (no business writes).

Whenever calendar or policy data changes — through an action, the admin, a fixture or a test —
the receivers below replace the :class:`~apps.workdays.models.DataVersion` token, so every process
rebuilds its cached calendars and policy tables on its next call. The token is cache bookkeeping
(one row, no history, no business meaning), written in the same transaction as the change: a
rollback rolls it back too, and an error propagates (nothing is swallowed). Bulk writes, which send
no signals, bump it explicitly (:func:`apps.workdays.actions.import_calendar`).

Cross-module reactions are not signals: a confirmed year publishes the durable job event
``workdays.year_confirmed`` (:mod:`apps.workdays.actions`).
"""
from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.workdays import models as m


def _bump(sender: Any, **kwargs: Any) -> None:
    m.DataVersion.bump()


def connect_version_bumps() -> None:
    for model in (m.OfficialYear, m.CalendarDay, m.RuleSet, m.LimitPolicy, m.RuleSetChoice, m.DeadlineSettings,
                  m.ReplyPolicy):
        post_save.connect(_bump, sender=model, dispatch_uid=f"workdays-bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"workdays-bump-delete-{model.__name__}")
