"""Flash messages for page steps that run a domain action (the pages' side of apps.core.errors)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from apps.core.errors import DomainError


def form_errors_text(form: Any) -> str:
    """Every error of a bound form, joined for one flash message."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(request, form_errors_text(form))


def flash_refusal(request: HttpRequest, exc: DomainError, *, with_fields: bool = False, form: Any = None) -> None:
    """A refused action as an error message; ``with_fields`` adds the per-field messages the main
    message does not already say. With a bound ``form`` the message also stands beside its field (or at
    the top of the form when the field is not one of the form's)."""
    if form is not None:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    text = exc.message
    if with_fields and exc.fields:
        detail = "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.fields.items())
        if detail not in text:
            text = f"{text}（{detail}）"
    messages.error(request, text)
