"""Take rule, policy and scenario codes (R-M2-04, P-13, AS-20) out of every text a user sees (issue 23 item 6).

The codes belong in docstrings, comments and test names, where developers trace a rule to the SPEC; a
front-desk employee reading "须先经主管以上人员验证（R-M4-01）" learns nothing from them. This rewrites, in
one pass and idempotently:

- string literals in the code that contain Chinese (labels, help texts, messages) — never docstrings or
  comments, never tests;
- templates (``*.html``, ``*.txt``);
- the English catalogue (msgid and msgstr) and the translation tables, so translations follow their
  Chinese text.

    .venv/bin/python locale/tools/strip_rule_ids.py [--check] [paths…]

``--check`` changes nothing and exits 1 when a user-facing text still carries a code (the test
``linli/tests/test_no_rule_ids.py`` runs it). After a rewrite run ``makemigrations`` (help texts and
verbose names are part of the migration state) and ``compilemessages``.
"""
from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from apps.core.rule_codes import ANY_ID, HAN, ONLY_IDS, strip  # noqa: E402  (the same patterns the pages use)

QUOTED = re.compile(r"""^[rRfFbBuU]{0,2}("|')(.*)\1$""", re.S)


def user_facing(literal: str) -> bool:
    """A literal with Chinese and a code, or a literal that is only a bracketed code (the tail of an
    implicitly concatenated message: ``f"…才能开始处理" f"（R-M2-04）"``)."""
    if not ANY_ID.search(literal):
        return False
    inner = QUOTED.match(literal)
    return bool(HAN.search(literal)) or bool(inner and "（" in inner.group(2) and ONLY_IDS.fullmatch(inner.group(2)))


def docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def rewrite_python(source: str) -> tuple[str, int]:
    skip = docstring_lines(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, int, str]] = []
    for tok in tokens:
        if tok.type != tokenize.STRING or tok.start[0] in skip or not user_facing(tok.string):
            continue
        new = strip(tok.string)
        if new != tok.string:
            edits.append((*tok.start, *tok.end, new))
    for (sl, sc, el, ec, new) in reversed(edits):
        head = lines[sl - 1][:sc]
        tail = lines[el - 1][ec:]
        lines[sl - 1:el] = [head + new + tail]
    return "".join(lines), len(edits)


def rewrite_template(source: str) -> tuple[str, int]:
    count = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal count
        new = strip(m.group(0))
        count += new != m.group(0)
        return new

    # Template comments ({# … #}, {% comment %}) may keep their codes.
    parts = re.split(r"(\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\})", source, flags=re.S)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
        else:
            out.append(re.sub(r"[^\n<>{}]*(?:R-M\d+-\d+|P-\d{2}|AS-\d{2}|T-\d{2})[^\n<>{}]*", fix, part))
    return "".join(out), count


def sources(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for base in paths:
        for p in sorted(base.rglob("*")):
            parts = set(p.parts)
            if parts & {"tests", "migrations", ".venv", "node_modules", "staticfiles", "vendor"}:
                continue
            if p.suffix in {".py", ".html", ".txt"} and p.is_file():
                found.append(p)
    return found


def rewrite_catalogue(check: bool) -> int:
    import polib

    po_path = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path), wrapwidth=0)
    changed = 0
    seen = {e.msgid for e in catalogue if not ANY_ID.search(e.msgid)}
    for entry in list(catalogue):
        if not ANY_ID.search(entry.msgid) and not ANY_ID.search(entry.msgstr):
            continue
        changed += 1
        if check:
            continue
        new_id = strip(entry.msgid)
        if new_id != entry.msgid and new_id in seen:
            catalogue.remove(entry)  # the stripped text already has its entry
            continue
        seen.add(new_id)
        entry.msgid = new_id
        entry.msgstr = strip(entry.msgstr)
        if entry.msgid_plural:
            entry.msgid_plural = strip(entry.msgid_plural)
            entry.msgstr_plural = {k: strip(v) for k, v in entry.msgstr_plural.items()}
    if not check and changed:
        catalogue.save(str(po_path))
    for table in sorted((ROOT / "locale" / "en" / "translations").glob("*.json")):
        data = json.loads(table.read_text(encoding="utf-8"))
        new = {strip(k): ([strip(x) for x in v] if isinstance(v, list) else strip(v)) for k, v in data.items()}
        if new != data:
            changed += 1
            if not check:
                table.write_text(json.dumps(new, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or [ROOT / "apps", ROOT / "templates"]
    total = 0
    left: list[str] = []
    for path in sources(paths):
        text = path.read_text(encoding="utf-8")
        new, n = (rewrite_python if path.suffix == ".py" else rewrite_template)(text)
        if n:
            total += n
            if check:
                left.append(f"{path.relative_to(ROOT)}: {n}")
            else:
                path.write_text(new, encoding="utf-8")
    if not [a for a in argv if not a.startswith("--")]:
        cat = rewrite_catalogue(check)
        if check and cat:
            left.append(f"locale: {cat} entries")
    for line in left:
        print(line)
    print(f"{'found' if check else 'rewrote'} {total} texts in the code and templates")
    return 1 if check and left else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
