"""Reads of the staff records shared by the pages and the API."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.repairs.models import RepairOrder, RepairRating
from apps.staffrecords.models import WARN_DAYS, Certificate, ExpiryState
from apps.tickets.choices import Satisfaction, Stage
from apps.tickets.models import Deadline


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


def appraisal_evidence(staff: Any, project: Any, year: int) -> dict[str, int]:
    """年度考评的依据 (R-M8-18): the services ``staff`` did in ``project`` during ``year`` and the residents'
    feedback — work orders completed, completed within the limit, reworked, return-visit ratings and
    the satisfied/unsatisfied among them. Four queries."""
    orders = RepairOrder.objects.filter(worker=staff, ticket__project=project, completed_at__year=year)
    done = orders.count()
    on_time = Deadline.objects.filter(ticket__repair_order__in=orders, stage=Stage.COMPLETE,
                                      met_in_time=True).values("ticket").distinct().count()
    reworked = orders.filter(rework_count__gt=0).count()
    ratings = RepairRating.objects.filter(order__in=orders).aggregate(
        total=Count("pk"),
        satisfied=Count("pk", filter=Q(quality=Satisfaction.SATISFIED, attitude=Satisfaction.SATISFIED)),
        unsatisfied=Count("pk", filter=Q(quality=Satisfaction.UNSATISFIED) | Q(attitude=Satisfaction.UNSATISFIED)))
    return {"orders_done": done, "on_time": on_time, "reworked": reworked, "ratings": ratings["total"],
            "satisfied": ratings["satisfied"], "unsatisfied": ratings["unsatisfied"]}


EVIDENCE_LABELS: tuple[tuple[str, Any], ...] = (
    ("orders_done", _("完成维修工单")), ("on_time", _("按时完成")), ("reworked", _("返工")),
    ("ratings", _("回访评价")), ("satisfied", _("满意")), ("unsatisfied", _("不满意")),
)
