from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.inspections"
    verbose_name = _("检查与设施维护")

    def ready(self) -> None:
        from apps.inspections import agenda

        agenda.register()
