"""Repair specifics hanging off the ticket pipeline (SPEC M8; issue 6).

A repair (报修) or a paid service (有偿/特约服务) is a :class:`apps.tickets.models.Ticket` of kind
``repair`` / ``paid_service``; the deadlines, dispatches, replies, verification and return visits are
the pipeline's. This app adds what only repairs have:

- :class:`RepairRule` — per repair category (and company/project): dispatch mode and the default
  urgency at intake (data, POLICY-style: project row > company row > shipped default);
- :class:`RepairOrder` — the 工程维修工作单 on the worker's phone (location, agreed visit time,
  diagnosis, charge, labour hours, the owner's acceptance signature or refusal);
- :class:`ChargeLine` / :class:`ChargeConsent` — the charge computed from the published price list
  and the owner's consent before work starts (R-M8-08 b);
- :class:`MaterialUse`, :class:`RepairPhoto`, :class:`NextVisit` (R-M8-08 c, R-M8-09, R-M8-12);
- :class:`PriceList` / :class:`PriceItem` — 公示 price list per project (R-M8-15, R-M8-16);
- :class:`Receipt` / :class:`CashHandover` — numbered receipt, payment, cash handed to the cashier
  (R-M8-08 e, g);
- :class:`RepairRating` — quality and attitude satisfaction of a repair return visit (R-M8-07).

Writes go only through apps.repairs.actions; the work order, the price list and the receipt keep a
history row of every change (who and why).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.files import UuidPath, private_storage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DispatchMode(models.TextChoices):
    ASSIGN = "assign", _("调度员指派")
    POOL = "pool", _("抢单池")
    ROUND_ROBIN = "round_robin", _("部门内轮派")


class LocationKind(models.TextChoices):
    HOUSEHOLD = "household", _("户内")
    COMMON = "common", _("公共区域")


class PriceItemKind(models.TextChoices):
    SERVICE = "service", _("服务项目")
    MATERIAL = "material", _("材料")


class ConsentAnswer(models.TextChoices):
    AGREED = "agreed", _("同意")
    DECLINED = "declined", _("不同意")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("未付款")
    PAID = "paid", _("已付款")
    VOID = "void", _("已作废")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    CARD = "card", _("刷卡")
    TRANSFER = "transfer", _("转账")


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("维修前")
    AFTER = "after", _("维修后")


# 上门服务规范检查表 on the job record (R-M8-08 f, R-M8-11, R-M8-12, R-M8-14 — interpretation): key, label,
# rule. The site cleaned and the tools counted are required at completion; any other item not done is
# flagged on the order and needs the worker's explanation (``RepairOrder.checklist_note``).
SITE_CHECKLIST: tuple[tuple[str, StrOrPromise, str], ...] = (
    ("uniform_badge", _("着装整洁、佩戴工牌、礼貌用语"), "R-M8-14"),
    ("entered_with_consent", _("轻敲门/按门铃，经同意后进入"), "R-M8-14"),
    ("shoe_covers_mat", _("穿鞋套、铺垫布"), "R-M8-14"),
    ("no_gifts", _("未吃喝、未抽业主的东西，未接受任何物品、礼金、小费"), "R-M8-14"),
    ("no_smoking_snacks", _("工作中不吸烟、不吃零食、不嚼口香糖"), "R-M8-14"),
    ("no_conflict", _("未与住户发生争执"), "R-M8-14"),
    ("respect_habits", _("尊重住户生活习惯，尽量减少打扰"), "R-M8-14"),
    ("phone_with_permission", _("未使用住户电话，或仅经同意为本次维修使用"), "R-M8-08 f"),
    ("leave_politely", _("请住户签名确认后礼貌道别离开"), "R-M8-14"),
    ("site_cleaned", _("工完、料净、场地清，物品复位"), "R-M8-11"),
    ("tools_counted", _("工具已清点，无遗留现场"), "R-M8-12"),
)


class RepairRule(models.Model):
    """报修类别规则: how a repair category is dispatched and whether it is urgent at intake.

    ``company``/``project`` empty = the shipped default; a project row beats a company row beats
    the default (issue 6 item 2). ``department_kind`` names the department that gets the order."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey("tickets.Category", on_delete=models.CASCADE, related_name="repair_rules",
                                 verbose_name=_("报修类别"))
    dispatch_mode = models.CharField(_("派单方式"), max_length=20, choices=DispatchMode.choices,
                                     default=DispatchMode.ASSIGN)
    department_kind = models.CharField(_("责任部门类型"), max_length=20, default="engineering")
    urgent_by_default = models.BooleanField(_("默认紧急"), default=False,
                                            help_text=_("水、电、气、电梯等急迫性报修"))
    certificate_required = models.BooleanField(
        _("须持证上岗"), default=False,
        help_text=_("如电工、燃气作业，只能派给证书在有效期内的人员"))

    class Meta:
        verbose_name = _("报修类别规则")
        verbose_name_plural = _("报修类别规则")
        constraints = [
            models.UniqueConstraint(fields=["company", "project", "category"], name="repairs_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.get_dispatch_mode_display()}"


class RepairOrder(models.Model):
    """工程维修工作单 — the repair-specific record of one ticket (R-M8-02, R-M8-08, R-M8-09)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="repair_order")
    location_kind = models.CharField(_("报修位置"), max_length=20, choices=LocationKind.choices,
                                     default=LocationKind.HOUSEHOLD)
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    dispatch_mode = models.CharField(_("派单方式"), max_length=20, choices=DispatchMode.choices,
                                     default=DispatchMode.ASSIGN)
    steward = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("楼宇管家"),
                                help_text=_("派工单上的管家：所在楼栋的管家，派工时记录并通知"))
    agreed_visit_at = models.DateTimeField(_("约定上门时间"), null=True, blank=True, help_text=_("与业主约定的上门时间，到场时限按约定时间计算"))
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    diagnosis = models.TextField(_("故障诊断"), blank=True)
    chargeable = models.BooleanField(_("是否收费"), null=True, blank=True,
                                     help_text=_("空 = 尚未判断；收费项目须先向业主说明并经同意"))
    work_started_at = models.DateTimeField(_("开工时间"), null=True, blank=True)
    labour_hours = models.DecimalField(_("工时（小时）"), max_digits=6, decimal_places=2, null=True, blank=True)
    completed_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("维修人员"))
    late_explanation = models.TextField(_("未能当天完成的原因（已向业主说明）"), blank=True,
                                        help_text=_("一般维修2小时内完成，当天未能完成的须向业主说明原因"))
    # R-M8-04 / AS-22: "其他简单维修 1个工作日，最多2个工作日" — the target is the ticket's complete
    # deadline, this is the latest the repair may take (fixed at intake, like every deadline)
    hard_limit_at = models.DateTimeField(_("最迟完工时限"), null=True, blank=True,
                                         help_text=_("完成时限之外允许的最迟完工时间，约定再次上门不得晚于此时间"))
    # owner acceptance (R-M8-08 e, R-M8-09, R-M8-13)
    signature = models.FileField(_("业主签名"), upload_to=UuidPath("repairs/signatures"), storage=private_storage,
                                 blank=True)
    signed_name = models.CharField(_("签名人"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    quality_ok = models.BooleanField(_("验收合格"), null=True, blank=True, help_text=_("功能性维修须恢复原有功能"))
    # R-M8-13: a cosmetic repair shows no colour difference or unevenness and fits the original (None = no
    # cosmetic work); checked by the worker with the owner at acceptance
    cosmetic_ok = models.BooleanField(_("外观验收合格"), null=True, blank=True,
                                      help_text=_("外观修复须无色差、无凹凸不平，与原有协调；不涉及外观留空"))
    refused_at = models.DateTimeField(_("拒签时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("拒签原因"), blank=True)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    checklist = models.JSONField(_("上门服务规范检查"), default=dict, blank=True,
                                 help_text=_("上门服务规范各项的检查结果"))
    checklist_note = models.TextField(_("未做到的规范项说明"), blank=True,
                                      help_text=_("上门服务规范有未做到的项目时，须说明原因"))
    wiring_changed = models.BooleanField(_("改动了原有线路/装修"), default=False)
    wiring_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("同意改动的工程部经理"),
                                           help_text=_("不得擅自改动原有线路；确需改动的须经工程部经理同意"))
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工程维修工作单")
        verbose_name_plural = _("工程维修工作单")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["worker", "completed_at"], name="repairs_order_worker_done")]

    def __str__(self) -> str:
        return f"{self.ticket.number}"

    @property
    def quote_total(self) -> Decimal:
        return sum((line.amount for line in self.charge_lines.all()), Decimal("0.00"))

    @property
    def consent(self) -> ChargeConsent | None:
        return self.consents.order_by("-at", "-id").first()

    @property
    def hard_limit_met(self) -> bool | None:
        """AS-22: completed by the hard limit (None while open or without one)."""
        if self.hard_limit_at is None or self.completed_at is None:
            return None
        return self.completed_at <= self.hard_limit_at

    @property
    def accepted(self) -> bool:
        return self.signed_at is not None


class PriceList(models.Model):
    """有偿/特约服务价目表 (R-M8-15 明码标价, R-M8-16 公示): one per project and period, published
    (``published_at``) before it applies; owners see it at /repairs/prices/<project code>/."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="price_lists",
                                verbose_name=_("项目"))
    name = models.CharField(_("名称"), max_length=100, default="有偿服务收费价目表")
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="next_version", verbose_name=_("上一版本"))
    superseded_at = models.DateTimeField(_("被新版本取代时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收费价目表")
        verbose_name_plural = _("收费价目表")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.project} {self.name} {self.effective_from}"

    @property
    def frozen(self) -> bool:
        """A published list is frozen: a change is a new version (R-M8-16)."""
        return self.published_at is not None


class PriceItem(models.Model):
    """价目表中的一项: name, unit, unit price (materials are listed here too, R-M8-12)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=PriceItemKind.choices, default=PriceItemKind.SERVICE)
    unit = models.CharField(_("单位"), max_length=20)
    unit_price = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=2)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["price_list", "code"], name="repairs_price_item_code")]

    def __str__(self) -> str:
        return f"{self.name} ¥{self.unit_price}/{self.unit}"


class ChargeLine(models.Model):
    """收费明细 (有偿维修服务计费明细, R-M8-15(2)): quantity × the listed unit price — never typed."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="charge_lines")
    item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("项目"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("单价"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("收费明细")
        verbose_name_plural = _("收费明细")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity} = ¥{self.amount}"


class ChargeConsent(models.Model):
    """业主对收费的确认 (R-M8-08 b): who agreed, when, to what amount, after what explanation."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="consents")
    answer = models.CharField(_("业主意见"), max_length=20, choices=ConsentAnswer.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    explanation = models.TextField(_("向业主说明的收费原因"))
    owner_name = models.CharField(_("业主/住户"), max_length=50)
    at = models.DateTimeField(_("确认时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("已报告负责人"))

    class Meta:
        verbose_name = _("收费确认")
        verbose_name_plural = _("收费确认")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.owner_name} {self.get_answer_display()} ¥{self.amount}"


class MaterialUse(models.Model):
    """材料使用登记 (R-M8-09, R-M8-12): a material of the project's published list (``item``, charged
    at the listed price when the repair is chargeable) or any other material used, by name and unit
    (``item`` empty: common, spare and consumable stock — every material used is logged, not only
    those with a price). ``name`` and ``unit`` are stored either way (the register reads them)."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="materials")
    item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("材料名称"), max_length=100, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("材料使用")
        verbose_name_plural = _("材料使用")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}{self.unit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.item is not None and not self.name:
            self.name, self.unit = self.item.name, self.item.unit
        super().save(*args, **kwargs)


class RepairPhoto(models.Model):
    """维修前/后照片."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="photos")
    phase = models.CharField(_("阶段"), max_length=10, choices=PhotoPhase.choices)
    file = models.FileField(_("照片"), upload_to=UuidPath("repairs/photos"), storage=private_storage)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("维修照片")
        verbose_name_plural = _("维修照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.uploaded_at:%Y-%m-%d %H:%M}"


class NextVisit(models.Model):
    """约定再次上门 (R-M8-08 c): the problem could not be solved this time."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="next_visits")
    agreed_at = models.DateTimeField(_("约定上门时间"))
    reason = models.TextField(_("未能解决的原因（已向业主说明）"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("约定再次上门")
        verbose_name_plural = _("约定再次上门")
        ordering = ["agreed_at", "id"]

    def __str__(self) -> str:
        return f"{self.agreed_at:%Y-%m-%d %H:%M}"


class ReceiptCounter(models.Model):
    """Gapless receipt numbers per project and year (same upsert idea as tickets numbering)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="repairs_receipt_counter")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year} #{self.last}"


class Receipt(models.Model):
    """收费收据 (R-M8-08 e): numbered, printable; the amount is the agreed charge."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="receipts")
    number = models.CharField(_("收据编号"), max_length=40, unique=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(_("开具时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("付款状态"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.UNPAID)
    method = models.CharField(_("付款方式"), max_length=20, choices=PaymentMethod.choices, blank=True)
    payer_name = models.CharField(_("付款人"), max_length=50, blank=True)
    paid_at = models.DateTimeField(_("收款时间"), null=True, blank=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("收款人"))
    handover = models.ForeignKey("CashHandover", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="receipts", verbose_name=_("现金交接"))
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收据")
        verbose_name_plural = _("收据")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=~Q(status="void"), name="repairs_receipt_one_live"),
        ]

    def __str__(self) -> str:
        return self.number


class CashHandover(models.Model):
    """现金交接 (R-M8-08 g): the technician hands the collected cash to the cashier; the amount must
    equal the cash receipts handed over (a discrepancy is refused)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("交款人"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("收款人（出纳）"))
    at = models.DateTimeField(_("交接时间"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("现金交接")
        verbose_name_plural = _("现金交接")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} ¥{self.amount}"


class RepairRating(models.Model):
    """维修回访评价 (R-M8-07): quality and attitude satisfaction of one return visit (cycle)."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="ratings")
    return_visit = models.OneToOneField("tickets.ReturnVisit", on_delete=models.PROTECT, related_name="repair_rating")
    cycle = models.PositiveIntegerField(default=0)
    quality = models.CharField(_("维修质量满意度"), max_length=20)
    attitude = models.CharField(_("服务态度满意度"), max_length=20)
    working_well = models.BooleanField(_("使用正常"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("维修回访评价")
        verbose_name_plural = _("维修回访评价")
        ordering = ["cycle", "id"]

    def __str__(self) -> str:
        return f"{self.quality}/{self.attitude}"


class ShiftHandover(models.Model):
    """交接班 (R-M8-10): an electrical fault not solved within the shift goes to the next shift only
    with the leader's consent — who handed, to whom, who consented, why, when."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="shift_handovers")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("交班人"))
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("接班人"))
    consented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("同意的负责人"))
    reason = models.TextField(_("未能在本班解决的原因"))
    at = models.DateTimeField(_("交接时间"))

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


class RepairSettings(models.Model):
    """报修设置 per company (``project`` empty), a project row overrides it — changed on the settings
    pages (apps.org.settings_registry):

    - ``agreed_arrival_tolerance_minutes`` (R-M8-03 rule set C, issue 23 item 5): an agreed visit
      time's arrival deadline is that time plus this tolerance (default 0, AS-21);
    - the repair measures' targets (R-M5-13, POLICY P-30): on-time arrival and completion 99 %,
      quality and return visits 100 %.
    """

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="repair_settings")
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="repair_settings", verbose_name=_("项目（留空=全公司）"))
    agreed_arrival_tolerance_minutes = models.PositiveSmallIntegerField(_("约定上门时间的宽限（分钟）"), default=0)
    arrival_target_pct = models.DecimalField(_("到场及时率目标（%）"), max_digits=5, decimal_places=2,
                                             default=Decimal("99"))
    completion_target_pct = models.DecimalField(_("完成及时率目标（%）"), max_digits=5, decimal_places=2,
                                                default=Decimal("99"))
    quality_target_pct = models.DecimalField(_("维修合格率目标（%）"), max_digits=5, decimal_places=2,
                                             default=Decimal("100"))
    return_visit_target_pct = models.DecimalField(_("回访率目标（%）"), max_digits=5, decimal_places=2,
                                                  default=Decimal("100"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报修设置")
        verbose_name_plural = _("报修设置")
        constraints = [
            models.UniqueConstraint(fields=["company", "project"], name="repairs_settings_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(project=None), name="repairs_settings_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.company} · 报修设置"

    def clean(self) -> None:
        for name in ("arrival_target_pct", "completion_target_pct", "quality_target_pct", "return_visit_target_pct"):
            value = getattr(self, name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                raise ValidationError({name: _("目标值须在0–100之间")})
        if self.project is not None and self.company_id and self.project.company_id != self.company_id:
            raise ValidationError({"project": _("项目不属于该公司")})


class ConsentKind(models.TextChoices):
    HANDOVER = "handover", _("交接班")
    WIRING = "wiring", _("改动原有线路/装修")
    MAJOR = "major", _("重大问题上报")


class LeaderConsent(models.Model):
    """负责人同意 (R-M8-10 交接班, R-M8-11 改动线路): the worker asks, the leader decides on the work
    order page or the API — the consent is the leader's own act, recorded with who and when, never a
    name the worker picks. An approved hand-over makes the new 派工单 at once (by the leader); an
    approved wiring change lets the worker complete the repair with the change."""

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="leader_consents")
    kind = models.CharField(_("事项"), max_length=20, choices=ConsentKind.choices)
    reason = models.TextField(_("原因/改动内容"))
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("接班人"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("负责人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    approved = models.BooleanField(_("同意"), null=True, blank=True)
    note = models.CharField(_("负责人意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("负责人同意")
        verbose_name_plural = _("负责人同意")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], condition=Q(decided_at=None),
                                               name="repairs_consent_one_pending")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class RequisitionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class MaterialRequisition(models.Model):
    """材料申购单 (R-M8-12): the engineering staff ask the 物业管理部 in time for common, spare and
    consumable materials (tubes, bulbs, sockets, switches, starters, insulating tape…), so that work is
    never held up and stock is not excessive. Each line states what is still in stock; the decider sees
    what the project used of it lately (the consumption register, :class:`MaterialUse`)."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    reason = models.CharField(_("申购原因"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    status = models.CharField(_("状态"), max_length=20, choices=RequisitionStatus.choices,
                              default=RequisitionStatus.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("材料申购单")
        verbose_name_plural = _("材料申购单")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="repairs_requisition_status")]

    def __str__(self) -> str:
        return f"{self.project} {self.requested_at:%Y-%m-%d} {self.get_status_display()}"


class RequisitionLine(models.Model):
    """申购单的一项: material, unit, quantity asked for, quantity still in stock."""

    requisition = models.ForeignKey(MaterialRequisition, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(_("材料名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    quantity = models.DecimalField(_("申购数量"), max_digits=10, decimal_places=2)
    in_stock = models.DecimalField(_("现有库存"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("申购明细")
        verbose_name_plural = _("申购明细")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}{self.unit}"
