"""R-M17-08: owners are told how their decoration is progressing and what problems it has."""
from __future__ import annotations

import pytest

from apps.notify import notices, queries
from apps.notify.models import Delivery
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 23, 10, 0)


def test_r_m17_08_progress_and_problem_entries_are_told_to_the_owners_once(cast, owner) -> None:
    from apps.estates.actions import add_decoration_record

    hh = owner.household
    progress = add_decoration_record(cast.front_desk, hh, kind="progress", note="水电改造已完成，下周进入泥瓦阶段", now=NOW)
    problem = add_decoration_record(cast.front_desk, hh, kind="problem", note="阳台外墙私自开孔，请于3日内恢复", now=NOW)
    lst = add_decoration_record(cast.front_desk, hh, kind="list", note="装修清单", now=NOW)
    assert [r.pk for r in notices.untold_decoration_records(cast.project)] == [progress.pk, problem.pk]

    assert notices.tell_decoration_progress(progress, acting_user=cast.front_desk, now=NOW) == 1
    assert notices.tell_decoration_progress(progress, acting_user=cast.front_desk, now=NOW) == 0  # once
    d = Delivery.objects.get(kind=notices.DECORATION_KIND)
    assert d.address == owner.phone and "装修进度" in d.body and "泥瓦" in d.body and hh.label in d.body
    assert [r.pk for r in notices.untold_decoration_records(cast.project)] == [problem.pk]
    notices.tell_decoration_progress(problem, acting_user=cast.front_desk, now=NOW)
    assert "装修问题" in Delivery.objects.filter(kind=notices.DECORATION_KIND).latest("pk").body
    assert not notices.untold_decoration_records(cast.project).exists()

    with pytest.raises(queries.NotifyError, match="只有装修进度或装修问题"):
        notices.tell_decoration_progress(lst, acting_user=cast.front_desk, now=NOW)
    with pytest.raises(queries.NotifyError, match="权限"):
        notices.tell_decoration_progress(progress, acting_user=cast.outsider, now=NOW)


def test_r_m17_08_staff_page_lists_and_tells(cast, owner, client) -> None:
    from apps.estates.actions import add_decoration_record

    rec = add_decoration_record(cast.front_desk, owner.household, kind="progress", note="吊顶完成", now=NOW)
    client.force_login(cast.front_desk)
    page = client.get("/notify/decoration/").content.decode()
    assert "吊顶完成" in page and owner.household.label in page
    assert client.post(f"/notify/decoration/{rec.pk}/tell/").status_code == 302
    assert Delivery.objects.filter(kind=notices.DECORATION_KIND, person=owner).count() == 1
    assert "吊顶完成" not in client.get("/notify/decoration/").content.decode()
    client.force_login(cast.outsider)
    assert client.post(f"/notify/decoration/{rec.pk}/tell/").status_code == 404
