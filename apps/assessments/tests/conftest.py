from __future__ import annotations

import datetime as dt

import pytest

from apps.assessments import actions
from apps.assessments.models import CatalogueItem


@pytest.fixture
def catalogue(cast, frozen_now):
    return actions.load_seed_catalogue(company=cast.company, now=frozen_now)


@pytest.fixture
def sheet(cast, catalogue, frozen_now):
    """The March 2026 sheet of the front desk (staff X), opened by the 客服主管."""
    return actions.open_sheet(employee=cast.front_desk, project=cast.project, period=dt.date(2026, 3, 1),
                              acting_user=cast.supervisor, now=frozen_now)


@pytest.fixture
def item(catalogue):
    return lambda code: CatalogueItem.objects.get(catalogue=catalogue, code=code)
