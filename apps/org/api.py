"""REST endpoints of the organisation (mounted at /api/v1/org): the projects a token's user can see."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from apps.api.errors import ERRORS
from apps.org import access

router = Router(tags=["org"])


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    address: str
    kind: str
    handover_date: dt.date | None
    timezone: str


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="当前用户可见的项目（管理处）")
def list_projects(request: HttpRequest) -> list:
    return list(access.visible_projects(request.user).order_by("code"))
