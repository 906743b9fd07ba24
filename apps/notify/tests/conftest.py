"""Fixtures of the notify tests: a fake HTTP transport and an owner of 阳光花园."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.notify import channels
from linli.clock import SHANGHAI


def sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    """A moment in Asia/Shanghai (T-01)."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


class FakeTransport:
    """Records each POST and answers with the queued results (default: HTTP 200 errcode 0)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answers: list[Any] = []

    def __call__(self, url: str, payload: dict[str, Any], **kw: Any) -> channels.HttpResult:
        self.calls.append({"url": url, "payload": payload, **kw})
        answer = self.answers.pop(0) if self.answers else channels.HttpResult(200, {"errcode": 0, "errmsg": "ok"})
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> FakeTransport:
    fake = FakeTransport()
    monkeypatch.setattr(channels, "post_json", fake)
    return fake


@pytest.fixture
def owner(cast: Any) -> Any:
    from apps.estates.models import Building, Household, Person

    b = Building.objects.create(project=cast.project, name="5栋")
    hh = Household.objects.create(project=cast.project, building=b, room_no="1201",
                                  label=Household.make_label("5栋", None, "1201"))
    return Person.objects.create(project=cast.project, household=hh, name="李明", phone="13812345678")
