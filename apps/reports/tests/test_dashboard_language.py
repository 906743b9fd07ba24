"""Issue 23 items 4 and 8: the dashboard's KPI cards are drawn by JavaScript from the data endpoint; their labels,
definitions and the words around the figures come in the language of the request (translated when the answer is
made, not when the measures are registered at import)."""
from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.reports import kpis
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db
NOV = urlencode({"from": "2026-11-01", "to": "2026-11-30"})
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def ds(cast, policies):  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    return data


def _kpis(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    r = client.get(f"{reverse('reports:dashboard_data')}?{NOV}")
    assert r.status_code == 200
    return {k["code"]: k for k in r.json()["kpis"]}


def test_r_m5_13_kpi_cards_speak_the_language_of_the_request(client, cast, ds):
    """The same process answers in Chinese and then in English: the registry keeps the Chinese msgids, each answer
    translates them for its request — every label and definition in English has no Chinese left."""
    client.force_login(cast.project_manager)
    chinese = _kpis(client, "zh-hans")
    english = _kpis(client, "en")
    assert set(english) == set(chinese) and set(english) >= set(kpis.SUMMARY_CODES)
    for code in english:
        k = kpis.REGISTRY[code]
        assert chinese[code]["label"] == k.label and chinese[code]["definition"] == k.definition
        assert not CJK.search(english[code]["label"]), english[code]["label"]
        assert not CJK.search(english[code]["definition"]), english[code]["definition"]
    with translation.override("en"):
        assert english["return_visit_rate"]["label"] == translation.gettext("回访率") != "回访率"
    assert _kpis(client, "zh-hans")["return_visit_rate"]["label"] == "回访率"  # nothing fixed at the first answer


def test_dashboard_script_words_come_in_the_page_language(client, cast, ds):
    """The words the script writes around the figures (目标, 定义, 件/户, the loading error) come from the page in
    its language, never from Chinese written into the script."""
    client.force_login(cast.project_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"{reverse('reports:dashboard')}?{NOV}").content.decode()
    found = re.search(r"data-words='([^']*)'", html)
    assert found is not None
    words = json.loads(unescape(found.group(1)))
    assert set(words) >= {"cases", "households", "target", "definition", "hours", "calendar", "failed"}
    assert not any(CJK.search(w) for w in words.values()), words
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(f"{reverse('reports:dashboard')}?{NOV}").content.decode()
    words = json.loads(unescape(re.search(r"data-words='([^']*)'", html).group(1)))  # type: ignore[union-attr]
    assert words["target"] == "目标" and words["definition"] == "定义"
