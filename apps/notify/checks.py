"""Start-up checks: a notification backend named in the settings that cannot load is an error at
``manage.py check`` / server start, not a silently dropped channel."""
from __future__ import annotations

from typing import Any

from django.core import checks

from apps.notify import channels


@checks.register("linli")
def notify_backends(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="notify.E001") for problem in channels.check_backends()]
