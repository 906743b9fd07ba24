"""The durable jobs the ticket pipeline reacts with (apps.core.jobs), registered by ``TicketsConfig.ready()``.

- ``workdays.year_confirmed`` → ``tickets.recompute_deadlines_for_year`` (T-03, P-25): when an official
  schedule for a year is imported or confirmed, the open provisional deadlines of that year are
  recomputed.
- ``tickets.received`` (a complaint) → ``tickets.online_complaint_notice`` (R-M17-10, R-M2-09): an online
  complaint raises an urgent notice (:mod:`apps.tickets.online_notice`).
"""
from __future__ import annotations

from apps.core import jobs
from apps.tickets import online_notice
from apps.tickets.deadlines import recompute_provisional

RECOMPUTE_DEADLINES_FOR_YEAR = "tickets.recompute_deadlines_for_year"


@jobs.handler(RECOMPUTE_DEADLINES_FOR_YEAR)
def recompute_deadlines_for_year(*, year: int, **_: object) -> None:
    """Recompute the open provisional deadlines now that ``year`` has an official calendar."""
    recompute_provisional(year)


def register() -> None:
    jobs.react("workdays.year_confirmed", RECOMPUTE_DEADLINES_FOR_YEAR)
    online_notice.register()  # R-M17-10: an online complaint raises an urgent notice at intake
