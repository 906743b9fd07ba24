"""The API's one pagination (django-ninja's ``@paginate``): ``?page=&page_size=`` in,
``{"count", "page", "page_size", "results"}`` out — the shape every list of ``/api/v1/`` answers with."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 200


class LinliPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=2**31 - 1, description="页码，从 1 开始")
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


class LimitOffsetPagination(PaginationBase):
    """``?limit=&offset=`` in, ``{"count", "limit", "offset", "items"}`` out — the shape of the lists that
    page by offset (estates households, notifications)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–200）")
        offset: int = Field(0, ge=0, le=10**9, description="跳过的条数")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet[Any] | Sequence[Any], pagination: Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"count": count, "limit": pagination.limit, "offset": pagination.offset,
                "items": list(queryset[pagination.offset:pagination.offset + pagination.limit])}


class Serialised(Sequence[Any]):
    """A queryset the paginator counts and slices, each page turned into response rows by ``row`` (after
    ``prepare`` adds the page's select/prefetch), so a page costs a fixed number of queries."""

    def __init__(self, qs: QuerySet[Any], row: Callable[[Any], Any]) -> None:
        self.qs, self.row = qs, row

    def count(self, value: Any = None) -> int:  # QuerySet-style count(), which the paginator calls
        return self.qs.count()

    def __len__(self) -> int:
        return self.qs.count()

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self.row(obj) for obj in self.qs[index]]
        return self.row(self.qs[index])
