"""Owner roster (业主名册) import from and export to Excel (issue 2 item 4).

Import: upload → :func:`parse_workbook` (openpyxl, read-only) checks every row and stores an
:class:`ImportJob` with the parsed rows and a row-level error report in Chinese (row number, column,
reason) → the user sees a preview → :func:`commit_import` writes everything in one transaction, or
nothing. A re-import updates what exists: households are matched by (楼栋, 单元, 房号), persons in
a household by phone (or by name when the row has no phone). Persons missing from the file are left
as they are (a roster is often exported per building or edited partially).

Export: :func:`write_roster` streams the same columns with XlsxWriter in constant-memory mode; phone,
ID numbers, names and plates are masked unless the caller passes ``unmasked=True`` (the views
check the grant and write the access log first, see :mod:`apps.estates.actions`).
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.estates import masking
from apps.estates.models import (
    Building,
    Household,
    ImportJob,
    ImportStatus,
    OccupancyStatus,
    Person,
    PersonKind,
    Unit,
    Vehicle,
)
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User

Progress = Callable[[str, int, int], None]  # (phase, done, total)

MAX_ROWS = 50_000
# Import limits (issue 14 item 5), checked while streaming so memory stays bounded at the limits
# (bench/import_limits_bench.py): the file, its parts once unzipped, the shared-strings table that
# openpyxl keeps in memory, the width of a row and the length of one cell.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 40 * 1024 * 1024
MAX_COLUMNS = 60
MAX_CELL_CHARS = 500
_XML_BYTES_PER_CHAR = 6  # worst case of one character in the XML (``&quot;``)
_SCAN_CHUNK = 1 << 20
PREVIEW_ROWS = 20
MAX_ERRORS_STORED = 2_000
CHUNK = 250


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 12


COLUMNS: tuple[Column, ...] = (
    Column("building", "楼栋", ("楼号", "栋", "楼栋号"), True, 8),
    Column("unit", "单元", ("单元号",), False, 8),
    Column("room_no", "房号", ("房间号", "室号"), True, 8),
    Column("area", "面积（㎡）", ("面积", "建筑面积", "面积(㎡)", "面积（m²）", "面积(m2)"), False, 10),
    Column("status", "房屋状态", ("状态", "入住状态"), False, 10),
    Column("name", "姓名", ("业主姓名", "住户姓名"), False, 10),
    Column("kind", "身份", ("类型", "人员类型"), False, 8),
    Column("phone", "手机", ("手机号", "手机号码", "电话", "联系电话"), False, 14),
    Column("phone2", "其他电话", ("备用电话", "固定电话"), False, 14),
    Column("id_number", "证件号码", ("身份证号", "身份证号码", "证件号"), False, 20),
    Column("move_in_date", "入住日期", ("入住时间",), False, 12),
    Column("tags", "标签", ("备注标签",), False, 14),
    Column("plate", "车牌", ("车牌号",), False, 10),
    Column("parking_space", "车位", ("车位号",), False, 10),
    Column("email", "电子邮箱", ("邮箱", "电子邮件", "Email", "E-mail", "邮件地址"), False, 22),  # R-M17-07
    Column("fax", "传真", ("传真号", "传真号码"), False, 14),
)
HEADERS = [c.header for c in COLUMNS]
_BY_HEADER: dict[str, Column] = {}
for _c in COLUMNS:
    for _h in (_c.header, *_c.aliases):
        _BY_HEADER[re.sub(r"\s|\*", "", _h)] = _c

STATUS_BY_LABEL = {str(label): value for value, label in OccupancyStatus.choices}
KIND_BY_LABEL = {str(label): value for value, label in PersonKind.choices}
STATUS_LABEL = {v: k for k, v in STATUS_BY_LABEL.items()}
KIND_LABEL = {v: k for k, v in KIND_BY_LABEL.items()}

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$")
OTHER_DOCUMENT = re.compile(r"^[A-Za-z0-9]{5,20}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class RosterError(Exception):
    """The workbook cannot be read at all (not .xlsx, no header …); message is Chinese."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


# ---------------------------------------------------------------- cell parsing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def normalise_phone(value: Any) -> str:
    """Digits of a mobile number (``+86 138-1234-5678`` → ``13812345678``); landlines keep one dash."""
    text = _text(value).replace(" ", "").replace("－", "-")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    digits = text.replace("-", "")
    if MOBILE.match(digits):
        return digits
    return text


def phone_problem(phone: str) -> str | None:
    if not phone or MOBILE.match(phone) or LANDLINE.match(phone):
        return None
    return "电话号码格式不正确（手机应为11位数字，座机如 0755-83211234）"


EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def email_problem(value: str) -> str | None:
    """R-M17-07: the address the fee reminder is e-mailed to."""
    if not value or (len(value) <= 254 and EMAIL.match(value)):
        return None
    return "电子邮箱格式不正确（如 zhang@example.com）"


def id_number_problem(value: str) -> str | None:
    """PRC resident ID: 18 characters with a valid birth date and check digit, or the old 15 digits;
    other documents (passport, 港澳台通行证) 5–20 letters and digits."""
    if not value:
        return None
    text = value.upper()
    if len(text) == 18 and re.match(r"^\d{17}[\dX]$", text):
        try:
            dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
        except ValueError:
            return "身份证号码中的出生日期不正确"
        check = _ID_CHECK[sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True)) % 11]
        if check != text[17]:
            return "身份证号码校验位不正确"
        return None
    if len(text) == 15 and text.isdigit():
        return None
    if text.isdigit() and len(text) in (16, 17, 18):
        return "身份证号码位数不正确（应为18位）"
    if OTHER_DOCUMENT.match(text):
        return None
    return "证件号码格式不正确"


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if not m:
        raise ValueError("日期格式不正确（应为 2024-05-01）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("日期不存在") from None


def _tags(value: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,，、;；\s]+", value) if t.strip()]


# ---------------------------------------------------------------- parse


def _header_map(header_row: Iterable[Any]) -> tuple[dict[int, Column], list[RowError]]:
    mapping: dict[int, Column] = {}
    errors: list[RowError] = []
    for idx, cell in enumerate(header_row):
        name = re.sub(r"\s|\*", "", _text(cell))
        if not name:
            continue
        col = _BY_HEADER.get(name)
        if col is None:
            errors.append(RowError(1, name, "无法识别的列名（可用：" + "、".join(HEADERS) + "）"))
        elif col in mapping.values():
            errors.append(RowError(1, name, f"列“{col.header}”重复"))
        else:
            mapping[idx] = col
    for col in COLUMNS:
        if col.required and col not in mapping.values():
            errors.append(RowError(1, col.header, "缺少必需的列"))
    return mapping, errors


def _parse_row(n: int, values: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
    errs: list[RowError] = []
    out: dict[str, Any] = {"row": n}

    def err(key: str, message: str) -> None:
        errs.append(RowError(n, next(c.header for c in COLUMNS if c.key == key), message))

    for key, limit in (("building", 50), ("unit", 50), ("room_no", 30), ("name", 50), ("parking_space", 30),
                       ("tags", 200)):
        text = _text(values.get(key))
        if len(text) > limit:
            err(key, f"不能超过{limit}个字")
        out[key] = text[:limit]
    if not out["building"]:
        err("building", "楼栋不能为空")
    if not out["room_no"]:
        err("room_no", "房号不能为空")
    area = values.get("area")
    out["area"] = None
    if area not in (None, ""):
        try:
            amount = Decimal(_text(area))
            if not (Decimal(0) < amount < Decimal(100_000)):
                raise InvalidOperation
            out["area"] = str(amount.quantize(Decimal("0.01")))
        except (InvalidOperation, ValueError):
            err("area", "面积应为大于0的数字")
    status = _text(values.get("status"))
    out["status"] = ""
    if status:
        if status in STATUS_BY_LABEL:
            out["status"] = STATUS_BY_LABEL[status]
        else:
            err("status", "房屋状态应为：" + "、".join(STATUS_BY_LABEL))
    kind = _text(values.get("kind"))
    out["kind"] = PersonKind.OWNER
    if kind:
        if kind in KIND_BY_LABEL:
            out["kind"] = KIND_BY_LABEL[kind]
        else:
            err("kind", "身份应为：" + "、".join(KIND_BY_LABEL))
    for key in ("phone", "phone2"):
        out[key] = normalise_phone(values.get(key))
        problem = phone_problem(out[key])
        if problem:
            err(key, problem)
    out["email"] = _text(values.get("email"))
    problem = email_problem(out["email"])
    if problem:
        err("email", problem)
    out["fax"] = normalise_phone(values.get("fax"))
    problem = phone_problem(out["fax"])
    if problem:
        err("fax", problem)
    out["id_number"] = _text(values.get("id_number")).upper()
    problem = id_number_problem(out["id_number"])
    if problem:
        err("id_number", problem)
    out["move_in_date"] = None
    try:
        day = _date(values.get("move_in_date"))
        out["move_in_date"] = day.isoformat() if day else None
    except ValueError as exc:
        err("move_in_date", str(exc))
    plate = re.sub(r"[\s·.\-]", "", _text(values.get("plate"))).upper()
    out["plate"] = plate
    if plate and not PLATE.match(plate):
        err("plate", "车牌号格式不正确（如 粤B12345）")
    has_person_data = any(out[k] for k in ("phone", "phone2", "email", "fax", "id_number", "plate")) or kind
    if has_person_data and not out["name"]:
        err("name", "填写了人员信息时姓名不能为空")
    if out["parking_space"] and not out["plate"]:
        err("plate", "填写了车位时须填写车牌")
    return out, errs


def household_key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["building"], row["unit"], row["room_no"])


def _cross_row_checks(rows: list[dict[str, Any]]) -> list[RowError]:
    errors: list[RowError] = []
    first_of_household: dict[tuple[str, str, str], dict[str, Any]] = {}
    person_seen: dict[tuple[Any, ...], int] = {}
    for r in rows:
        key = household_key(r)
        first = first_of_household.setdefault(key, r)
        if first is not r:
            for field, header in (("area", "面积（㎡）"), ("status", "房屋状态")):
                if r[field] and first[field] and r[field] != first[field]:
                    errors.append(RowError(r["row"], header, f"与第{first['row']}行同一房屋的{header}不一致"))
        if r["name"]:
            pkey = (*key, "phone", r["phone"]) if r["phone"] else (*key, "name", r["name"])
            if pkey in person_seen:
                errors.append(RowError(r["row"], "手机" if r["phone"] else "姓名",
                                       f"与第{person_seen[pkey]}行是同一房屋的同一人"))
            else:
                person_seen[pkey] = r["row"]
    return errors


_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_SHARED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>(\d+)</')
_SI_TAG = re.compile(rb"<(?:\w+:)?si\b")


def _long_runs(limit: int) -> re.Pattern[bytes]:
    return re.compile(rb"[^<]{%d,}" % (limit + 1))


def _scan_part(stream: IO[bytes], limit: int, *, rows: bool, shared_index: int | None = None) -> tuple[int, int]:
    """Stream one XML part in 1 MB chunks. Returns ``(row, count)``: for a sheet (``rows=True``) the
    row holding the first text longer than ``limit`` bytes or the first cell using shared string
    ``shared_index`` (0 when none), stopping early past the row cap; for the shared strings the
    index of the first over-long string (−1 when none) and the number of strings."""
    long_run = _long_runs(limit)
    run = 0  # bytes of text since the last '<', carried over chunk boundaries
    tail = b""
    row = 0
    count = 0
    while chunk := stream.read(_SCAN_CHUNK):
        first_lt = chunk.find(b"<")
        if first_lt == -1:
            run += len(chunk)
            over_at: int | None = 0 if run > limit else None
        else:
            over_at = 0 if run + first_lt > limit else None
            if over_at is None and (m := long_run.search(chunk, first_lt)) is not None:
                over_at = m.start()
            run = len(chunk) - chunk.rfind(b"<") - 1
        data = tail + chunk
        offset = len(tail)
        if rows:
            for m in _ROW_TAG.finditer(data):
                if over_at is not None and m.start() > offset + over_at:
                    break
                row = int(m.group(1))
                if row > MAX_ROWS + 1:
                    # past the cap: refused here, before openpyxl (which, when a sheet has no
                    # <dimension>, reads the whole sheet just to look for one)
                    raise RosterError(f"第{row}行：超过{MAX_ROWS}行，请分批导入")
            if over_at is not None:
                return max(row, 1), count
            if shared_index is not None:
                for m in _SHARED_CELL.finditer(data):
                    if int(m.group(1)) == shared_index:
                        last = [r for r in _ROW_TAG.finditer(data, 0, m.start())]
                        return (int(last[-1].group(1)) if last else max(row, 1)), count
        else:
            end = offset + (over_at if over_at is not None else len(chunk))
            count += sum(1 for m in _SI_TAG.finditer(data, max(offset - 2, 0), end))  # new tags only
            if over_at is not None:
                return count - 1, count
        tail = data[-256:]
    return (0 if rows else -1), count


def check_limits(fileobj: IO[bytes]) -> None:
    """Refuse a workbook beyond the import limits before openpyxl reads it (issue 14 item 5): the
    file size, the unzipped size, the shared strings and every cell's length, streamed in chunks.
    Raises :class:`RosterError` naming the row."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > MAX_FILE_BYTES:
        raise RosterError(f"文件太大（不超过 {MAX_FILE_BYTES // 1024 // 1024} MB），请分批导入")
    try:
        with zipfile.ZipFile(fileobj) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise RosterError(f"文件解压后超过 {MAX_UNZIPPED_BYTES // 1024 // 1024} MB，请分批导入")
            limit = MAX_CELL_CHARS * _XML_BYTES_PER_CHAR
            long_shared = -1
            shared = next((i for i in infos if i.filename.lower() == "xl/sharedstrings.xml"), None)
            if shared is not None:
                if shared.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise RosterError(f"文件中的文字总量超过 {MAX_SHARED_STRINGS_BYTES // 1024 // 1024} MB，请分批导入")
                with z.open(shared) as fh:
                    long_shared, _count = _scan_part(fh, limit, rows=False)
            sheets = [i for i in infos if i.filename.lower().startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            for info in sheets:
                with z.open(info) as fh:
                    row, _count = _scan_part(fh, limit, rows=True,
                                             shared_index=long_shared if long_shared >= 0 else None)
                if row:
                    raise RosterError(f"第{row}行：单元格内容超过{MAX_CELL_CHARS}字，请检查后重新导入")
            if long_shared >= 0:
                raise RosterError(f"文件中有单元格内容超过{MAX_CELL_CHARS}字，请检查后重新导入")
    except zipfile.BadZipFile as exc:
        raise RosterError("无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的业主名册") from exc
    finally:
        fileobj.seek(0)


def parse_workbook(fileobj: IO[bytes], *, progress: Progress | None = None) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Read and check every row. Returns (rows, errors); raises :class:`RosterError` when unreadable."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_limits(fileobj)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise RosterError("无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的业主名册") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise RosterError("无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的业主名册") from exc
    try:
        ws = wb.worksheets[0]
        total = max((ws.max_row or 1) - 1, 0)
        it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)  # a cell far right cannot widen every row
        header = next(it, None)
        if header is None:
            raise RosterError("工作表是空的：第1行应为列名（" + "、".join(HEADERS) + "）")
        mapping, errors = _header_map(header)
        if any(e.row == 1 for e in errors if e.message == "缺少必需的列"):
            return [], errors
        rows: list[dict[str, Any]] = []
        for n, raw in enumerate(it, start=2):
            if n - 1 > MAX_ROWS:
                errors.append(RowError(n, "", f"超过{MAX_ROWS}行，请分批导入"))
                break
            if raw is None or all(v is None or _text(v) == "" for v in raw):
                continue
            values = {col.key: raw[idx] for idx, col in mapping.items() if idx < len(raw)}
            too_long = [col.header for idx, col in mapping.items()
                        if idx < len(raw) and isinstance(raw[idx], str) and len(raw[idx]) > MAX_CELL_CHARS]
            if too_long:
                errors.extend(RowError(n, h, f"内容超过{MAX_CELL_CHARS}字") for h in too_long)
                continue
            row, row_errors = _parse_row(n, values)
            rows.append(row)
            errors.extend(row_errors)
            if progress and n % CHUNK == 0:
                progress("check", n - 1, total)
        if not rows and not errors:
            errors.append(RowError(2, "", "没有数据行"))
        errors.extend(_cross_row_checks(rows))
        errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
        if progress:
            progress("check", total, total)
        return rows, errors
    finally:
        wb.close()


@transaction.atomic
def create_import_job(user: User, project: Project, fileobj: IO[bytes], filename: str, *,
                      progress: Progress | None = None) -> ImportJob:
    """Upload step: parse, check, store the preview. Nothing in the archive changes yet."""
    if not access.has_cap(user, Cap.IMPORT_ROSTER, project):
        raise PermissionDenied("您的岗位无权导入业主名册")
    rows, errors = parse_workbook(fileobj, progress=progress)
    # one open preview per user and project: older previews are dropped with their personal data
    ImportJob.objects.filter(project=project, created_by=user, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.DISCARDED, rows=[])
    households = {household_key(r) for r in rows}
    return ImportJob.objects.create(
        project=project, created_by=user, created_at=clock.now(), filename=filename[:200],
        status=ImportStatus.INVALID if errors else ImportStatus.PREVIEW, row_count=len(rows),
        household_count=len(households), person_count=sum(1 for r in rows if r["name"]),
        rows=[] if errors else rows, errors=[e.as_dict() for e in errors[:MAX_ERRORS_STORED]],
        result={"error_total": len(errors)} if errors else {},
    )


# ---------------------------------------------------------------- commit


def _person_tags(row: dict[str, Any]) -> tuple[str, bool, bool]:
    tags = _tags(row["tags"])
    return ",".join(tags), "VIP" in {t.upper() for t in tags}, "空巢老人" in tags


@transaction.atomic
def commit_import(job: ImportJob, user: User, *, progress: Progress | None = None) -> dict[str, int]:
    """All-or-nothing: write every row of a checked import, or raise and write nothing."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    # imports into one project run one after the other (buildings and units are created by name)
    project = Project.objects.select_for_update().get(pk=job.project_id)
    if not access.has_cap(user, Cap.IMPORT_ROSTER, project):
        raise PermissionDenied("您的岗位无权导入业主名册")
    if job.status != ImportStatus.PREVIEW:
        raise ValidationError("该导入已处理或有错误，不能再次导入")
    rows: list[dict[str, Any]] = job.rows
    total = len(rows)
    now = clock.now()
    counts = {"buildings_created": 0, "units_created": 0, "households_created": 0, "households_updated": 0,
              "persons_created": 0, "persons_updated": 0, "vehicles_created": 0}

    buildings = {b.name: b for b in Building.objects.filter(project=project)}
    new_buildings = [Building(project=project, name=name, sort_key=_sort_key(name))
                     for name in dict.fromkeys(r["building"] for r in rows) if name not in buildings]
    if new_buildings:
        for b in Building.objects.bulk_create(new_buildings):
            buildings[b.name] = b
        counts["buildings_created"] = len(new_buildings)
    units = {(u.building_id, u.name): u for u in Unit.objects.filter(building__project=project)}
    wanted_units = dict.fromkeys((buildings[r["building"]].pk, r["unit"]) for r in rows if r["unit"])
    new_units = [Unit(building_id=bid, name=name) for (bid, name) in wanted_units if (bid, name) not in units]
    if new_units:
        for u in Unit.objects.bulk_create(new_units):
            units[(u.building_id, u.name)] = u
        counts["units_created"] = len(new_units)

    def hh_key(row: dict[str, Any]) -> tuple[int, int | None, str]:
        b = buildings[row["building"]]
        u = units[(b.pk, row["unit"])] if row["unit"] else None
        return (b.pk, u.pk if u else None, row["room_no"])

    existing = {(h.building_id, h.unit_id, h.room_no): h for h in Household.objects.filter(project=project)}
    to_create: dict[tuple[int, int | None, str], Household] = {}
    to_update: dict[int, Household] = {}
    for r in rows:
        key = hh_key(r)
        h = existing.get(key) or to_create.get(key)
        if h is None:
            b = buildings[r["building"]]
            unit = units[(b.pk, r["unit"])] if r["unit"] else None
            h = Household(project=project, building=b, unit=unit, room_no=r["room_no"],
                          label=Household.make_label(b.name, unit.name if unit else None, r["room_no"]),
                          area_m2=Decimal(r["area"]) if r["area"] else None,
                          status=r["status"] or OccupancyStatus.OCCUPIED)
            to_create[key] = h
            continue
        changed = False
        if r["area"] and h.area_m2 != Decimal(r["area"]):
            h.area_m2 = Decimal(r["area"])
            changed = True
        if r["status"] and h.status != r["status"]:
            h.status = r["status"]
            changed = True
        if changed and h.pk:
            to_update[h.pk] = h
    if to_create:
        bulk_create_with_history(list(to_create.values()), Household, batch_size=1000, default_user=user,
                                 default_change_reason="名册导入", default_date=now)
        if any(h.pk is None for h in to_create.values()):  # databases that do not return ids from bulk inserts
            created = {(h.building_id, h.unit_id, h.room_no): h for h in Household.objects.filter(project=project)}
            to_create = {key: created[key] for key in to_create}
        existing.update(to_create)
        counts["households_created"] = len(to_create)
    if to_update:
        bulk_update_with_history(list(to_update.values()), Household, ["area_m2", "status"], batch_size=1000,
                                 default_user=user, default_change_reason="名册导入", default_date=now)
        counts["households_updated"] = len(to_update)
    if progress:
        progress("write", total // 3, total)

    persons_by_hh: dict[int, list[Person]] = {}
    for p in Person.objects.filter(project=project):
        persons_by_hh.setdefault(p.household_id, []).append(p)
    new_persons: list[Person] = []
    upd_persons: dict[int, Person] = {}
    vehicle_rows: list[tuple[Person, dict[str, Any]]] = []
    fields = ["name", "kind", "phone", "phone2", "phone_tail", "email", "fax", "id_number", "move_in_date", "tags", "is_vip",
              "elderly_alone", "active"]
    for i, r in enumerate(rows, start=1):
        if not r["name"]:
            continue
        household = existing[hh_key(r)]
        candidates = persons_by_hh.setdefault(household.pk, [])
        match = None
        if r["phone"]:
            match = next((p for p in candidates if p.phone == r["phone"]), None)
        if match is None:
            match = next((p for p in candidates if p.name == r["name"] and (not p.phone or not r["phone"])), None)
        tags, vip, elderly = _person_tags(r)
        values = {"name": r["name"], "kind": r["kind"], "phone": r["phone"] or (match.phone if match else ""),
                  "phone2": r["phone2"] or (match.phone2 if match else ""),
                  "email": r.get("email") or (match.email if match else ""),
                  "fax": r.get("fax") or (match.fax if match else ""),
                  "id_number": r["id_number"] or (match.id_number if match else ""),
                  "move_in_date": dt.date.fromisoformat(r["move_in_date"]) if r["move_in_date"]
                  else (match.move_in_date if match else None),
                  "tags": tags or (match.tags if match else ""), "is_vip": vip or bool(match and match.is_vip and not tags),
                  "elderly_alone": elderly or bool(match and match.elderly_alone and not tags), "active": True}
        values["phone_tail"] = "".join(ch for ch in values["phone"] if ch.isdigit())[-4:]
        if match is None:
            person = Person(project=project, household=household, **values)
            candidates.append(person)
            new_persons.append(person)
        else:
            person = match
            if any(getattr(person, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(person, k, v)
                if person.pk:
                    upd_persons[person.pk] = person
        if r["plate"]:
            vehicle_rows.append((person, r))
        if progress and i % CHUNK == 0:
            progress("write", total // 3 + (i * 2 // 3), total)
    if new_persons:
        bulk_create_with_history(new_persons, Person, batch_size=1000, default_user=user,
                                 default_change_reason="名册导入", default_date=now)
        counts["persons_created"] = len(new_persons)
        if any(p.pk is None for p in new_persons):  # databases that do not return ids from bulk inserts
            ids = {(p.household_id, p.name, p.phone): p.pk for p in Person.objects.filter(project=project)}
            for p in new_persons:
                p.pk = ids[(p.household_id, p.name, p.phone)]
    if upd_persons:
        bulk_update_with_history(list(upd_persons.values()), Person, fields, batch_size=1000, default_user=user,
                                 default_change_reason="名册导入", default_date=now)
        counts["persons_updated"] = len(upd_persons)
    elderly_by_hh: dict[int, bool] = {}
    for r in rows:
        hh = existing[hh_key(r)]
        elderly_by_hh[hh.pk] = any(p.elderly_alone and p.active for p in persons_by_hh.get(hh.pk, []))
    flag_changes = [h for h in existing.values() if h.pk in elderly_by_hh and h.elderly_alone != elderly_by_hh[h.pk]]
    for h in flag_changes:
        h.elderly_alone = elderly_by_hh[h.pk]
    if flag_changes:  # R-M7-08: the household flag follows its occupants' 空巢老人 tag
        bulk_update_with_history(flag_changes, Household, ["elderly_alone"], batch_size=1000, default_user=user,
                                 default_change_reason="名册导入", default_date=now)
    if vehicle_rows:
        have = {(v.person_id, v.plate): v for v in Vehicle.objects.filter(person__project=project)}
        new_vehicles, upd_vehicles = [], []
        for person, r in vehicle_rows:
            v = have.get((person.pk, r["plate"]))
            if v is None:
                v = Vehicle(person=person, plate=r["plate"], parking_space=r["parking_space"])
                have[(person.pk, r["plate"])] = v
                new_vehicles.append(v)
            elif r["parking_space"] and v.parking_space != r["parking_space"]:
                v.parking_space = r["parking_space"]
                upd_vehicles.append(v)
        Vehicle.objects.bulk_create(new_vehicles, batch_size=1000)
        Vehicle.objects.bulk_update(upd_vehicles, ["parking_space"], batch_size=1000)
        counts["vehicles_created"] = len(new_vehicles)
    job.status = ImportStatus.COMMITTED
    job.committed_at = now
    job.result = counts
    job.rows = []  # personal data is not kept in the job once it is in the archive
    job.save(update_fields=["status", "committed_at", "result", "rows"])
    if progress:
        progress("done", total, total)
    return counts


@transaction.atomic
def discard_import(job: ImportJob, user: User) -> None:
    if not access.has_cap(user, Cap.IMPORT_ROSTER, job.project):
        raise PermissionDenied("您的岗位无权导入业主名册")
    ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.PREVIEW, ImportStatus.INVALID]).update(
        status=ImportStatus.DISCARDED, rows=[])


def _sort_key(name: str) -> int:
    m = re.match(r"^(\d+)", name)
    return int(m.group(1)) if m else 0


# ---------------------------------------------------------------- export


def write_roster(out: IO[bytes] | str, households: Iterable[Household], *, unmasked: bool,
                 title: str = "业主名册") -> int:
    """Write the roster (one row per person; households without persons get one row). Returns data rows."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(title[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#E8F4FD"})
    text = wb.add_format({"num_format": "@"})
    for i, col in enumerate(COLUMNS):
        ws.set_column(i, i, col.width, text)
        ws.write_string(0, i, col.header, bold)
    n = 0
    m = masking

    def person_values(p: Person | None) -> list[Any]:
        if p is None:
            return [""] * 11
        plate, space = "", ""
        vehicles = list(p.vehicles.all())
        if vehicles:
            plate = vehicles[0].plate if unmasked else m.mask_plate(vehicles[0].plate)
            space = vehicles[0].parking_space
        return [p.name if unmasked else m.mask_name(p.name), KIND_LABEL.get(p.kind, p.kind),
                p.phone if unmasked else m.mask_phone(p.phone), p.phone2 if unmasked else m.mask_phone(p.phone2),
                p.id_number if unmasked else m.mask_id_number(p.id_number),
                p.move_in_date.isoformat() if p.move_in_date else "", p.tags, plate, space,
                p.email if unmasked else m.mask_email(p.email), p.fax if unmasked else m.mask_phone(p.fax)]

    for h in households:
        persons: list[Person | None] = [p for p in h.persons.all() if p.active] or [None]
        for p in persons:
            n += 1
            values = [h.building.name, h.unit.name if h.unit else "", h.room_no]
            for i, v in enumerate(values):
                ws.write_string(n, i, v)
            if h.area_m2 is not None:
                ws.write_number(n, 3, float(h.area_m2))
            ws.write_string(n, 4, STATUS_LABEL.get(h.status, h.status))
            for i, v in enumerate(person_values(p), start=5):
                ws.write_string(n, i, str(v))
    ws.freeze_panes(1, 0)
    wb.close()
    return n


def export_queryset(project: Project):  # -> QuerySet[Household]

    return (Household.objects.filter(project=project).select_related("building", "unit")
            .prefetch_related(Prefetch("persons", queryset=Person.objects.order_by("kind", "pk")
                                       .prefetch_related("vehicles")))
            .order_by("building__sort_key", "building__name", "unit__name", "room_no"))
