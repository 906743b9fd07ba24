"""R-M17-09 (and R-M20-01): owners' letters and newspapers — received, stewards told daily at a set
time, collected and delivered; each step's time is recorded."""
from __future__ import annotations

import pytest

from apps.notify import mail
from apps.notify.models import MailItem, MailKind, Notification
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


def test_r_m17_09_received_notified_daily_at_set_time_collected_delivered(cast, owner, settings) -> None:
    settings.LINLI_MAIL_NOTIFY_TIME = "10:00"
    letter = mail.receive_mail(project=cast.project, addressee="李明", household=owner.household,
                               acting_user=cast.front_desk, now=sh(2026, 11, 23, 8, 30))
    paper = mail.receive_mail(project=cast.project, addressee="李明", kind=MailKind.NEWSPAPER,
                              acting_user=cast.front_desk, now=sh(2026, 11, 23, 9, 0))
    late = mail.receive_mail(project=cast.project, addressee="张华", acting_user=cast.front_desk,
                             now=sh(2026, 11, 23, 11, 0))  # after today's notice: waits for tomorrow
    assert letter.received_at == sh(2026, 11, 23, 8, 30) and letter.received_by_id == cast.front_desk.pk

    assert mail.notify_stewards_due(sh(2026, 11, 23, 9, 59)) == 0  # not yet the set time
    assert mail.notify_stewards_due(sh(2026, 11, 23, 11, 5)) == 2
    assert mail.notify_stewards_due(sh(2026, 11, 23, 11, 6)) == 0  # once a day
    notes = Notification.objects.filter(kind="mail_collect")
    assert [n.recipient_id for n in notes] == [cast.butler.pk]
    assert "2 件" in notes[0].subject and owner.household.label in notes[0].body
    letter.refresh_from_db()
    late.refresh_from_db()
    assert letter.notified_at == sh(2026, 11, 23, 11, 5) and late.notified_at is None
    assert mail.notify_stewards_due(sh(2026, 11, 24, 10, 0)) == 1  # next day's notice
    assert Notification.objects.filter(kind="mail_collect").count() == 2

    with pytest.raises(mail.MailError, match="请先领取"):
        mail.deliver_mail(paper, acting_user=cast.butler, now=sh(2026, 11, 23, 14, 0))
    mail.collect_mail(paper, acting_user=cast.butler, now=sh(2026, 11, 23, 14, 0))
    done = mail.deliver_mail(paper, acting_user=cast.butler, now=sh(2026, 11, 23, 15, 0))
    assert (done.collected_at, done.delivered_at, done.delivered_by_id) == (
        sh(2026, 11, 23, 14, 0), sh(2026, 11, 23, 15, 0), cast.butler.pk)
    with pytest.raises(mail.MailError, match="已派送"):
        mail.deliver_mail(paper, acting_user=cast.butler, now=sh(2026, 11, 23, 16, 0))


def test_r_m17_09_bad_input_and_outsiders_are_refused(cast, owner) -> None:
    with pytest.raises(mail.MailError, match="收件人"):
        mail.receive_mail(project=cast.project, addressee=" ", acting_user=cast.front_desk, now=sh(2026, 11, 23, 9))
    with pytest.raises(mail.MailError, match="权限"):
        mail.receive_mail(project=cast.project, addressee="李明", acting_user=cast.outsider, now=sh(2026, 11, 23, 9))
    with pytest.raises(mail.MailError, match="房号"):
        mail.receive_mail(project=cast.other_project, addressee="李明", household=owner.household,
                          acting_user=cast.outsider, now=sh(2026, 11, 23, 9))
    item = mail.receive_mail(project=cast.project, addressee="李明", acting_user=cast.front_desk,
                             now=sh(2026, 11, 23, 9))
    with pytest.raises(mail.MailError, match="权限"):
        mail.collect_mail(item, acting_user=cast.outsider, now=sh(2026, 11, 23, 10))
    assert MailItem.objects.get(pk=item.pk).collected_at is None


def test_r_m17_09_daily_notice_runs_from_the_periodic_commands(cast) -> None:
    from io import StringIO

    from django.core.management import call_command

    mail.receive_mail(project=cast.project, addressee="李明", acting_user=cast.front_desk, now=sh(2026, 11, 23, 8))
    out = StringIO()
    call_command("notify_reminders", "--now", "2026-11-23T10:00+08:00", stdout=out)
    call_command("run_sweeps", "--now", "2026-11-23T10:01+08:00", stdout=out)
    assert "mail_notified=1" in out.getvalue() and "mail_notified=0" in out.getvalue()
    assert Notification.objects.filter(kind="mail_collect", recipient=cast.butler).count() == 1


def test_r_m17_09_front_desk_records_mail_in_admin_and_marks_it_collected(cast, client, django_user_model) -> None:
    admin_user = django_user_model.objects.create_superuser("mailadmin", "m@example.com", "pw-123456")
    client.force_login(admin_user)
    r = client.post("/admin/notify/mailitem/add/", {"project": cast.project.pk, "addressee": "李明",
                                                     "kind": "letter", "note": "挂号信"})
    assert r.status_code == 302, r.content.decode()[:2000]
    item = MailItem.objects.get()
    assert item.received_by_id == admin_user.pk and item.note == "挂号信"
    r = client.post("/admin/notify/mailitem/", {"action": "mark_collected", "_selected_action": [item.pk]})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.collected_at is not None and item.collected_by_id == admin_user.pk
