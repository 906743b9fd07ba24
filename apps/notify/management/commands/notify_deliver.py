"""``manage.py notify_deliver [--now ISO] [--loop] [--interval S]`` — send due notifications.

Deliveries that are queued, waiting for a retry, or held back by quiet hours are sent when due;
every attempt is recorded. ``--now`` replays a moment (T-01: without offset it is Asia/Shanghai).
``run_sweeps`` calls the same function after each sweep, so the embedded mode needs only that.
"""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.notify.actions import deliver_due
from linli import clock


class Command(BaseCommand):
    help = "发送到期的通知（邮件、短信、工作群），记录每次尝试并按退避策略重试"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-30T09:00+08:00）")
        parser.add_argument("--loop", action="store_true", help="循环运行")
        parser.add_argument("--interval", type=float, default=30.0, help="循环间隔秒数（默认 30）")

    def handle(self, *args: Any, **opts: Any) -> None:
        fixed = None
        if opts["now"]:
            try:
                fixed = clock.parse_moment(opts["now"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        if opts["interval"] <= 0:
            raise CommandError("--interval 必须大于 0")
        while True:
            moment = fixed or clock.now()
            result = deliver_due(moment)
            self.stdout.write(f"{clock.local(moment):%Y-%m-%d %H:%M:%S%z} {result}")
            if not opts["loop"]:
                return
            time.sleep(opts["interval"])
