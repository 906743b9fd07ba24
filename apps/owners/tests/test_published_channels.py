"""R-M1-01: the owners' portal shows the complaint channels the project published."""
from __future__ import annotations

from typing import Any

import pytest

from apps.tickets.actions import record_channel_publication

pytestmark = pytest.mark.django_db


def test_R_M1_01_owner_home_shows_the_published_channels(cast: Any, homes: Any, owner_client: Any,
                                                         frozen_now: Any) -> None:
    """Only this project's channels, the latest value of each."""
    for value in ("0755-26880000", "0755-26881111"):
        record_channel_publication(project=cast.project, kind="project_phone", value=value, where_posted="大堂",
                                   published_on=frozen_now.date(), acting_user=cast.supervisor, now=frozen_now)
    record_channel_publication(project=cast.other_project, kind="email", value="ch@example.com", where_posted="大堂",
                               published_on=frozen_now.date(), acting_user=cast.outsider, now=frozen_now)
    page = owner_client(household=homes["1502"]).get("/me/").content.decode()
    assert 'data-testid="owner-channels"' in page
    assert "管理处投诉电话" in page and "0755-26881111" in page
    assert "0755-26880000" not in page and "ch@example.com" not in page
