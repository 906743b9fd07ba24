"""Decoration media (R-M7-09, R-M7-10) are typed by content and stored privately (issue 14 item 3)."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from apps.core.tests import samples
from apps.estates import actions
from apps.estates.models import DecorationRecord

pytestmark = pytest.mark.django_db


def test_r_m7_09_decoration_photo_disguised_as_jpg_is_refused(cast: Any, estate: Any, frozen_now: Any) -> None:
    with pytest.raises(ValidationError) as err:
        actions.add_decoration_record(cast.butler, estate.hh, kind="photo",
                                      file=ContentFile(samples.SVG_AS_JPG, name="a.jpg"), now=frozen_now)
    assert "文件类型不允许" in str(err.value) and not DecorationRecord.objects.exists()


def test_r_m7_09_decoration_media_stored_under_uuid_names(cast: Any, estate: Any, frozen_now: Any) -> None:
    rec = actions.add_decoration_record(cast.butler, estate.hh, kind="recording",
                                        file=ContentFile(samples.amr(), name="王先生电话.amr"), now=frozen_now)
    name = str(rec.file.name)
    assert name.startswith("estates/decoration/") and name.endswith(".amr") and "王" not in name
