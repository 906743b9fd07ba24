"""Private, typed files (issue 14 item 3).

Every uploaded file — ticket attachments, repair photos and signatures, decoration media — goes
through :func:`check_upload` before it is stored:

* its type is sniffed from the content with ``puremagic`` (never the name or the browser's type) and
  must be on the caller's allow-list (:data:`IMAGES`, :data:`ATTACHMENTS`, :data:`DECORATION_MEDIA`,
  :data:`RECORDINGS`);
  office files are told apart by the parts inside the zip, macro-carrying ones are refused; images
  must open in Pillow and stay under ``LINLI_IMAGE_MAX_PIXELS``;
* its size is at most ``LINLI_UPLOAD_MAX_BYTES`` and one submission carries at most
  ``LINLI_UPLOAD_MAX_FILES`` files (:func:`check_count`).

Files live in :class:`PrivateStorage` (``LINLI_PRIVATE_ROOT``, never served by the web server) under
``<prefix>/<uuid4>.<ext>`` names (:class:`UuidPath`). They reach a browser only through an app's
view that first checks the viewer may see the record (404 otherwise) and then calls :func:`serve`:
images inline, everything else ``Content-Disposition: attachment``, always ``nosniff`` and a
sandboxing CSP. :func:`serve` with ``thumb=True`` answers a small WebP made with Pillow (cached in
the private storage). Files recorded before this storage existed are moved in by each app's data
migration (:func:`adopt_legacy_files`); :func:`open_private` still finds one left in ``MEDIA_ROOT``.
"""
from __future__ import annotations

import hashlib
import io
import os
import uuid
import zipfile
from collections.abc import Iterable
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

from apps.core.errors import DomainError

# canonical extension → MIME type answered when serving
MIME = {
    ".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".mp4": "video/mp4", ".mov": "video/quicktime", ".m4a": "audio/mp4", ".mp3": "audio/mpeg",
    ".wav": "audio/wav", ".amr": "audio/amr",
}
# what puremagic may call a type → the canonical extension
_ALIASES = {".jpeg": ".jpg", ".jfif": ".jpg", ".jpe": ".jpg", ".3gp": ".mp4", ".m4v": ".mp4", ".qt": ".mov"}
IMAGES = frozenset({".jpg", ".png", ".webp", ".gif"})
DOCUMENTS = frozenset({".pdf", ".xlsx", ".docx"})
ATTACHMENTS = IMAGES | DOCUMENTS
DECORATION_MEDIA = IMAGES | frozenset({".mp4", ".mov", ".m4a", ".mp3", ".wav", ".amr"})
RECORDINGS = frozenset({".m4a", ".mp3", ".wav", ".amr"})  # call recordings (R-M7-07)
_OFFICE_PARTS = {"word/document.xml": ".docx", "xl/workbook.xml": ".xlsx"}
_LABELS = {
    IMAGES: gettext_noop("JPG、PNG、WebP 或 GIF 图片"),
    ATTACHMENTS: gettext_noop("JPG、PNG、WebP、GIF 图片，PDF，或 Excel（.xlsx）、Word（.docx）文档"),
    DECORATION_MEDIA: gettext_noop("JPG、PNG、WebP、GIF 图片，MP4/MOV 视频，或 MP3/M4A/WAV/AMR 录音"),
    RECORDINGS: gettext_noop("MP3、M4A、WAV 或 AMR 录音"),
}
SNIFF_BYTES = 64 * 1024
THUMB_SIZE = (320, 320)


class FileRefused(DomainError):
    """An upload refused for its type, size or count (422, the field at fault)."""


def max_bytes() -> int:
    return int(getattr(settings, "LINLI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "LINLI_UPLOAD_MAX_FILES", 10))


def max_pixels() -> int:
    return int(getattr(settings, "LINLI_IMAGE_MAX_PIXELS", 40_000_000))


# ---------------------------------------------------------------- storage and names


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.LINLI_PRIVATE_ROOT``; no URL — they are served by views only."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(settings.LINLI_PRIVATE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; serve them through the record's view")


_private = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of every private file field (a callable, so migrations record a reference)."""
    return _private


@deconstructible
class UuidPath:
    """``upload_to`` giving ``<prefix>/<uuid4 hex><ext>``; the extension is the sniffed one that
    :func:`check_upload` put on the file's name (nothing else from the uploaded name survives)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: Any, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()
        return f"{self.prefix}/{uuid.uuid4().hex}{ext if ext in MIME else ''}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UuidPath) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


# ---------------------------------------------------------------- sniffing and checks


def sniff(fh: IO[bytes]) -> str | None:
    """The canonical extension of the content of ``fh`` (from its start; position restored), or None."""
    pos = fh.tell()
    try:
        fh.seek(0)
        head = fh.read(SNIFF_BYTES)
        if not head:
            return None
        try:
            found = puremagic.magic_string(head)
        except puremagic.PureError:
            return None
        for match in found:
            ext = _ALIASES.get(match.extension.lower(), match.extension.lower())
            if ext in {".docx", ".xlsx", ".pptx", ".zip"}:
                return _office_kind(fh)
            if ext in MIME:
                return ext
        return None
    finally:
        fh.seek(pos)


def _office_kind(fh: IO[bytes]) -> str | None:
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return None  # macros: refused whatever the name says
    for part, ext in _OFFICE_PARTS.items():
        if part in names:
            return ext
    return None


def _check_image(fh: IO[bytes], field: str) -> None:
    fh.seek(0)
    try:
        with Image.open(fh) as img:
            width, height = img.size
            if width * height > max_pixels():
                raise FileRefused(_("图片尺寸过大（最多 %(n)d 万像素）") % {"n": max_pixels() // 10_000}, field=field)
            img.verify()
    except FileRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRefused(_("图片已损坏或无法识别"), field=field) from None
    finally:
        fh.seek(0)


def check_upload(file: Any, *, allowed: frozenset[str] = ATTACHMENTS, field: str = "file") -> str:
    """Check an uploaded file by its content; return its canonical extension and rename it to
    ``upload<ext>`` so the stored name carries only the sniffed type. Raises :class:`FileRefused`."""
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(pos)
    if size == 0:
        raise FileRefused(_("文件是空的"), field=field)
    if size > max_bytes():
        raise FileRefused(_("文件不能超过 %(mb)s MB") % {"mb": f"{max_bytes() / 1024 / 1024:g}"}, field=field)
    ext = sniff(file)
    if ext is None or ext not in allowed:
        label = _LABELS.get(allowed) or "、".join(sorted(allowed))
        raise FileRefused(_("文件类型不允许：只能上传%(kinds)s（按文件内容判断，与文件名无关）") % {"kinds": _(label)},
                          field=field, code="file_type")
    if ext in IMAGES:
        _check_image(file, field)
    file.seek(0)
    file.name = f"upload{ext}"
    return ext


def check_count(files: Iterable[Any], *, field: str = "attachments") -> None:
    """At most ``LINLI_UPLOAD_MAX_FILES`` files in one submission."""
    n = sum(1 for f in files if f)
    if n > max_files():
        raise FileRefused(_("一次最多上传 %(n)d 个文件") % {"n": max_files()}, field=field, code="too_many_files")


# ---------------------------------------------------------------- reading and serving


def open_private(file: FieldFile) -> IO[bytes]:
    """Open a stored file for reading: from its storage, or a legacy copy still under ``MEDIA_ROOT``."""
    if not file or not file.name:
        raise Http404
    name = file.name
    try:
        return file.storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        pass
    except Exception:  # noqa: BLE001 - a name the storage refuses (traversal) is simply not there
        raise Http404 from None
    try:
        return FileSystemStorage(location=settings.MEDIA_ROOT).open(name, "rb")
    except Exception:  # noqa: BLE001 - missing or refused by the storage
        raise Http404 from None


def _security_headers(response: HttpResponse | FileResponse) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"


def serve(file: FieldFile, *, download_name: str = "", thumb: bool = False) -> HttpResponse | FileResponse:
    """The file for a viewer already checked by the caller. The type comes from the content."""
    fh = open_private(file)
    ext = sniff(fh) or ""
    if thumb and ext in IMAGES:
        fh.close()
        thumb_response = HttpResponse(thumbnail(file), content_type="image/webp")
        _security_headers(thumb_response)
        return thumb_response
    inline = ext in IMAGES
    name = f"{download_name or 'file'}{ext}"
    response = FileResponse(fh, content_type=MIME.get(ext, "application/octet-stream"),
                            as_attachment=not inline, filename=name)
    _security_headers(response)
    return response


def thumbnail(file: FieldFile) -> bytes:
    """A WebP of at most 320×320 pixels, made once with Pillow and kept in the private storage."""
    key = f"thumbs/{hashlib.sha256((file.name or '').encode()).hexdigest()}.webp"
    if _private.exists(key):
        with _private.open(key, "rb") as cached:
            return cached.read()
    with open_private(file) as fh:
        try:
            with Image.open(fh) as img:
                img.thumbnail(THUMB_SIZE)
                out = io.BytesIO()
                img.convert("RGBA" if img.mode in {"RGBA", "LA", "P"} else "RGB").save(out, "WEBP", quality=80)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise Http404 from None
    data = out.getvalue()
    _private.save(key, ContentFile(data))
    return data


def is_image(file: FieldFile) -> bool:
    """Whether the stored file's name says image (for the record page; serving re-sniffs the content)."""
    ext = _ALIASES.get(os.path.splitext(file.name or "")[1].lower(), os.path.splitext(file.name or "")[1].lower())
    return ext in IMAGES


# ---------------------------------------------------------------- data migrations


def adopt_legacy_files(model: Any, field: str, prefix: str) -> int:
    """Move each file of ``model.field`` still under ``MEDIA_ROOT`` into the private storage under a
    UUID name (used by the apps' data migrations). Returns how many moved; a missing file keeps its
    name (:func:`open_private` answers 404 for it, as before)."""
    legacy = FileSystemStorage(location=settings.MEDIA_ROOT)
    moved = 0
    for row in model.objects.exclude(**{field: ""}).iterator():
        name = getattr(row, field).name
        if not name or _private.exists(name) or not legacy.exists(name):
            continue
        with legacy.open(name, "rb") as src:
            ext = sniff(src) or ""
            new = _private.save(f"{prefix}/{uuid.uuid4().hex}{ext}", File(src))
        model.objects.filter(pk=row.pk).update(**{field: new})
        legacy.delete(name)
        moved += 1
    return moved
