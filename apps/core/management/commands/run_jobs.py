"""``manage.py run_jobs [--now ISO] [--loop]``: run the durable jobs that are due (retries included)."""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core import jobs
from linli import clock


class Command(BaseCommand):
    help = "执行到期的后台任务（含失败后的重试）。Run the durable jobs that are due, retries included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", default=None, help="ISO 8601 moment (replays/tests)")
        parser.add_argument("--loop", action="store_true", help="repeat every --interval seconds")
        parser.add_argument("--interval", type=int, default=30)

    def handle(self, *args: Any, now: str | None = None, loop: bool = False, interval: int = 30,
               **options: Any) -> None:
        try:
            moment = clock.parse_moment(now) if now else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        while True:
            ran = jobs.run_pending(now=moment or clock.now())
            self.stdout.write(f"ran {ran} jobs")
            if not loop:
                return
            time.sleep(max(interval, 1))
