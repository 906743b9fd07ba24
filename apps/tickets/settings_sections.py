"""The ticket pipeline's policies on the settings pages (:mod:`apps.org.settings_registry`)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.org.settings_registry import FieldSpec, ModelRowSection, register
from apps.tickets.models import TicketPolicy

register(ModelRowSection(
    key="ticket-policy", title=_("工单口径"), group=_("投诉处理"), model=TicketPolicy, order=30,
    description=_("结案条件、内部员工投诉是否计入统计、免回访范围、品质管理部负责的投诉与公司级跟进"),
    specs=(
        FieldSpec("close_needs_manager_reply", _("结案须同时回复业主和管理处主任")),
        FieldSpec("count_internal_staff_complaints", _("内部员工投诉计入顾客投诉统计")),
        FieldSpec("no_contact_exemption", _("无联系方式免回访的范围")),
        FieldSpec("quality_owns", _("品质管理部负责的投诉")),
        FieldSpec("company_follow_up", _("公司级投诉由品质管理部")),
    ),
))
