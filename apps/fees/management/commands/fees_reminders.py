"""``manage.py fees_reminders [--now 2026-12-05T10:00+08:00]`` — monthly and arrears fee reminders (R-M16-12)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.fees import actions
from linli import clock


class Command(BaseCommand):
    help = "发送每月缴费提醒和欠费升级提醒（免打扰时段顺延）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", help="ISO 8601 moment to run as (default: the clock)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = clock.parse_moment(options["now"]) if options.get("now") else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            result = actions.send_reminders(now=now)
        self.stdout.write(f"月度提醒 {result.monthly} 户；欠费提醒 {result.arrears} 户；无手机号 {result.no_phone} 人")
