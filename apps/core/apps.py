from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "基础 Core"

    def ready(self) -> None:
        from django.contrib import admin

        from apps.core.forms import AdminLoginForm
        from apps.core.validation import install_form_text_check, install_safe_template_localtime

        # /admin/login/ goes through the same lockout as /login/ (issue 2 item 8).
        admin.site.login_form = AdminLoginForm
        # Every page form refuses control characters beside the field (issue 14 item 2).
        install_form_text_check()
        # ... and no stored extreme moment (year 9999) fails a page that shows it.
        install_safe_template_localtime()
