"""The ticket state machine as data (STYLE §3, SPEC R-M2-26, R-M4-02, R-M4-09, R-M2-16).

``ALLOWED[from]`` is the set of statuses a ticket may move to. ``actions._move`` is the only code
that assigns ``Ticket.status``; it consults this table and raises :class:`InvalidTransition`
(HTTP 409 in the API). The actions add their own guards (who may, what must be recorded first).
"""
from __future__ import annotations

from apps.tickets.choices import TicketStatus as S

_ENDS = {S.UNRESOLVED, S.VOIDED}

ALLOWED: dict[str, frozenset[str]] = {
    # intake: dispatch, handle it at once, forward to the developer, or close (consultation/praise)
    S.RECEIVED: frozenset({S.DISPATCHED, S.HANDLING, S.HANDLED, S.TRANSFERRED, S.CLOSED} | _ENDS),
    # 派工单: accepted, done directly, handed back (退单), forwarded
    S.DISPATCHED: frozenset({S.HANDLING, S.HANDLED, S.RECEIVED, S.TRANSFERRED} | _ENDS),
    # 处理中: done, handed back, reassigned, forwarded
    S.HANDLING: frozenset({S.HANDLED, S.RECEIVED, S.DISPATCHED, S.TRANSFERRED} | _ENDS),
    # 已转地产: followed up until the developer's result comes back (R-M2-03)
    S.TRANSFERRED: frozenset({S.HANDLING, S.HANDLED} | _ENDS),
    # handled: the result is replied; more work; consultation/praise may close
    S.HANDLED: frozenset({S.REPLIED, S.HANDLING, S.CLOSED} | _ENDS),
    # replied: verified (R-M4-01); back to handling (owner disagrees R-M2-13, failed verification
    # R-M4-02); suggestions go to return visit without verification (R-M4-11); consultation closes
    S.REPLIED: frozenset({S.VERIFIED, S.HANDLING, S.HANDLED, S.RETURN_VISITED, S.CLOSED} | _ENDS),
    # verified: return visit, or close when exempt (R-M4-05); reopen
    S.VERIFIED: frozenset({S.RETURN_VISITED, S.CLOSED, S.REOPENED} | _ENDS),
    # return-visited: close; not satisfied → reopen (R-M4-09)
    S.RETURN_VISITED: frozenset({S.CLOSED, S.REOPENED} | _ENDS),
    # reopened: handled again like a fresh ticket
    S.REOPENED: frozenset({S.DISPATCHED, S.HANDLING, S.HANDLED, S.TRANSFERRED} | _ENDS),
    S.CLOSED: frozenset({S.REOPENED}),
    # 未关闭 counts in statistics; it may be reopened when new means appear
    S.UNRESOLVED: frozenset({S.REOPENED}),
    # voided is final: nothing is deleted, nothing comes back
    S.VOIDED: frozenset(),
}


class InvalidTransition(Exception):
    """A move the table does not allow (shown in Chinese; HTTP 409)."""

    status = 409
    code = "invalid_transition"

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.field = "status"
        self.fields = {"status": [self.message]}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"工单当前状态为“{S(self.old).label}”，不能变为“{S(self.new).label}”"


def can_move(old: str, new: str) -> bool:
    return new in ALLOWED.get(old, frozenset())
