from django.core.management.base import BaseCommand, CommandError

from apps.core import lockout
from linli import clock


class Command(BaseCommand):
    help = "删除超过保留期的登录记录。Delete login attempts older than --days (default 180)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument("--now", default=None, help="ISO 8601 moment (replays/tests)")

    def handle(self, *args, days: int, now: str | None = None, **options):
        if days < 1:
            raise CommandError("--days 必须至少为 1")
        try:
            moment = clock.parse_moment(now) if now else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        deleted = lockout.purge_older_than(days, now=moment)
        self.stdout.write(f"deleted {deleted} login attempts older than {days} days")
