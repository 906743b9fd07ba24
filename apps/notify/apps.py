from django.apps import AppConfig

from apps.notify import checks  # noqa: F401 - registers the start-up check of the notification backends


class NotifyConfig(AppConfig):
    """Periodic work (deliver due messages every 30 s, queue reminders every 5 min) is in the one
    beat schedule in the settings; the embedded mode runs ``notify_deliver --loop``."""

    name = "apps.notify"
    label = "notify"
    verbose_name = "通知 Notifications"
