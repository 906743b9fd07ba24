"""The test cast (STYLE §11): one company, project 阳光花园 (YG) with its staff, a second project
翠湖苑 (CH) with an outsider, and the company-level quality inspector.

Build business records through actions (e.g. ``receive_ticket``), never by setting status fields.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from linli import clock, testdb

CI = os.environ.get("CI", "").lower() == "true"
_BUILT_TEMPLATES: list[tuple[str, str]] = []


def pytest_configure(config: pytest.Config) -> None:
    """On several xdist workers, migrate once into a template database before the workers start, and
    let each worker copy it (linli/testdb.py), unless a template is named already (CI builds both
    beside the lint). The controller process only builds; it runs no test."""
    if hasattr(config, "workerinput") or (getattr(config.option, "numprocesses", 0) or 0) < 2:
        return
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if engine.endswith("sqlite3") and not os.environ.get(testdb.SQLITE_ENV):
        folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
        path = str(folder / f"linli-test-template-{os.getpid()}.sqlite3")
        _build_template(config, ["sqlite", path])
        os.environ[testdb.SQLITE_ENV] = path
        _BUILT_TEMPLATES.append(("sqlite", path))
    elif engine.endswith("postgresql") and not os.environ.get(testdb.PG_ENV):
        url = os.environ["LINLI_TEST_DATABASE_URL"]
        name = f"test_{str(settings.DATABASES['default']['NAME'])[:40]}_template"
        _build_template(config, ["postgres", url, name])
        os.environ[testdb.PG_ENV] = name
        _BUILT_TEMPLATES.append(("postgres", name))


def _build_template(config: pytest.Config, args: list[str]) -> None:
    print(f"migrating the test database template once ({args[0]}) …", flush=True)
    subprocess.run([sys.executable, "-m", "linli.testdb", *args], cwd=config.rootpath, check=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    for kind, name in _BUILT_TEMPLATES:
        if kind == "sqlite":
            Path(name).unlink(missing_ok=True)
        else:
            testdb.drop_postgres(settings.DATABASES["default"], name)
    _BUILT_TEMPLATES.clear()


def _test_db_template() -> str:
    """The migrated template this run's test database copies, if one is named (see pytest_configure)."""
    engine = str(settings.DATABASES["default"]["ENGINE"])
    return os.environ.get(testdb.SQLITE_ENV if engine.endswith("sqlite3") else testdb.PG_ENV, "")


@pytest.fixture(scope="session")
def django_db_keepdb(request: pytest.FixtureRequest) -> bool:
    """A test database copied from the template is kept as it is: Django's set-up then migrates
    nothing (every migration is applied already) and does the rest as usual."""
    return bool(_test_db_template()) or bool(request.config.getvalue("reuse_db"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """Each worker's test database starts as a copy of the migrated template (linli/testdb.py) and
    is removed at the end of the session."""
    template = _test_db_template()
    if not template:
        yield
        return
    from django.db import connection, connections

    name = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    if connection.vendor == "sqlite":
        keeper = testdb.restore_sqlite(template, name)
        yield
        keeper.close()
    else:
        testdb.clone_postgres(connection.settings_dict, template, name)
        yield
        connections.close_all()
        testdb.drop_postgres(connection.settings_dict, name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the migrated rows (seeded categories, policy rule sets,
    content types) after the flush of the one before it: the same database state for every test, on
    SQLite and on PostgreSQL, whatever order the tests run in."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                            append=False)


def pytest_terminal_summary(terminalreporter: object, exitstatus: int, config: pytest.Config) -> None:
    """Tests run in random order (pytest-randomly, issue 14 item 11); print the seed even under ``-q``
    so a failing order can be replayed with ``--randomly-seed=N`` (``-p no:randomly`` for file order)."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.pluginmanager.hasplugin("randomly"):
        terminalreporter.write_line(f"random order: replay with --randomly-seed={seed}")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's language: a test that switched to English (a page requested
    with the language cookie, ``translation.activate``) must not leak it into the next test run by
    the same worker, where text written through gettext would come out in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def frozen_now() -> Iterator[dt.datetime]:
    """A fixed 'now': Monday 2026-11-23 10:00 Asia/Shanghai (a working day)."""
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(moment):
        yield moment


@dataclass
class Cast:
    company: object
    project: object  # 阳光花园
    other_project: object  # 翠湖苑
    cs_dept: object
    eng_dept: object
    security_dept: object
    quality_dept: object
    front_desk: object
    butler: object
    supervisor: object
    cs_manager: object
    project_manager: object
    eng_head: object
    worker: object
    quality_inspector: object
    leader: object
    sysadmin: object
    outsider: object  # front desk of 翠湖苑
    nobody: object  # a user with no role


@pytest.fixture
def cast(db: None) -> Cast:
    from apps.org.tests.factories import build_cast

    return build_cast()


def _require(condition: bool, why: str) -> None:
    """Skip locally, but fail in CI: a CI run that skips PostgreSQL or the browser is a failure."""
    if condition:
        return
    if CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


@pytest.fixture
def require_postgres(settings: object) -> None:
    from django.db import connection

    _require(connection.vendor == "postgresql", "PostgreSQL test (set LINLI_TEST_DATABASE_URL)")


CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    _require(os.path.exists(CHROMIUM) or shutil.which("chromium") is not None, "chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running for the whole session; Django refuses ORM
    # calls from a thread with a running loop unless told it is safe (it is: tests are synchronous).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # Playwright runs the rest of the session in another context (greenlet), where asgiref's Local
    # hands out fresh database wrappers without the rows Django serialised at set-up; without them a
    # transactional test's flush is never undone and every later test misses the migrated rows
    # (issue 14 item 11: KeyError 'engineering' in apps/visits/tests/conftest.py after a browser test).
    from django.db import connections

    attr = "_test_serialized_contents"  # set by Django's create_test_db(serialize=True)
    serialized = {alias: getattr(connections[alias], attr) for alias in connections
                  if hasattr(connections[alias], attr)}

    with sync_playwright() as pw:
        for alias, contents in serialized.items():
            setattr(connections[alias], attr, contents)
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object, live_server: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser: object, live_server: object) -> Iterator[object]:
    """A 360-px-wide phone screen."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 360, "height": 740},
        is_mobile=True, has_touch=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def browser_login(page: object, live_server: object, username: str, password: str = "pw-Linli-2026") -> None:
    page.goto(f"{live_server.url}/login/")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/")  # type: ignore[attr-defined]
