"""Excel in and out for the survey pages: the import template, reading recovered questionnaires with
errors by row (R-M10-05), and the results workbook. Checks of the file itself reuse the roster
import's limits (:func:`apps.estates.roster.check_limits`); every rule stays in the actions."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apps.core.errors import DomainError
from apps.core.files import check_upload
from apps.estates.models import Household
from apps.estates.roster import RosterError, check_limits
from apps.surveys.models import ProjectSurvey, QuestionItem, SampledHousehold, SurveyAnswer
from linli import clock

MAX_ROWS = 5000
YES = {"是", "匿名", "y", "yes", "1", "true", "√"}


class ImportRefused(DomainError):
    """The file cannot be read at all."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Parsed:
    row: int
    household: Household
    answers: dict[str, Any]
    anonymous: bool = False
    comment: str = ""
    recovered_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {"household": self.household, "answers": self.answers, "anonymous": self.anonymous,
                "comment": self.comment, "recovered_at": self.recovered_at}


def _items(ps: ProjectSurvey) -> list[QuestionItem]:
    return list(ps.campaign.questionnaire.items.all().order_by("order"))


def item_header(item: QuestionItem) -> str:
    return f"{item.order}.{item.text}"


def template(ps: ProjectSurvey) -> tuple[list[str], Iterable[list[Any]]]:
    """Headers and one row per distributed, not yet recovered household of the sample."""
    items = _items(ps)
    keys = "、".join(f"{o.key}={o.label}" for o in ps.campaign.questionnaire.options.all())
    headers = ["房号", "回收日期", "匿名（是/否）", *[item_header(i) for i in items], "业主意见"]
    rows = ([r.household.label, "", "否", *["" for _ in items], ""]
            for r in SampledHousehold.objects.filter(survey=ps, distributed_at__isnull=False, recovered_at=None)
            .select_related("household").order_by("household__label"))
    return headers + [f"（答案填数字：{keys}）"], rows


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def parse(ps: ProjectSurvey, upload: Any) -> tuple[list[Parsed], list[RowError]]:
    from openpyxl import load_workbook  # noqa: PLC0415 — heavy third-party import, read only when importing

    try:
        check_upload(upload, allowed=frozenset({".xlsx"}), field="file")
    except DomainError as exc:
        raise ImportRefused(str(exc), field="file") from exc
    fh = upload.file if hasattr(upload, "file") else upload
    try:
        check_limits(fh)
        wb = load_workbook(fh, read_only=True, data_only=True)
    except RosterError as exc:
        raise ImportRefused(str(exc), field="file") from exc
    except Exception as exc:
        raise ImportRefused("无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）", field="file") from exc
    items = _items(ps)
    errors: list[RowError] = []
    parsed: list[Parsed] = []
    try:
        it = wb.worksheets[0].iter_rows(values_only=True)
        header = [_text(h) for h in (next(it, None) or [])]
        if "房号" not in header:
            raise ImportRefused("第1行须是列名，且包含“房号”列（请下载导入模板）", field="file")
        col = {name: i for i, name in enumerate(header)}
        item_cols = {}
        for item in items:
            idx = col.get(item_header(item), col.get(item.code))
            if idx is not None:
                item_cols[item.code] = idx
        if not item_cols:
            raise ImportRefused("没有找到任何题目列（列名须与模板一致，如“1.客服人员服务态度”）", field="file")
        raw_rows = []
        for n, raw in enumerate(it, start=2):
            if n - 1 > MAX_ROWS:
                errors.append(RowError(n, "", f"超过{MAX_ROWS}行，请分批导入"))
                break
            if raw is None or all(_text(v) == "" for v in raw):
                continue
            raw_rows.append((n, raw))
    finally:
        wb.close()
    labels = {_text(raw[col["房号"]]) for _n, raw in raw_rows if col["房号"] < len(raw)}
    homes = {h.label: h for h in Household.objects.filter(project=ps.project, label__in=labels)}
    tz = ps.project.tz
    seen: set[str] = set()
    for n, raw in raw_rows:
        def cell(name: str, raw: Any = raw) -> Any:
            i = col.get(name)
            return raw[i] if i is not None and i < len(raw) else None

        label = _text(cell("房号"))
        household = homes.get(label)
        if household is None:
            errors.append(RowError(n, "房号", f"房号不存在：{label}" if label else "请填写房号"))
            continue
        if label in seen:
            errors.append(RowError(n, "房号", f"{label} 在文件中重复"))
            continue
        seen.add(label)
        when = cell("回收日期")
        recovered_at = None
        if isinstance(when, dt.datetime):
            recovered_at = when.replace(tzinfo=tz) if when.tzinfo is None else when
        elif isinstance(when, dt.date):
            recovered_at = dt.datetime.combine(when, dt.time(12, 0), tzinfo=tz)
        elif _text(when):
            try:
                recovered_at = dt.datetime.combine(dt.date.fromisoformat(_text(when)), dt.time(12, 0), tzinfo=tz)
            except ValueError:
                errors.append(RowError(n, "回收日期", "日期格式应为 YYYY-MM-DD"))
                continue
        if recovered_at is not None and recovered_at > clock.now():
            recovered_at = clock.now()
        answers = {}
        for code, i in item_cols.items():
            v = raw[i] if i < len(raw) else None
            answers[code] = int(v) if isinstance(v, float) and v.is_integer() else _text(v)
        parsed.append(Parsed(n, household, answers, anonymous=_text(cell("匿名（是/否）")).lower() in YES,
                             comment=_text(cell("业主意见"))[:2000], recovered_at=recovered_at))
    return parsed, errors


def map_errors(exc: DomainError, parsed: list[Parsed]) -> list[RowError]:
    """The action's ``rows.N`` errors back to the spreadsheet's row numbers."""
    out: list[RowError] = []
    for name, messages in exc.fields.items():
        if name.startswith("rows."):
            i = int(name.split(".")[1])
            row = parsed[i].row if i < len(parsed) else 0
            out.extend(RowError(row, "", m) for m in messages)
        else:
            out.extend(RowError(0, name, m) for m in messages)
    return out or [RowError(0, "", exc.message)]


def results(ps: ProjectSurvey) -> tuple[list[str], Iterable[list[Any]]]:
    """One row per recovered questionnaire: room number, dates, anonymous, each answer (streamed)."""
    items = _items(ps)
    headers = ["楼栋", "房号", "发放方式", "发放时间", "回收时间", "匿名", "作答方式", *[item_header(i) for i in items],
               "总体满意", "业主意见"]
    tz = ps.project.tz

    def rows() -> Iterable[list[Any]]:
        sample = (SampledHousehold.objects.filter(survey=ps, recovered_at__isnull=False)
                  .select_related("household", "building").order_by("building__sort_key", "household__label"))
        for chunk_start in range(0, sample.count(), 1000):
            chunk = list(sample[chunk_start:chunk_start + 1000])
            answers: dict[int, dict[int, str]] = {}
            for a in (SurveyAnswer.objects.filter(response__in=chunk).select_related("option")
                      .only("response_id", "item_id", "text", "option__label")):
                answers.setdefault(a.response_id, {})[a.item_id] = a.option.label if a.option else a.text
            for r in chunk:
                mine = answers.get(r.pk, {})
                yield [r.building.name, r.household.label, r.get_channel_display(),
                       r.distributed_at.astimezone(tz).replace(tzinfo=None) if r.distributed_at else "",
                       r.recovered_at.astimezone(tz).replace(tzinfo=None) if r.recovered_at else "",
                       "是" if r.anonymous else "否", r.get_answered_via_display(),
                       *[mine.get(i.pk, "") for i in items],
                       {True: "满意", False: "不满意", None: ""}[r.overall_satisfied], r.comment]

    return headers, rows()
