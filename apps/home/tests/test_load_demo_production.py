"""``load_demo`` in production (issue 14 item 1, F8): refused unless ``--force``, because the demo
accounts' password is published in the README."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.org.models import Company, User

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_production_without_force(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式") as err:
        call_command("load_demo", "--no-tickets", stdout=StringIO())
    assert "createsuperuser" in str(err.value) and "--force" in str(err.value)
    assert not Company.objects.exists() and not User.objects.exists()  # nothing written


def test_load_demo_with_force_loads_in_production_and_logins_show_the_site(settings) -> None:
    settings.PRODUCTION = True
    settings.LINLI_SITE_URL = "https://linli.example.com"
    out = StringIO()
    call_command("load_demo", "--no-tickets", "--force", stdout=out)
    assert "演示公司已载入" in out.getvalue()
    assert Company.objects.filter(code="wanjia").exists()
    logins = StringIO()
    call_command("print_demo_logins", stdout=logins)
    assert "https://linli.example.com/login/" in logins.getvalue()
