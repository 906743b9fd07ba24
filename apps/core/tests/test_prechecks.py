"""The audit pre-check registry (R-M13-04): modules add checks, audits read them."""
import datetime as dt

import pytest

from apps.core import prechecks


def _conform(project, start, end):
    return prechecks.Finding(prechecks.Verdict.CONFORM, f"{start}–{end} ok",
                             (prechecks.Evidence("月度总结", "/reports/1/"),))


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(prechecks, "_registry", {})


def test_r_m13_04_registered_check_runs_with_its_period(clean_registry):
    prechecks.register("reports.summary", label="月度总结", check=_conform)
    found = prechecks.run("reports.summary", object(), dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert found.verdict == "conform"
    assert found.as_dict() == {"verdict": "conform", "summary": "2026-03-01–2026-03-31 ok",
                               "evidence": [{"label": "月度总结", "url": "/reports/1/"}]}
    assert prechecks.registered()["reports.summary"].module == "reports"


def test_r_m13_04_unknown_code_is_unknown_not_a_guess(clean_registry):
    found = prechecks.run("cards.door_codes_quarterly", object(), dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert found.verdict == "unknown" and found.summary


def test_same_code_with_another_check_is_refused(clean_registry):
    prechecks.register("x.y", label="x", check=_conform)
    prechecks.register("x.y", label="x", check=_conform)  # the same check again is harmless
    with pytest.raises(ValueError):
        prechecks.register("x.y", label="x", check=lambda p, s, e: _conform(p, s, e))
