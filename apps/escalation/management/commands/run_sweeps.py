"""``manage.py run_sweeps [--now ISO] [--loop] [--interval S]`` — the escalation/deadline sweep.

The embedded default (no Redis) runs it with ``--loop``; production runs the same function from
Celery beat (``apps.escalation.tasks.run_sweeps``). ``--now`` replays a moment (T-01: a value
without offset is read in Asia/Shanghai).
"""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.escalation.sweep import run_sweep
from apps.notify.actions import deliver_due
from apps.notify.mail import notify_stewards_due
from apps.notify.reminders import queue_all
from linli import clock


class Command(BaseCommand):
    help = "升级与时限巡检：时间型升级、75% 预警、超时通知（可重复运行，不会重复通知）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-30T09:00+08:00）")
        parser.add_argument("--loop", action="store_true", help="循环运行")
        parser.add_argument("--interval", type=float, default=60.0, help="循环间隔秒数（默认 60）")

    def handle(self, *args: Any, **opts: Any) -> None:
        fixed = None
        if opts["now"]:
            try:
                fixed = clock.parse_moment(opts["now"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        while True:
            moment = fixed or clock.now()
            result = run_sweep(moment)
            reminders = queue_all(moment)  # R-M17-04, R-M17-05 (idempotent)
            mail_told = notify_stewards_due(moment)  # R-M17-09 daily notice at the set time (idempotent)
            sent = deliver_due(moment)  # then send what the sweep (and everyone else) queued
            self.stdout.write(f"{clock.local(moment):%Y-%m-%d %H:%M:%S%z} {result} {reminders} mail_notified={mail_told} {sent}")
            if not opts["loop"]:
                return
            time.sleep(opts["interval"])
