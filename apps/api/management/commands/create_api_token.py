from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.api.actions import TokenError, issue_token
from linli import clock


class Command(BaseCommand):
    help = "为用户创建 API 令牌并打印（只显示一次）。Create an API token for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="用途，例如 WeChat 小程序")
        parser.add_argument("--now", default=None, help="ISO 8601 moment to stamp (replays/tests)")

    def handle(self, *args, username: str, name: str, now: str | None = None, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为 {username!r} 的有效用户")
        try:
            moment = clock.parse_moment(now) if now else clock.now()
            _token, raw = issue_token(user, name=name, now=moment)
        except (TokenError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(raw)
