"""The refusal of a repair step (apps.core.errors.DomainError with the repairs' name)."""
from __future__ import annotations

from apps.core.errors import DomainError


class RepairError(DomainError):
    """A refused repair step, with a Chinese message and a structured form for the API."""


def refuse(message: str, *, field: str | None = None, code: str = "invalid", status: int = 422) -> RepairError:
    return RepairError(message, field=field, code=code, status=status)
