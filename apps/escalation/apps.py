from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "apps.escalation"
    label = "escalation"
    verbose_name = "热点/重大投诉 Escalation"

    def ready(self) -> None:
        from apps.escalation import jobs  # the job handlers register on import

        jobs.react_to_tickets()
