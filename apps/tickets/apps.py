from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "诉求工单 Tickets"

    def ready(self) -> None:
        from apps.tickets import jobs  # importing the module registers its job handlers

        jobs.register()

        from apps.tickets import prechecks  # audit pre-checks (apps.core.prechecks, R-M13-04)

        prechecks.register()
