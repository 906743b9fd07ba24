from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "apps.workdays"
    label = "workdays"
    verbose_name = "工作日历与时限 Working days"

    def ready(self) -> None:
        # AppConfig.ready is the one place an app's own modules are imported once the models are loaded
        from apps.workdays.signals import connect_version_bumps

        connect_version_bumps()
