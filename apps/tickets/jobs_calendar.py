"""The tickets reaction to a confirmed calendar year (T-03, P-25), a durable job.

``apps.workdays`` publishes ``workdays.year_confirmed`` (``year``) when an official schedule for a
year is imported or confirmed; tickets recomputes its open provisional deadlines. Registered in
``TicketsConfig.ready()``::

    from apps.tickets import jobs_calendar  # noqa: F401  (registers the handler)
    jobs.react("workdays.year_confirmed", "tickets.recompute_deadlines_for_year")
"""
from __future__ import annotations

from apps.core import jobs
from apps.tickets.deadlines import recompute_provisional

RECOMPUTE_DEADLINES_FOR_YEAR = "tickets.recompute_deadlines_for_year"


@jobs.handler(RECOMPUTE_DEADLINES_FOR_YEAR)
def recompute_deadlines_for_year(*, year: int, **_: object) -> None:
    """Recompute the open provisional deadlines now that ``year`` has an official calendar."""
    recompute_provisional(year)
