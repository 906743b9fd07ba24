"""SPEC rule coverage (issue 4): published channels (R-M1-01), 24-hour intake (R-M1-02),
designated intake post and routing (R-M1-07, R-M1-08), reply to the 管理处主任 (R-M2-21)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest

from apps.org.roles import Role
from apps.tickets import actions, channels
from apps.tickets.choices import Channel, Kind, ReplyRecipient, TicketStatus
from apps.tickets.models import ChannelPublication, IntakePost, PublishedChannelKind, Reply
from apps.tickets.tests.helpers import at, receive

pytestmark = pytest.mark.django_db


def test_r_m1_01_channel_publication_recorded_per_project(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-01: each published channel is a record (value, date published, where posted); the
    channels not yet published are listed."""
    assert channels.missing_channels(cast.project) == list(PublishedChannelKind.values)
    pub = actions.record_channel_publication(
        project=cast.project, kind=PublishedChannelKind.PROJECT_PHONE, value="0755-88886666",
        published_on=frozen_now.date(), where_posted="小区公告栏、服务中心前台", acting_user=cast.supervisor,
        now=frozen_now)
    assert ChannelPublication.objects.get(project=cast.project) == pub
    assert pub.recorded_by == cast.supervisor and pub.recorded_at == frozen_now
    missing = channels.missing_channels(cast.project)
    assert PublishedChannelKind.PROJECT_PHONE not in missing
    assert PublishedChannelKind.SUGGESTION_BOX in missing
    assert channels.missing_channels(cast.other_project) == list(PublishedChannelKind.values)


def test_r_m1_01_publication_refuses_bad_input(cast: Any, frozen_now: dt.datetime) -> None:
    def record(**kw: Any) -> Any:
        args = dict(project=cast.project, kind=PublishedChannelKind.EMAIL, value="kefu@example.com",
                    published_on=frozen_now.date(), where_posted="公告栏", acting_user=cast.supervisor, now=frozen_now)
        args.update(kw)
        return actions.record_channel_publication(**args)

    with pytest.raises(actions.ChannelError) as exc:
        record(where_posted=" ")
    assert "where_posted" in exc.value.fields
    with pytest.raises(actions.ChannelError):
        record(published_on=frozen_now.date() + dt.timedelta(days=1))
    with pytest.raises(actions.ChannelError):
        record(kind="pigeon")
    with pytest.raises(actions.ChannelError):
        record(acting_user=cast.outsider)
    assert not ChannelPublication.objects.exists()


@pytest.mark.parametrize("moment", [at(2026, 11, 22, 3, 0), at(2026, 10, 1, 23, 59)])
def test_r_m1_02_intake_works_around_the_clock(cast: Any, moment: dt.datetime) -> None:
    """R-M1-02: intake works 24×7 — at night, on a Sunday, on a public holiday."""
    t = receive(cast, now=moment, kind=Kind.REPAIR, content="半夜水管爆裂")
    assert t.status == TicketStatus.RECEIVED
    assert t.received_at == moment


def test_r_m1_02_project_carries_24h_service_and_repair_numbers(cast: Any) -> None:
    """R-M1-02: the project records the published 24-hour service and repair telephones."""
    cast.project.service_phone, cast.project.repair_phone = "0755-88880000", "0755-88881111"
    cast.project.save(update_fields=["service_phone", "repair_phone"])
    cast.project.refresh_from_db()
    assert (cast.project.service_phone, cast.project.repair_phone) == ("0755-88880000", "0755-88881111")


def test_r_m1_07_designated_intake_post_defaults_to_front_desk(cast: Any) -> None:
    """R-M1-07: each 管理处 designates its intake post(s); without a setting it is the front desk."""
    assert channels.intake_roles(cast.project) == {Role.FRONT_DESK}
    IntakePost.objects.create(project=cast.project, role=Role.BUTLER, note="服务中心物管员")
    assert channels.intake_roles(cast.project) == {Role.BUTLER}
    assert channels.intake_roles(cast.other_project) == {Role.FRONT_DESK}


def test_r_m1_07_unknown_role_refused() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        IntakePost(role="astronaut").clean()


def test_r_m1_08_ticket_received_by_other_staff_is_passed_to_the_designated_post(
        cast: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    """R-M1-08: any employee records the complaint, and it is passed on to the designated post."""
    with mock.patch("apps.notify.actions.notify_staff") as notify:
        with django_capture_on_commit_callbacks(execute=True):
            t = receive(cast, acting_user=cast.worker)
    routed = [c for c in notify.call_args_list if c.kwargs["kind"] == "ticket_routed_to_intake_post"]
    assert len(routed) == 1
    assert cast.front_desk in routed[0].args[0]
    assert t.number in routed[0].kwargs["subject"]


def test_r_m1_08_designated_post_receiving_is_not_routed(cast: Any, frozen_now: dt.datetime,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    with mock.patch("apps.notify.actions.notify_staff") as notify:
        with django_capture_on_commit_callbacks(execute=True):
            receive(cast, acting_user=cast.front_desk)
    assert not [c for c in notify.call_args_list if c.kwargs["kind"] == "ticket_routed_to_intake_post"]


def test_r_m2_21_result_replied_to_the_project_manager_as_well(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-21 (recorded part): the result is replied to the resident and, as a separate reply
    record, to the 管理处主任; the manager's copy does not move the owner's deadlines."""
    t = receive(cast)
    actions.record_reply(ticket=t, kind="result", channel="phone", content="已为您更换灯管", owner_response="agree",
                         acting_user=cast.front_desk, now=frozen_now)
    actions.record_reply(ticket=t, kind="result", channel="in_person", content="已处理完毕，业主认可",
                         recipient=ReplyRecipient.PROJECT_MANAGER, acting_user=cast.front_desk, now=frozen_now)
    recipients = sorted(Reply.objects.filter(ticket=t).values_list("recipient", flat=True))
    assert recipients == [ReplyRecipient.OWNER, ReplyRecipient.PROJECT_MANAGER]


def test_r_m1_13_owners_committee_needs_no_agreed_time(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M1-13: the written 业委会 form is not an oral intake, so no feedback time must be agreed."""
    t = receive(cast, channel=Channel.OWNERS_COMMITTEE, agreed_feedback_at=None)
    assert t.agreed_feedback_at is None
