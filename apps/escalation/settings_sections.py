"""Escalation thresholds on the settings pages (:mod:`apps.org.settings_registry`)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.escalation.models import EscalationPolicy
from apps.org.settings_registry import FieldSpec, ModelRowSection, register


def _check(values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for name in ("warn_fraction", "similarity_threshold"):
        value = values.get(name)
        if value is not None and not 0 < value < 1:
            errors[name] = str(_("须大于0且小于1"))
    for name in ("hot_distinct_complainants", "hot_collective_people", "major_collective_people"):
        if values.get(name) is not None and values[name] < 1:
            errors[name] = str(_("须至少为1"))
    return errors


register(ModelRowSection(
    key="escalation-thresholds", title=_("热点/重大投诉升级阈值"), group=_("投诉处理"), model=EscalationPolicy,
    order=40, description=_("热点、重大投诉的认定条件与上报时限，相同投诉统计窗口，时限预警点"),
    specs=(
        FieldSpec("hot_distinct_complainants", _("热点：一个月内不同投诉人数 ≥")),
        FieldSpec("hot_collective_people", _("热点：集体投诉人数 ≥")),
        FieldSpec("hot_unresolved_days", _("热点：未解决天数 ≥")),
        FieldSpec("hot_report_hours", _("热点：上报时限（小时）")),
        FieldSpec("major_collective_people", _("重大：集体投诉人数 ≥")),
        FieldSpec("major_unresolved_months", _("重大：未解决月数 ≥")),
        FieldSpec("major_group_report_hours", _("重大：报集团时限（小时）")),
        FieldSpec("major_quality_report_working_days", _("重大：报品质部时限（工作日）")),
        FieldSpec("progress_interval_days", _("重大：进展报告间隔（天）")),
        FieldSpec("closeout_report_working_days", _("处理完毕后专题报告时限（工作日，留空=及时）")),
        FieldSpec("window", _("相同投诉统计窗口")),
        FieldSpec("warn_fraction", _("预警点（时限比例，0–1）")),
        FieldSpec("similarity_threshold", _("相同投诉相似度阈值（0–1）")),
        FieldSpec("government_report_enabled", _("启用政府重大事件报告")),
        FieldSpec("government_authority", _("报告对象（政府部门）")),
    ),
    check=_check,
))
