from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.owners"
    verbose_name = _("业主自助")

    def ready(self) -> None:
        from apps.owners import jobs as owner_jobs  # importing the module registers its job handler

        owner_jobs.register()
