"""The API's one pagination (django-ninja's ``@paginate``): ``?page=&page_size=`` in,
``{"count", "page", "page_size", "results"}`` out — the shape every list of ``/api/v1/`` answers with."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 200


class LinliPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从 1 开始")
        page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–200）")

    class Output(Schema):
        count: int
        page: int
        page_size: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset: QuerySet[Any] | list[Any], pagination: Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        start = (pagination.page - 1) * pagination.page_size
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"count": count, "page": pagination.page, "page_size": pagination.page_size,
                "results": list(queryset[start:start + pagination.page_size])}
