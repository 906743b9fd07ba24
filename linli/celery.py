"""Celery application. Production runs workers + beat on Redis; the embedded default needs none
(periodic work runs from management commands with ``--loop``)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
