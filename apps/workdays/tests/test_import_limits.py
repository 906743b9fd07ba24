"""The calendar import is bounded (issue 14 item 5): length, lines and cell length, each refusal
naming the row in Chinese; nothing is written."""
from __future__ import annotations

from typing import Any

import pytest

from apps.workdays import actions


def test_rows_past_the_cap_stop_the_parse_naming_the_row(monkeypatch: Any) -> None:
    monkeypatch.setattr(actions, "MAX_IMPORT_LINES", 3)
    text = "\n".join(f"2027-01-{d:02d},休,元旦" for d in range(1, 8))
    with pytest.raises(actions.CalendarImportError) as err:
        actions.parse_calendar_text(text)
    assert err.value.errors == ["第4行：超过 3 行，请分批导入"]


def test_overlong_cell_is_refused_naming_the_row() -> None:
    text = "2027-01-01,休,元旦\n2027-01-02,休," + "长" * 5000 + "\n"
    with pytest.raises(actions.CalendarImportError) as err:
        actions.parse_calendar_text(text)
    assert err.value.errors == [f"第2行：内容过长（每一列不超过 {actions.MAX_CELL_CHARS} 字）"]


def test_field_beyond_the_csv_limit_is_a_chinese_error_not_a_crash() -> None:
    text = '2027-01-01,休,"' + "x" * 150_000 + '"\n'
    with pytest.raises(actions.CalendarImportError) as err:
        actions.parse_calendar_text(text)
    assert err.value.errors[0].startswith("第1行：")


def test_whole_text_too_long_is_refused() -> None:
    with pytest.raises(actions.CalendarImportError, match="内容太长"):
        actions.parse_calendar_text("#" * (actions.MAX_IMPORT_CHARS + 1))


def test_page_refuses_pasted_text_over_the_limit(client: Any, cast: Any, db: Any) -> None:
    """Through the page as an administrator: the pasted text has a length limit beside the field."""
    from django.urls import reverse

    cast.front_desk.is_superuser = True
    cast.front_desk.save()
    client.force_login(cast.front_desk)
    r = client.post(reverse("workdays:import"), {"text": "2027-01-01,休,元旦\n" * 20_000})
    assert r.status_code == 200 and "200000" in r.content.decode().replace(",", "")
