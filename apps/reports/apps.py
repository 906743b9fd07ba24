from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = "统计与报告 Reports"

    def ready(self) -> None:
        # Production (Celery beat): generate due report drafts and send reminders every hour. The
        # app registers its own beat entry; the embedded mode runs ``manage.py generate_reports``.
        from django.conf import settings

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("hourly-generate-reports", {"task": "apps.reports.tasks.generate_reports",
                                                            "schedule": 3600.0})
