from django.apps import AppConfig
from django.conf import settings

from apps.notify import checks  # noqa: F401 - registers the start-up check of the notification backends


class NotifyConfig(AppConfig):
    name = "apps.notify"
    label = "notify"
    verbose_name = "通知 Notifications"

    def ready(self) -> None:
        # Production (Celery beat): send due notifications every 30 s. The app registers its own
        # beat entry so the settings module needs no edit; the embedded mode sends them from
        # ``run_sweeps --loop`` / ``notify_deliver --loop`` instead.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("every-30s-notify-deliver-due", {"task": "apps.notify.tasks.deliver_due",
                                                                 "schedule": 30.0})
            schedule.setdefault("every-5min-notify-queue-reminders", {"task": "apps.notify.tasks.queue_reminders",
                                                                      "schedule": 300.0})
