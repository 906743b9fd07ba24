"""Repairs' settings on the settings pages (:mod:`apps.org.settings_registry`): the tolerance of an
agreed visit time and the repair measures' targets."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.org.settings_registry import FieldSpec, ModelRowSection, register
from apps.repairs.models import RepairSettings

register(ModelRowSection(
    key="repairs", title=_("报修设置"), group=_("报修"), model=RepairSettings, order=50,
    description=_("与业主约定上门时间时到场时限的宽限，维修各项指标的目标值"),
    specs=(
        FieldSpec("agreed_arrival_tolerance_minutes", _("约定上门时间的宽限（分钟）"),
                  _("采用“25分钟或约定时间”规则时，到场时限 = 约定时间 + 宽限；统计同时保留制度时限")),
        FieldSpec("arrival_target_pct", _("到场及时率目标（%）")),
        FieldSpec("completion_target_pct", _("完成及时率目标（%）")),
        FieldSpec("quality_target_pct", _("维修合格率目标（%）")),
        FieldSpec("return_visit_target_pct", _("回访率目标（%）")),
    ),
))
