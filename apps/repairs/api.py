"""REST endpoints of this app (django-ninja router mounted by apps.api)."""
from ninja import Router

router = Router(tags=["repairs"])
