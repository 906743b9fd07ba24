from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = "统计与报告 Reports"
    # Periodic work: the task apps.reports.tasks.generate_reports is in the one beat schedule
    # (linli/settings.py); the embedded mode runs ``manage.py generate_reports``.

    def ready(self) -> None:
        from apps.reports import jobs, prechecks  # audit pre-checks (apps.core.prechecks, R-M13-04)

        prechecks.register()
        jobs.react_to_escalation()  # close-out reports become library cases (R-M3-07, R-M6-01)
