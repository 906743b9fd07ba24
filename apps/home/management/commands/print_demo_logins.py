from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.estates import demo


class Command(BaseCommand):
    help = "打印演示账号。Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo.demo_logins()
        if not rows:
            self.stdout.write("没有演示账号（数据库不是用 load_demo 建的）。")
            return
        site = str(getattr(settings, "LINLI_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"\n邻里 Linli 演示账号（密码均为 {demo.DEMO_PASSWORD}） — {site}/login/")
        for username, role, where in rows:
            self.stdout.write(f"  {username:<18} {role:<12} {where}")
