"""How a fixed report is shown to one user — the same on every path (issue 14 item 9, R-M7-01/R-M7-03).

The report page, the API (``GET /api/v1/reports/{id}`` and every endpoint that answers with a report) and
the xlsx/PDF downloads all go through these functions, so a user sees the same figures and texts
everywhere:

- phone and ID numbers quoted in the report's cases, open problems and texts are masked (``139****5678``)
  unless the user may reveal personal data *and* holds a department head's grant in force for the
  report's project (:func:`apps.estates.actions.print_grant`); a company-wide report is always masked;
- a read in full (page or API) of a report that quotes such numbers is in the project's read log
  (顾客资料查阅记录, :func:`apps.estates.actions.log_page_read`); every download — masked or not — is
  logged as an export (:func:`apps.estates.actions.log_exports`).
"""

from __future__ import annotations

import copy
from typing import Any

from apps.estates import actions as estates_actions
from apps.estates.masking import mask_text


def _masked(value: Any) -> Any:
    """``value`` (a report's figures or sections: JSON) with every text's phone and ID numbers masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def shown_report(report: Any, *, unmasked: bool) -> Any:
    """The report as a page, the API, an export or a print shows it: an unsaved copy whose figures and
    sections have phone and ID numbers masked, unless ``unmasked`` (the user holds a grant)."""
    if unmasked:
        return report
    shown = copy.copy(report)
    shown.figures = _masked(report.figures or {})
    shown.sections = _masked(report.sections or {})
    shown.approval_flags = _masked(report.approval_flags or [])
    return shown


def keep_unmasked(submitted: dict[str, str], original: dict[str, Any] | None) -> dict[str, str]:
    """The sections a user without a grant saved from the masked draft form: a text left as it was shown
    (masked) keeps its stored original, so saving a draft never overwrites the owner's numbers with stars."""
    original = original or {}
    return {
        k: original[k] if isinstance(original.get(k), str) and v == mask_text(original[k]) else v
        for k, v in submitted.items()
    }


def has_personal_numbers(report: Any) -> bool:
    """Whether masking would change anything in the report's figures, sections or approval notes."""
    return any(
        _masked(value) != value
        for value in (report.figures or {}, report.sections or {}, getattr(report, "approval_flags", None) or [])
    )


def masked_json(value: Any) -> Any:
    """Any JSON about a report (e.g. the approver's figure check) with phone and ID numbers masked."""
    return _masked(value)


def grant_for(user: Any, report: Any) -> Any:
    """The grant under which ``user`` sees ``report``'s numbers in full, or None (masked)."""
    return estates_actions.print_grant(user, report.project) if report.project is not None else None


def report_for_read(user: Any, report: Any, *, screen: str = "") -> tuple[Any, bool]:
    """The report to show ``user`` on the page or in the API, and whether numbers in it are masked. A read in
    full of a report that quotes owners' numbers leaves one read-log row (``screen`` names the path)."""
    grant = grant_for(user, report)
    personal = has_personal_numbers(report)
    if grant is not None and personal:
        estates_actions.log_page_read(
            user, report.project, grant=grant, screen=(screen or f"查看：报告 {report.title}")[:100]
        )
    return shown_report(report, unmasked=grant is not None), grant is None and personal


def report_for_export(user: Any, report: Any, *, screen: str) -> Any:
    """The report as its xlsx or PDF shows it; the download is in the project's read log, masked or not
    (a company-wide report has no project: always masked, no project log)."""
    grant = grant_for(user, report)
    if report.project is not None:
        estates_actions.log_exports(
            user, {report.project: 1}, {report.project.pk: grant}, screen=screen, reason="导出报告"
        )
    return shown_report(report, unmasked=grant is not None)
