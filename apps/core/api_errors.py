"""Structured API errors: ``{"error": {"code", "message", "fields": {name: [messages]}}}``.

Messages are Chinese (the UI language); ``code`` is stable English for integrations.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


# Declared on every endpoint so the OpenAPI document lists the error responses.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 405: ErrorOut,
                                   409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}

# The code and Chinese message of an HTTP status answered outside a view's own error (routing, Django).
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthenticated", "未登录或令牌无效"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "接口或记录不存在"),
    405: ("method_not_allowed", "不支持此请求方法"),
    409: ("conflict", "与当前状态冲突"),
    413: ("too_large", "请求体太大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid", "输入有误"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误"),
}


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
        message: str = MESSAGES.get(err.get("type", "")) or str(err.get("msg") or "") or "取值不正确"
        if err.get("type") == "enum" and err.get("ctx", {}).get("expected"):
            message = f"{message}：{err['ctx']['expected']}"
        fields.setdefault(name, []).append(message)
    return error_response(api, request, 422, "invalid", "输入有误", fields)


def error_body(status: int, code: str | None = None, message: str | None = None,
               fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    default_code, default_message = STATUS_ERRORS.get(status, ("error", "请求失败"))
    return {"error": {"code": code or default_code, "message": message or default_message, "fields": fields or {}}}


LONG_NUMBER = re.compile(r"/[0-9]{19,}(/|$)")


class ApiErrorShapeMiddleware:
    """Every error answered under ``/api/`` is ``{"error": {code, message, fields}}`` — also those no
    API view produced: an unknown path (404), a method the path does not take (405), Django's CSRF
    refusal, a body too large, an unhandled server error (500), or ninja's own ``{"detail": …}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and LONG_NUMBER.search(request.path):
            # an id beyond the database's 64-bit integers names no record
            return JsonResponse(error_body(404), status=404)
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                data = json.loads(response.content)
            except ValueError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                return response
        shaped = JsonResponse(error_body(response.status_code), status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped

