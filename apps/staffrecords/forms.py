"""Forms of the staff-record pages: they only parse input — the rules are in apps.staffrecords.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.models import User
from apps.staffrecords.models import CertificateKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bind_refusal(form: forms.Form, exc: Any) -> None:
    """A refused action on the form: the message beside the field at fault, else at the top."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for m in messages:
                form.add_error(name, m)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


class CertificateForm(forms.Form):
    holder: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("持证人"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("证书类型"), choices=CertificateKind.choices)
    name = forms.CharField(label=_("证书名称"), max_length=100)
    number = forms.CharField(label=_("证书编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机关"), max_length=100)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE, required=False, help_text=_("留空表示长期有效"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=100, required=False)

    def __init__(self, *args: Any, staff: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["holder"]).queryset = staff
        if not editing:
            del self.fields["reason"]
