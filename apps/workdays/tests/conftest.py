from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_workdays_caches() -> Iterator[None]:
    """Each test starts from the migrated data; drop what earlier tests cached in this process."""
    from apps.workdays import services

    services.clear_caches()
    yield
    services.clear_caches()
