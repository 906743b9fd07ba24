"""Phone numbers on staff pages (issue 23 item 7): every number a page shows is a ``tel:`` link when it is
shown in full, and plain text when it is masked — a masked number never reaches an ``href``.

Pages render numbers only through ``{% phone_link shown call_url %}`` (``apps/core/templatetags/linli_phone.py``):

- ``shown`` is the text the page may show: the full number (a staff phone, or an owner's number already
  revealed and logged) or the masked one (``138****5678``);
- ``call_url`` (optional) is the POST endpoint of the module that owns the number. A user allowed to
  reveal the number (the owner archive's rules, SPEC R-M7-01) gets a 拨打 button beside the masked text;
  the endpoint checks the grant, writes the read-log row and answers with :func:`call_answer`: the full
  number as a ``tel:`` link (htmx swaps it in place of the masked text, a second tap dials).

Core knows nothing of grants or owners: the deciding and the logging live in ``apps.estates``.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

MASK = "*"


def is_masked(shown: str | None) -> bool:
    return MASK in (shown or "")


def tel_href(number: str | None) -> str:
    """``tel:`` URL of a full number (digits, a leading ``+`` kept); empty for a masked or empty one."""
    text = (number or "").strip()
    if not text or is_masked(text):
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    return "tel:" + ("+" if text.startswith("+") else "") + digits


def call_answer(request: HttpRequest, *, shown: str, number: str = "", message: str = "", back_url: str = "",
                status: int = 200) -> HttpResponse:
    """The answer to a 拨打 POST: ``number`` (revealed and logged by the caller) as a tel: link, or the masked
    ``shown`` with the refusal ``message``. htmx gets the fragment (always 200: htmx swaps only successes);
    a plain form post gets a small page with the link and the way back."""
    context = {"shown": shown, "number": number, "message": message, "back_url": back_url}
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(render_to_string("core/_phone_answer.html", context, request=request))
    else:
        response = HttpResponse(render_to_string("core/phone_call.html", context, request=request),
                                status=status if message else 200)
    response["Cache-Control"] = "no-store"
    return response
