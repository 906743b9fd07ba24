from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "诉求工单 Tickets"

    def ready(self) -> None:
        # Recompute open provisional deadlines when an official calendar year is confirmed (T-03,
        # P-25). The workdays app owns the signal; before it exists there is nothing to listen to.
        try:
            from apps.workdays.signals import calendar_year_confirmed
        except ImportError:  # pragma: no cover
            return
        from apps.tickets.deadlines import on_calendar_year_confirmed

        calendar_year_confirmed.connect(on_calendar_year_confirmed, dispatch_uid="tickets-recompute-provisional")
