"""Fees and charges (SPEC M16). Money is ``Decimal`` to the fen (two places), never float.

A money row is never edited or deleted: a bill is settled by allocations, a payment is undone by a
reversal row (refund or void) with its own receipt number, and every change of money writes a
``LedgerEntry`` (the history row). ``Bill.paid``/``Bill.status`` are the running totals the actions
keep beside the allocations (checked by the reconciliation).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def money(max_digits: int = 12, **kw: object) -> models.DecimalField:
    return models.DecimalField(max_digits=max_digits, decimal_places=2, **kw)  # type: ignore[arg-type]


class FeeSettings(models.Model):
    """Per-project fee policies, with the SPEC defaults; edited by 客服经理/管理处经理 on the settings page."""

    project = models.OneToOneField("org.Project", on_delete=models.PROTECT, related_name="fee_settings",
                                   verbose_name=_("项目"))
    cycle_months = models.PositiveSmallIntegerField(
        _("收费周期（月）"), default=6, help_text=_("默认半年一期：年中、年底各收一次"))
    due_days = models.PositiveSmallIntegerField(_("缴费期限（天）"), default=30,
                                                help_text=_("账期开始后多少天内缴清，逾期计入欠费"))
    reminder_day = models.PositiveSmallIntegerField(_("每月催缴提醒日"), default=5)
    arrears_steps = models.CharField(_("欠费升级提醒（逾期天数）"), max_length=50, default="30,90,180",
                                     help_text=_("逗号分隔，逾期达到每个天数各提醒一次"))
    receipt_series = models.CharField(_("收据字头"), max_length=20, default="SJ")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收费设置")
        verbose_name_plural = _("收费设置")

    def __str__(self) -> str:
        return f"{self.project} {self._meta.verbose_name}"

    def steps(self) -> list[int]:
        out = []
        for part in self.arrears_steps.replace("，", ",").split(","):
            part = part.strip()
            if part.isdigit() and int(part) > 0:
                out.append(int(part))
        return sorted(set(out))


class FeeMode(models.TextChoices):
    LUMP_SUM = "lump_sum", _("包干制")
    COMMISSION = "commission", _("酬金制")


class RateBasis(models.TextChoices):
    PER_M2_MONTH = "per_m2_month", _("元/㎡·月")
    PER_HOUSEHOLD_MONTH = "per_household_month", _("元/户·月")


class Applies(models.TextChoices):
    """R-M16-07: houses bought but not moved in are charged under their own standard."""

    MOVED_IN = "moved_in", _("已入住（含空置、装修）")
    NOT_MOVED_IN = "not_moved_in", _("已购未入住")


class FeeStandard(models.Model):
    """收费标准 (R-M16-01): contract reference, mode, rate; a new version from a date closes the old one."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="fee_standards",
                                verbose_name=_("项目"))
    name = models.CharField(_("名称"), max_length=100, default="物业服务费")
    applies_to = models.CharField(_("适用房屋"), max_length=20, choices=Applies.choices, default=Applies.MOVED_IN)
    contract_ref = models.CharField(_("合同编号"), max_length=100)
    mode = models.CharField(_("计费方式"), max_length=20, choices=FeeMode.choices, default=FeeMode.LUMP_SUM)
    basis = models.CharField(_("计费单位"), max_length=30, choices=RateBasis.choices, default=RateBasis.PER_M2_MONTH)
    rate = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=4)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        ordering = ["project", "applies_to", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["project", "applies_to", "valid_from"],
                                               name="fees_standard_one_version_per_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.get_applies_to_display()} {self.rate}{self.get_basis_display()}"


class BillingCycle(models.Model):
    """One billing period of a project (H1/H2 by default, R-M16-08), generated in one set-based insert."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="billing_cycles",
                                verbose_name=_("项目"))
    label = models.CharField(_("账期"), max_length=50)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    due_date = models.DateField(_("缴费截止日"))
    discount_rate = models.DecimalField(_("折扣比例"), max_digits=5, decimal_places=4, default=Decimal("0"),
                                        help_text=_("考核结果要求打折时填写，如 0.05 = 减收5%"))
    discount_ref = models.CharField(_("折扣依据（考核结果）"), max_length=200, blank=True)
    bill_count = models.PositiveIntegerField(_("账单数"), default=0)
    total = money(14, verbose_name=_("应收合计"), default=ZERO)
    skipped = models.PositiveIntegerField(_("未出账房屋"), default=0, help_text=_("缺面积或无适用标准"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("生成人"))

    class Meta:
        verbose_name = _("收费账期")
        verbose_name_plural = _("收费账期")
        ordering = ["project", "-period_start"]
        constraints = [models.UniqueConstraint(fields=["project", "period_start"], name="fees_cycle_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.label}"


class BillKind(models.TextChoices):
    SERVICE_FEE = "service_fee", _("物业服务费")
    ENERGY_SHARE = "energy_share", _("公共能耗分摊")
    PARKING = "parking", _("停车费")
    DECORATION_WASTE = "decoration_waste", _("装修垃圾清运费")
    PAID_SERVICE = "paid_service", _("有偿服务费")
    AGENCY = "agency", _("代收代办费")
    OPENING_BALANCE = "opening_balance", _("期初欠费")
    OTHER = "other", _("其他")


class BillStatus(models.TextChoices):
    OPEN = "open", _("未缴")
    PARTIAL = "partial", _("部分缴纳")
    PAID = "paid", _("已缴清")


class Bill(models.Model):
    """应收账单: one household's receivable for a cycle or one other charge."""

    # FK indexes that a composite index below already covers are left out: a billing cycle inserts
    # 300,000 rows at once and every index costs (bench/fees_bench.py)
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="bills",
                                verbose_name=_("项目"), db_index=False)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="bills",
                                  verbose_name=_("房屋"), db_index=False)
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, null=True, blank=True, related_name="bills",
                              verbose_name=_("账期"), db_index=False)
    standard = models.ForeignKey(FeeStandard, on_delete=models.PROTECT, null=True, blank=True, related_name="bills",
                                 verbose_name=_("收费标准"), db_index=False)
    kind = models.CharField(_("费用类别"), max_length=30, choices=BillKind.choices)
    description = models.CharField(_("摘要"), max_length=200)
    period_start = models.DateField(_("费用起"), null=True, blank=True)
    period_end = models.DateField(_("费用止"), null=True, blank=True)
    area_m2 = models.DecimalField(_("计费面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True)
    gross = money(verbose_name=_("应收原额"))
    discount = money(verbose_name=_("折扣"), default=ZERO)
    amount = money(verbose_name=_("应收金额"))
    paid = money(verbose_name=_("已收金额"), default=ZERO)
    status = models.CharField(_("状态"), max_length=20, choices=BillStatus.choices, default=BillStatus.OPEN)
    due_date = models.DateField(_("缴费截止日"))
    created_at = models.DateTimeField(_("出账时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("出账人"), db_index=False)

    class Meta:
        verbose_name = _("应收账单")
        verbose_name_plural = _("应收账单")
        ordering = ["household", "due_date", "id"]
        indexes = [models.Index(fields=["project", "status", "due_date"], name="fees_bill_open_due"),
                   models.Index(fields=["household", "status"], name="fees_bill_household")]
        constraints = [models.UniqueConstraint(fields=["cycle", "household", "kind"], name="fees_bill_once_per_cycle")]

    def __str__(self) -> str:
        return f"{self.household} {self.description} {self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


class ReceiptSeries(models.Model):
    """收据字头: the gapless counter of one project's receipts (locked while a number is taken)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="receipt_series",
                                verbose_name=_("项目"))
    code = models.CharField(_("字头"), max_length=20)
    next_no = models.PositiveIntegerField(_("下一个号码"), default=1)

    class Meta:
        verbose_name = _("收据字头")
        verbose_name_plural = _("收据字头")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="fees_series_unique")]

    def __str__(self) -> str:
        return f"{self.project.code}-{self.code}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("收款")
    REFUND = "refund", _("退款")
    VOID = "void", _("作废冲销")


class Channel(models.TextChoices):
    COUNTER = "counter", _("收银台")
    OUT_OF_HOURS = "out_of_hours", _("前台代收（非工作时间）")
    DOOR_TO_DOOR = "door_to_door", _("上门服务代收")


class Method(models.TextChoices):
    CASH = "cash", _("现金")
    CARD = "card", _("银行卡")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    TRANSFER = "transfer", _("转账")


class Payment(models.Model):
    """收款/冲销: one receipt. Positive amounts are money in; a refund or void is a negative row that
    ``reverses`` the original and carries its own receipt number (红字收据). Never edited."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="payments",
                                  verbose_name=_("房屋"))
    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="payments",
                               verbose_name=_("收据字头"))
    receipt_no = models.PositiveIntegerField(_("收据号"))
    number = models.CharField(_("收据编号"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    channel = models.CharField(_("收款方式"), max_length=20, choices=Channel.choices, default=Channel.COUNTER)
    method = models.CharField(_("支付方式"), max_length=20, choices=Method.choices, default=Method.CASH)
    amount = money(verbose_name=_("金额"))
    prepaid = money(verbose_name=_("其中预交"), default=ZERO)
    payer = models.CharField(_("交款人"), max_length=50, blank=True)
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals",
                                 verbose_name=_("冲销的收据"))
    reason = models.CharField(_("原因/备注"), max_length=200, blank=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("收款人"))
    collected_at = models.DateTimeField(_("收款时间"))
    business_date = models.DateField(_("营业日"), help_text=_("项目时区的日期"))
    handover_due = models.DateTimeField(_("应交接时间"), null=True, blank=True,
                                        help_text=_("前台代收/上门代收：下一个工作日内交收银员"))

    class Meta:
        verbose_name = _("收据")
        verbose_name_plural = _("收据")
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "receipt_no"], name="fees_receipt_no_unique"),
            models.UniqueConstraint(fields=["reverses"], condition=models.Q(kind="void"), name="fees_one_void"),
        ]
        indexes = [models.Index(fields=["project", "business_date"], name="fees_payment_day")]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Which bill a receipt settles and by how much (negative for a reversal)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = money()

    class Meta:
        verbose_name = _("收款分配")
        verbose_name_plural = _("收款分配")

    def __str__(self) -> str:
        return f"{self.payment_id}→{self.bill_id} {self.amount}"


class LedgerKind(models.TextChoices):
    BILLED = "billed", _("出账")
    PAID = "paid", _("收款")
    PREPAID = "prepaid", _("预交")
    REVERSED = "reversed", _("冲销")
    APPLIED = "applied", _("预交冲抵")


class LedgerEntry(models.Model):
    """Append-only history row of every money change (bill made, payment allocated, reversal)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", db_index=False)
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="fee_ledger",
                                  db_index=False)  # (household, at) below
    kind = models.CharField(_("类别"), max_length=20, choices=LedgerKind.choices)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                db_index=False)
    amount = money(verbose_name=_("金额"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("操作人"), db_index=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("收费流水")
        verbose_name_plural = _("收费流水")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["household", "at"], name="fees_ledger_household")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class PrepaidApplication(models.Model):
    """预交冲抵: part of a household's prepaid balance (the ``prepaid`` of its receipts) applied to one of
    its bills. Never edited; the household's balance is what was prepaid minus what was applied."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="prepaid_applications",
                                  verbose_name=_("房屋"))
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="prepaid_applications",
                             verbose_name=_("账单"))
    amount = money(verbose_name=_("冲抵金额"))
    applied_at = models.DateTimeField(_("冲抵时间"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("经办人"))

    class Meta:
        verbose_name = _("预交冲抵")
        verbose_name_plural = _("预交冲抵")
        ordering = ["-applied_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household} {self.amount}"


class CashHandover(models.Model):
    """R-M16-13/-15: money collected by the front desk or on a door-to-door call, handed to the cashier."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="cash_handovers",
                                verbose_name=_("项目"))
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("交款人"))
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("收银员"))
    amount = money(verbose_name=_("交接金额"))
    handed_at = models.DateTimeField(_("交接时间"))
    payments = models.ManyToManyField(Payment, related_name="handovers", verbose_name=_("收据"))

    class Meta:
        verbose_name = _("代收款交接")
        verbose_name_plural = _("代收款交接")
        ordering = ["-handed_at"]

    def __str__(self) -> str:
        return f"{self.collector} → {self.cashier} {self.amount}"


class FeeReminder(models.Model):
    """R-M16-12: a monthly fee reminder or an arrears reminder sent to a household (through notify)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="fee_reminders")
    key = models.CharField(max_length=60, unique=True, help_text=_("同一提醒只发一次"))
    level = models.PositiveSmallIntegerField(_("提醒级别"), default=0, help_text=_("0 = 月度提醒；N = 逾期N天"))
    outstanding = money(verbose_name=_("欠费金额"))
    sent_at = models.DateTimeField(_("发送时间"))
    recipients = models.PositiveSmallIntegerField(_("接收人数"), default=0)

    class Meta:
        verbose_name = _("催缴提醒")
        verbose_name_plural = _("催缴提醒")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.household} {self.level}"


class SharedCost(models.Model):
    """R-M16-04: metered electricity of lifts / booster pumps shared by the households that benefit."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="shared_costs",
                                verbose_name=_("项目"))
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("受益楼栋"))
    name = models.CharField(_("项目"), max_length=100, help_text=_("如 电梯用电、二次供水加压泵用电"))
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    meter_reading = models.CharField(_("抄表读数"), max_length=100, blank=True)
    total = money(verbose_name=_("实际费用"))
    households = models.PositiveIntegerField(_("分摊户数"), default=0)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公共能耗分摊")
        verbose_name_plural = _("公共能耗分摊")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.name} {self.period_start:%Y-%m}"


class FeePublication(models.Model):
    """R-M16-03: the half-yearly publication of fee income (and shared costs) on the notice board."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="fee_publications",
                                verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])
    billed = money(14, verbose_name=_("应收"))
    collected = money(14, verbose_name=_("实收"))
    arrears = money(14, verbose_name=_("欠费"))
    shared_costs = money(14, verbose_name=_("能耗分摊"))
    publication_id = models.PositiveIntegerField(_("公告编号"))
    published_at = models.DateTimeField(_("公布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("收费公示")
        verbose_name_plural = _("收费公示")
        constraints = [models.UniqueConstraint(fields=["project", "year", "half"], name="fees_publication_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}H{self.half}"


class TransferCheck(models.Model):
    """过户费用核查 (R-M16-09): a house ownership transfer registered at the front desk. While fees are
    outstanding the transfer is held with a warning; it goes ahead only when the arrears are settled or a
    manager records why it proceeds anyway (``acknowledged_by`` and ``reason``)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="transfer_checks",
                                  verbose_name=_("房屋"))
    old_owner = models.CharField(_("原业主"), max_length=50)
    new_owner = models.CharField(_("新业主"), max_length=50)
    outstanding = money(verbose_name=_("登记时欠费"))
    cleared = models.BooleanField(_("费用已结清"), default=False)
    reason = models.CharField(_("欠费情况下继续办理的原因"), max_length=200, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("确认人"))
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("过户费用核查")
        verbose_name_plural = _("过户费用核查")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household} {self.old_owner}→{self.new_owner}"


class FeeInquiry(models.Model):
    """业主收费咨询 (R-M16-03): an owner's question about fees or the published fee income, taken at the
    front desk, and its answer with the answer time (answered promptly)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="fee_inquiries", verbose_name=_("房屋"))
    asker = models.CharField(_("咨询人"), max_length=50)
    question = models.TextField(_("咨询内容"), max_length=1000)
    asked_at = models.DateTimeField(_("咨询时间"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("受理人"))
    answer = models.TextField(_("答复"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))

    class Meta:
        verbose_name = _("收费咨询")
        verbose_name_plural = _("收费咨询")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.asker} {self.asked_at:%Y-%m-%d}"
