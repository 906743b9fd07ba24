from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.core import jobs
from apps.tickets import jobs as ticket_jobs
from apps.workdays import actions, queries


@pytest.fixture(autouse=True)
def _fresh_workdays_caches() -> Iterator[None]:
    """Each test starts from the migrated data; drop what earlier tests cached in this process."""
    queries.clear_caches()
    yield
    queries.clear_caches()


@pytest.fixture
def year_confirmed_reaction() -> None:
    """The tickets reaction to ``workdays.year_confirmed`` as TicketsConfig.ready() registers it."""
    jobs.react(actions.YEAR_CONFIRMED, ticket_jobs.RECOMPUTE_DEADLINES_FOR_YEAR)
