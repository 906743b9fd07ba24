"""Issue 23 item 9: the embedded default looks like the product — friendly 404/500 pages in Chinese,
no debug pages unless a developer asks, static files served, a favicon and app icons."""
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

BASE = Path(settings.BASE_DIR)


def _embedded_setting(expr: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("LINLI_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    clean.update(env, DJANGO_SETTINGS_MODULE="linli.settings")
    r = subprocess.run([sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; "
                        f"print({expr})"], cwd=BASE, env=clean, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def test_embedded_default_runs_without_debug_pages_unless_asked():
    assert _embedded_setting("s.DEBUG, s.WHITENOISE_USE_FINDERS") == "False True"
    assert _embedded_setting("s.DEBUG", LINLI_DEBUG="1") == "True"


def test_unknown_portal_code_answers_the_friendly_chinese_404(db):
    r = Client().get("/portal/NOSUCH/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "页面不存在" in page and "返回首页" in page and "Traceback" not in page


def test_server_error_page_is_friendly_and_needs_no_database(rf):
    from apps.core.views import server_error

    r = server_error(rf.get("/tickets/"))
    page = r.content.decode()
    assert r.status_code == 500 and "系统出错了" in page and "不会因此丢失" in page
    assert "Traceback" not in page and "Something went wrong" in page


def test_favicon_and_manifest_are_served(db):
    client = Client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert icon.getvalue()[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["short_name"] == "邻里" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def test_pages_link_the_icons(cast, client):
    client.login(username="desk", password="pw-Linli-2026")
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and 'rel="manifest"' in page and "icon-180.png" in page
