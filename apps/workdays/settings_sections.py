"""The workdays policies on the company/project settings pages (:mod:`apps.org.settings_registry`):
the deadline conventions and the rule set chosen per concern (reply limits, online limits, repair
arrival, completion and return-visit limits)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Company, Project
from apps.org.settings_registry import FieldSpec, ModelRowSection, SettingsSection, register
from apps.workdays import policies as pol
from apps.workdays.keys import Channel
from apps.workdays.models import DeadlineSettings, ReplyPolicy, RuleSet, RuleSetChoice

GROUP = _("时限")

register(ModelRowSection(
    key="deadline-conventions", title=_("时限口径"), group=GROUP, model=DeadlineSettings, order=10,
    description=_("非工作时间的“当日内”、工作日的计数与截止时刻、休息日顺延、“立即/及时”的软目标"),
    specs=(
        FieldSpec("same_day_mode", _("非工作时间受理的“当日内”")),
        FieldSpec("response_on", _("每件投诉1个工作日内处理回应")),
        FieldSpec("start_day_counts", _("受理当日（工作日）计入工作日数")),
        FieldSpec("end_of", _("工作日时限的截止时刻")),
        FieldSpec("roll_rest_days", _("自然日/日期时限遇休息日顺延至下一工作日")),
        FieldSpec("soft_target_hours", _("“立即/及时”软目标（小时，留空=无）")),
    ),
))

CONCERN_LABELS = {
    pol.REPLY_CONCERN: _("投诉回复时限"), pol.ONLINE_CONCERN: _("网上投诉时限"), pol.GENERAL_CONCERN: _("通用时限"),
    pol.ARRIVAL_CONCERN: _("报修到场时限"), pol.COMPLETION_CONCERN: _("报修完成时限"),
    pol.REPAIR_RETURN_CONCERN: _("报修回访时限"),
}
INHERIT = ""


class RuleSetSection(SettingsSection):
    """规则集选择: one rule set per concern; a project may choose its own for any concern."""

    key = "rule-sets"
    title = _("时限规则集")
    group = GROUP
    description = _("每类时限采用哪一套规则（如回复时限规则A/B/C、报修到场时限A/B/C、完成时限表、回访时限）")
    order = 20

    def _sets(self, company: Company, concern: str) -> Any:
        return RuleSet.objects.filter(concern=concern).filter(Q(company=None) | Q(company=company))

    def _chosen(self, company: Company, project: Project | None) -> dict[str, int]:
        return dict(RuleSetChoice.objects.filter(company=company, project=project)
                    .values_list("concern", "rule_set_id"))

    def values(self, company: Company, project: Project | None) -> tuple[dict[str, Any], str]:
        defaults = dict(RuleSet.objects.filter(is_default=True).values_list("concern", "pk"))
        base = {**defaults, **self._chosen(company, None)}
        own = self._chosen(company, project) if project is not None else {}
        values = {c: own.get(c, base.get(c)) for c in pol.CONCERN_ORDER}
        source = "project" if own else ("company" if self._chosen(company, None) else "default")
        return values, source

    def form(self, company: Company, project: Project | None, data: Mapping[str, Any] | None = None) -> forms.BaseForm:
        own = self._chosen(company, project)
        defaults = dict(RuleSet.objects.filter(is_default=True).values_list("concern", "pk"))
        form = forms.Form(data=data)
        for concern in pol.CONCERN_ORDER:
            f = forms.ModelChoiceField(queryset=self._sets(company, concern), label=CONCERN_LABELS[concern],
                                       required=project is None, empty_label=_("沿用公司设置") if project else None)
            form.fields[concern] = f
            form.initial[concern] = own.get(concern) if project is not None else own.get(concern, defaults.get(concern))
        return form

    def save(self, company: Company, project: Project | None, form: forms.BaseForm, *, by: Any, reason: str) -> None:
        for concern in pol.CONCERN_ORDER:
            chosen = form.cleaned_data.get(concern)
            row = RuleSetChoice.objects.filter(company=company, project=project, concern=concern).first()
            if chosen is None:
                if row is not None:
                    row._change_reason = reason  # type: ignore[attr-defined]
                    row._history_user = by  # type: ignore[attr-defined]
                    row.delete()
                continue
            if row is None:
                row = RuleSetChoice(company=company, project=project, concern=concern)
            elif row.rule_set_id == chosen.pk:
                continue
            row.rule_set = chosen
            row.full_clean()
            row._change_reason = reason  # type: ignore[attr-defined]
            row._history_user = by  # type: ignore[attr-defined]
            row.save()

    def remove_override(self, company: Company, project: Project) -> bool:
        deleted, _rows = RuleSetChoice.objects.filter(company=company, project=project).delete()
        return bool(deleted)


register(RuleSetSection())


register(ModelRowSection(
    key="reply-policy", title=_("投诉方式与答复"), group=_("投诉处理"), model=ReplyPolicy, order=32,
    description=_("各投诉方式按哪类答复（口头、书面、邮件、网上）确定回复时限和审核；书面答复由哪些部门审核。"
                  "修改只影响此后受理的工单"),
    specs=(*(FieldSpec(code, label) for code, label in Channel.choices),
           FieldSpec("written_reviewers", _("书面答复的审核部门"),
                     _("书面投诉的处理措施、结果或解释，发出前须经这些部门审核（审核时间计入回复时限）"))),
))
