"""Former home of the repairs rules, split by issue 13 into :mod:`apps.repairs.actions` (writes),
:mod:`apps.repairs.queries` (reads) and :mod:`apps.repairs.access`. Kept only so the callers
outside this app (apps/reports/tests/test_spec_ledgers.py, bench/repairs_bench.py) keep importing;
new code imports from the modules above. Delete once those callers moved."""
from apps.repairs.access import can_work
from apps.repairs.actions import *  # noqa: F403
from apps.repairs.actions import __all__ as _actions
from apps.repairs.queries import (
    REPAIR_KINDS,
    cash_on_hand,
    current_dispatch,
    effective_price_list,
    my_orders,
    pool_orders,
    visible_orders,
)

__all__ = [*_actions, "REPAIR_KINDS", "can_work", "cash_on_hand", "current_dispatch", "effective_price_list",
           "my_orders", "pool_orders", "visible_orders"]
