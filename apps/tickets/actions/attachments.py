"""附件 added to a ticket outside a handling record: the owner's own photos from their account
(issue 19), recorded under the staff member who received the online request so the staff ticket
page shows them with every other photo."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core.files import ATTACHMENTS, FileRefused, check_count, check_upload
from apps.org.roles import Cap
from apps.tickets.actions.base import _refuse, _require
from apps.tickets.models import Attachment, Ticket

if TYPE_CHECKING:
    from apps.org.models import User


@transaction.atomic()
def add_attachments(*, ticket: Ticket, files: list[tuple[Any, str]], acting_user: User, now: dt.datetime,
                    allowed: frozenset[str] = ATTACHMENTS) -> list[Attachment]:
    """Add files (each with its caption) to the ticket, checked by content, size and count;
    anyone who may see the ticket may (as a note)."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    files = [(f, caption) for f, caption in files if f]
    if not files:
        raise _refuse("请选择文件", field="attachment")
    try:
        check_count([f for f, _caption in files], field="attachment")
        for f, _caption in files:
            check_upload(f, allowed=allowed, field="attachment")
    except FileRefused as exc:
        raise _refuse(exc.message, field="attachment", code=exc.code) from None
    return [Attachment.objects.create(ticket=ticket, file=f, caption=(caption or "")[:200], uploaded_by=acting_user,
                                      uploaded_at=now) for f, caption in files]
