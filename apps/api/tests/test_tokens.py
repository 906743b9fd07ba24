"""API tokens (issue 2 item 7): created by command, hashed at rest, bearer auth, structured 401."""
import pytest
from django.core.management import CommandError, call_command

from apps.api.models import ApiToken, hash_token


def test_create_api_token_prints_a_working_token(cast, client, capsys):
    call_command("create_api_token", "desk", "--name", "测试")
    raw = capsys.readouterr().out.strip()
    row = ApiToken.objects.get()
    assert row.digest == hash_token(raw) and raw not in (row.digest, row.prefix)
    r = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and r.json()["info"]["title"]


def test_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "ghost")


def test_docs_are_served_without_cdn(client, db):
    page = client.get("/api/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page
