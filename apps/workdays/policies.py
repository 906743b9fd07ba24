"""Limit policies as data: vocabulary, the SPEC default rule sets, and the pure evaluation of one
policy row (no database here; the rows live in :mod:`apps.workdays.models`, seeded from
:data:`DEFAULT_RULE_SETS` by a data migration).

A *rule set* belongs to one *concern* (which part of the procedures it answers); a company picks
one rule set per concern (project override allowed):

============  ===================================================  ==========================
concern       rule sets                                            SPEC
============  ===================================================  ==========================
reply         A (default) · B 业委会书面平台 · C 004 服务标准        P-01, R-M2-05, R-M1-04/P-22
online        P-06 网上投诉 (default)                               P-06, R-M2-11
general       通用 (acknowledge/respond/report/return visit)       P-03, R-M2-07, R-M2-19, R-M4-04, R-M4-11, T-13
arrival       A 15/30 min (default) · B 10/20 min · C 25 min       P-14, R-M8-03
completion    制度10 (default) · 制度11 · 制度9                     P-15, R-M8-04…R-M8-06
repair_return 48 h (default) · 3天                                  P-16, R-M8-07
============  ===================================================  ==========================

Rows are keyed by (kind, channel, reply class, urgency, category code, stage); an empty key
matches anything and the most specific matching row wins (channel > category > kind > reply
class > urgency); on a tie the earlier concern in :data:`CONCERN_ORDER` wins (so rule set C's
"4 working days for online too" beats the P-06 online rule, as SPEC's table says).

Rule set A: tickets arriving through the 业委会 written platform (channel ``owners_committee``)
use rule set B's 3 working days (P-01 "A project may combine them").
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.workdays import calendar as wc

# ---------------------------------------------------------------------- vocabulary
# Stages (same codes as apps.tickets.choices.Stage; kept here so this module stays import-light).
ACKNOWLEDGE, RESPOND, REPLY, ARRIVE, COMPLETE, RETURN_VISIT, REPORT = (
    "acknowledge", "respond", "reply", "arrive", "complete", "return_visit", "report")
STAGES: dict[str, Any] = {
    ACKNOWLEDGE: _("受理确认"), RESPOND: _("响应处理"), REPLY: _("回复业主"), ARRIVE: _("到场"), COMPLETE: _("完成"),
    RETURN_VISIT: _("回访"), REPORT: _("上报"),
}

# Clock types.
WORKING_DAYS = "working_days"  # T-04 (amount < 1: fraction of a working day, T-12)
WORKING_HOURS = "working_hours"
SAME_DAY = "same_day"  # T-05 with P-02
SAME_DAY_ROLLOVER = "same_day_rollover"  # P-06 / R-M2-11(b): same day, or the day work resumes
CLOCK_HOURS = "clock_hours"  # T-06
CLOCK_MINUTES = "clock_minutes"  # T-06
CALENDAR_DAYS = "calendar_days"  # T-07 with P-28
MONTH_END = "month_end"  # R-M8-06 monthly batch
NONE = "none"  # T-13 立即/及时: no hard limit (P-31 soft target)
CLOCKS: dict[str, Any] = {
    WORKING_DAYS: _("工作日"), WORKING_HOURS: _("工作小时"), SAME_DAY: _("当日内"), SAME_DAY_ROLLOVER: _("当日内（非工作时间顺延至上班当天）"),
    CLOCK_HOURS: _("小时（自然时）"), CLOCK_MINUTES: _("分钟（自然时）"), CALENDAR_DAYS: _("天（自然日）"), MONTH_END: _("当月月底（每月一批）"),
    NONE: _("立即/及时（无硬性时限）"),
}

# Concerns, in tie-break order.
REPLY_CONCERN, ONLINE_CONCERN, GENERAL_CONCERN = "reply", "online", "general"
ARRIVAL_CONCERN, COMPLETION_CONCERN, REPAIR_RETURN_CONCERN = "arrival", "completion", "repair_return"
CONCERNS: dict[str, Any] = {
    REPLY_CONCERN: _("投诉回复时限"), ONLINE_CONCERN: _("网上投诉时限"), GENERAL_CONCERN: _("通用时限"),
    ARRIVAL_CONCERN: _("报修到场时限"), COMPLETION_CONCERN: _("报修完成时限"),
    REPAIR_RETURN_CONCERN: _("报修回访时限"),
}
CONCERN_ORDER: tuple[str, ...] = tuple(CONCERNS)

# Repair categories (the repairs app creates Category rows with exactly these codes).
REPAIR_WATER, REPAIR_POWER, REPAIR_GAS, REPAIR_LIFT = "repair_water", "repair_power", "repair_gas", "repair_lift"
REPAIR_POWER_OUTAGE, REPAIR_LIGHTING, REPAIR_WIRING = "repair_power_outage", "repair_lighting", "repair_wiring"
REPAIR_TAP, REPAIR_PIPE, REPAIR_DRAIN, REPAIR_DRAIN_COMPLEX = "repair_tap", "repair_pipe", "repair_drain", "repair_drain_complex"
REPAIR_DOORS_FURNITURE, REPAIR_PUBLIC_GLASS_DOORS = "repair_doors_furniture", "repair_public_glass_doors"
REPAIR_COMPLEX, REPAIR_WALLS, REPAIR_GENERAL, REPAIR_SPECIAL = "repair_complex", "repair_walls", "repair_general", "repair_special"
REPAIR_CLASSES: dict[str, Any] = {
    REPAIR_WATER: _("水（急修）"),
    REPAIR_POWER: _("电（急修）"),
    REPAIR_GAS: _("气（急修）"),
    REPAIR_LIFT: _("电梯"),
    REPAIR_POWER_OUTAGE: _("外部停电（发电机）"),
    REPAIR_LIGHTING: _("照明故障（灯管、镇流器、启辉器、开关、灯座）"),
    REPAIR_WIRING: _("线路及其他复杂照明故障"),
    REPAIR_TAP: _("阀门、水龙头漏水"),
    REPAIR_PIPE: _("管道故障及其他复杂问题"),
    REPAIR_DRAIN: _("下水道堵塞"),
    REPAIR_DRAIN_COMPLEX: _("下水道堵塞（复杂）"),
    REPAIR_DOORS_FURNITURE: _("门、锁、台、椅等简单维修"),
    REPAIR_PUBLIC_GLASS_DOORS: _("公共区域玻璃、门窗配件"),
    REPAIR_COMPLEX: _("复杂维修"),
    REPAIR_WALLS: _("墙面、天花、楼梯、散水（每月一批）"),
    REPAIR_GENERAL: _("一般维修"),
    REPAIR_SPECIAL: _("其他特殊问题（视情况而定）"),
}
URGENT_UTILITIES: frozenset[str] = frozenset({REPAIR_WATER, REPAIR_POWER, REPAIR_GAS, REPAIR_POWER_OUTAGE})

# Company settings (P-02, P-03, P-26, P-27, P-28, P-31) with their defaults.
SAME_DAY_MODES = {wc.LITERAL: "按受理当日（字面）", wc.ROLLOVER: "非工作时间顺延至上班当天"}
END_OF_CHOICES = {wc.MIDNIGHT: "当日 23:59:59", wc.WORK_END: "下班时间"}


@dataclass(frozen=True)
class Settings:
    """Deadline settings of a project (company default, project override)."""

    same_day_mode: str = wc.LITERAL  # P-02
    response_on: bool = True  # P-03
    start_day_counts: bool = False  # P-26
    end_of: str = wc.MIDNIGHT  # P-27
    roll_rest_days: bool = False  # P-28
    soft_target_hours: Decimal | None = None  # P-31


# ---------------------------------------------------------------------- default rule sets
@dataclass(frozen=True)
class Row:
    stage: str
    clock: str
    amount: Decimal | int | float = 0
    rule: str = ""
    kind: str = ""
    channel: str = ""
    reply_class: str = ""
    urgency: str = ""
    category: str = ""


@dataclass(frozen=True)
class RuleSetSeed:
    code: str
    concern: str
    name: str
    source: str
    is_default: bool
    rows: tuple[Row, ...] = field(default_factory=tuple)


C = "complaint"
# T-08 / AS-22: "一周内" from a timestamp is 7×24 h (2025-10-10 17:00 → 2025-10-17 17:00)
WEEK_HOURS = 168
WIRING_RULE = "制度10 线路等复杂故障 一周内（7×24小时）"
COMPLEX_RULE = "制度10 复杂维修 一周内（7×24小时）"
_B_RULE = "规则B 业委会书面平台 3个工作日"


DEFAULT_RULE_SETS: tuple[RuleSetSeed, ...] = (
    RuleSetSeed("reply_a", REPLY_CONCERN, "规则A 万科投诉处理程序", "002 篇3/篇4 §5.2.3.2", True, (
        Row(REPLY, SAME_DAY, 0, "规则A 口头 当日内", kind=C, reply_class="oral"),
        Row(REPLY, WORKING_DAYS, 2, "规则A 邮件 2个工作日", kind=C, reply_class="email"),
        Row(REPLY, WORKING_DAYS, 2, "规则A 书面 2个工作日", kind=C, reply_class="written"),
        Row(REPLY, WORKING_DAYS, 3, _B_RULE, kind=C, channel="owners_committee"),
    )),
    RuleSetSeed("reply_b", REPLY_CONCERN, "规则B 业委会书面平台（书面3个工作日，其余同规则A）", "002 篇1", False, (
        Row(REPLY, SAME_DAY, 0, "规则B未规定，同规则A 口头 当日内", kind=C, reply_class="oral"),
        Row(REPLY, WORKING_DAYS, 2, "规则B未规定，同规则A 邮件 2个工作日", kind=C, reply_class="email"),
        Row(REPLY, WORKING_DAYS, 3, _B_RULE, kind=C, reply_class="written"),
        Row(REPLY, WORKING_DAYS, 3, _B_RULE, kind=C, channel="owners_committee"),
    )),
    RuleSetSeed("reply_c", REPLY_CONCERN, "规则C 004 服务标准（全部4个工作日）", "004 制度9 #8", False, (
        Row(REPLY, WORKING_DAYS, 4, "规则C 4个工作日", kind=C),
        # one row per class so rule set C also beats the P-06 online row (same specificity, reply first)
        *(Row(REPLY, WORKING_DAYS, 4, "规则C 4个工作日", kind=C, reply_class=rc)
          for rc in ("oral", "email", "written", "online")),
    )),
    RuleSetSeed("online_p06", ONLINE_CONCERN, "网上投诉（4小时礼节性回复，当日/上班当天措施，1个工作日回应）", "000; 002 §5.2.3.3",
                True, (
        Row(ACKNOWLEDGE, CLOCK_HOURS, 4, "网上投诉 4小时内礼节性回复", kind=C, reply_class="online"),
        Row(REPLY, SAME_DAY_ROLLOVER, 0, "网上投诉 当日内/上班后当天内回复处理措施", kind=C,
            reply_class="online"),
        Row(RESPOND, WORKING_DAYS, 1, "网上投诉 1个工作日内回应", kind=C, reply_class="online"),
    )),
    RuleSetSeed("general", GENERAL_CONCERN, "通用时限", "000; 002", True, (
        Row(ACKNOWLEDGE, NONE, 0, "立即受理告知", kind=C),
        Row(RESPOND, WORKING_DAYS, 1, "1个工作日内处理回应", kind=C),
        Row(REPORT, WORKING_DAYS, 1, "1个工作日内将处理措施报品质管理部", kind=C),
        Row(RETURN_VISIT, NONE, 0, "验证通过后及时回访", kind=C),
        Row(RETURN_VISIT, NONE, 0, "建议：指定专人回访", kind="suggestion"),
        Row(RETURN_VISIT, NONE, 0, "需求：指定专人回访", kind="need"),
        Row(RETURN_VISIT, NONE, 0, "有偿维修由前台回访", kind="paid_service"),
    )),
    RuleSetSeed("arrival_a", ARRIVAL_CONCERN, "A 急修15分钟 / 其他30分钟", "004 制度9 #8", True, (
        Row(ARRIVE, CLOCK_MINUTES, 30, "规则A 其他报修 30分钟到场", kind="repair"),
        Row(ARRIVE, CLOCK_MINUTES, 15, "规则A 急迫性报修 15分钟到场", kind="repair", urgency="urgent"),
        *(Row(ARRIVE, CLOCK_MINUTES, 15, "规则A 水电气急修 15分钟到场", kind="repair", category=c)
          for c in sorted(URGENT_UTILITIES)),
    )),
    RuleSetSeed("arrival_b", ARRIVAL_CONCERN, "B 紧急10分钟 / 一般20分钟", "004 制度10 二", False, (
        Row(ARRIVE, CLOCK_MINUTES, 20, "规则B 一般情况 20分钟到场", kind="repair"),
        Row(ARRIVE, CLOCK_MINUTES, 10, "规则B 紧急情况 10分钟到场", kind="repair", urgency="urgent"),
    )),
    RuleSetSeed("arrival_c", ARRIVAL_CONCERN, "C 25分钟或与业主约定时间", "004 制度11 #2", False, (
        Row(ARRIVE, CLOCK_MINUTES, 25, "规则C 25分钟到场", kind="repair"),
    )),
    RuleSetSeed("completion_10", COMPLETION_CONCERN, "制度10 维修完成时限表", "004 制度10 四", True, (
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 其他简单维修 1个工作日", kind="repair"),
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 照明故障 1个工作日", kind="repair", category=REPAIR_LIGHTING),
        Row(COMPLETE, CLOCK_HOURS, WEEK_HOURS, WIRING_RULE, kind="repair", category=REPAIR_WIRING),
        Row(COMPLETE, WORKING_DAYS, Decimal("0.5"), "制度10 阀门水龙头漏水 半个工作日", kind="repair",
            category=REPAIR_TAP),
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 管道故障 1个工作日", kind="repair", category=REPAIR_PIPE),
        Row(COMPLETE, WORKING_DAYS, Decimal("0.5"), "制度10 下水道堵塞 半个工作日", kind="repair",
            category=REPAIR_DRAIN),
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 下水道堵塞（复杂）1个工作日", kind="repair",
            category=REPAIR_DRAIN_COMPLEX),
        Row(COMPLETE, CLOCK_MINUTES, 10, "制度10 外部停电 10分钟内启动发电机", kind="repair",
            category=REPAIR_POWER_OUTAGE),
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 门锁台椅等简单维修 1个工作日", kind="repair",
            category=REPAIR_DOORS_FURNITURE),
        Row(COMPLETE, CLOCK_HOURS, WEEK_HOURS, COMPLEX_RULE, kind="repair", category=REPAIR_COMPLEX),
        Row(COMPLETE, WORKING_DAYS, 1, "制度10 其他简单维修 1个工作日（最多2个工作日）", kind="repair",
            category=REPAIR_GENERAL),
        Row(COMPLETE, NONE, 0, "制度10 其他特殊问题 视情况而定", kind="repair", category=REPAIR_SPECIAL),
    )),
    RuleSetSeed("completion_11", COMPLETION_CONCERN, "制度11 一般2小时 / 特别困难72小时", "004 制度11 #2", False, (
        Row(COMPLETE, CLOCK_HOURS, 2, "制度11 一般维修 2小时内", kind="repair"),
        Row(COMPLETE, CLOCK_HOURS, 2, "制度11 一般维修 2小时内", kind="repair", category=REPAIR_GENERAL),
        Row(COMPLETE, CLOCK_HOURS, 72, "制度11 特别困难 72小时内", kind="repair", category=REPAIR_COMPLEX),
        Row(COMPLETE, NONE, 0, "制度11 需特殊工艺 视情况而定", kind="repair", category=REPAIR_SPECIAL),
    )),
    RuleSetSeed("completion_9", COMPLETION_CONCERN, "制度9 公共区域维修", "004 制度9 #13.5", False, (
        Row(COMPLETE, WORKING_DAYS, 2, "制度9 公共区域玻璃门窗 2个工作日", kind="repair",
            category=REPAIR_PUBLIC_GLASS_DOORS),
        Row(COMPLETE, CALENDAR_DAYS, 2, "制度9 一般照明故障 两天", kind="repair", category=REPAIR_LIGHTING),
        Row(COMPLETE, WORKING_DAYS, 5, "制度9 其他照明故障 5个工作日", kind="repair", category=REPAIR_WIRING),
        Row(COMPLETE, MONTH_END, 0, "制度9 墙面天花 每月一批", kind="repair", category=REPAIR_WALLS),
    )),
    RuleSetSeed("repair_return_48h", REPAIR_RETURN_CONCERN, "48小时内回访", "004 制度9 #8", True, (
        Row(RETURN_VISIT, CLOCK_HOURS, 48, "制度9 48小时内回访", kind="repair"),
    )),
    RuleSetSeed("repair_return_3d", REPAIR_RETURN_CONCERN, "3天内电话回访", "004 制度12 #12", False, (
        Row(RETURN_VISIT, CALENDAR_DAYS, 3, "制度12 3天内电话回访", kind="repair"),
    )),
)


PAID = "paid_service"
_ZHIDU9_CATEGORIES = frozenset({REPAIR_PUBLIC_GLASS_DOORS, REPAIR_LIGHTING, REPAIR_WIRING, REPAIR_WALLS})


def _completion_9_household_rows() -> tuple[Row, ...]:
    """R-M8-06 / P-15: 制度9 covers common areas only; the repairs it does not name (taps, pipes,
    drains, doors, …) keep the 制度10 table, so choosing 制度9 never leaves a repair without a limit."""
    ten = next(s for s in DEFAULT_RULE_SETS if s.code == "completion_10")
    return tuple(dataclasses.replace(r, rule=f"{r.rule}（制度9未规定，沿用制度10）"[:200])
                 for r in ten.rows if r.category not in _ZHIDU9_CATEGORIES)


_ZHIDU10_UNNAMED_COMMON = frozenset({REPAIR_PUBLIC_GLASS_DOORS, REPAIR_WALLS})


def _completion_10_common_area_rows() -> tuple[Row, ...]:
    """R-M8-06 / P-15: 制度10 names no limit for public glass, doors and window fittings or for walls,
    ceilings, stairs and aprons; the common-area table of 制度9 gives them (2 working days; one batch each
    month), so under the default rule set they no longer fall back to the generic 1 working day."""
    nine = next(s for s in DEFAULT_RULE_SETS if s.code == "completion_9")
    return tuple(dataclasses.replace(r, rule=f"{r.rule}（制度10未规定，按制度9公共区域）"[:200])
                 for r in nine.rows if r.category in _ZHIDU10_UNNAMED_COMMON)


def _paid_service_rows(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """R-M8-15: a paid service (有偿服务) is a repair done for a fee — the same arrival and completion
    limits apply (interpretation: the seeds give paid services no limits of their own)."""
    return tuple(dataclasses.replace(r, kind=PAID, rule=f"{r.rule}（有偿服务同）"[:200]) for r in rows if r.kind == "repair")


def _extended(seed: RuleSetSeed) -> RuleSetSeed:
    rows = seed.rows
    if seed.code == "completion_9":
        rows = rows + _completion_9_household_rows()
    if seed.code == "completion_10":
        rows = rows + _completion_10_common_area_rows()
    if seed.concern in (ARRIVAL_CONCERN, COMPLETION_CONCERN):
        rows = rows + _paid_service_rows(rows)
    return dataclasses.replace(seed, rows=rows)


DEFAULT_RULE_SETS = tuple(_extended(s) for s in DEFAULT_RULE_SETS)

# ---------------------------------------------------------------------- matching and evaluation
def specificity(row: Row) -> int:
    return ((16 if row.channel else 0) + (8 if row.category else 0) + (4 if row.kind else 0)
            + (2 if row.reply_class else 0) + (1 if row.urgency else 0))


def matches(row: Row, *, kind: str, channel: str, reply_class: str, urgency: str, category: str | None,
            stage: str) -> bool:
    return (row.stage == stage and row.kind in ("", kind) and row.channel in ("", channel)
            and row.reply_class in ("", reply_class) and row.urgency in ("", urgency)
            and row.category in ("", category or ""))


def evaluate(clock: str, amount: Decimal | int | float, start: dt.datetime, cal: wc.WorkCalendar,
             settings: Settings) -> tuple[dt.datetime | None, bool]:
    """The due moment of one policy row (T-04…T-13). ``None`` for a T-13 item without a soft target."""
    a = Decimal(str(amount))
    if clock == WORKING_DAYS:
        if a != a.to_integral_value():
            if a > 1:
                raise ValueError("工作日数只能是整数或小于1的分数（如 0.5 = 半个工作日）")
            return wc.add_working_day_fraction(start, float(a), cal)
        return wc.add_working_days_p(start, int(a), cal, start_day_counts=settings.start_day_counts,
                                     end_of=settings.end_of)
    if clock == WORKING_HOURS:
        return wc.add_working_hours(start, float(a), cal)
    if clock == SAME_DAY:
        return wc.end_of_same_day(start, cal, mode=settings.same_day_mode)
    if clock == SAME_DAY_ROLLOVER:
        return wc.end_of_same_day(start, cal, mode=wc.ROLLOVER)
    if clock == CLOCK_HOURS:
        return wc.add_clock_hours(start, float(a), cal)
    if clock == CLOCK_MINUTES:
        return wc.add_clock_hours(start, dt.timedelta(minutes=float(a)), cal)
    if clock == CALENDAR_DAYS:
        return wc.add_calendar_days(start, int(a), cal, roll=settings.roll_rest_days)
    if clock == MONTH_END:
        return wc.end_of_month(start, cal, roll=settings.roll_rest_days)
    if clock == NONE:
        if settings.soft_target_hours:
            return wc.add_clock_hours(start, float(settings.soft_target_hours), cal)
        return None, False
    raise ValueError(f"未知的计时方式 {clock!r}")


def describe(clock: str, amount: Decimal | int | float) -> str:
    """Short Chinese text of a limit: "2个工作日", "15分钟", "当日内"."""
    a = Decimal(str(amount)).normalize()
    n = f"{a:f}"
    return {
        WORKING_DAYS: "半个工作日" if a == Decimal("0.5") else f"{n}个工作日",
        WORKING_HOURS: f"{n}个工作小时", SAME_DAY: "当日内", SAME_DAY_ROLLOVER: "当日内/上班后当天内",
        CLOCK_HOURS: f"{n}小时", CLOCK_MINUTES: f"{n}分钟", CALENDAR_DAYS: f"{n}天", MONTH_END: "当月底前",
        NONE: "立即/及时",
    }.get(clock, clock)


def describe_display(clock: str, amount: Decimal | int | float) -> str:
    """:func:`describe` in the reader's language (``describe`` writes the stored rule texts)."""
    a = Decimal(str(amount)).normalize()
    n = f"{a:f}"
    if clock == WORKING_DAYS:
        return gettext("半个工作日") if a == Decimal("0.5") else gettext("%(n)s个工作日") % {"n": n}
    counted = {WORKING_HOURS: gettext("%(n)s个工作小时"), CLOCK_HOURS: gettext("%(n)s小时"),
               CLOCK_MINUTES: gettext("%(n)s分钟"), CALENDAR_DAYS: gettext("%(n)s天")}
    if clock in counted:
        return counted[clock] % {"n": n}
    fixed = {SAME_DAY: gettext("当日内"), SAME_DAY_ROLLOVER: gettext("当日内/上班后当天内"), MONTH_END: gettext("当月底前"),
             NONE: gettext("立即/及时")}
    return fixed.get(clock, clock)
