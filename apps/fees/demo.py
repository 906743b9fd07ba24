"""Demo fees: fee standards (R-M16-01, -07), the last complete half-year billed in one cycle (R-M16-08),
most households paid by the project's 收银员 (some in part, some not at all, so the arrears ageing has
something to show), a parking charge and one out-of-hours collection awaiting hand-over. Through the
real actions; deterministic for a seed and a "now"."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from apps.estates.models import Household
from apps.fees import actions
from apps.fees.models import Bill, BillStatus
from apps.org.models import Company, Project, ProjectKind, User
from apps.repairs import actions as repairs
from apps.repairs.queries import effective_price_list
from linli import clock


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


def load_demo_fees(company: Company, *, seed: int = 2026, now: dt.datetime | None = None) -> int:
    """Bills of the last complete half-year in each project (the offices of the public building at the
    commercial rate, issue 23 item 3); returns how many payments."""
    rng = random.Random(seed + 16)
    now = now or clock.now()
    paid = 0
    for project in Project.objects.filter(company=company).order_by("pk"):  # residential first, as before
        rate = "2.80" if project.kind == ProjectKind.RESIDENTIAL else "6.50"
        code = project.code.lower()
        manager, cashier, desk = _user(f"csmanager_{code}"), _user(f"cashier_{code}"), _user(f"desk_{code}")
        if manager is None or cashier is None:
            continue
        local = now.astimezone(project.tz)
        start = dt.date(local.year, 1, 1) if local.month >= 7 else dt.date(local.year - 1, 7, 1)
        actions.add_standard(project=project, applies_to="moved_in", contract_ref=f"{project.code}-WY-2024-01",
                             rate=rate, valid_from=dt.date(2024, 1, 1), acting_user=manager, now=now)
        actions.add_standard(project=project, applies_to="not_moved_in", contract_ref=f"{project.code}-WY-2024-01",
                             rate=str(Decimal(rate) / 2), valid_from=dt.date(2024, 1, 1), acting_user=manager, now=now)
        cycle = actions.generate_cycle(project=project, period_start=start, acting_user=manager,
                                       now=dt.datetime.combine(start, dt.time(9), project.tz))
        pay_day = dt.datetime.combine(cycle.due_date - dt.timedelta(days=10), dt.time(10), project.tz)
        for bill in Bill.objects.filter(cycle=cycle).select_related("household").order_by("pk"):
            roll = rng.random()
            if roll < 0.12:
                continue  # arrears
            amount = bill.amount if roll > 0.2 else (bill.amount / 2).quantize(bill.amount)
            actions.record_payment(project=project, household=bill.household, amount=amount,
                                   method=rng.choice(["cash", "wechat", "alipay", "card"]), acting_user=cashier,
                                   now=pay_day + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20)))
            paid += 1
        first = Household.objects.filter(project=project).order_by("pk").first()
        if first is not None:
            # the owner paid what was owed and 300.00 ahead (an explicit prepayment); the parking charge
            # that came later is settled from that balance (预交冲抵), 100.00 stays prepaid
            owed = sum((b.outstanding for b in Bill.objects.filter(household=first).exclude(status=BillStatus.PAID)),
                       Decimal("0.00"))
            actions.record_payment(project=project, household=first, amount=owed + Decimal("300.00"),
                                   prepayment=True, method="wechat", payer="业主本人", acting_user=cashier,
                                   now=pay_day + dt.timedelta(days=1))
            actions.add_charge(project=project, household=first, kind="parking", description="地面停车月卡",
                               amount="200.00", due_date=local.date(), acting_user=manager, now=now)
            actions.apply_prepaid(project=project, household=first, acting_user=cashier, now=now)
        _demo_price_charge(project, _user(f"pm_{code}"), cashier, now)
        if desk is not None:
            _demo_desk(project, desk, manager, now)
        if desk is not None:  # R-M16-13: collected after work, handed over the next working day
            owing = Bill.objects.filter(project=project).exclude(status=BillStatus.PAID).select_related("household").first()
            evening = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(19, 30), project.tz)
            if owing is not None and evening < now:
                owed = sum((b.outstanding for b in Bill.objects.filter(household=owing.household)
                            .exclude(status=BillStatus.PAID)), Decimal("0.00"))
                actions.record_payment(project=project, household=owing.household, amount=min(owed, Decimal("100.00")),
                                       channel="out_of_hours", acting_user=desk, now=evening)
    return paid


def _demo_price_charge(project: Project, pm: User | None, cashier: User, now: dt.datetime) -> None:
    """R-M16-10/-11: the published paid-service price list and one charge made from it."""
    local = now.astimezone(project.tz)
    price_list = effective_price_list(project, local.date())
    if price_list is None:
        if pm is None:
            return
        draft = repairs.save_price_list_draft(
            project=project, name="有偿服务收费价目表", effective_from=dt.date(local.year, 1, 1),
            items=[{"code": "tap", "name": "更换水龙头", "unit": "个", "unit_price": "30.00"},
                   {"code": "unclog", "name": "疏通下水道", "unit": "次", "unit_price": "45.50"},
                   {"code": "lamp", "name": "更换灯具", "unit": "盏", "unit_price": "20.00"}],
            acting_user=pm, now=now)
        price_list = repairs.publish_price_list(price_list=draft, acting_user=pm, now=now)
    items = list(price_list.items.order_by("sort", "pk")[:2])
    second = Household.objects.filter(project=project).order_by("pk")[1:2].first()
    if second is None or not items:
        return
    actions.charge_from_price_list(project=project, household=second, lines=[(items[0].pk, 1), (items[-1].pk, 1)],
                                   acting_user=cashier, now=now, note="业主报修后上门服务")


def _demo_desk(project: Project, desk: User, manager: User, now: dt.datetime) -> None:
    """Owners' fee inquiries (one answered, one waiting, R-M16-03) and transfers checked for arrears:
    one cleared, one let through by the manager with a reason (R-M16-09)."""
    from apps.fees.queries import household_outstanding

    homes = list(Household.objects.filter(project=project).order_by("pk")[:40])
    q = actions.record_inquiry(project=project, household=homes[0] if homes else None, asker="业主王女士",
                               question="上半年公示的物业费收缴率是怎么计算的？", acting_user=desk,
                               now=now - dt.timedelta(days=3, hours=2))
    actions.answer_inquiry(inquiry=q, answer="收缴率 = 实收 ÷ 应收，按收款日期统计，含预交款。", acting_user=desk,
                           now=now - dt.timedelta(days=3))
    actions.record_inquiry(project=project, asker="业主李先生", question="地面停车月卡的收费依据是什么？",
                           acting_user=desk, now=now - dt.timedelta(hours=3))
    clear = next((h for h in homes if household_outstanding(h.pk) == 0), None)
    owing = next((h for h in homes if household_outstanding(h.pk) > 0), None)
    if clear is not None:
        actions.record_transfer(project=project, household=clear, old_owner="原业主周先生", new_owner="新业主吴女士",
                                acting_user=desk, now=now - dt.timedelta(days=5))
    if owing is not None:
        actions.record_transfer(project=project, household=owing, old_owner="原业主郑先生", new_owner="新业主冯女士",
                                proceed_with_arrears=True, reason="新业主书面承诺代缴欠费", acting_user=manager,
                                now=now - dt.timedelta(days=1))
