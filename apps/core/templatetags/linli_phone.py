"""``{% phone_link shown call_url %}``: the one way a page shows a phone number (issue 23 item 7, see
:mod:`apps.core.phones`). A full number is a tel: link; a masked one is text, with a 拨打 button when the
page passes the ``call_url`` of an endpoint that reveals it under the owner-archive rules and logs it."""
from __future__ import annotations

from typing import Any

from django import template

from apps.core import phones

register = template.Library()


@register.inclusion_tag("core/_phone.html")
def phone_link(shown: str | None, call_url: str = "") -> dict[str, Any]:
    text = (shown or "").strip()
    return {"shown": text, "href": phones.tel_href(text),
            "call_url": call_url if phones.is_masked(text) else ""}
