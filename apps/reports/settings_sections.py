"""The reports' company settings on the settings pages (:mod:`apps.org.settings_registry`): report
cadences and reminders, and the KPI targets."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.org.settings_registry import FieldSpec, ModelRowSection, register
from apps.reports.models import TARGETABLE, KpiSettings, ReportSettings

GROUP = _("统计与报告")

register(ModelRowSection(
    key="report-cadences", title=_("报告周期与提醒"), group=GROUP, model=ReportSettings, project_field=None,
    order=60, description=_("公司投诉分析、地产遗留问题统计的周期，报告提醒、年度走访统计期限与投诉记录保存年限"),
    specs=(
        FieldSpec("company_analysis_cadence", _("公司投诉分析周期")),
        FieldSpec("legacy_cadence", _("地产遗留问题统计周期")),
        FieldSpec("remind_days_before", _("提前提醒天数")),
        FieldSpec("visit_statistics_days_after", _("年度走访统计报送期限"),
                  _("0 = 当年12月31日前；N = 次年1月N日前（默认15日）。报物业总经理审阅")),
        FieldSpec("record_retention_years", _("用户投诉记录保存年限"),
                  _("留空 = 永久妥善保存；到期记录仅列出供人工复核，系统不会自动删除")),
    ),
))

def _check_targets(values: dict[str, Any]) -> dict[str, str]:
    """Targets: {name: {"value": number, "op": "<=" | ">="}} for known measures only."""
    targets = values.get("targets")
    if targets is None:
        return {}
    if not isinstance(targets, dict):
        return {"targets": str(_("应为对象，如 {\"satisfaction_rate\": {\"value\": 95, \"op\": \">=\"}}"))}
    for name, target in targets.items():
        if name not in TARGETABLE:
            return {"targets": str(_("未知的指标：%(name)s")) % {"name": name}}
        if (not isinstance(target, dict) or target.get("op") not in ("<=", ">=")
                or not isinstance(target.get("value"), int | float) or isinstance(target.get("value"), bool)
                or not 0 <= target["value"] <= 100):
            return {"targets": str(_("指标 %(name)s 的目标值须为0–100的数字，比较方式为 <= 或 >=")) % {"name": name}}
    return {}


register(ModelRowSection(
    key="kpi-targets", title=_("统计指标目标值"), group=GROUP, model=KpiSettings, project_field=None, order=61,
    description=_("各项指标的目标值、重复投诉统计窗口，以及前台每月投诉有效率和处理及时率的计算口径"),
    specs=(
        FieldSpec("targets", _("指标目标值"), _('如 {"satisfaction_rate": {"value": 95, "op": ">="}}')),
        FieldSpec("repeat_window_days", _("重复投诉统计窗口（天）")),
        FieldSpec("validity_base", _("投诉有效率的分母"), _("前台每月统计的投诉有效率按此计算")),
        FieldSpec("timely_basis", _("处理及时率的统计口径"), _("前台每月统计的处理及时率按此计算")),
    ),
    check=_check_targets,
))
