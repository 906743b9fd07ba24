"""Input checked at the edge (issue 14 item 2): sane ranges for every moment and date a caller sends,
no control characters in text, and moments shown safely whatever is stored.

The edge rules, shared by API schemas (the ``Annotated`` types below), forms (the ``check_*`` helpers
raise :class:`EdgeError`, a ``ValueError`` a form's ``clean_<field>`` turns into a message beside the
field) and the API's parser (:class:`EdgeParser`, which refuses control characters in any JSON body or
query parameter before a schema sees them):

- a moment that already happened (受理、到场、回复时间) lies between :data:`EARLIEST` and
  ``now + RECEIVED_SKEW`` (a small clock skew of the caller);
- a promised or agreed moment (约定反馈、派工时限) lies between :data:`EARLIEST` and
  ``now + PLANNED_HORIZON`` (about three years);
- any other date (filters, reports, calendars) lies between :data:`EARLIEST` and :data:`LATEST_DATE`;
- text holds no control character but tab, line feed and carriage return (NUL answers 500 on
  PostgreSQL otherwise).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any

from django import forms
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from linli import clock

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=clock.SHANGHAI)
EARLIEST_DATE = EARLIEST.date()
LATEST_DATE = dt.date(2100, 12, 31)
RECEIVED_SKEW = dt.timedelta(minutes=10)
PLANNED_HORIZON = dt.timedelta(days=3 * 366)

# C0 controls but \t \n \r, DEL and the C1 block.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "含有不允许的控制字符"
# The same rule in the OpenAPI document (JSON Schema's ECMA-262 regex), on every free-text string.
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


class EdgeError(ValueError):
    """A value outside its edge rule; ``message`` is the Chinese text shown beside the field."""

    def __init__(self, message: str, code: str = "out_of_range") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _aware(value: dt.datetime) -> dt.datetime:
    """For comparing only: a moment without offset is read in Asia/Shanghai (T-01); the checks return
    the value as given, so a caller that requires an offset still refuses it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=clock.SHANGHAI)


def check_past_moment(value: dt.datetime, now: dt.datetime | None = None) -> dt.datetime:
    """A moment that has happened: not before 2000-01-01, at most ``RECEIVED_SKEW`` ahead of now."""
    moment = _aware(value)
    now = now or clock.now()
    if moment < EARLIEST:
        raise EdgeError("时间不能早于 2000-01-01")
    if moment > now + RECEIVED_SKEW:
        raise EdgeError("时间不能晚于现在")
    return value


def check_planned_moment(value: dt.datetime, now: dt.datetime | None = None) -> dt.datetime:
    """A promised/agreed moment: not before 2000-01-01, within about three years from now."""
    moment = _aware(value)
    now = now or clock.now()
    if moment < EARLIEST:
        raise EdgeError("时间不能早于 2000-01-01")
    if moment > now + PLANNED_HORIZON:
        raise EdgeError("时间须在三年之内")
    return value


def check_moment(value: dt.datetime) -> dt.datetime:
    """Any other moment (filters): between 2000-01-01 and 2100-12-31."""
    moment = _aware(value)
    if moment < EARLIEST or moment.date() > LATEST_DATE:
        raise EdgeError("时间须在 2000-01-01 至 2100-12-31 之间")
    return value


def check_date(value: dt.date) -> dt.date:
    """Any date (filters, reports, calendars): between 2000-01-01 and 2100-12-31."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise EdgeError("日期须在 2000-01-01 至 2100-12-31 之间")
    return value


def check_record_date(value: dt.date) -> dt.date:
    """A date of a record that may predate the company (入住、保修): between 1900-01-01 and 2100-12-31."""
    if not dt.date(1900, 1, 1) <= value <= LATEST_DATE:
        raise EdgeError("日期须在 1900-01-01 至 2100-12-31 之间")
    return value


def check_year(value: int) -> int:
    if not EARLIEST_DATE.year <= value <= LATEST_DATE.year:
        raise EdgeError("年份须在 2000 至 2100 之间")
    return value


def check_text(value: str) -> str:
    """Refuse NUL and other control characters (tab, line feed and carriage return are text)."""
    if CONTROL.search(value):
        raise EdgeError(CONTROL_MESSAGE, code="control_character")
    return value


def _pydantic(check: Any) -> AfterValidator:
    def run(value: Any) -> Any:
        try:
            return check(value)
        except EdgeError as exc:
            raise PydanticCustomError(exc.code, exc.message) from None
    return AfterValidator(run)


PastMoment = Annotated[dt.datetime, _pydantic(check_past_moment)]
PlannedMoment = Annotated[dt.datetime, _pydantic(check_planned_moment)]
SaneMoment = Annotated[dt.datetime, _pydantic(check_moment)]
SaneDate = Annotated[dt.date, _pydantic(check_date)]
SaneYear = Annotated[int, _pydantic(check_year)]


def form_check(check: Any, value: Any) -> Any:
    """For a form's ``clean_<field>``: the check's ``EdgeError`` as the field's ValidationError."""
    if value is None or value == "":
        return value
    try:
        return check(value)
    except EdgeError as exc:
        raise forms.ValidationError(gettext(exc.message), code=exc.code) from None


# ------------------------------------------------------------------ reading: never fail on a stored row


def safe_local(moment: dt.datetime | None) -> dt.datetime | None:
    """``moment`` in Asia/Shanghai for display — or in UTC when the local form cannot be written as
    ISO 8601 (before 1901 the zone's +08:05:43 mean time; at the ends of the calendar an overflow),
    so no stored extreme moment makes a list or a record fail."""
    if moment is None:
        return None
    try:
        shown = clock.local(moment)
    except (OverflowError, ValueError):
        return moment
    offset = shown.utcoffset()
    if offset is not None and offset.seconds % 60:
        return moment.astimezone(clock.UTC) if moment.tzinfo is not None else moment
    return shown


_SAFE_TEMPLATE_TIME_INSTALLED = False


def install_safe_template_localtime() -> None:
    """Templates never fail on a stored extreme moment (issue 14 item 2, reading side): Django converts
    every datetime a template shows (``{{ t.received_at }}``, ``|date``, ``|time``, the admin's lists)
    to the current time zone with ``template_localtime``, and ``9999-12-31T23:00Z`` in Asia/Shanghai
    overflows the calendar. Wrapped centrally, such a moment is shown in UTC instead of failing the page.
    Called once from ``CoreConfig.ready``."""
    global _SAFE_TEMPLATE_TIME_INSTALLED
    if _SAFE_TEMPLATE_TIME_INSTALLED:
        return
    from django.template import base as template_base
    from django.utils import timezone as django_timezone

    original = django_timezone.template_localtime  # type: ignore[attr-defined]  # not in django-stubs

    def template_localtime(value: Any, use_tz: bool | None = None) -> Any:
        try:
            return original(value, use_tz)
        except OverflowError:
            return value

    template_base.template_localtime = template_localtime  # type: ignore[attr-defined]
    django_timezone.template_localtime = template_localtime  # type: ignore[attr-defined]
    _SAFE_TEMPLATE_TIME_INSTALLED = True


# ------------------------------------------------------------------ the API's parser


def _control_fields(value: Any, loc: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [loc] if CONTROL.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and CONTROL.search(key):
                found.append((*loc, "__key__"))
            found += _control_fields(item, (*loc, key))
        return found
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in _control_fields(item, (*loc, i))]
    return []


# The database's integers are 64-bit: a larger number in a body or a query is refused at the edge.
INT_LIMIT = 2**63 - 1
LONG_DIGITS = re.compile(r"^[+-]?0*[0-9]{19,}$")
NUMBER_MESSAGE = "数值超出范围"


def _number_fields(value: Any, loc: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [loc] if abs(value) > INT_LIMIT else []
    if isinstance(value, str):
        return [loc] if LONG_DIGITS.match(value) and abs(int(value)) > INT_LIMIT else []
    if isinstance(value, dict):
        return [hit for key, item in value.items() for hit in _number_fields(item, (*loc, key))]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in _number_fields(item, (*loc, i))]
    return []


def _refuse_numbers(where: str, hits: list[tuple[Any, ...]]) -> None:
    if hits:
        raise NinjaValidationError([{"loc": (where, *hit), "type": "number_out_of_range", "msg": NUMBER_MESSAGE}
                                    for hit in hits])


def _no_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not a number JSON allows")


def _refuse(where: str, hits: list[tuple[Any, ...]]) -> None:
    if hits:
        raise NinjaValidationError([{"loc": (where, *hit), "type": "control_character", "msg": CONTROL_MESSAGE}
                                    for hit in hits])


class MalformedBody(ValueError):
    """The request body is not JSON (or not UTF-8); the API answers 400 in the error shape."""


class EdgeParser(Parser):
    """django-ninja's JSON parser, refusing control characters in any body or query value (422, the
    field named) before a schema sees them."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedBody(str(exc)) from exc
        _refuse("body", _control_fields(data, ()))
        _refuse_numbers("body", _number_fields(data, ()))
        return data

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str],
                        request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        values = {k: v for k, v in result.items() if not hasattr(v, "read")}
        _refuse("query", _control_fields(values, ()))
        _refuse_numbers("query", _number_fields(values, ()))
        return result


# ------------------------------------------------------------------ Django form validators


def _django(check: Any) -> Any:
    def validate(value: Any) -> None:
        form_check(check, value)
    validate.__name__ = f"validate_{check.__name__}"
    return validate


validate_past_moment = _django(check_past_moment)
validate_planned_moment = _django(check_planned_moment)
validate_moment = _django(check_moment)
validate_date = _django(check_date)
validate_record_date = _django(check_record_date)
validate_text = _django(check_text)

# Single-line fields take no control character at all (a tab or line break in a name or a phone number
# breaks lists, prints and exports); multi-line text (a ``Textarea``) keeps tab, line feed and CR.
SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_form_text(value: str, *, multiline: bool) -> str:
    """The page forms' rule for text: :func:`check_text`, and no tab or line break in a single line."""
    if (CONTROL if multiline else SINGLE_LINE_CONTROL).search(value):
        raise EdgeError(CONTROL_MESSAGE, code="control_character")
    return value


_FORM_TEXT_INSTALLED = False


def install_form_text_check() -> None:
    """Every page form refuses control characters (issue 14 item 2), centrally: each Django
    ``forms.CharField`` (and its subclasses: e-mail, URL, slug, regex fields; the model forms' text
    fields) checks its value with :func:`check_form_text` right after converting it, before its own
    validators — so the refusal is one Chinese message beside the field, for NUL as for any other
    control character. Called once from ``CoreConfig.ready``."""
    global _FORM_TEXT_INSTALLED
    if _FORM_TEXT_INSTALLED:
        return
    original = forms.CharField.to_python

    def to_python(self: forms.CharField, value: Any) -> Any:
        value = original(self, value)
        if isinstance(value, str) and value:
            multiline = isinstance(self.widget, forms.Textarea)
            try:
                check_form_text(value, multiline=multiline)
            except EdgeError as exc:
                raise forms.ValidationError(gettext(exc.message), code=exc.code) from None
        return value

    forms.CharField.to_python = to_python  # type: ignore[method-assign]
    _FORM_TEXT_INSTALLED = True


# ------------------------------------------------------------------ the rules in the OpenAPI document


YEAR_PATTERN = "^(20[0-9]{2}|2100)-"  # dates and moments a client sends: the years 2000–2100


def _patch_strings(node: Any, refs: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            refs.add(node["$ref"].rsplit("/", 1)[-1])
        if node.get("type") == "string" and not {"format", "enum", "const", "pattern"} & set(node):
            node["pattern"] = TEXT_PATTERN
        elif node.get("type") == "string" and node.get("format") in ("date", "date-time") and "pattern" not in node:
            node["pattern"] = YEAR_PATTERN
        elif node.get("type") == "integer":
            # the parser refuses a number beyond the database's 64-bit integers (``INT_LIMIT``)
            node.setdefault("maximum", INT_LIMIT)
            node.setdefault("minimum", -INT_LIMIT)
        for value in node.values():
            _patch_strings(value, refs)
    elif isinstance(node, list):
        for value in node:
            _patch_strings(value, refs)


def declare_edge_rules(doc: Any) -> Any:
    """Write the edge rules into an OpenAPI document in place: every free-text string a client sends
    (a parameter or a request body; no format, enum or pattern of its own) carries
    :data:`TEXT_PATTERN`, so clients and fuzzers know control characters are refused; every date and
    moment carries :data:`YEAR_PATTERN` (2000–2100; the finer bounds are in the field's refusal); every
    integer without bounds of its own carries the 64-bit bounds the parser enforces. Response
    schemas are left as they are: a row stored before the rule still reads."""
    refs: set[str] = set()
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                _patch_strings(operation.get("parameters", []), refs)
                _patch_strings(operation.get("requestBody", {}), refs)
    components = doc.get("components", {}).get("schemas", {})
    done: set[str] = set()
    while refs - done:
        name = (refs - done).pop()
        done.add(name)
        if name in components:
            _patch_strings(components[name], refs)
    return doc
