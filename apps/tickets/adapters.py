"""The interface side's single door to the domain (apps.tickets.actions / models / inventory).

Pages (views.py) and the REST API (api.py) both call these functions, so a web form and an API call
always run the *same* action with the same arguments (STYLE §2). Nothing here decides a business
rule: it only translates interface vocabulary (form/schema field names) into action keyword
arguments, and reads the domain's vocabulary (statuses, exemptions, satisfaction …) for the forms.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.tickets import actions
from apps.tickets import models as m

# ---------------------------------------------------------------- errors

TRANSITION_ERRORS: tuple[type[BaseException], ...] = tuple(
    e for e in (getattr(actions, "InvalidTransition", None), getattr(m, "InvalidTransition", None)) if e
) or (LookupError,)
DOMAIN_ERRORS: tuple[type[BaseException], ...] = tuple(
    e for e in (getattr(actions, "TicketError", None), getattr(actions, "ActionError", None)) if e
) or (ValueError,)


def error_fields(exc: BaseException) -> dict[str, list[str]]:
    fields = getattr(exc, "fields", None) or {}
    field = getattr(exc, "field", None)
    if field and not fields:
        fields = {field: [str(exc)]}
    return {k: [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])] for k, v in fields.items()}


ACTION_DONE: dict[str, Any] = {
    "dispatch": _("已派工"), "accept": _("已接单"), "handling": _("已记录处理情况"), "hand_back": _("已退单"),
    "reply": _("已记录回复"), "verify": _("已记录验证结果"), "return_visit": _("已记录回访"),
    "exempt": _("已记录免回访"), "close": _("工单已关闭"), "reopen": _("工单已重新打开"), "void": _("工单已作废"),
}
