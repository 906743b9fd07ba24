from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "基础 Core"

    def ready(self) -> None:
        from django.contrib import admin

        from apps.core.forms import AdminLoginForm

        # /admin/login/ goes through the same lockout as /login/ (issue 2 item 8).
        admin.site.login_form = AdminLoginForm
