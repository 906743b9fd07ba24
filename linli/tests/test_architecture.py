"""The architecture of docs/architecture.md holds in the code (issue 13).

import-linter (`lint-imports`, run by `make test`) checks the layer order; these tests check what it
cannot see: imports hidden inside functions, silent ``except ImportError`` fallbacks, and that all
periodic work is in the one beat schedule with a task behind every entry."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from linli.celery import app as celery_app

APPS = Path(__file__).resolve().parents[2] / "apps"


def _app_modules() -> list[Path]:
    return sorted(p for p in APPS.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts)


def _exempt_lines(tree: ast.AST) -> set[int]:
    """Lines of ``if TYPE_CHECKING:`` blocks and of ``AppConfig.ready()``, the one place Django lets an
    app import other modules' models and register its job reactions (import-linter still sees those)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)) or (
                isinstance(node, ast.FunctionDef) and node.name == "ready"):
            for child in ast.walk(node):
                if isinstance(child, ast.stmt | ast.expr):
                    lines.add(child.lineno)
    return lines


def test_no_import_of_another_app_inside_a_function() -> None:
    """Imports sit at the top of a module, where import-linter sees them (only TYPE_CHECKING imports
    are exempt); an import hidden in a function is how a layer violation got round the contract."""
    hidden = []
    for path in _app_modules():
        app = path.relative_to(APPS).parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exempt = _exempt_lines(tree)
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                names = []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    assert isinstance(node, ast.stmt)
                    parts = name.split(".")
                    if parts[0] == "apps" and len(parts) > 1 and parts[1] != app and node.lineno not in exempt:
                        hidden.append(f"{path.relative_to(APPS.parent)}:{node.lineno} imports {name}")
    assert hidden == []


def test_no_silent_import_fallbacks() -> None:
    """No ``except ImportError`` in app code: a missing module is an error, not dropped behaviour."""
    found = []
    for path in _app_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                if re.search(r"\b(ImportError|ModuleNotFoundError)\b", ast.unparse(node.type)):
                    found.append(f"{path.relative_to(APPS.parent)}:{node.lineno}")
    assert found == []


def test_no_business_signal_receivers() -> None:
    """Reactions between modules are explicit calls or durable jobs (apps.core.jobs), not receivers."""
    receivers = [str(p.relative_to(APPS.parent)) for p in _app_modules() if p.name == "receivers.py"]
    assert receivers == []


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_runs_a_registered_task(entry: str) -> None:
    celery_app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in celery_app.tasks


def test_periodic_work_is_scheduled_only_in_settings() -> None:
    """One schedule: no app adds beat entries of its own at start-up."""
    offenders = [str(p.relative_to(APPS.parent)) for p in _app_modules()
                 if "CELERY_BEAT_SCHEDULE" in p.read_text(encoding="utf-8")]
    assert offenders == []
