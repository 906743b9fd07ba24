"""A user's saved list filters (personal preference, not a business record).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.tickets.actions.base import (
    _refuse,
)
from apps.tickets.models import (
    SavedView,
)

if TYPE_CHECKING:
    from apps.org.models import User

# ---------------------------------------------------------------- saved views


@transaction.atomic()
def save_view(*, user: User, name: str, query_string: str, now: dt.datetime) -> SavedView:
    """保存筛选视图: the same name replaces the user's earlier view."""
    if not name.strip():
        raise _refuse("请填写名称", field="name")
    view, _ = SavedView.objects.update_or_create(user=user, name=name.strip()[:60],
                                                 defaults={"query_string": query_string.lstrip("?"), "created_at": now})
    return view


@transaction.atomic()
def delete_view(*, user: User, view_id: int) -> None:
    """删除自己的筛选视图 (personal preference, not a business record)."""
    SavedView.objects.filter(user=user, pk=view_id).delete()
