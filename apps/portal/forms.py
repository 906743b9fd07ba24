"""Forms of the notice-board pages; they only parse input — the rules are in apps.portal.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.models import Project, User
from apps.portal.models import PublicationKind
from apps.portal.queries import management_reps


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(PublicationKind.NOTICE, _("公告")),
                                                      (PublicationKind.OPEN_LETTER, _("公开信"))])
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))
    approved_by = forms.ModelChoiceField(label=_("审批人（管理者代表）"), queryset=User.objects.none(), required=False,
                                         help_text=_("公开信须经管理者代表审批后公布"))
    notify_owners = forms.BooleanField(label=_("短信告知业主（避开免打扰时段）"), required=False)

    def __init__(self, *args: Any, project: Project | None = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            # the publisher is never offered as the approver of his own open letter
            reps = [u.pk for u in management_reps(project) if user is None or u.pk != user.pk]
            cast(forms.ModelChoiceField, self.fields["approved_by"]).queryset = (
                User.objects.filter(pk__in=reps).order_by("display_name", "pk"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤下原因"), max_length=300)
