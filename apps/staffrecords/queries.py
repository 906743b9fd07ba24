"""Reads of the staff records shared by the pages and the API."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from apps.staffrecords.models import WARN_DAYS, Certificate, ExpiryState


def by_state(qs: QuerySet[Certificate], state: str, today: dt.date) -> QuerySet[Certificate]:
    """Filter by expiry state on ``today`` (R-M19-10: an expired certificate is flagged)."""
    soon = today + dt.timedelta(days=WARN_DAYS)
    if state == ExpiryState.EXPIRED:
        return qs.filter(valid_until__lt=today)
    if state == ExpiryState.EXPIRING:
        return qs.filter(valid_until__gte=today, valid_until__lte=soon)
    if state == ExpiryState.VALID:
        return qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=soon))
    return qs


def counts(qs: QuerySet[Certificate], today: dt.date) -> dict[str, int]:
    return {s: by_state(qs, s, today).count() for s in (ExpiryState.EXPIRED, ExpiryState.EXPIRING)}
