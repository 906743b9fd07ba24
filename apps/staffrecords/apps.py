from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffRecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.staffrecords"
    label = "staffrecords"
    verbose_name = _("员工档案")
