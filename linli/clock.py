"""The one clock of Linli.

Every time-dependent rule asks :func:`now` for the current moment, so tests and replays
(management commands take ``--now``) can set it. Pure arithmetic modules never call this: they
receive ``now``/``start`` as arguments.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current moment, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=UTC)


def set_now(moment: dt.datetime | None) -> None:
    """Pin the clock to ``moment`` (aware), or release it with ``None``."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("clock.set_now needs a timezone-aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None


@contextlib.contextmanager
def frozen(moment: dt.datetime) -> Iterator[dt.datetime]:
    """``with clock.frozen(t):`` — the clock reads ``t`` inside the block."""
    previous = _frozen
    set_now(moment)
    try:
        yield now()
    finally:
        set_now(previous)


def parse_moment(text: str, default_tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """Parse ISO 8601 (``2026-11-22T09:30``, ``2026-11-22 09:30+08:00``, ``2026-11-22``) into an
    aware datetime. A value without offset is read in Asia/Shanghai (T-01). Raises ValueError
    with a readable message."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"无法识别的时间 {text!r}（请用 ISO 8601，例如 2026-11-22T09:30+08:00）") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment


def local(moment: dt.datetime, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """``moment`` shown in ``tz`` (default Asia/Shanghai)."""
    return moment.astimezone(tz)


def today(tz: dt.tzinfo = SHANGHAI) -> dt.date:
    """Today's date in ``tz`` according to the clock."""
    return now().astimezone(tz).date()
