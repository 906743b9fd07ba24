"""Issue 23 item 1 (errors visible) on an audit's page: the answer of an item, the 不合格报告 of a
non-conforming item and the completion, sent empty by the 品质管理员, answer no server error, write nothing and
tell why in Chinese beside the field (and in the error message at the top of the page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.audits import actions
from apps.audits.models import AuditFinding, FindingResult
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def test_audit_page_forms_sent_empty_are_refused_in_chinese(cast: Any, open_audit: Any, frozen_now: Any) -> None:
    audit = open_audit()
    finding = AuditFinding.objects.filter(audit=audit).order_by("pk").first()
    assert finding is not None
    actions.answer_item(
        finding=finding,
        result=FindingResult.NONCONFORM,
        count=1,
        note="现场发现",
        override_reason="现场核实",
        acting_user=cast.quality_inspector,
        now=frozen_now,
    )
    c = Client()
    c.force_login(cast.quality_inspector)
    problems, walked = empty_post_problems(c, f"/audits/{audit.pk}/")
    assert f"/audits/{audit.pk}/complete/" in walked
    assert f"/audits/{audit.pk}/items/{finding.pk}/ncr/" in walked
    assert any(a.startswith(f"/audits/{audit.pk}/items/") and not a.endswith("/ncr/") for a in walked)
    assert not problems, "\n".join(problems)
