"""Files are private and typed (issue 14 item 3): the content decides the type, not the name."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core import files
from apps.core.tests import samples


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("data", [samples.HTML_AS_JPG, samples.SVG_AS_JPG, samples.SCRIPT_AS_JPG,
                                  samples.JPEG_HEAD_THEN_HTML])
def test_disguised_file_named_jpg_is_refused_in_chinese(data: bytes) -> None:
    with pytest.raises(files.FileRefused) as err:
        files.check_upload(upload(data), allowed=files.ATTACHMENTS, field="attachment")
    assert err.value.fields == {"attachment": [err.value.message]}
    assert "文件类型不允许" in err.value.message or "图片已损坏" in err.value.message


def test_real_files_pass_and_get_their_sniffed_extension() -> None:
    f = upload(samples.jpeg(), name="evil.html", content_type="text/html")  # name and type lie the other way
    assert files.check_upload(f) == ".jpg" and f.name == "upload.jpg"
    assert files.check_upload(upload(samples.png(), "a.bin")) == ".png"
    assert files.check_upload(upload(samples.pdf(), "scan.jpg")) == ".pdf"
    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    assert files.check_upload(upload(book.getvalue(), "list.pdf")) == ".xlsx"
    with pytest.raises(files.FileRefused):
        files.check_upload(upload(samples.pdf()), allowed=files.IMAGES)  # a PDF is no photo


def test_office_file_with_macros_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(files.FileRefused):
        files.check_upload(upload(out.getvalue(), "book.xlsx"))


def test_size_and_count_limits_come_from_settings(settings: Any) -> None:
    settings.LINLI_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(files.FileRefused) as err:
        files.check_upload(upload(samples.jpeg((800, 800))))
    assert "不能超过" in err.value.message
    with pytest.raises(files.FileRefused) as err:
        files.check_upload(upload(b""))
    assert "空" in err.value.message
    settings.LINLI_UPLOAD_MAX_FILES = 2
    files.check_count([1, 2])
    with pytest.raises(files.FileRefused) as err:
        files.check_count([1, 2, 3])
    assert "一次最多上传 2 个文件" in err.value.message


def test_image_too_many_pixels_is_refused(settings: Any) -> None:
    settings.LINLI_IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(files.FileRefused) as err:
        files.check_upload(upload(samples.jpeg((200, 200))))
    assert "图片尺寸过大" in err.value.message


def test_names_are_uuids_and_private_files_have_no_url() -> None:
    a, b = files.UuidPath("tickets")(None, "upload.jpg"), files.UuidPath("tickets")(None, "upload.jpg")
    assert a != b and a.startswith("tickets/") and a.endswith(".jpg") and len(a) == len("tickets/") + 32 + 4
    assert files.UuidPath("x")(None, "<script>.html").endswith(tuple("0123456789abcdef"))  # no foreign extension
    with pytest.raises(ValueError):
        files.private_storage().url("tickets/a.jpg")
