"""The one shape of a refused domain action (STYLE §10): a Chinese ``message`` for staff, a stable
``code``, the ``field`` at fault (or several in ``fields``) and the HTTP ``status`` the API answers
with. Each app names its own subclass (``TicketError``, ``VisitError`` …) so callers can catch one
app's refusals; the API turns any of them into ``{"error": {code, message, fields}}``."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", status: int = 422,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status
        self.fields = fields or ({field: [message]} if field else {})


def bind_to_form(form: Any, exc: DomainError) -> None:
    """Show a refused action on its form (issue 23 item 1): each message beside the field it names (the shared form
    template, ``django/forms/div.html``, also lists it in the summary at the top of the form), a message naming no
    field of the form above the fields."""
    placed = False
    for name, msgs in exc.fields.items():
        if name in form.fields:
            for m in msgs:
                form.add_error(name, m)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
