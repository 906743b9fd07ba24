"""R-M17-07 (R-M16-12): the monthly fee reminder goes by SMS and also by e-mail and fax where the owner
archive has them. E-mail goes through the e-mail backend; no fax gateway exists, so each fax is
recorded in the delivery log as waiting for the front desk, which faxes it by hand (the number shown in
full under the archive's rules and logged) and records the outcome — on the page and in the API."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from apps.estates.models import AccessAction, CustomerDataAccessLog
from apps.notify import actions
from apps.notify.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus, NoticeKind, OwnerNotice
from apps.notify.tests.conftest import sh
from apps.notify.tests.test_spec_owner_notices import owners  # noqa: F401 (fixture)
from linli import clock

pytestmark = pytest.mark.django_db
NOW = sh(2026, 11, 23, 10, 0)
BODY = "尊敬的业主：本月物业费请于25日前缴纳，谢谢。"


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def contacts(owners):  # noqa: F811
    owner, _building = owners
    owner.email, owner.fax = "liming@example.com", "0755-83211234"
    owner.save()
    return owner


def test_r_m17_07_fee_reminder_by_sms_email_and_fax_through_the_page(cast, contacts, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    c = _login(cast.front_desk)
    with clock.frozen(NOW):
        page = c.get("/notify/owner-notices/").content.decode()
        assert "传真由前台人工发送" in page
        r = c.post(
            "/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.FEE, "body": BODY}, follow=True
        )
        assert "份传真待前台人工发送" in r.content.decode()
    notice = OwnerNotice.objects.get()
    assert (notice.recipients, notice.emails, notice.faxes) == (2, 1, 1)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    fax = Delivery.objects.get(channel=Channel.FAX)
    assert (email.address, email.status, email.person) == ("liming@example.com", DeliveryStatus.QUEUED, contacts)
    assert (fax.address, fax.status, fax.next_attempt_at) == ("0755-83211234", DeliveryStatus.MANUAL, None)
    # the sender sends the e-mail and leaves the fax for the front desk
    actions.deliver_due(NOW)
    email.refresh_from_db()
    fax.refresh_from_db()
    assert email.status == DeliveryStatus.SENT and fax.status == DeliveryStatus.MANUAL
    assert [m.to for m in mail.outbox] == [["liming@example.com"]] and BODY in mail.outbox[0].body
    # the fax queue: masked, honest about the manual sending; the number is revealed with a log row
    with clock.frozen(NOW):
        html = c.get("/notify/faxes/").content.decode()
        assert "0755****1234" in html and "83211234" not in html and "人工传真" in html
        html = c.post("/notify/faxes/", {"delivery": fax.pk, "action": "reveal"}).content.decode()
        assert "0755-83211234" in html
        log = CustomerDataAccessLog.objects.get(person=contacts, fields="fax")
        assert log.action == AccessAction.VIEW and log.user == cast.front_desk
        assert c.post("/notify/faxes/", {"delivery": fax.pk, "action": "failed"}).status_code == 400
        assert c.post("/notify/faxes/", {"delivery": fax.pk, "action": "sent"}).status_code == 302
    fax.refresh_from_db()
    assert fax.status == DeliveryStatus.SENT and fax.sent_at == NOW
    assert DeliveryAttempt.objects.get(delivery=fax).ok
    with clock.frozen(NOW):
        assert "0755****1234" not in c.get("/notify/faxes/").content.decode()
    # the delivery log masks the e-mail address
    log_page = _login(cast.cs_manager).get("/notify/deliveries/").content.decode()
    assert "liming@example.com" not in log_page


def test_r_m17_07_fee_reminder_fax_through_the_api(cast, contacts):
    api = _api(cast.front_desk)
    with clock.frozen(NOW):
        r = api.post(
            "/api/v1/notifications/owner-notices",
            json.dumps({"project_id": cast.project.pk, "kind": NoticeKind.FEE, "body": BODY}),
            content_type="application/json",
        )
        assert r.status_code == 201 and (r.json()["emails"], r.json()["faxes"]) == (1, 1)
        faxes = api.get("/api/v1/notifications/owner-notices/faxes").json()
        assert [(f["household"], f["fax"]) for f in faxes] == [("5栋1201", "0755****1234")]
        fid = faxes[0]["id"]
        r = api.post(f"/api/v1/notifications/owner-notices/faxes/{fid}/reveal")
        assert r.status_code == 200 and r.json()["fax"] == "0755-83211234"
        assert CustomerDataAccessLog.objects.filter(person=contacts, fields="fax").count() == 1
        r = api.post(
            f"/api/v1/notifications/owner-notices/faxes/{fid}/done",
            json.dumps({"failed": "对方占线"}),
            content_type="application/json",
        )
        assert r.status_code == 200
        again = api.post(
            f"/api/v1/notifications/owner-notices/faxes/{fid}/done", json.dumps({}), content_type="application/json"
        )
        assert again.status_code == 404
    d = Delivery.objects.get(pk=fid)
    assert d.status == DeliveryStatus.FAILED and d.last_error == "对方占线"
    # a repair worker has no part in owner notices
    assert _api(cast.worker).get("/api/v1/notifications/owner-notices/faxes").status_code == 403
    assert _login(cast.worker).get("/notify/faxes/").status_code == 404


def test_r_m17_07_owners_without_email_or_fax_get_the_sms_only(cast, owners):  # noqa: F811
    with clock.frozen(NOW):
        from apps.notify import notices

        n = notices.send_owner_notice(
            project=cast.project, kind=NoticeKind.FEE, body=BODY, acting_user=cast.front_desk, now=NOW
        )
    assert (n.emails, n.faxes) == (0, 0)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {Channel.SMS}
