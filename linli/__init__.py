"""Linli (邻里): customer service for property-management companies."""
from linli.celery import app as celery_app

__all__ = ("celery_app",)
