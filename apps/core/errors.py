"""The one shape of a refused domain action (STYLE §10): a Chinese ``message`` for staff, a stable
``code``, the ``field`` at fault (or several in ``fields``) and the HTTP ``status`` the API answers
with. Each app names its own subclass (``TicketError``, ``VisitError`` …) so callers can catch one
app's refusals; the API turns any of them into ``{"error": {code, message, fields}}``."""
from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", status: int = 422,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status
        self.fields = fields or ({field: [message]} if field else {})
