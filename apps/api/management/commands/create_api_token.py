from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.api.models import ApiToken
from linli import clock


class Command(BaseCommand):
    help = "为用户创建 API 令牌并打印（只显示一次）。Create an API token for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="用途，例如 WeChat 小程序")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为 {username!r} 的有效用户")
        _token, raw = ApiToken.issue(user, name=name, now=clock.now())
        self.stdout.write(raw)
