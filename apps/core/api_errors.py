"""Structured API errors: ``{"error": {"code", "message", "fields": {name: [messages]}}}``.

Messages are Chinese (the UI language); ``code`` is stable English for integrations.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


# Declared on every endpoint so the OpenAPI document lists the error responses.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


# pydantic error type → Chinese message (healthchecks' CUSTOM_ERRORS, STYLE §10)
MESSAGES: dict[str, str] = {
    "missing": "必填",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为是/否",
    "datetime_parsing": "时间格式不正确（ISO 8601）",
    "datetime_from_date_parsing": "时间格式不正确（ISO 8601）",
    "date_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（YYYY-MM-DD）",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "less_than": "数值太大",
    "json_invalid": "JSON 格式不正确",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "value_error": "取值不正确",
}


def validation_error_response(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc: list[Any] = [p for p in err.get("loc", []) if p not in ("body", "payload", "query", "path", "form")]
        name = ".".join(str(p) for p in loc) or "__all__"
        message: str = MESSAGES.get(err.get("type", "")) or err.get("msg") or "取值不正确"
        if err.get("type") == "enum" and err.get("ctx", {}).get("expected"):
            message = f"{message}：{err['ctx']['expected']}"
        fields.setdefault(name, []).append(message)
    return error_response(api, request, 422, "invalid", "输入有误", fields)
