from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.assessments"
    label = "assessments"
    verbose_name = _("员工考核")

    def ready(self) -> None:
        from apps.assessments import jobs as assessment_jobs  # importing the module registers its job handlers

        assessment_jobs.register()
