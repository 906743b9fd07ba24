"""Former home of :mod:`apps.estates.access`, :mod:`apps.estates.queries` and
:mod:`apps.estates.actions`, kept as a re-export for callers in other apps (``apps.visits.views``
imports ``log_export``) until they import the new modules; then delete it."""
from apps.estates.access import (
    MAX_GRANT_DAYS,
    REASON_MAX,
    RevealDenied,
    active_grant,
    archive_projects,
    check_export,
    get_household,
    in_own_work,
    may_keep_decoration,
    may_maintain,
    may_reveal,
    visible_households,
)
from apps.estates.actions import (
    add_decoration_record,
    grant_access,
    log_export,
    open_decoration_media,
    record_not_moved_in_reason,
    reveal_household,
    revoke_grant,
    save_person,
    update_household,
)
from apps.estates.queries import (
    PersonView,
    access_logs_for,
    decoration_archive,
    grants_for,
    log_projects,
    masked_persons,
    normalise_query,
    person_view,
    search_households,
)

__all__ = [
    "MAX_GRANT_DAYS", "REASON_MAX", "PersonView", "RevealDenied", "access_logs_for", "active_grant",
    "add_decoration_record", "archive_projects", "check_export", "decoration_archive", "get_household", "grant_access",
    "grants_for", "in_own_work", "log_export", "log_projects", "masked_persons", "may_keep_decoration", "may_maintain",
    "may_reveal", "normalise_query", "open_decoration_media", "person_view", "record_not_moved_in_reason",
    "reveal_household", "revoke_grant", "save_person", "search_households", "update_household", "visible_households",
]
