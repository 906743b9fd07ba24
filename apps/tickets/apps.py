from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "诉求工单 Tickets"

    def ready(self) -> None:
        from apps.tickets import jobs  # importing the module registers its job handlers

        jobs.register()
