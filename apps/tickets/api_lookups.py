"""The ticket pipeline's reference lists for API clients (issue 23 item 11), mounted at ``/api/v1``:

- ``GET /api/v1/categories`` — the active category tree of the caller's company (the shipped default
  tree plus the company's own), parents with their ``children``, in the intake form's order;
- ``GET /api/v1/urgencies`` and ``GET /api/v1/channels`` — each ``code`` with its Chinese label
  (``label_zh``), its English label (``label_en``) and the label in the request's language (``label``).

Read-only, for signed-in staff who may see tickets (403 otherwise). The categories answer in two
queries whatever the tree's size; the urgencies and channels need none.

No ``from __future__ import annotations``: django-ninja resolves these annotations at import time.
"""

from typing import Any

from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.org import access as org_access
from apps.org.models import Project
from apps.org.roles import Cap
from apps.tickets import queries
from apps.tickets.choices import Channel, Urgency

router = Router(tags=["reference"])


class TicketCategoryNodeOut(Schema):
    id: int
    code: str
    name: str
    company_id: int | None = Field(description="空 = 系统默认分类")
    class_one: bool = Field(description="一类客户投诉（须立即回访）")
    children: list["TicketCategoryNodeOut"]


TicketCategoryNodeOut.model_rebuild()


class TicketChoiceOut(Schema):
    code: str
    label: str = Field(description="请求语言的名称")
    label_zh: str
    label_en: str


class TicketCategoryParams(Schema):
    project: int | None = Field(None, ge=1, le=2147483647, description="只列该项目所属公司的分类；空 = 您能看到的所有公司")


def _staff(request: HttpRequest) -> None:
    if not org_access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise ApiError(403, "forbidden", "无权查看")


def category_tree(rows: list[Any]) -> list[dict[str, Any]]:
    """The flat, ordered rows as a tree; a row whose parent is not listed (inactive) stands at the top."""
    nodes = {c.pk: {"id": c.pk, "code": c.code, "name": c.name, "company_id": c.company_id,
                    "class_one": c.class_one, "children": []} for c in rows}
    roots: list[dict[str, Any]] = []
    for c in rows:
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent["children"] if parent is not None else roots).append(nodes[c.pk])
    return roots


@router.get("/categories", response={200: list[TicketCategoryNodeOut], **ERRORS}, summary="诉求分类树")
def categories(request: HttpRequest, params: Query[TicketCategoryParams]) -> Any:
    _staff(request)
    project = None
    if params.project is not None:
        project = org_access.visible_projects(request.user).filter(pk=params.project).first()
        if project is None:
            raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在或无权访问"]})
    return category_tree(queries.categories_for(request.user, project if isinstance(project, Project) else None))


def _choices(choices: type[TextChoices]) -> list[dict[str, str]]:
    with translation.override("zh-hans"):
        zh = {c.value: str(c.label) for c in choices}
    with translation.override("en"):
        en = {c.value: str(c.label) for c in choices}
    return [{"code": c.value, "label": str(c.label), "label_zh": zh[c.value], "label_en": en[c.value]}
            for c in choices]


@router.get("/urgencies", response={200: list[TicketChoiceOut], **ERRORS}, summary="紧急程度")
def urgencies(request: HttpRequest) -> Any:
    _staff(request)
    return _choices(Urgency)


@router.get("/channels", response={200: list[TicketChoiceOut], **ERRORS}, summary="投诉方式")
def channels(request: HttpRequest) -> Any:
    _staff(request)
    return _choices(Channel)
