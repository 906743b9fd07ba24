from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.activities"
    verbose_name = _("社区活动")

    def ready(self) -> None:
        from apps.activities import agenda

        agenda.register()
