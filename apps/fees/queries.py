"""Reads of the fees app shared by pages, API, reminders and (later) the owner's own account.

- :func:`arrears_ageing` — the ageing of a project's arrears as **one aggregate** (buckets by days
  overdue); :func:`arrears_by_household` — the same buckets per household in one grouped query.
- :func:`reconciliation` — per collector and business day: receipts, their total and the total the
  allocations and prepayments account for (they must be equal).
- Owner side (issue 19): :func:`bills_of_household`, :func:`payments_of_household`,
  :func:`receipts_of_household`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from apps.fees.models import (
    FEN,
    ZERO,
    Allocation,
    Bill,
    BillingCycle,
    BillStatus,
    FeeSettings,
    Payment,
    PaymentKind,
    PrepaidApplication,
    SharedCost,
)
from apps.org.models import Project
from apps.repairs.queries import price_items

MONEY = DecimalField(max_digits=14, decimal_places=2)
# (key, label, lower bound of days overdue, upper bound) — 0 = not yet due
AGE_BUCKETS: list[tuple[str, Any, int, int | None]] = [
    ("not_due", gettext_lazy("未到期"), -100000, 0),
    ("d1_30", gettext_lazy("逾期1–30天"), 1, 30),
    ("d31_90", gettext_lazy("逾期31–90天"), 31, 90),
    ("d91_180", gettext_lazy("逾期91–180天"), 91, 180),
    ("d181_365", gettext_lazy("逾期181–365天"), 181, 365),
    ("over_365", gettext_lazy("逾期一年以上"), 366, None),
]


def settings_of(project: Project) -> FeeSettings:
    """The project's fee settings (the SPEC defaults until someone edits them)."""
    found = FeeSettings.objects.filter(project=project).first()
    return found if found is not None else FeeSettings(project=project)


def open_bills(projects: Any) -> QuerySet[Bill]:
    return Bill.objects.filter(project__in=projects).exclude(status=BillStatus.PAID)


def _bucket_sums(as_of: dt.date, prefix: str = "") -> dict[str, Any]:
    owed = F(f"{prefix}amount") - F(f"{prefix}paid")
    out: dict[str, Any] = {}
    for key, _label, lo, hi in AGE_BUCKETS:
        cond = Q(**{f"{prefix}due_date__lte": as_of - dt.timedelta(days=lo)})
        if hi is not None:
            cond &= Q(**{f"{prefix}due_date__gte": as_of - dt.timedelta(days=hi)})
        out[key] = Coalesce(Sum(Case(When(cond, then=owed), default=Value(ZERO), output_field=MONEY)),
                            Value(ZERO), output_field=MONEY)
    out["total"] = Coalesce(Sum(owed, output_field=MONEY), Value(ZERO), output_field=MONEY)
    return out


def arrears_ageing(projects: Any, as_of: dt.date) -> dict[str, Decimal]:
    """Arrears by age at ``as_of``, one aggregate over the open bills (R-M16-09)."""
    qs = open_bills(projects)
    sums = qs.aggregate(**_bucket_sums(as_of), households=Count("household", distinct=True))
    return {k: (v.quantize(FEN) if isinstance(v, Decimal) else v) for k, v in sums.items()}


def arrears_by_household(projects: Any, as_of: dt.date, *, overdue_only: bool = True) -> QuerySet[Any]:
    """Per household (label, project) the owed amount by age bucket, biggest first — one grouped query."""
    qs = open_bills(projects)
    if overdue_only:
        qs = qs.filter(due_date__lt=as_of)
    return (qs.values("household_id", "household__label", "project__name")
            .annotate(**_bucket_sums(as_of), oldest_due=Min("due_date"), n_bills=Count("id"))
            .order_by("-total", "household__label"))  # type: ignore[misc]  # "total" is the annotation above


def outstanding_by_household(project: Project, today: dt.date) -> dict[int, tuple[Decimal, dt.date | None]]:
    """{household id: (owed, oldest overdue due date or None)} for households that owe anything."""
    rows = (open_bills([project]).values("household_id")
            .annotate(owed=Sum(F("amount") - F("paid"), output_field=MONEY),
                      oldest=Min(Case(When(due_date__lt=today, then=F("due_date")), default=None))))
    return {r["household_id"]: (Decimal(r["owed"]).quantize(FEN), r["oldest"]) for r in rows if r["owed"] and r["owed"] > 0}


def reconciliation(projects: Any, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """收款对账: per project, collector and business day — receipts (count, first and last number), the
    receipts' total, and what the allocations and prepayments account for; ``balanced`` when equal."""
    receipts = (Payment.objects.filter(project__in=projects, business_date__gte=date_from, business_date__lte=date_to)
                .values("project__name", "collected_by_id", "collected_by__display_name", "collected_by__username",
                        "business_date")
                .annotate(n=Count("id"), total=Sum("amount"), prepaid=Sum("prepaid"),
                          payments=Sum(Case(When(kind=PaymentKind.PAYMENT, then=F("amount")), default=Value(ZERO),
                                            output_field=MONEY)),
                          reversal_total=Sum(Case(When(~Q(kind=PaymentKind.PAYMENT), then=F("amount")),
                                             default=Value(ZERO), output_field=MONEY)),
                          first=Min("number"), last=Max("number"))
                .order_by("business_date", "project__name", "collected_by_id"))
    allocated = {
        (r["payment__collected_by_id"], r["payment__business_date"], r["payment__project__name"]): r["s"]
        for r in Allocation.objects.filter(payment__project__in=projects, payment__business_date__gte=date_from,
                                           payment__business_date__lte=date_to)
        .values("payment__collected_by_id", "payment__business_date", "payment__project__name")
        .annotate(s=Sum("amount"))
    }
    out = []
    for r in receipts:
        alloc = allocated.get((r["collected_by_id"], r["business_date"], r["project__name"])) or ZERO
        accounted = (Decimal(alloc) + Decimal(r["prepaid"] or 0)).quantize(FEN)
        total = Decimal(r["total"] or 0).quantize(FEN)
        out.append({"project": r["project__name"], "collector": r["collected_by__display_name"] or
                    r["collected_by__username"], "day": r["business_date"], "receipts": r["n"], "first": r["first"],
                    "last": r["last"], "payments": Decimal(r["payments"] or 0).quantize(FEN),
                    "reversals": Decimal(r["reversal_total"] or 0).quantize(FEN), "total": total,
                    "accounted": accounted, "balanced": accounted == total})
    return out


def receipt_gaps(project: Project) -> list[str]:
    """Receipt series whose numbers are not 1…N without a hole (should always be empty)."""
    bad = []
    for row in (Payment.objects.filter(project=project).values("series__code")
                .annotate(n=Count("id"), lo=Min("receipt_no"), hi=Max("receipt_no"))):
        if row["lo"] != 1 or row["hi"] != row["n"]:
            bad.append(row["series__code"])
    return bad


def half_year_figures(project: Project, year: int, half: int) -> dict[str, Any]:
    start = dt.date(year, 1 if half == 1 else 7, 1)
    end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    cycles = BillingCycle.objects.filter(project=project, period_start__gte=start, period_start__lte=end)
    billed = (Bill.objects.filter(project=project).filter(Q(cycle__in=cycles) | Q(cycle__isnull=True, due_date__gte=start,
                                                                                   due_date__lte=end))
              .aggregate(s=Sum("amount"))["s"] or ZERO)
    collected = (Payment.objects.filter(project=project, business_date__gte=start, business_date__lte=end)
                 .aggregate(s=Sum("amount"))["s"] or ZERO)
    arrears = (open_bills([project]).filter(due_date__lte=end)
               .aggregate(s=Sum(F("amount") - F("paid"), output_field=MONEY))["s"] or ZERO)
    shared = [{"name": c.name, "total": c.total, "households": c.households}
              for c in SharedCost.objects.filter(project=project, period_start__gte=start, period_start__lte=end)]
    billed, collected = Decimal(billed).quantize(FEN), Decimal(collected).quantize(FEN)
    rate = f"{(collected / billed * 100).quantize(Decimal('0.1'))}%" if billed else "—"
    return {"billed": billed, "collected": collected, "arrears": Decimal(arrears).quantize(FEN), "rate": rate,
            "shared": shared}


def household_outstanding(household_id: int) -> Decimal:
    """What a household owes now (all open bills, due or not) — the transfer warning (R-M16-09)."""
    owed = (Bill.objects.filter(household_id=household_id).exclude(status=BillStatus.PAID)
            .aggregate(s=Sum(F("amount") - F("paid"), output_field=MONEY))["s"] or ZERO)
    return Decimal(owed).quantize(FEN)


def prepaid_balance(household_id: int) -> Decimal:
    """预交余额: what the household prepaid (net of refunds) minus what was applied to its bills."""
    paid = Payment.objects.filter(household_id=household_id).aggregate(s=Sum("prepaid"))["s"] or ZERO
    used = PrepaidApplication.objects.filter(household_id=household_id).aggregate(s=Sum("amount"))["s"] or ZERO
    return Decimal(paid - used).quantize(FEN)


def prepaid_balances(project: Project) -> dict[int, Decimal]:
    """{household id: prepaid balance > 0} of a project, in two grouped queries."""
    paid = dict(Payment.objects.filter(project=project).values("household_id").annotate(s=Sum("prepaid"))
                .filter(s__gt=0).values_list("household_id", "s"))
    used = dict(PrepaidApplication.objects.filter(project=project, household_id__in=list(paid))
                .values("household_id").annotate(s=Sum("amount")).values_list("household_id", "s"))
    out = {hid: Decimal(v - used.get(hid, ZERO)).quantize(FEN) for hid, v in paid.items()}
    return {hid: v for hid, v in out.items() if v > 0}


def price_list_items(project: Project, now: dt.datetime) -> list[Any]:
    """The items of the project's published price list in force today (R-M16-11), for 有偿服务 charges."""
    return price_items(project, now)


# ---------------------------------------------------------------- owner side (issue 19)


def bills_of_household(household_id: int) -> QuerySet[Bill]:
    """Every bill of a household, newest first (what the owner's account shows)."""
    return Bill.objects.filter(household_id=household_id).order_by("-due_date", "-id")


def payments_of_household(household_id: int) -> QuerySet[Payment]:
    """Every receipt of a household, payments and reversals, newest first."""
    return (Payment.objects.filter(household_id=household_id).select_related("reverses")
            .prefetch_related("allocations__bill").order_by("-collected_at", "-id"))


def receipts_of_household(household_id: int) -> QuerySet[Payment]:
    """The household's receipts that still stand (payments, not reversals) — the PDF receipts it may print."""
    return payments_of_household(household_id).filter(kind=PaymentKind.PAYMENT)
