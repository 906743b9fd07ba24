"""Every write of the fees app (R-M16). Keyword-only, ``acting_user`` and ``now`` passed in; a refusal
is a :class:`FeeError` (Chinese message, field, code, HTTP status) and nothing is written — each
action runs in ``transaction.atomic()`` (a savepoint inside the caller's transaction).

Money safety: amounts are ``Decimal`` with at most two places; a payment larger than what is owed
is refused unless it is an explicit prepayment; receipt numbers are taken under a row lock of the
project's receipt series (gapless, never reused); a payment is never edited or deleted — refunds and
voids are reversal rows by an authorised role; every money change writes a ``LedgerEntry``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from openpyxl import load_workbook

from apps.core.errors import DomainError
from apps.estates.models import Building, Household, OccupancyStatus, Person, PersonKind
from apps.fees import access
from apps.fees.models import (
    FEN,
    ZERO,
    Allocation,
    Applies,
    Bill,
    BillingCycle,
    BillKind,
    BillStatus,
    CashHandover,
    Channel,
    FeeInquiry,
    FeeMode,
    FeePublication,
    FeeReminder,
    FeeSettings,
    FeeStandard,
    LedgerEntry,
    LedgerKind,
    Method,
    Payment,
    PaymentKind,
    PrepaidApplication,
    RateBasis,
    ReceiptSeries,
    SharedCost,
    TransferCheck,
)
from apps.fees.queries import (
    half_year_figures,
    household_outstanding,
    outstanding_by_household,
    prepaid_balance,
    prepaid_balances,
    settings_of,
)
from apps.notify.actions import notify_owner
from apps.notify.queries import NotifyError
from apps.org.access import can_see_project
from apps.org.models import Project
from apps.portal.actions import publish_notice
from apps.portal.models import PublicationKind
from apps.repairs.models import PriceItem
from apps.repairs.queries import compute_charge, effective_price_list
from apps.workdays import calendar as wcal
from apps.workdays.queries import calendar_for

if TYPE_CHECKING:
    from apps.org.models import User


class FeeError(DomainError):
    """A refused fee action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid", status: int = 422) -> FeeError:
    return FeeError(message, field=field, code=code, status=status)


def parse_money(value: Any, field: str, label: str = "金额", *, allow_zero: bool = False,
                allow_negative: bool = False) -> Decimal:
    """A money amount to the fen: refused when not a number, with more than two decimals, or ≤ 0."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise _refuse(f"{label}不是有效的金额", field)
    if amount != amount.quantize(FEN):
        raise _refuse(f"{label}最多精确到分（两位小数）", field)
    if amount < 0 and not allow_negative:
        raise _refuse(f"{label}不能为负数", field)
    if amount == 0 and not allow_zero:
        raise _refuse(f"{label}须大于零", field)
    if abs(amount) >= Decimal("1000000000"):
        raise _refuse(f"{label}过大", field)
    return amount.quantize(FEN)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise _refuse(message, code="forbidden", status=403)


def _require_project(user: User, project: Project) -> None:
    if not can_see_project(user, project):
        raise _refuse("项目不存在", "project", "not_found", 404)


def _household(project: Project, household: Household | None) -> Household:
    if household is None or household.project_id != project.pk:
        raise _refuse("该项目没有这个房屋", "household", "not_found", 404)
    return household


def local_date(project: Project, moment: dt.datetime) -> dt.date:
    return moment.astimezone(project.tz).date()


# ---------------------------------------------------------------- settings


@transaction.atomic
def save_settings(*, project: Project, acting_user: User, now: dt.datetime, cycle_months: int, due_days: int,
                  reminder_day: int, arrears_steps: str, receipt_series: str) -> FeeSettings:
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以修改收费设置")
    if cycle_months not in (1, 3, 6, 12):
        raise _refuse("收费周期只能是 1、3、6 或 12 个月", "cycle_months")
    if not 1 <= due_days <= 365:
        raise _refuse("缴费期限应在 1–365 天之间", "due_days")
    if not 1 <= reminder_day <= 28:
        raise _refuse("每月催缴提醒日应在 1–28 日之间", "reminder_day")
    probe = FeeSettings(arrears_steps=arrears_steps)
    if not probe.steps():
        raise _refuse("请填写至少一个逾期天数，如 30,90,180", "arrears_steps")
    series = (receipt_series or "").strip().upper()
    if not series or not series.isalnum() or len(series) > 20:
        raise _refuse("收据字头只能是字母或数字", "receipt_series")
    obj = settings_of(project)
    obj.cycle_months, obj.due_days, obj.reminder_day = cycle_months, due_days, reminder_day
    obj.arrears_steps = ",".join(str(s) for s in probe.steps())
    obj.receipt_series = series
    obj._history_user = acting_user  # type: ignore[attr-defined]
    obj.save()
    return obj


# ---------------------------------------------------------------- standards


@transaction.atomic
def add_standard(*, project: Project, applies_to: str, contract_ref: str, rate: Any, valid_from: dt.date,
                 acting_user: User, now: dt.datetime, name: str = "物业服务费", mode: str = FeeMode.LUMP_SUM,
                 basis: str = RateBasis.PER_M2_MONTH) -> FeeStandard:
    """收费标准 (R-M16-01, R-M16-07): a new version from ``valid_from`` closes the running one the day before."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以设定收费标准")
    if applies_to not in Applies.values:
        raise _refuse("请选择适用房屋", "applies_to")
    if mode not in FeeMode.values:
        raise _refuse("请选择计费方式", "mode")
    if basis not in RateBasis.values:
        raise _refuse("请选择计费单位", "basis")
    contract_ref = (contract_ref or "").strip()
    if not contract_ref:
        raise _refuse("请填写物业服务合同编号（收费标准以合同约定为准）", "contract_ref")
    try:
        value = Decimal(str(rate).strip())
    except (InvalidOperation, ValueError):
        raise _refuse("单价不是有效的数字", "rate") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.0001")) or value >= 1000000:
        raise _refuse("单价须大于零，最多四位小数", "rate")
    if valid_from is None:
        raise _refuse("请填写生效日期", "valid_from")
    versions = FeeStandard.objects.select_for_update().filter(project=project, applies_to=applies_to)
    if versions.filter(valid_from__gte=valid_from).exists():
        raise _refuse("已有同日或更晚生效的版本，新版本的生效日期须晚于现有版本", "valid_from", "conflict", 409)
    running = versions.filter(valid_to__isnull=True).first()
    if running is not None:
        running.valid_to = valid_from - dt.timedelta(days=1)
        running._history_user = acting_user  # type: ignore[attr-defined]
        running._change_reason = f"新版本自 {valid_from:%Y-%m-%d} 生效"  # type: ignore[attr-defined]
        running.save(update_fields=["valid_to"])
    std = FeeStandard(project=project, name=(name or "物业服务费").strip()[:100], applies_to=applies_to,
                      contract_ref=contract_ref[:100], mode=mode, basis=basis, rate=value, valid_from=valid_from,
                      created_at=now, created_by=acting_user)
    std._history_user = acting_user  # type: ignore[attr-defined]
    std.save()
    return std


def standard_on(project: Project, applies_to: str, day: dt.date) -> FeeStandard | None:
    return (FeeStandard.objects.filter(project=project, applies_to=applies_to, valid_from__lte=day)
            .exclude(valid_to__lt=day).order_by("-valid_from").first())


# ---------------------------------------------------------------- billing cycle


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def cycle_label(start: dt.date, months: int) -> str:
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if months == 12:
        return f"{start.year}年度"
    if months == 3:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


_INSERT_BILLS = """
INSERT INTO fees_bill (project_id, household_id, cycle_id, standard_id, kind, description, period_start,
                       period_end, area_m2, gross, discount, amount, paid, status, due_date, created_at,
                       created_by_id)
SELECT %s, s.hid, %s, %s, %s, %s, %s, %s, s.area, s.g, ROUND(s.g * %s, 2), s.g - ROUND(s.g * %s, 2), 0, %s,
       %s, %s, %s
FROM (SELECT h.id AS hid, h.area_m2 AS area, ROUND({gross}, 2) AS g
      FROM estates_household h
      WHERE h.project_id = %s AND {status_filter} {area_filter}) s
"""

_INSERT_LEDGER = """
INSERT INTO fees_ledgerentry (project_id, household_id, kind, bill_id, payment_id, amount, at, by_id, note)
SELECT b.project_id, b.household_id, %s, b.id, NULL, b.amount, %s, %s, %s FROM fees_bill b WHERE b.cycle_id = %s
"""


@transaction.atomic
def generate_cycle(*, project: Project, period_start: dt.date, acting_user: User, now: dt.datetime,
                   discount_rate: Any = 0, discount_ref: str = "") -> BillingCycle:
    """生成账期账单 (R-M16-08): one bill per household for the cycle, in set-based INSERT … SELECT
    statements (no per-household query). Houses bought but not moved in are billed under their own
    standard when the project has one (R-M16-07). An optional discount that an assessment result
    requires (``discount_rate`` with its reference) is taken off every bill of the cycle."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以生成账单")
    conf = settings_of(project)
    months = conf.cycle_months
    if period_start is None or period_start.day != 1 or (period_start.month - 1) % months:
        raise _refuse(f"账期须从周期的第一天开始（每{months}个月一期，如 1月1日、7月1日）", "period_start")
    try:
        rate = Decimal(str(discount_rate or 0))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not 0 <= rate < 1 or rate != rate.quantize(Decimal("0.0001")):
        raise _refuse("折扣比例应在 0 到 1 之间（如 0.05）", "discount_rate")
    discount_ref = (discount_ref or "").strip()
    if rate > 0 and not discount_ref:
        raise _refuse("打折须注明依据的考核结果", "discount_ref")
    period_end = _add_months(period_start, months) - dt.timedelta(days=1)
    general = standard_on(project, Applies.MOVED_IN, period_start)
    if general is None:
        raise _refuse(f"{period_start:%Y-%m-%d} 没有生效的物业服务费标准，请先设定收费标准", "period_start",
                      "no_standard")
    special = standard_on(project, Applies.NOT_MOVED_IN, period_start)
    if BillingCycle.objects.filter(project=project, period_start=period_start).exists():
        raise _refuse(f"{cycle_label(period_start, months)}的账单已经生成过", "period_start", "already_generated", 409)
    try:
        with transaction.atomic():
            cycle = BillingCycle.objects.create(
                project=project, label=cycle_label(period_start, months), period_start=period_start,
                period_end=period_end, due_date=period_start + dt.timedelta(days=conf.due_days), discount_rate=rate,
                discount_ref=discount_ref[:200], generated_at=now, generated_by=acting_user)
    except IntegrityError:
        raise _refuse("该账期的账单已经生成过", "period_start", "already_generated", 409) from None
    groups: list[tuple[FeeStandard, list[str]]] = []
    others = [s for s in OccupancyStatus.values if s != OccupancyStatus.NOT_MOVED_IN]
    if special is not None:
        groups = [(general, others), (special, [OccupancyStatus.NOT_MOVED_IN])]
    else:
        groups = [(general, list(OccupancyStatus.values))]
    with connection.cursor() as cur:
        for std, statuses in groups:
            placeholders = ", ".join(["%s"] * len(statuses))
            if std.basis == RateBasis.PER_M2_MONTH:
                gross, area_filter, gross_params = "h.area_m2 * %s * %s", "AND h.area_m2 > 0", [std.rate, months]
            else:
                gross, area_filter, gross_params = "%s * %s", "", [std.rate, months]
            sql = _INSERT_BILLS.format(gross=gross, status_filter=f"h.status IN ({placeholders})",
                                       area_filter=area_filter)
            description = f"{cycle.label}{std.name}"[:200]
            params: list[Any] = [project.pk, cycle.pk, std.pk, BillKind.SERVICE_FEE, description, period_start, period_end,
                      rate, rate, BillStatus.OPEN, cycle.due_date, now, acting_user.pk,
                      *gross_params, project.pk, *statuses]
            cur.execute(sql, params)
        cur.execute(_INSERT_LEDGER, [LedgerKind.BILLED, now, acting_user.pk, cycle.label[:200], cycle.pk])
    totals = Bill.objects.filter(cycle=cycle).aggregate(n=Sum(1), total=Sum("amount"))
    cycle.bill_count = Bill.objects.filter(cycle=cycle).count()
    cycle.total = (totals["total"] or ZERO).quantize(FEN)
    cycle.skipped = Household.objects.filter(project=project).count() - cycle.bill_count
    cycle.save(update_fields=["bill_count", "total", "skipped"])
    return cycle


# ---------------------------------------------------------------- other charges


def _ledger(bill: Bill | None, payment: Payment | None, household: Household, kind: str, amount: Decimal,
            now: dt.datetime, user: User, note: str = "") -> LedgerEntry:
    return LedgerEntry.objects.create(project_id=household.project_id, household=household, kind=kind, bill=bill,
                                      payment=payment, amount=amount, at=now, by=user, note=note[:200])


@transaction.atomic
def add_charge(*, project: Project, household: Household, kind: str, description: str, amount: Any,
               due_date: dt.date | None, acting_user: User, now: dt.datetime) -> Bill:
    """其他收费 (R-M16-10): parking, decoration waste, paid services from the price list, agency fees."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project) or access.can_collect(acting_user, project),
             "没有登记收费的权限")
    household = _household(project, household)
    if kind not in BillKind.values or kind in (BillKind.SERVICE_FEE, BillKind.OPENING_BALANCE):
        raise _refuse("请选择费用类别", "kind")
    description = (description or "").strip()
    if not description:
        raise _refuse("请填写收费摘要（如 2026年12月地面停车费）", "description")
    value = parse_money(amount, "amount")
    bill = Bill.objects.create(project=project, household=household, kind=kind, description=description[:200],
                               gross=value, amount=value, due_date=due_date or local_date(project, now),
                               created_at=now, created_by=acting_user)
    _ledger(bill, None, household, LedgerKind.BILLED, value, now, acting_user, description)
    return bill


@transaction.atomic
def charge_from_price_list(*, project: Project, household: Household, lines: Sequence[tuple[Any, Any]],
                           acting_user: User, now: dt.datetime, due_date: dt.date | None = None,
                           note: str = "") -> Bill:
    """有偿服务收费 from the price list (R-M16-10, R-M16-11): each line is (price item or its id,
    quantity); the price is always the one of the project's published list in force today (never typed
    in, never privately raised). One bill of kind ``paid_service`` whose description lists the lines."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project) or access.can_collect(acting_user, project),
             "没有登记收费的权限")
    household = _household(project, household)
    price_list = effective_price_list(project, local_date(project, now))
    if price_list is None:
        raise _refuse("本项目没有已公示的收费价目表，不能按价目表收费", "items", "no_price_list", 409)
    if not lines:
        raise _refuse("请至少选择一个收费项目", "items")
    items = {i.pk: i for i in PriceItem.objects.filter(price_list=price_list)}
    resolved: list[tuple[PriceItem, Any]] = []
    for ref, qty in lines:
        try:
            item = items.get(int(ref.pk if isinstance(ref, PriceItem) else ref))
        except (TypeError, ValueError):
            item = None
        if item is None:
            raise _refuse("收费项目不在本项目现行公示的价目表中（不得私自加价）", "items")
        resolved.append((item, qty))
    try:
        computed, total = compute_charge(resolved)
    except DomainError as exc:
        raise _refuse(exc.message, "items") from None
    if total <= 0:
        raise _refuse("收费金额须大于零", "items")
    parts = [f"{ln['name']}{ln['quantity'].normalize():f}{ln['unit']}×{ln['unit_price']}" for ln in computed]
    description = "有偿服务：" + "，".join(parts)
    note = (note or "").strip()
    if note:
        description += f"（{note}）"
    bill = Bill.objects.create(project=project, household=household, kind=BillKind.PAID_SERVICE,
                               description=description[:200], gross=total, amount=total,
                               due_date=due_date or local_date(project, now), created_at=now, created_by=acting_user)
    _ledger(bill, None, household, LedgerKind.BILLED, total, now, acting_user, f"按价目表《{price_list.name}》收费")
    return bill


@transaction.atomic
def allocate_shared_cost(*, project: Project, building: Building, name: str, period_start: dt.date,
                         period_end: dt.date, total: Any, acting_user: User, now: dt.datetime,
                         meter_reading: str = "") -> SharedCost:
    """R-M16-04: the metered electricity of lifts/booster pumps, shared by the building's households by
    floor area (the last fen of rounding goes to the largest share); one bill per household."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以分摊公共能耗")
    if building is None or building.project_id != project.pk:
        raise _refuse("楼栋不属于该项目", "building", "not_found", 404)
    name = (name or "").strip()
    if not name:
        raise _refuse("请填写分摊项目（如 电梯用电）", "name")
    if period_start is None or period_end is None or period_end < period_start:
        raise _refuse("期间不正确", "period_end")
    value = parse_money(total, "total", "实际费用")
    homes: list[tuple[int, Decimal]] = [
        (pk, a or Decimal(0)) for pk, a in
        Household.objects.filter(building=building, area_m2__gt=0).order_by("pk").values_list("pk", "area_m2")]
    if not homes:
        raise _refuse("该楼栋没有登记面积的房屋，无法分摊", "building")
    area = sum((a for _, a in homes), Decimal(0))
    shares = [(pk, (value * a / area).quantize(FEN, ROUND_HALF_UP)) for pk, a in homes]
    diff = value - sum((s for _, s in shares), Decimal(0))
    biggest = max(range(len(shares)), key=lambda i: shares[i][1])
    shares[biggest] = (shares[biggest][0], shares[biggest][1] + diff)
    cost = SharedCost.objects.create(project=project, building=building, name=name[:100], period_start=period_start,
                                     period_end=period_end, meter_reading=(meter_reading or "")[:100], total=value,
                                     households=len(shares), created_at=now, created_by=acting_user)
    description = f"{name}分摊 {period_start:%Y-%m-%d}至{period_end:%Y-%m-%d}"[:200]
    due = local_date(project, now) + dt.timedelta(days=settings_of(project).due_days)
    bills = Bill.objects.bulk_create([
        Bill(project=project, household_id=pk, kind=BillKind.ENERGY_SHARE, description=description,
             period_start=period_start, period_end=period_end, gross=s, amount=s, due_date=due, created_at=now,
             created_by=acting_user) for pk, s in shares])
    LedgerEntry.objects.bulk_create([
        LedgerEntry(project=project, household_id=b.household_id, kind=LedgerKind.BILLED, bill=b, amount=b.amount,
                    at=now, by=acting_user, note=description) for b in bills])
    return cost


# ---------------------------------------------------------------- payments


def _take_number(project: Project, code: str, wanted: int | None) -> tuple[ReceiptSeries, int]:
    """The next receipt number of the series, under its row lock (gapless, never reused)."""
    series, _ = ReceiptSeries.objects.get_or_create(project=project, code=code)
    series = ReceiptSeries.objects.select_for_update().get(pk=series.pk)
    no = series.next_no
    if wanted is not None and wanted != no:
        if Payment.objects.filter(series=series, receipt_no=wanted).exists():
            raise _refuse(f"收据号 {code}-{wanted:06d} 已经使用，不能重复收款", "receipt_no", "duplicate_receipt", 409)
        raise _refuse(f"收据号须连续：下一张收据是 {code}-{no:06d}", "receipt_no", "receipt_gap", 409)
    series.next_no = no + 1
    series.save(update_fields=["next_no"])
    return series, no


def _settle(bill: Bill, delta: Decimal) -> None:
    bill.paid = (bill.paid + delta).quantize(FEN)
    bill.status = (BillStatus.PAID if bill.paid >= bill.amount else BillStatus.PARTIAL if bill.paid > 0
                   else BillStatus.OPEN)
    bill.save(update_fields=["paid", "status"])


@transaction.atomic
def record_payment(*, project: Project, household: Household, amount: Any, acting_user: User, now: dt.datetime,
                   method: str = Method.CASH, channel: str = Channel.COUNTER, bill_ids: Sequence[int] | None = None,
                   prepayment: bool = False, receipt_no: int | None = None, payer: str = "") -> Payment:
    """收款 (R-M16-13/-14/-15): settles the household's open bills (the chosen ones, or the oldest first);
    a smaller amount settles part of them; a larger one is refused unless it is an explicit prepayment."""
    _require_project(acting_user, project)
    _require(access.can_collect(acting_user, project), "只有收银员（非工作时间由前台代收）可以收款")
    household = _household(project, household)
    value = parse_money(amount, "amount", "收款金额")
    if method not in Method.values:
        raise _refuse("请选择支付方式", "method")
    if channel not in Channel.values:
        raise _refuse("请选择收款方式", "channel")
    cal = calendar_for(project)
    cashier = access.is_cashier(acting_user, project)
    if channel == Channel.COUNTER and not cashier:
        raise _refuse("收银台收款由收银员办理；前台代收请选择“前台代收（非工作时间）”或“上门服务代收”",
                      "channel", "cashier_only", 403)
    if channel == Channel.OUT_OF_HOURS and wcal.is_working_moment(now, cal):
        raise _refuse("现在是工作时间，请由收银员收款（前台只在节假日、午休和下班后代收）", "channel",
                      "within_hours")
    bills = Bill.objects.select_for_update().filter(household=household).exclude(status=BillStatus.PAID)
    if bill_ids:
        wanted = set(bill_ids)
        bills = bills.filter(pk__in=wanted)
        if len(list(bills.values_list("pk", flat=True))) != len(wanted):
            raise _refuse("所选账单不属于该房屋或已缴清", "bill_ids")
    open_bills = list(bills.order_by("due_date", "pk"))
    owed = sum((b.outstanding for b in open_bills), ZERO)
    if value > owed and not prepayment:
        raise _refuse(f"收款金额 {value} 元大于应收 {owed} 元；如业主预交，请勾选“预交”", "amount", "overpayment")
    series, no = _take_number(project, settings_of(project).receipt_series, receipt_no)
    handover_due = None
    if channel != Channel.COUNTER:  # R-M16-13/-15: handed to the cashier on the next working day
        handover_due = wcal.add_working_days(now, 1, cal)
    plan: list[tuple[Bill, Decimal]] = []
    left = value
    for bill in open_bills:
        if left <= 0:
            break
        part = min(left, bill.outstanding)
        plan.append((bill, part))
        left -= part
    payment = Payment.objects.create(
        project=project, household=household, series=series, receipt_no=no,
        number=f"{project.code}-{series.code}-{no:06d}", kind=PaymentKind.PAYMENT, channel=channel, method=method,
        amount=value, prepaid=left, payer=(payer or "").strip()[:50], collected_by=acting_user, collected_at=now,
        business_date=local_date(project, now), handover_due=handover_due)
    for bill, part in plan:
        Allocation.objects.create(payment=payment, bill=bill, amount=part)
        _settle(bill, part)
        _ledger(bill, payment, household, LedgerKind.PAID, part, now, acting_user, payment.number)
    if left > 0:
        _ledger(None, payment, household, LedgerKind.PREPAID, left, now, acting_user, payment.number)
    return payment


@transaction.atomic
def reverse_payment(*, payment: Payment, kind: str, reason: str, acting_user: User, now: dt.datetime,
                    amount: Any = None) -> Payment:
    """退款/作废 by reversal only: a negative receipt that undoes the original (a void undoes all of it, a
    refund part of it — the prepaid part first, then the latest bills). Only authorised roles."""
    project = payment.project
    _require_project(acting_user, project)
    _require(access.can_reverse(acting_user, project), "只有客服经理或管理处经理可以作废收据或退款")
    if kind not in (PaymentKind.VOID, PaymentKind.REFUND):
        raise _refuse("请选择作废或退款", "kind")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _refuse("请填写作废/退款原因", "reason")
    original = Payment.objects.select_for_update().get(pk=payment.pk)
    if original.kind != PaymentKind.PAYMENT:
        raise _refuse("冲销收据不能再冲销", "payment", "not_reversible", 409)
    done = original.reversals.aggregate(s=Sum("amount"))["s"] or ZERO
    remaining = original.amount + done
    if remaining <= 0:
        raise _refuse("该收据已全部冲销", "payment", "already_reversed", 409)
    if kind == PaymentKind.VOID:
        if done != 0:
            raise _refuse("该收据已部分退款，不能整张作废；请办理退款", "kind", "partly_refunded", 409)
        value = original.amount
    else:
        value = parse_money(amount, "amount", "退款金额")
        if value > remaining:
            raise _refuse(f"退款金额不能超过可退金额 {remaining} 元", "amount", "too_much")
    left = value
    prepaid_left = original.prepaid + (original.reversals.aggregate(s=Sum("prepaid"))["s"] or ZERO)
    # the prepaid part that was applied to bills since is no longer there to give back
    take_prepaid = max(ZERO, min(left, prepaid_left, prepaid_balance(original.household_id)))
    left -= take_prepaid
    per_bill: dict[int, Decimal] = {}
    for a in Allocation.objects.filter(payment__in=[original, *original.reversals.all()]):
        per_bill[a.bill_id] = per_bill.get(a.bill_id, ZERO) + a.amount
    bills = {b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=per_bill)}
    plan: list[tuple[Bill, Decimal]] = []
    for bill_id in sorted(per_bill, key=lambda k: (bills[k].due_date, k), reverse=True):
        part = min(left, per_bill[bill_id])
        if part > 0:
            plan.append((bills[bill_id], part))
            left -= part
    if left > 0:
        raise _refuse("该收据的预交款已冲抵账单，不能按原额冲销；请按可退金额办理退款", "amount",
                      "prepaid_applied", 409)
    series, no = _take_number(project, original.series.code, None)
    rev = Payment.objects.create(
        project=project, household=original.household, series=series, receipt_no=no,
        number=f"{project.code}-{series.code}-{no:06d}", kind=kind, channel=Channel.COUNTER, method=original.method,
        amount=-value, prepaid=-take_prepaid, reverses=original, reason=reason[:200], collected_by=acting_user,
        collected_at=now, business_date=local_date(project, now))
    if take_prepaid > 0:
        _ledger(None, rev, original.household, LedgerKind.REVERSED, -take_prepaid, now, acting_user,
                f"{rev.number} 冲销预交")
    for bill, part in plan:
        Allocation.objects.create(payment=rev, bill=bill, amount=-part)
        _settle(bill, -part)
        _ledger(bill, rev, original.household, LedgerKind.REVERSED, -part, now, acting_user, rev.number)
    return rev


@dataclass
class ApplyResult:
    applied: Decimal = ZERO
    bills: int = 0
    households: int = 0


def _apply_one(project: Project, household: Household, balance: Decimal, acting_user: User, now: dt.datetime,
               bill_ids: Sequence[int] | None, result: ApplyResult) -> None:
    bills = Bill.objects.select_for_update().filter(household=household).exclude(status=BillStatus.PAID)
    if bill_ids:
        bills = bills.filter(pk__in=set(bill_ids))
    left = balance
    touched = False
    for bill in bills.order_by("due_date", "pk"):
        if left <= 0:
            break
        part = min(left, bill.outstanding)
        if part <= 0:
            continue
        PrepaidApplication.objects.create(project=project, household=household, bill=bill, amount=part,
                                          applied_at=now, applied_by=acting_user)
        _settle(bill, part)
        _ledger(bill, None, household, LedgerKind.APPLIED, part, now, acting_user, f"预交款冲抵 {bill.description}")
        left -= part
        result.applied += part
        result.bills += 1
        touched = True
    if touched:
        result.households += 1


@transaction.atomic
def apply_prepaid(*, project: Project, household: Household, acting_user: User, now: dt.datetime,
                  bill_ids: Sequence[int] | None = None) -> ApplyResult:
    """预交冲抵: the household's prepaid balance settles its open bills (the chosen ones, or the oldest
    first) — the owner's explicit prepayment applied when the bills come; no new receipt, a history row
    per bill. Refused when there is no balance or nothing to settle."""
    _require_project(acting_user, project)
    _require(access.can_collect(acting_user, project) or access.can_manage(acting_user, project),
             "只有收银员或客服经理可以办理预交款冲抵")
    household = _household(project, household)
    Household.objects.select_for_update().filter(pk=household.pk).first()  # one application at a time
    balance = prepaid_balance(household.pk)
    if balance <= 0:
        raise _refuse("该房屋没有预交余额", "household", "no_prepaid", 409)
    result = ApplyResult()
    _apply_one(project, household, balance, acting_user, now, bill_ids, result)
    if result.bills == 0:
        raise _refuse("该房屋没有可冲抵的未缴账单", "bill_ids", "nothing_to_settle", 409)
    return result


@transaction.atomic
def apply_prepaid_all(*, project: Project, acting_user: User, now: dt.datetime) -> ApplyResult:
    """预交冲抵 for every household of the project that has a prepaid balance and open bills (after a
    billing cycle is generated)."""
    _require_project(acting_user, project)
    _require(access.can_collect(acting_user, project) or access.can_manage(acting_user, project),
             "只有收银员或客服经理可以办理预交款冲抵")
    result = ApplyResult()
    balances = prepaid_balances(project)
    owing = set(Bill.objects.filter(project=project, household_id__in=list(balances))
                .exclude(status=BillStatus.PAID).values_list("household_id", flat=True))
    for household in Household.objects.select_for_update().filter(pk__in=owing).order_by("pk"):
        _apply_one(project, household, prepaid_balance(household.pk), acting_user, now, None, result)
    return result


@transaction.atomic
def hand_over(*, project: Project, collector: User, payments: Iterable[Payment], amount: Any, acting_user: User,
              now: dt.datetime) -> CashHandover:
    """代收款交接 (R-M16-13/-15): the cashier takes over what the front desk collected out of hours or on a
    door-to-door call; the amount counted must equal the receipts."""
    _require_project(acting_user, project)
    _require(access.is_cashier(acting_user, project), "只有收银员可以接收代收款")
    chosen = list(Payment.objects.select_for_update().filter(pk__in=[p.pk for p in payments]))
    if not chosen:
        raise _refuse("请选择要交接的收据", "payments")
    for p in chosen:
        if p.project_id != project.pk or p.collected_by_id != collector.pk or p.channel == Channel.COUNTER:
            raise _refuse(f"收据 {p.number} 不是该交款人代收的款项", "payments")
        if p.handovers.exists():
            raise _refuse(f"收据 {p.number} 已经交接过", "payments", "already_handed_over", 409)
    value = parse_money(amount, "amount", "交接金额")
    total = sum((p.amount for p in chosen), ZERO)
    if value != total:
        raise _refuse(f"清点金额 {value} 元与收据合计 {total} 元不符", "amount", "mismatch")
    handover = CashHandover.objects.create(project=project, collector=collector, cashier=acting_user, amount=value,
                                           handed_at=now)
    handover.payments.set(chosen)
    return handover


# ---------------------------------------------------------------- opening balances (Excel)


@dataclass
class ImportResult:
    created: int = 0
    total: Decimal = ZERO
    errors: list[str] = field(default_factory=list)


OPENING_HEADERS = ["房号", "欠费金额", "摘要", "截止日期"]


@transaction.atomic
def import_opening_balances(*, project: Project, file: IO[bytes], acting_user: User, now: dt.datetime) -> ImportResult:
    """期初欠费导入: an Excel sheet (房号, 欠费金额, 摘要, 截止日期). Every row is checked; any row error
    → nothing is written and every error is reported with its row number."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以导入期初欠费")
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable upload is the user's error
        raise _refuse("无法读取文件，请上传 .xlsx 格式的 Excel 表", "file") from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    result = ImportResult()
    if not rows or [str(c or "").strip() for c in rows[0][:2]] != OPENING_HEADERS[:2]:
        raise _refuse("表头应为：房号、欠费金额、摘要、截止日期", "file")
    labels = dict(Household.objects.filter(project=project).values_list("label", "pk"))
    seen: set[str] = set()
    pending: list[tuple[int, Decimal, str, dt.date]] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * 4
        if all(c in (None, "") for c in cells[:4]):
            continue
        label = str(cells[0] or "").strip()
        if label not in labels:
            result.errors.append(f"第{n}行：该项目没有房号“{label}”")
            continue
        if label in seen:
            result.errors.append(f"第{n}行：房号“{label}”重复")
            continue
        seen.add(label)
        try:
            value = parse_money(cells[1], "amount", "欠费金额")
        except FeeError as exc:
            result.errors.append(f"第{n}行：{exc.message}")
            continue
        due = cells[3]
        if isinstance(due, dt.datetime):
            due = due.date()
        elif due in (None, ""):
            due = local_date(project, now)
        elif not isinstance(due, dt.date):
            try:
                due = dt.date.fromisoformat(str(due).strip())
            except ValueError:
                result.errors.append(f"第{n}行：截止日期格式应为 YYYY-MM-DD")
                continue
        pending.append((labels[label], value, str(cells[2] or "期初欠费").strip()[:200], due))
    if result.errors:
        return result
    bills = Bill.objects.bulk_create([
        Bill(project=project, household_id=pk, kind=BillKind.OPENING_BALANCE, description=desc, gross=v, amount=v,
             due_date=due, created_at=now, created_by=acting_user) for pk, v, desc, due in pending])
    LedgerEntry.objects.bulk_create([
        LedgerEntry(project=project, household_id=b.household_id, kind=LedgerKind.BILLED, bill=b, amount=b.amount,
                    at=now, by=acting_user, note="期初欠费导入") for b in bills])
    result.created = len(bills)
    result.total = sum((b.amount for b in bills), ZERO)
    return result


# ---------------------------------------------------------------- reminders (R-M16-12)


@dataclass
class ReminderResult:
    monthly: int = 0
    arrears: int = 0
    no_phone: int = 0


def _owners(household_ids: Iterable[int]) -> dict[int, list[Person]]:
    out: dict[int, list[Person]] = {}
    for p in Person.objects.filter(household_id__in=list(household_ids), kind=PersonKind.OWNER, active=True):
        out.setdefault(p.household_id, []).append(p)
    return out


def _remind(project: Project, household_id: int, key: str, level: int, owed: Decimal, body: str,
            owners: list[Person], now: dt.datetime, result: ReminderResult) -> bool:
    if FeeReminder.objects.filter(key=key).exists():
        return False
    sent = 0
    for person in owners:
        try:
            notify_owner(person, project=project, kind="fee_reminder", body=body, now=now,
                         dedupe_key=f"fees:{key}:{person.pk}")
        except NotifyError as exc:
            if exc.code != "no_phone":
                raise
            result.no_phone += 1
            continue
        sent += 1
    FeeReminder.objects.create(project=project, household_id=household_id, key=key, level=level, outstanding=owed,
                               sent_at=now, recipients=sent)
    return True


@transaction.atomic
def send_reminders(*, now: dt.datetime, projects: Iterable[Project] | None = None) -> ReminderResult:
    """The monthly fee reminder to every household that owes (from the project's reminder day, once a
    month, R-M16-12) and an escalating arrears reminder at each overdue step (30/90/180 days by
    default). Through ``notify_owner``: quiet hours respected; each reminder is sent once (its key)."""
    result = ReminderResult()
    for project in projects if projects is not None else Project.objects.filter(active=True):
        conf = settings_of(project)
        today = local_date(project, now)
        owing = outstanding_by_household(project, today)
        if not owing:
            continue
        owners = _owners(owing)
        for hh_id, (owed, oldest_due) in owing.items():
            if today.day >= conf.reminder_day:
                body = f"【物业缴费提醒】尊敬的业主，您的房屋截至{today:%m月%d日}尚有物业费用 {owed} 元未缴，请及时缴纳。"
                if _remind(project, hh_id, f"m:{hh_id}:{today:%Y%m}", 0, owed, body, owners.get(hh_id, []), now,
                           result):
                    result.monthly += 1
            if oldest_due is None:
                continue
            late = (today - oldest_due).days
            reached = [s for s in conf.steps() if late >= s]
            if reached:
                step = reached[-1]
                body = (f"【物业欠费提醒】尊敬的业主，您的房屋物业费用已逾期{late}天，欠费 {owed} 元，"
                        f"请尽快到物业服务中心缴纳。")
                if _remind(project, hh_id, f"a:{hh_id}:{oldest_due:%Y%m%d}:{step}", step, owed, body,
                           owners.get(hh_id, []), now, result):
                    result.arrears += 1
    return result


# ---------------------------------------------------------------- half-yearly publication (R-M16-03/-04)


@transaction.atomic
def publish_half_year(*, project: Project, year: int, half: int, acting_user: User, now: dt.datetime) -> FeePublication:
    """收费公示: fee income of the half-year and the shared energy costs, posted to the notice board
    (no household, name or room on it)."""
    _require_project(acting_user, project)
    _require(access.can_manage(acting_user, project), "只有客服经理或管理处经理可以公示收费情况")
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise _refuse("请选择年度和半年", "half")
    end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    if local_date(project, now) <= end:
        raise _refuse("半年结束后才能公示该半年的收费情况", "half", "too_early")
    if FeePublication.objects.filter(project=project, year=year, half=half).exists():
        raise _refuse("该半年的收费情况已经公示过", "half", "already_published", 409)
    figures = half_year_figures(project, year, half)
    label = f"{year}年{'上' if half == 1 else '下'}半年"
    lines = [f"{label}物业服务费用收支公示",
             f"应收物业费用：{figures['billed']} 元", f"实收物业费用：{figures['collected']} 元",
             f"截至期末欠费：{figures['arrears']} 元", f"收缴率：{figures['rate']}"]
    for cost in figures["shared"]:
        lines.append(f"公共能耗分摊（按实际用量由受益业主分摊）：{cost['name']} {cost['total']} 元，{cost['households']} 户分摊")
    lines.append("如对公示内容有疑问，请向物业服务中心咨询；业主委员会对账目有异议的，可委托有资质的中介机构审计。")
    pub = publish_notice(project=project, kind=PublicationKind.NOTICE, title=f"{label}物业费收缴情况公示",
                         body="\n".join(lines), acting_user=acting_user, now=now)
    return FeePublication.objects.create(
        project=project, year=year, half=half, billed=figures["billed"], collected=figures["collected"],
        arrears=figures["arrears"], shared_costs=sum((c["total"] for c in figures["shared"]), ZERO),
        publication_id=pub.pk, published_at=now, published_by=acting_user)


# ---------------------------------------------------------------- ownership transfer (R-M16-09)


@transaction.atomic
def record_transfer(*, project: Project, household: Household, old_owner: str, new_owner: str, acting_user: User,
                    now: dt.datetime, proceed_with_arrears: bool = False, reason: str = "") -> TransferCheck:
    """过户登记 (R-M16-09): the old owner settles the fees before the house changes hands. While anything
    is owed the transfer is refused with a warning naming the amount (409 ``arrears_outstanding``);
    only a CS manager / office manager may let it proceed, recording why."""
    _require_project(acting_user, project)
    _require(access.can_view(acting_user, project), "没有办理过户登记的权限")
    household = _household(project, household)
    old_owner, new_owner = (old_owner or "").strip(), (new_owner or "").strip()
    if not old_owner:
        raise _refuse("请填写原业主", "old_owner")
    if not new_owner:
        raise _refuse("请填写新业主", "new_owner")
    Household.objects.select_for_update().filter(pk=household.pk).first()
    owed = household_outstanding(household.pk)
    reason = (reason or "").strip()
    if owed > 0:
        if not proceed_with_arrears:
            raise _refuse(f"该房屋尚欠物业费用 {owed} 元，请原业主结清后再办理过户", "household",
                          "arrears_outstanding", 409)
        _require(access.can_manage(acting_user, project), "尚有欠费，只有客服经理或管理处经理可以确认继续办理过户")
        if len(reason) < 2:
            raise _refuse("尚有欠费，继续办理须填写原因（如 新业主承诺代缴）", "reason")
    return TransferCheck.objects.create(
        project=project, household=household, old_owner=old_owner[:50], new_owner=new_owner[:50], outstanding=owed,
        cleared=owed <= 0, reason=reason[:200] if owed > 0 else "",
        acknowledged_by=acting_user if owed > 0 else None, recorded_at=now, recorded_by=acting_user)


# ---------------------------------------------------------------- owners' inquiries (R-M16-03)


@transaction.atomic
def record_inquiry(*, project: Project, asker: str, question: str, acting_user: User, now: dt.datetime,
                   household: Household | None = None) -> FeeInquiry:
    """收费咨询登记 (R-M16-03): an owner's question about their fees or the published fee income."""
    _require_project(acting_user, project)
    _require(access.can_view(acting_user, project), "没有登记收费咨询的权限")
    if household is not None:
        household = _household(project, household)
    asker, question = (asker or "").strip(), (question or "").strip()
    if not asker:
        raise _refuse("请填写咨询人", "asker")
    if len(question) < 2:
        raise _refuse("请填写咨询内容", "question")
    return FeeInquiry.objects.create(project=project, household=household, asker=asker[:50], question=question[:1000],
                                     asked_at=now, received_by=acting_user)


@transaction.atomic
def answer_inquiry(*, inquiry: FeeInquiry, answer: str, acting_user: User, now: dt.datetime) -> FeeInquiry:
    """答复收费咨询: recorded once, with its time (how promptly owners were answered)."""
    _require_project(acting_user, inquiry.project)
    _require(access.can_view(acting_user, inquiry.project), "没有答复收费咨询的权限")
    inquiry = FeeInquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.answered_at is not None:
        raise _refuse("该咨询已经答复", "answer", "already_answered", 409)
    answer = (answer or "").strip()
    if len(answer) < 2:
        raise _refuse("请填写答复内容", "answer")
    inquiry.answer, inquiry.answered_at, inquiry.answered_by = answer[:1000], now, acting_user
    inquiry.save(update_fields=["answer", "answered_at", "answered_by"])
    return inquiry
