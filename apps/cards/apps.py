from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.cards"
    verbose_name = _("IC卡与门禁密码")

    def ready(self) -> None:
        from apps.cards import prechecks  # importing registers the audit pre-checks

        prechecks.register()
