"""SPEC gaps of issue 2 in the owner archive: customer profile (R-M7-05), what the archive holds
(R-M7-06), the service contract reference (R-M19-14), the building steward (R-M19-04)."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.tests import samples
from apps.estates import access as archive
from apps.estates import actions, queries
from apps.estates.models import Building, Person, PersonKind


def test_r_m7_05_customer_needs_and_feedback_are_kept_with_history(cast, estate):
    """R-M7-05: the customer archive records needs and feedback for personalised service; the masked
    view still shows them (they are not contact data) and each change is in the history."""
    p = actions.save_person(cast.supervisor, estate.hh, {"name": "张三丰", "kind": PersonKind.OWNER,
                                                            "needs": "行动不便，维修请提前电话预约"},
                             person=estate.owner)
    assert Person.objects.get(pk=p.pk).needs == "行动不便，维修请提前电话预约"
    view = queries.person_view(p)
    assert view.masked and view.needs == "行动不便，维修请提前电话预约" and view.name != "张三丰"
    assert p.history.first().needs == "行动不便，维修请提前电话预约"
    assert "档案维护" in p.history.first().history_change_reason


def test_r_m7_06_archive_holds_occupants_and_shop_tenants(cast, estate):
    """R-M7-06: a household's occupants (owner, resident) and the stilt-floor shop tenants with the
    business they run are kept; only archive maintainers may add them."""
    shop = actions.save_person(cast.supervisor, estate.hh, {"name": "周记便利店", "kind": PersonKind.SHOP_TENANT,
                                                               "needs": "经营：便利店，店员2人"})
    kinds = {v.kind_label for v in queries.masked_persons(estate.hh)}
    assert {"业主", "住户", "商户"} <= kinds
    assert shop.get_kind_display() == "商户" and "便利店" in shop.needs
    with pytest.raises(PermissionDenied):
        actions.save_person(cast.worker, estate.hh, {"name": "某人"})


def test_r_m19_14_contract_reference_per_owner(cast, estate):
    """R-M19-14: a standard property service contract reference is kept per owner; an edit that does
    not send it keeps the stored one."""
    actions.save_person(cast.supervisor, estate.hh, {"name": "张三丰", "contract_ref": " YG-HT-2026-0158 "},
                         person=estate.owner)
    estate.owner.refresh_from_db()
    assert estate.owner.contract_ref == "YG-HT-2026-0158"
    assert queries.person_view(estate.owner).contract_ref == "YG-HT-2026-0158"
    actions.save_person(cast.supervisor, estate.hh, {"name": "张三丰"}, person=estate.owner)
    estate.owner.refresh_from_db()
    assert estate.owner.contract_ref == "YG-HT-2026-0158"


def test_r_m19_04_building_steward_assignment(cast, estate):
    """R-M19-04: each building can name its steward (客服楼宇员/管家); the steward's buildings are
    listed from the user."""
    b = Building.objects.get(pk=estate.hh.building_id)
    b.steward = cast.butler
    b.save()
    assert list(cast.butler.stewarded_buildings.all()) == [b]
    assert Building.objects.exclude(pk=b.pk).filter(steward__isnull=False).count() == 0


def test_r_m7_09_decoration_archive_per_household(cast, estate, frozen_now, tmp_path, settings):
    """R-M7-09: the household's decoration archive holds the electronic list, photos/videos/recordings
    and the progress and problems, in recording order; media need a file, text entries a note."""
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    actions.add_decoration_record(cast.front_desk, estate.hh, kind="list", note="水电改造、厨房吊顶", now=frozen_now)
    actions.add_decoration_record(cast.butler, estate.hh, kind="photo", file=ContentFile(samples.jpeg(), name="a.jpg"),
                                   now=frozen_now)
    actions.add_decoration_record(cast.butler, estate.hh, kind="problem", note="阳台封窗未报批", now=frozen_now)
    with pytest.raises(ValidationError) as err:
        actions.add_decoration_record(cast.butler, estate.hh, kind="recording", now=frozen_now)
    assert "须上传文件" in str(err.value)
    with pytest.raises(ValidationError):
        actions.add_decoration_record(cast.butler, estate.hh, kind="progress", note=" ", now=frozen_now)
    with pytest.raises(PermissionDenied):
        actions.add_decoration_record(cast.worker, estate.hh, kind="progress", note="已完成水电", now=frozen_now)
    kinds = [r.kind for r in queries.decoration_archive(cast.supervisor, estate.hh)]
    assert kinds == ["list", "photo", "problem"]
    with pytest.raises(PermissionDenied):
        queries.decoration_archive(cast.outsider, estate.hh)


def test_r_m7_10_decoration_media_are_personal_data(cast, estate, frozen_now, tmp_path, settings):
    """R-M7-10: opening a decoration photo/video/recording follows R-M7-01 — a role with customer
    data in its work, a reason, and an access-log row; otherwise refused and nothing logged."""
    from django.core.files.base import ContentFile

    from apps.estates.models import CustomerDataAccessLog

    settings.MEDIA_ROOT = str(tmp_path)
    rec = actions.add_decoration_record(cast.butler, estate.hh, kind="recording",
                                         file=ContentFile(samples.amr(), name="call.amr"), now=frozen_now)
    with pytest.raises(archive.RevealDenied):
        actions.open_decoration_media(cast.worker, rec, reason="核对", screen="test")
    with pytest.raises(archive.RevealDenied):
        actions.open_decoration_media(cast.front_desk, rec, reason=" ", screen="test")
    assert not CustomerDataAccessLog.objects.exists()
    f = actions.open_decoration_media(cast.front_desk, rec, reason="核对装修投诉", screen="装修档案")
    assert f.read() == samples.amr()
    log = CustomerDataAccessLog.objects.get()
    assert (log.user, log.household, log.fields, log.reason) == (cast.front_desk, estate.hh, "decoration_media",
                                                                  "核对装修投诉")


def test_r_m7_10_access_log_names_decoration_media(cast, estate, frozen_now):
    """R-M7-10: the access-log page names a decoration-media read in Chinese."""
    from apps.estates.models import CustomerDataAccessLog

    log = CustomerDataAccessLog(project=cast.project, user=cast.front_desk, at=frozen_now, action="view",
                                household=estate.hh, fields=actions.DECORATION_MEDIA_FIELD, reason="核对", screen="t")
    assert log.field_labels == "装修影像/录音"
