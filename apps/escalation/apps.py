from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "apps.escalation"
    label = "escalation"
    verbose_name = "热点/重大投诉 Escalation"

    def ready(self) -> None:
        from apps.core import jobs
        from apps.escalation import jobs as escalation_jobs  # noqa: F401  (registers the handlers)

        jobs.react("tickets.received", "escalation.evaluate_complaint",
                   when=lambda p: p["kind"] == "complaint")
        jobs.react("tickets.status_changed", "escalation.on_complaint_closed",
                   when=lambda p: p["kind"] == "complaint" and p["new"] in ("closed", "unresolved"))
