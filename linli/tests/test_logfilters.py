"""A refused request is logged as one line, without the PermissionDenied traceback; a server error
keeps its traceback (the production smoke test fails on any traceback in the server log)."""
from __future__ import annotations

import logging
import sys

from linli.logfilters import NoTracebackBelow500


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("x")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc_info)
    record.status_code = status
    return record


def test_refused_request_loses_its_traceback_but_keeps_its_line() -> None:
    record = _record(403)
    assert NoTracebackBelow500().filter(record) and record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record) and "Forbidden: /x/" in record.getMessage()


def test_server_error_keeps_its_traceback() -> None:
    record = _record(500)
    assert NoTracebackBelow500().filter(record) and record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record)
