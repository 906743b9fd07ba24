from django.core.management.base import BaseCommand, CommandError

from apps.api import idempotency
from linli import clock


class Command(BaseCommand):
    help = "删除已过期的幂等键。Delete Idempotency-Key / submission_key rows older than LINLI_IDEMPOTENCY_TTL_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--now", default=None, help="ISO 8601 moment (replays/tests)")

    def handle(self, *args, now: str | None = None, **options):
        try:
            moment = clock.parse_moment(now) if now else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        deleted = idempotency.purge_expired(now=moment)
        self.stdout.write(f"deleted {deleted} expired idempotency keys")
