"""Tiny .po reader/writer used by fill_en.py (no polib dependency).

Handles msgctxt, msgid, msgid_plural, msgstr and msgstr[n], comments and flags."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body = s[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    if "\n" in text and text != "\n":
        parts = esc.split("\n")
        lines = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        return '""\n' + "\n".join(f'"{ln}"' for ln in lines)
    return f'"{esc.replace(chr(10), chr(92) + "n")}"'


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for singular
    raw: str | None = None  # a block with no msgid (obsolete "#~" entries): kept verbatim

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    def unfuzzy(self) -> None:
        new = []
        for c in self.comments:
            if c.startswith("#,"):
                flags = [f.strip() for f in c[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if flags:
                    new.append("#, " + ", ".join(flags))
            elif c.startswith("#|"):
                continue
            else:
                new.append(c)
        self.comments = new

    def render(self) -> str:
        if self.raw is not None:
            return self.raw
        out = list(self.comments)
        if self.msgctxt is not None:
            out.append("msgctxt " + _quote(self.msgctxt))
        out.append("msgid " + _quote(self.msgid))
        if self.msgid_plural is not None:
            out.append("msgid_plural " + _quote(self.msgid_plural))
            for k in sorted(self.msgstr):
                out.append(f"msgstr[{k}] " + _quote(self.msgstr[k]))
        else:
            out.append("msgstr " + _quote(self.msgstr.get(0, "")))
        return "\n".join(out)


_KEY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        e = Entry()
        if not any(_KEY.match(line) for line in block.splitlines()):
            e.raw = block
            entries.append(e)
            continue
        current: tuple[str, int | None] | None = None
        for line in block.splitlines():
            if line.startswith("#"):
                e.comments.append(line)
                continue
            m = _KEY.match(line)
            if m:
                key, idx, val = m.group(1), m.group(2), _unquote(m.group(3))
                if key == "msgctxt":
                    e.msgctxt, current = val, ("msgctxt", None)
                elif key == "msgid":
                    e.msgid, current = val, ("msgid", None)
                elif key == "msgid_plural":
                    e.msgid_plural, current = val, ("msgid_plural", None)
                else:
                    n = int(idx) if idx is not None else 0
                    e.msgstr[n], current = val, ("msgstr", n)
            elif line.strip().startswith('"') and current:
                val = _unquote(line)
                kind, n = current
                if kind == "msgstr":
                    e.msgstr[n] += val
                else:
                    setattr(e, kind, (getattr(e, kind) or "") + val)
        entries.append(e)
    return entries


def render(entries: list[Entry]) -> str:
    return "\n\n".join(e.render() for e in entries) + "\n"
