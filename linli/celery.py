"""Celery application. Production runs workers + beat on Redis; the embedded default needs none
(periodic work runs from management commands with ``--loop``).

Stopping: SIGTERM asks the worker for a warm shutdown — it takes no new task and exits when the
running ones end. Every task has a soft and a hard time limit (``LINLI_TASK_SOFT_TIME_LIMIT`` /
``LINLI_TASK_TIME_LIMIT``, 240 s / 300 s) and the SMTP and SMS clients have socket timeouts
(``LINLI_EMAIL_TIMEOUT``, ``LINLI_SMS_HTTP_TIMEOUT``), so a SIGTERM ends the worker within the hard
limit even when a mail relay never answers; a second SIGTERM or SIGQUIT stops it at once (unacknowledged
messages go back to the queue). Process managers should allow ``TimeoutStopSec`` ≥ the hard limit.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
