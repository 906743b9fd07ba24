from django.apps import AppConfig

from apps.workdays.signals import calendar_year_confirmed


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "诉求工单 Tickets"

    def ready(self) -> None:
        # Recompute open provisional deadlines when an official calendar year is confirmed (T-03,
        # P-25). The workdays app (a lower layer) owns the signal and sends it on commit.
        from apps.tickets.deadlines import on_calendar_year_confirmed

        calendar_year_confirmed.connect(on_calendar_year_confirmed, dispatch_uid="tickets-recompute-provisional")
