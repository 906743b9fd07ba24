"""``{% load notify_tags %}{% unread_badge %}`` — the unread count in the navigation bar."""
from __future__ import annotations

from typing import Any

from django import template

from apps.estates.masking import mask_email, mask_phone
from apps.notify import queries
from apps.notify.models import Audience

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def unread_badge(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"unread": queries.unread_count(user) if user is not None else 0}


@register.simple_tag
def delivery_address(delivery: Any) -> str:
    """Who a delivery went to, with owners' phone numbers masked (personal data, R-M7-01)."""

    if delivery.audience == Audience.OWNER:
        return mask_email(delivery.address) if "@" in delivery.address else mask_phone(delivery.address)
    if delivery.audience == Audience.STAFF and delivery.recipient_user is not None:
        return f"{delivery.recipient_user} <{delivery.address}>"
    return delivery.address
