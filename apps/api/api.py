"""The one NinjaAPI object: mounts each app's router under /api/v1/ and maps errors to JSON.

OpenAPI: /api/docs (Swagger UI, bundled with django-ninja, no CDN) and /api/openapi.json.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import SessionAuth

from apps.api.auth import TokenAuth
from apps.api.throttling import THROTTLES
from apps.core.api_errors import ApiError, error_body, error_response, validation_error_response
from apps.core.errors import DomainError
from apps.core.validation import EdgeParser, MalformedBody, declare_edge_rules


class LinliApi(NinjaAPI):
    """The API with its edge rules declared in the OpenAPI document (apps.core.validation)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        return declare_edge_rules(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = LinliApi(
    title="邻里 Linli API",
    version="1",
    description="物业客服平台接口。令牌认证：`Authorization: Bearer <token>`（`manage.py create_api_token USERNAME`）。"
                "请求过于频繁时返回 429（`too_many_requests`），响应头 `Retry-After` 给出等待秒数。",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=EdgeParser(),
    throttle=THROTTLES,  # 429 in the error shape below (apps.api.throttling, LINLI_API_THROTTLE_*)
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refused action of any app (TicketError, VisitError …): its status, code, message and fields."""
    return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_error_response(api, request, exc)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(api, request, 401, "unauthenticated", "未登录或令牌无效")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(api, request, 403, "forbidden", "没有权限执行此操作")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals in the one error shape: a body that is not JSON (400), a control character
    in a body (422, the field named by :class:`apps.core.validation.EdgeParser`), 405 …"""
    if isinstance(exc.__cause__, ValidationError):
        return validation_error_response(api, request, exc.__cause__)
    if isinstance(exc.__cause__, MalformedBody):
        return error_response(api, request, 400, "malformed_json", "请求体不是有效的 JSON")
    if isinstance(exc, Throttled):  # ninja adds Retry-After to this response
        return error_response(api, request, 429, "too_many_requests", "请求过于频繁，请稍后再试")
    body = error_body(exc.status_code)["error"]
    return error_response(api, request, exc.status_code, body["code"], body["message"])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(api, request, 404, "not_found", "记录不存在或无权查看")


api.add_router("/v1/org", "apps.org.api.router")
api.add_router("/v1/estates", "apps.estates.api.router")
api.add_router("/v1/calendar", "apps.workdays.api.router")
api.add_router("/v1/tickets", "apps.tickets.api.router")
api.add_router("/v1", "apps.tickets.api_lookups.router")  # /v1/categories, /v1/urgencies, /v1/channels
api.add_router("/v1/escalation", "apps.escalation.api.router")
api.add_router("/v1/notifications", "apps.notify.api.router")
api.add_router("/v1/repairs", "apps.repairs.api.router")
api.add_router("/v1/reports/forms", "apps.reports.api_forms.router")  # printable forms (R-M7-01/03)
api.add_router("/v1/reports", "apps.reports.api.router")
api.add_router("/v1/visits", "apps.visits.api.router")
api.add_router("/v1/quality", "apps.quality.api.router")
api.add_router("/v1/surveys", "apps.surveys.api.router")
api.add_router("/v1/improvement", "apps.improvement.api.router")
api.add_router("/v1/audits", "apps.audits.api.router")
api.add_router("/v1/assessments", "apps.assessments.api.router")
api.add_router("/v1/cards", "apps.cards.api.router")
api.add_router("/v1/fees", "apps.fees.api.router")
api.add_router("/v1/inspections", "apps.inspections.api.router")
api.add_router("/v1/activities", "apps.activities.api.router")
api.add_router("/v1/desk", "apps.desk.api.router")
api.add_router("/v1/staff-records", "apps.api.staffrecords.router")  # issue 20: M19 staff records
api.add_router("/v1/owners-committee", "apps.owners.staff_api.router")  # staff: 业委会成员
api.add_router("/v1/me", "apps.owners.api.router")  # owners' own API: owner tokens only
