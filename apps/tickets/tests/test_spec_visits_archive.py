"""SPEC M4/M6 rules on verification, return visit and the complaint file (gap tests, issues 4 and 7)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.escalation import actions as escalation_actions
from apps.escalation.models import ArchiveVolume
from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.models import OwnerUpdate, TicketEvent
from apps.tickets.tests.helpers import answer_by_phone, receive, to_closed
from apps.tickets.transitions import InvalidTransition

pytestmark = pytest.mark.django_db


def test_r_m4_08_progress_notices_to_the_customer_are_recorded(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M4-08: for matters the company follows up (developer, municipal), each progress notice
    sent to the customer is kept with time, channel, content and staff; a closed ticket takes none."""
    t = receive(cast, content="小区外市政道路积水", municipal=True)
    later = frozen_now + dt.timedelta(days=7)
    update = actions.record_owner_update(ticket=t, channel="phone", content="已函告市政部门，正在排期施工",
                                         acting_user=cast.front_desk, now=later)
    row = OwnerUpdate.objects.get(ticket=t)
    assert row.pk == update.pk and row.at == later and row.staff == cast.front_desk
    assert row.channel == "phone" and row.content == "已函告市政部门，正在排期施工"
    assert TicketEvent.objects.filter(ticket=t, kind="owner_update").exists()
    with pytest.raises(TicketError):
        actions.record_owner_update(ticket=t, channel="phone", content="  ", acting_user=cast.front_desk, now=later)
    closed = to_closed(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError):
        actions.record_owner_update(ticket=closed, channel="phone", content="进展", acting_user=cast.front_desk,
                                    now=later)


def test_r_m6_02_the_ticket_with_all_its_records_is_the_complaint_file(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M6-02: every record produced while handling stays attached to the ticket: dispatch, handling,
    reply, verification, return visit, events and the field history."""
    t = to_closed(cast, receive(cast), frozen_now)
    assert t.status == TicketStatus.CLOSED
    assert t.dispatches.count() == 1 and t.replies.count() == 2  # to the owner and to the 管理处主任 (R-M2-21)
    assert t.verifications.get().passed and t.return_visits.get().satisfaction == "satisfied"
    kinds = set(t.events.values_list("kind", flat=True))
    assert {"verification", "return_visit"} <= kinds
    assert t.history.count() >= 2  # field history kept with the file
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        t.delete()  # records are PROTECTed: the file cannot be dropped with its ticket


def test_r_m6_04_major_complaint_gets_a_separate_volume(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M6-04: a major complaint (collective of ≥ 10 households) is filed as its own ArchiveVolume;
    an ordinary complaint is not."""
    major = receive(cast, content="12户业主联名投诉地下车库长期积水", collective=True, people_count=12)
    ordinary = receive(cast)
    for t in (major, ordinary):
        escalation_actions.evaluate(t, now=frozen_now)  # idempotent; the intake receiver may have run already
    volume = ArchiveVolume.objects.get(ticket=major)
    assert volume.volume_no == f"ZD-{major.number}" and volume.closed_at is None
    assert not ArchiveVolume.objects.filter(ticket=ordinary).exists()


def test_r_m4_03_company_level_complaint_verified_by_project_then_visited_by_quality(
        cast: Any, frozen_now: dt.datetime) -> None:
    """R-M4-03: a complaint made directly to the company is first verified by the project, then
    waits in 品质管理部's worklist, and the quality department records the return visit."""
    from apps.reports.ledgers import quality_return_visit_queue
    from apps.tickets.tests.helpers import to_verified

    company_level = to_verified(cast, receive(cast, source="company", content="直接向公司投诉保安态度差"),
                                frozen_now)
    project_level = to_verified(cast, receive(cast, content="楼道灯不亮"), frozen_now)
    verification = company_level.verifications.get()
    assert verification.passed and verification.verifier == cast.supervisor  # the project verifies first
    queue = list(quality_return_visit_queue([cast.project.pk]))
    assert queue == [company_level] and project_level not in queue
    visit = actions.record_return_visit(ticket=company_level, method="phone", reached=True, satisfaction="satisfied",
                                        owner_words="公司回访，满意", acting_user=cast.quality_inspector, now=frozen_now)
    assert visit.visitor == cast.quality_inspector
    assert list(quality_return_visit_queue([cast.project.pk])) == []


def test_r_m4_03_quality_worklist_page(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M4-03: 品质管理部 sees the verified company-level complaints on its worklist page."""
    from django.urls import reverse

    from apps.tickets.tests.helpers import to_verified

    t = to_verified(cast, receive(cast, source="company", content="直接向公司投诉"), frozen_now)
    client.force_login(cast.quality_inspector)
    html = client.get(reverse("reports:quality_queue")).content.decode()
    assert t.number in html
    client.force_login(cast.worker)
    assert client.get(reverse("reports:quality_queue")).status_code == 404


def test_r_m6_03_online_complaint_prints_with_post_address_replies_and_captures(
        client: Any, cast: Any, frozen_now: dt.datetime, settings: Any, tmp_path: Any) -> None:
    """R-M6-03: an online complaint is printed for the file — the printed 处理表 shows the post's
    address, every reply and the stored captures of the post (PDF/image attachments)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from apps.core.tests import samples

    settings.MEDIA_ROOT = str(tmp_path)
    t = receive(cast, channel="online", online_url="https://bbs.example.com/thread/123",
                content="网帖：小区电梯经常停运")
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    capture = SimpleUploadedFile("post.png", samples.png(), content_type="image/png")
    actions.record_handling(ticket=t, investigation="电梯控制板故障", measures="更换控制板", result="已修复", done=True,
                            attachments=[(capture, "网帖截图")], acting_user=cast.worker, now=frozen_now)
    answer_by_phone(cast, t, frozen_now, content="电梯已修复，感谢反馈")  # reviewed first (R-M2-08)
    client.force_login(cast.cs_manager)
    html = client.get(reverse("reports:form_ticket", args=[t.pk])).content.decode()
    assert "https://bbs.example.com/thread/123" in html and "网帖截图" in html and "电梯已修复，感谢反馈" in html
    pdf = client.get(reverse("reports:form_ticket", args=[t.pk]), {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_r_m6_08_legacy_issue_has_its_own_file_kept_until_solved(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M6-08: a developer legacy issue is its own file — the ticket with the written transfer, the
    progress notices and the developer's result — and it stays open until the result comes back."""
    from apps.tickets.models import DeveloperTransfer

    t = receive(cast, content="交房遗留：外墙渗水", developer_matter=True)
    transfer = actions.transfer_to_developer(ticket=t, content="请地产客户服务中心处理外墙渗水", document_no="DC-001",
                                             acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.TRANSFERRED and t.is_open
    with pytest.raises((TicketError, InvalidTransition)):
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    actions.record_owner_update(ticket=t, channel="phone", content="地产已安排勘查", acting_user=cast.front_desk,
                                now=frozen_now + dt.timedelta(days=14))
    actions.record_developer_result(transfer=transfer, result="地产已完成外墙防水", acting_user=cast.supervisor,
                                    now=frozen_now + dt.timedelta(days=30))
    t.refresh_from_db()
    assert t.status == TicketStatus.HANDLED and t.handling_result == "地产已完成外墙防水"
    file_transfer = DeveloperTransfer.objects.get(ticket=t)
    assert file_transfer.document_no == "DC-001" and file_transfer.result_at == frozen_now + dt.timedelta(days=30)
    assert t.owner_updates.count() == 1
