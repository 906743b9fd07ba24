"""English available beside Chinese (issue 2 item 8): the language switch, the English login
page, and a compiled catalogue that matches its .po (CI needs no gettext)."""
import gettext
from pathlib import Path

from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_login_page_in_english_after_switching(client, db):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert r.status_code == 302
    page = client.get("/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Log in to Linli" in page and "Username" in page and "Password" in page
    assert "登录邻里" not in page


def test_login_page_is_chinese_by_default(client, db):
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-hans">' in page and "登录邻里" in page


def test_lockout_message_in_english(cast, client, settings, frozen_now):
    settings.LINLI_LOGIN_MAX_FAILURES = 1
    client.cookies["django_language"] = "en"
    page = client.post("/login/", {"username": "desk", "password": "wrong"}).content.decode()
    assert "temporarily locked" in page and "10:15" in page


def test_home_page_in_english(cast, client):
    client.login(username="desk", password="pw-Linli-2026")
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert "Intake today" in page and "Front desk" in page and ">Home<" in page


def test_role_names_translate():
    from apps.org.roles import Role

    with translation.override("en"):
        assert str(Role.FRONT_DESK.label) == "Front desk"
        assert str(Role.QUALITY.label) == "Quality Management Dept."


def _catalogue():
    import polib

    return polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "en" / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [e.msgid for e in _catalogue().translated_entries()
             if not e.msgid_plural and compiled.gettext(e.msgid) != e.msgstr]
    assert not stale, f"recompile the catalogue (manage.py compilemessages -l en): {stale[:5]}"


def test_every_string_of_the_catalogue_has_its_english():
    """Issue 23 item 8: no untranslated or fuzzy entry in the English catalogue (locale/tools/fill_en.py)."""
    catalogue = _catalogue()
    missing = [e.msgid for e in catalogue.untranslated_entries()] + [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} strings without English, e.g. {missing[:5]}"
