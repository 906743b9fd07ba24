from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    label = "quality"
    verbose_name = "品质管理 Quality"

    def ready(self) -> None:
        from apps.quality import jobs as quality_jobs  # importing the module registers its job handlers

        quality_jobs.register()
