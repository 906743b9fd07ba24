"""Doors to other apps written in parallel (notify). When the other app is not installed yet the
adapter logs a warning and delivers nothing — never a fake success."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


def next_call_moment(project: Any, moment: dt.datetime) -> dt.datetime | None:
    """``apps.notify.services.next_contact_moment`` for a phone call (R-M17-01, the project's P-21
    quiet-hours policy row); None when the notify app is not installed."""
    try:
        from apps.notify.services import CALL, next_contact_moment
    except ImportError:  # notify app not landed yet
        return None
    return next_contact_moment(project, moment, channel=CALL)


def notify_staff(recipients: Iterable[Any], *, kind: str, subject: str, body: str, link: str = "",
                 project: Any = None, dedupe_key: str | None = None, now: dt.datetime) -> list[Any]:
    """``apps.notify.services.notify_staff`` (cross-app contract 3); dedupe_key makes a repeat a no-op."""
    users = [u for u in recipients if u is not None]
    if not users:
        return []
    try:
        from apps.notify.services import notify_staff as _notify
    except ImportError:  # notify app not landed yet
        log.warning("notify unavailable, not delivered: %s %s → %s", kind, subject, [u.pk for u in users])
        return []
    return list(_notify(users, kind=kind, subject=subject, body=body, link=link, project=project,
                        dedupe_key=dedupe_key, now=now))
