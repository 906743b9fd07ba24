"""Logging filters of the deployment (settings.LOGGING).

A refused request (403 for a page a role may not open, 404 for a record it may not see) is an expected
answer, not a fault: Django logs it with the PermissionDenied/Http404 traceback attached, which buries
the real errors (5xx) an operator looks for. The line stays; the traceback goes."""
from __future__ import annotations

import logging


class NoTracebackBelow500(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
