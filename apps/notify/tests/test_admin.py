"""Quiet hours (P-21) and channels are edited in the admin; the inbox and delivery log are read-only there."""
from __future__ import annotations

import pytest
from django.urls import reverse

from apps.notify.models import Delivery, DeliveryAttempt, QuietHoursPolicy
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, cast):
    from apps.org.models import User

    su = User.objects.create_superuser("root", "root@example.cn", "pw-Linli-2026")
    client.force_login(su)
    return client


def test_changelists_render(admin_client, cast) -> None:
    d = Delivery.objects.create(channel="sms", audience="owner", address="13812345678", project=cast.project,
                                kind="k", body="b", created_at=sh(2026, 11, 23, 10))
    DeliveryAttempt.objects.create(delivery=d, number=1, at=sh(2026, 11, 23, 10), ok=False, error="超时")
    QuietHoursPolicy.objects.create(project=cast.project)
    for model in ("quiethourspolicy", "channelconfig", "staffchannelpreference", "notification", "delivery"):
        assert admin_client.get(reverse(f"admin:notify_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:notify_delivery_change", args=[d.pk])).content.decode()
    assert "超时" in page
    assert admin_client.get(reverse("admin:notify_delivery_add")).status_code == 403


def test_p21_admin_refuses_windows_covering_the_whole_day(admin_client, cast) -> None:
    """P-21 is data: editable per project, validated (a whole-day window leaves no time to call)."""
    url = reverse("admin:notify_quiethourspolicy_add")
    r = admin_client.post(url, {"project": cast.project.pk, "windows": '[["00:00", "12:00"], ["12:00", "00:00"]]',
                                "applies_to_calls": "on"})
    assert r.status_code == 200 and "全天" in r.content.decode()
    r = admin_client.post(url, {"project": cast.project.pk, "windows": '[["12:00", "13:30"], ["21:30", "07:30"]]',
                                "applies_to_calls": "on", "applies_to_sms": "on"})
    assert r.status_code == 302
    p = QuietHoursPolicy.objects.get(project=cast.project)
    assert (p.windows, p.applies_to_sms) == ([["12:00", "13:30"], ["21:30", "07:30"]], True)
