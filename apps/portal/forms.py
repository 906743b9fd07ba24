from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.portal.models import PublicationKind


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(PublicationKind.NOTICE, _("公告")),
                                                      (PublicationKind.OPEN_LETTER, _("公开信"))])
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))
    approved_by_name = forms.CharField(label=_("审批人"), max_length=100, required=False,
                                       help_text=_("公开信须经管理者代表审批后公布（R-M10-07）"))
    notify_owners = forms.BooleanField(label=_("短信告知业主（避开免打扰时段）"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤下原因"), max_length=300)
