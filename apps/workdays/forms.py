from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    """Upload or paste an official schedule (format in README "工作日历 · Calendar import")."""

    file = forms.FileField(label=_("文件（UTF-8 文本/CSV）"), required=False)
    text = forms.CharField(label=_("或直接粘贴"), required=False, max_length=200_000, widget=forms.Textarea(attrs={"rows": 8}))
    year = forms.IntegerField(label=_("年份（可选，限定只导入该年）"), required=False, min_value=2000, max_value=2100)
    source = forms.CharField(label=_("来源"), required=False, max_length=200,
                             help_text=_("如 国务院办公厅关于2027年部分节假日安排的通知"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            if upload.size > 200_000:
                raise forms.ValidationError(_("文件太大（不超过 200 KB）"))
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("文件不是 UTF-8 编码的文本")) from exc
        elif data.get("text", "").strip():
            data["content"] = data["text"]
        else:
            raise forms.ValidationError(_("请上传文件或粘贴内容"))
        return data
