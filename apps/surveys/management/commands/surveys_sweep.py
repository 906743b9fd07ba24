"""``manage.py surveys_sweep [--now ISO]`` — survey deadline warnings and breach notices (idempotent)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.surveys import sweep
from linli import clock


class Command(BaseCommand):
    help = "满意度调查时限巡检：预警与超时通知（可重复运行，不会重复通知）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2025-10-10T09:00+08:00）")

    def handle(self, *args: Any, **opts: Any) -> None:
        moment = clock.now()
        if opts["now"]:
            try:
                moment = clock.parse_moment(opts["now"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"{clock.local(moment):%Y-%m-%d %H:%M:%S%z} {sweep.run(moment)}")
