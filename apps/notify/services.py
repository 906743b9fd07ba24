"""Former home of :mod:`apps.notify.actions` (writes) and :mod:`apps.notify.queries` (reads), kept as
a re-export for the callers in other apps until they import the new modules; then delete it."""
from apps.notify.actions import (
    DeliverResult,
    deliver_due,
    mark_all_read,
    mark_read,
    notify_owner,
    notify_staff,
    retry_now,
)
from apps.notify.queries import (
    CALL,
    DEFAULT_URGENT_KINDS,
    CallSlot,
    NotifyError,
    QuietPolicy,
    call_warning,
    check_call_time,
    inbox,
    log_projects,
    max_attempts,
    next_contact_moment,
    next_working_moment,
    order_call_list,
    policy_for,
    retry_delay,
    unread_count,
    urgent_kinds,
    visible_deliveries,
)

__all__ = [
    "CALL", "DEFAULT_URGENT_KINDS", "CallSlot", "DeliverResult", "NotifyError", "QuietPolicy", "call_warning",
    "check_call_time", "deliver_due", "inbox", "log_projects", "mark_all_read", "mark_read", "max_attempts",
    "next_contact_moment", "next_working_moment", "notify_owner", "notify_staff", "order_call_list", "policy_for",
    "retry_delay", "retry_now", "unread_count", "urgent_kinds", "visible_deliveries",
]
