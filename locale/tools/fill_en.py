"""Fill the English catalogue from the reviewed translation tables (issue 2 item 8, issue 23 item 8).

    .venv/bin/python manage.py makemessages -l en --ignore=".venv/*" --ignore="staticfiles/*" \
        --ignore="var/*" --ignore="bench/*" --settings=linli.settings_test
    .venv/bin/python locale/tools/fill_en.py          # fills empty/fuzzy msgstr from translations/*.json
    .venv/bin/python manage.py compilemessages -l en --ignore=.venv --settings=linli.settings_test

The catalogue is read and written with polib (a maintained gettext library), never by hand.
``--force`` lets the tables overwrite existing translations; ``--check`` changes nothing and exits 1
when a msgid is untranslated (used by the tests). Obsolete entries are dropped.
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

import polib

LOCALE = Path(__file__).resolve().parent.parent
PO_FILE = LOCALE / "en" / "LC_MESSAGES" / "django.po"
TABLES = LOCALE / "en" / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sdf]|\{[a-z_0-9]*\}")
HEADER = {
    "Project-Id-Version": "Linli 0.1",
    "Last-Translator": "Linli platform team",
    "Language-Team": "English",
    "Language": "en",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def load_tables() -> dict[str, str | list[str]]:
    table: dict[str, str | list[str]] = {}
    for path in sorted(TABLES.glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    return table


def translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def fill(catalogue: polib.POFile, table: dict[str, str | list[str]], *, force: bool) -> tuple[int, int, int, list[str]]:
    filled = kept = bad = 0
    missing: list[str] = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if translated(entry) and not (force and entry.msgid in table):
            kept += 1
            continue
        value = table.get(entry.msgid)
        if value is None:
            missing.append(entry.msgid)
            continue
        forms = value if isinstance(value, list) else [value, value]
        if placeholders(forms[0]) != placeholders(entry.msgid):
            print(f"placeholder mismatch, skipped: {entry.msgid!r} → {forms[0]!r}", file=sys.stderr)
            bad += 1
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            entry.msgstr = forms[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    return filled, kept, bad, missing


def main(argv: list[str]) -> int:
    force, check = "--force" in argv, "--check" in argv
    catalogue = polib.pofile(str(PO_FILE), wrapwidth=0)
    if check:
        missing = [e.msgid for e in catalogue if not e.obsolete and not translated(e)]
        for m in missing:
            print(f"untranslated: {m!r}", file=sys.stderr)
        return 1 if missing else 0
    catalogue.metadata.update(HEADER)
    for entry in catalogue.obsolete_entries():
        catalogue.remove(entry)
    filled, kept, bad, missing = fill(catalogue, load_tables(), force=force)
    catalogue.save(str(PO_FILE))
    for m in missing:
        print(f"untranslated: {m!r}", file=sys.stderr)
    print(f"filled {filled}, kept {kept}, untranslated {len(missing)}, refused {bad}, total {len(catalogue)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
