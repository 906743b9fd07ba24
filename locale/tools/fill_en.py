"""Fill the English catalogue from the reviewed translation tables (issue 2 item 8).

    .venv/bin/python manage.py makemessages -l en --ignore=".venv/*" --ignore="staticfiles/*" \
        --ignore="var/*" --ignore="bench/*" --settings=linli.settings_test
    .venv/bin/python locale/tools/fill_en.py          # fills empty/fuzzy msgstr from translations/*.json
    msgattrib --no-obsolete -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po   # optional
    .venv/bin/python manage.py compilemessages -l en --ignore=.venv --settings=linli.settings_test

``--force`` lets the tables overwrite existing translations.
``locale/en/translations/*.json`` map a Chinese msgid to its English text (a list of two strings
for plural entries). A translation whose placeholders (``%(name)s``, ``%s``, ``{name}``) differ
from the msgid's is refused. Existing non-fuzzy translations in the .po are kept. Prints the
msgids still untranslated (to stderr) and a summary.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import po  # noqa: E402

LOCALE = Path(__file__).resolve().parent.parent
PO_FILE = LOCALE / "en" / "LC_MESSAGES" / "django.po"
TABLES = LOCALE / "en" / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sdf]|\{[a-z_0-9]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def load_tables() -> dict[str, str | list[str]]:
    table: dict[str, str | list[str]] = {}
    for path in sorted(TABLES.glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    return table


def main() -> int:
    force = "--force" in sys.argv  # the tables win over translations already in the .po
    table = load_tables()
    entries = po.parse(PO_FILE.read_text(encoding="utf-8"))
    header = entries[0]
    h = header.msgstr.get(0, "")
    h = re.sub(r"Language: .*\n", "Language: en\n", h)
    h = re.sub(r"Plural-Forms: .*\n", "Plural-Forms: nplurals=2; plural=(n != 1);\n", h)
    for field, value in (("Project-Id-Version", "Linli 0.1"), ("Last-Translator", "Linli platform team"),
                         ("Language-Team", "English")):
        h = re.sub(rf"{field}: .*\n", f"{field}: {value}\n", h)
    h = re.sub(r"PO-Revision-Date: .*\n", "PO-Revision-Date: 2026-11-29 14:00+0000\n", h)
    header.msgstr[0] = h
    header.unfuzzy()
    filled = kept = bad = 0
    missing: list[str] = []
    for e in entries[1:]:
        if e.raw is not None:
            continue
        has = all(v for v in e.msgstr.values()) and e.msgstr
        if has and not e.fuzzy and not (force and e.msgid in table):
            kept += 1
            continue
        value = table.get(e.msgid)
        if value is None:
            missing.append(e.msgid)
            continue
        forms = value if isinstance(value, list) else [value, value]
        if placeholders(forms[0]) != placeholders(e.msgid):
            print(f"placeholder mismatch, skipped: {e.msgid!r} → {forms[0]!r}", file=sys.stderr)
            bad += 1
            continue
        if e.msgid_plural is not None:
            e.msgstr = {0: forms[0], 1: forms[1]}
        else:
            e.msgstr = {0: forms[0]}
        e.unfuzzy()
        filled += 1
    PO_FILE.write_text(po.render(entries), encoding="utf-8")
    for m in missing:
        print(f"untranslated: {m!r}", file=sys.stderr)
    print(f"filled {filled}, kept {kept}, untranslated {len(missing)}, refused {bad}, total {len(entries) - 1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
