"""Quiet hours (免打扰时段) as pure arithmetic — R-M17-01, POLICY P-21.

No database and no clock: callers pass the moment, the windows and the project's time zone.
A window is a half-open local-time interval ``[start, end)``; ``start > end`` means it runs across
midnight (``[21:00, 08:00)`` = 21:00 today until 08:00 tomorrow). Windows may touch or overlap
(``[21:00, 08:00)`` and ``[07:30, 09:00)``): :func:`next_allowed_moment` keeps moving to the end of
the window it is in until it stands outside every window.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext


@dataclass(frozen=True)
class Window:
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("免打扰时段的开始与结束不能相同")

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, t: dt.time) -> bool:
        """Is the local wall-clock time ``t`` inside ``[start, end)``?"""
        if self.crosses_midnight:
            return t >= self.start or t < self.end
        return self.start <= t < self.end

    def label(self) -> str:
        if self.crosses_midnight:
            return gettext("%(start)s–次日%(end)s") % {"start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}"}
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


# P-21 defaults: lunch break [12:00, 14:00) and evening/early morning [21:00, 08:00) (interpretation).
DEFAULT_WINDOWS: tuple[Window, ...] = (
    Window(dt.time(12, 0), dt.time(14, 0)),
    Window(dt.time(21, 0), dt.time(8, 0)),
)


def parse_time(text: str) -> dt.time:
    """``"21:00"`` → ``time(21, 0)``; raises ValueError with a Chinese message."""
    try:
        hh, mm = str(text).strip().split(":")[:2]
        return dt.time(int(hh), int(mm))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"时间格式不正确：{text!r}（应为 HH:MM，如 21:00）") from exc


def parse_windows(raw: Iterable[Any]) -> list[Window]:
    """Stored JSON (``[["12:00", "14:00"], ["21:00", "08:00"]]``) → windows. Raises ValueError."""
    windows = []
    for item in raw or []:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"免打扰时段格式不正确：{item!r}（应为 [开始, 结束]）")
        windows.append(Window(parse_time(item[0]), parse_time(item[1])))
    return windows


def dump_windows(windows: Iterable[Window]) -> list[list[str]]:
    return [[f"{w.start:%H:%M}", f"{w.end:%H:%M}"] for w in windows]


def _local_naive(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("quiet-hours arithmetic needs an aware datetime")
    return moment.astimezone(tz).replace(tzinfo=None)


def window_at(moment: dt.datetime, windows: Sequence[Window], tz: dt.tzinfo) -> Window | None:
    """The first window that contains ``moment`` (in ``tz``), or None."""
    t = _local_naive(moment, tz).time()
    for w in windows:
        if w.contains(t):
            return w
    return None


def in_quiet_hours(moment: dt.datetime, windows: Sequence[Window], tz: dt.tzinfo) -> bool:
    return window_at(moment, windows, tz) is not None


def _window_end(local: dt.datetime, w: Window) -> dt.datetime:
    """The local end of the occurrence of ``w`` that contains ``local``."""
    end = dt.datetime.combine(local.date(), w.end)
    if end <= local:  # across midnight, seen from the evening part: ends tomorrow
        end += dt.timedelta(days=1)
    return end


def next_allowed_moment(moment: dt.datetime, windows: Sequence[Window], tz: dt.tzinfo) -> dt.datetime:
    """The earliest moment ≥ ``moment`` outside every quiet window, as an aware UTC datetime.

    ``moment`` itself when it is allowed. Windows are read in the project's zone ``tz``; the result
    is built as local wall-clock time and converted back (the zone decides the offset of that day).
    Raises ValueError when the windows cover the whole day.
    """
    local = _local_naive(moment, tz)
    moved = False
    for _ in range(len(windows) * 2 + 2):
        w = next((w for w in windows if w.contains(local.time())), None)
        if w is None:
            if not moved:
                return moment.astimezone(dt.UTC)
            return local.replace(tzinfo=tz).astimezone(dt.UTC)
        local = _window_end(local, w)
        moved = True
    raise ValueError("免打扰时段覆盖了全天，没有允许联系的时间")


def describe(windows: Sequence[Window]) -> str:
    return "，".join(w.label() for w in windows) or "无"
