"""REST endpoints of the organisation: projects (lookup for integrations)."""
from ninja import Router

router = Router(tags=["org"])
