"""Readable ticket numbers, unique in the company and gapless per project, day and kind.

Format: ``<PREFIX>-<PROJECT CODE>-<YYYYMMDD>-<NNNN>``, e.g. ``TS-YG-20261122-0007``:

- PREFIX by kind (choices.KIND_PREFIX): TS 投诉, BX 报修, JY 建议, ZX 咨询, BY 表扬, XQ 需求, YC 有偿服务;
- the project code (unique in the deployment) makes the number unique in the company;
- the date is the day the ticket is *recorded* (not ``received_at``, which may be earlier for a
  letter keyed in later), in the project's time zone;
- NNNN counts from 0001 per (project, day, prefix), at least 4 digits (it grows past 9999).

The counter row is incremented with one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``)
inside the intake transaction (ARCHITECTURE finding "Gapless per-day numbers"): the row lock
serialises concurrent intakes of the same project and day, a rolled-back intake rolls back its
increment, so numbers are never duplicated and never skipped. Voided tickets keep their number.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection

from apps.org.models import Project
from apps.tickets.choices import KIND_PREFIX
from apps.tickets.models import TicketCounter


def local_day(project: Project, moment: dt.datetime) -> dt.date:
    return moment.astimezone(project.tz).date()


def format_number(prefix: str, project_code: str, day: dt.date, seq: int) -> str:
    return f"{prefix}-{project_code.upper()}-{day:%Y%m%d}-{seq:04d}"


def next_number(project: Project, kind: str, moment: dt.datetime) -> str:
    """Take the next number; must run inside the transaction that inserts the ticket."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the intake transaction")
    prefix = KIND_PREFIX.get(kind, "GD")
    day = local_day(project, moment)
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, day, prefix, last) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (project_id, day, prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [project.pk, day, prefix],
        )
        seq = int(cursor.fetchone()[0])
    return format_number(prefix, project.code, day, seq)
