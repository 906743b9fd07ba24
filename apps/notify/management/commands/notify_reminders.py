"""``manage.py notify_reminders [--now ISO]`` — queue scheduled owner messages (R-M17-05 warranty
reminders) and the stewards' daily mail notice (R-M17-09). Idempotent: run it as often as you like (``run_sweeps`` and Celery beat call it too)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.notify.mail import notify_stewards_due
from apps.notify.reminders import queue_all
from linli import clock


class Command(BaseCommand):
    help = "排队发送业主提醒短信（保修期满前一个月提醒，可重复运行，不会重复发送）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-30T09:00+08:00）")

    def handle(self, *args: Any, **opts: Any) -> None:
        moment = clock.now()
        if opts["now"]:
            try:
                moment = clock.parse_moment(opts["now"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        reminders = queue_all(moment)
        self.stdout.write(f"{clock.local(moment):%Y-%m-%d %H:%M:%S%z} {reminders} mail_notified={notify_stewards_due(moment)}")
