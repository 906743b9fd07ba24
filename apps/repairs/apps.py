from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "apps.repairs"
    label = "repairs"
    verbose_name = "报修与有偿服务 Repairs"

    def ready(self) -> None:
        # importing the module registers the job handlers (apps.core.jobs, imported through it)
        from apps.repairs.jobs import ORDER_FOR_TICKET, jobs
        from apps.repairs.queries import REPAIR_KINDS

        jobs.react("tickets.received", ORDER_FOR_TICKET, when=lambda p: p["kind"] in REPAIR_KINDS)
