"""The pages whose forms create or edit something, for the form-error tests (issue 23 item 1).

Each entry is (username, path, form): the user who may open the page, its path (``{name}`` placeholders
are filled from :func:`objects`), and which form of the page to submit empty (``None`` = the first
form in ``<main>`` with a field to type in or choose; otherwise a CSS-like ``#id`` or an ``action`` path).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

#: (username, path, form) of every create/edit form.
FORMS: list[tuple[str, str, str | None]] = [
    ("desk", "/tickets/new/", None),
    ("desk", "/repairs/new/", None),
    ("desk", "/visits/new/", None),
    ("supervisor", "/reports/cases/new/", None),
    ("csmanager", "/portal/manage/notice/new/", None),
]

TEXTLIKE = {"text", "tel", "search", "email", "url", "number", "date", "datetime-local", "time", "month",
            "password", ""}


@dataclass
class Form:
    attrs: dict[str, str]
    inputs: list[dict[str, str]] = field(default_factory=list)
    selects: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)

    @property
    def typeable(self) -> bool:
        return bool(self.textareas or self.selects or any(
            i.get("type", "").lower() in TEXTLIKE | {"file", "checkbox", "radio"} for i in self.inputs))

    def empty_data(self) -> dict[str, Any]:
        """What a browser sends when every text field is emptied and each select set to its empty choice."""
        data: dict[str, list[str]] = {}
        for i in self.inputs:
            name, kind = i.get("name"), i.get("type", "").lower()
            if not name or kind in {"submit", "button", "reset", "file", "image"}:
                continue
            if kind == "hidden":
                data.setdefault(name, []).append(i.get("value", ""))
            elif kind in {"checkbox", "radio"}:
                if "checked" in i:
                    data.setdefault(name, []).append(i.get("value", "on"))
            else:
                data.setdefault(name, []).append("")
        for name in self.textareas:
            data.setdefault(name, []).append("")
        for name, options in self.selects.items():
            values = [v for v, _ in options]
            chosen = [v for v, sel in options if sel] or values[:1]
            data[name] = [""] if "" in values else chosen[:1]
        submits = [b for b in self.buttons if b.get("type", "submit").lower() == "submit"]
        if submits and submits[-1].get("name"):
            data[submits[-1]["name"]] = [submits[-1].get("value", "")]
        return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._in_main = 0
        self._form: Form | None = None
        self._select: str | None = None
        self._option: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "main":
            self._in_main += 1
        elif tag == "form" and self._in_main and a.get("method", "").lower() == "post":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.inputs.append(a)
        elif tag == "textarea" and a.get("name"):
            self._form.textareas.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.selects[self._select] = []
        elif tag == "option" and self._select:
            self._form.selects[self._select].append((a.get("value", ""), "selected" in a))
        elif tag == "button":
            self._form.buttons.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def pick(forms: list[Form], which: str | None) -> Form:
    if which is None:
        return next(f for f in forms if f.typeable)
    if which.startswith("#"):
        return next(f for f in forms if f.attrs.get("id") == which[1:])
    return next(f for f in forms if f.attrs.get("action", "") == which)
