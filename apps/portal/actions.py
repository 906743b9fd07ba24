"""Publishing to the owners' notice board (业主公告栏, R-M17-12).

- :func:`publish_report` pushes an **approved (frozen)** 投诉公布 (``monthly_bulletin``, R-M5-07) or
  管理服务报告 owner notice (``service_report_notice``, R-M5-08) of one project. The board keeps a
  snapshot (sections and public tables); the report records the portal as one more publication
  place (``reports.actions.record_publication(add=True)``). The same report is pushed once: a second
  push while it is on the board is refused (409). Publishing a corrected version takes the older
  version off the board.
- :func:`publish_notice` posts a free-form notice; an open letter (公开信, R-M10-07) needs the
  管理者代表 who approved it: a user holding that role in the project's company (``approved_by``; the
  name is kept as a snapshot).
- :func:`withdraw` takes an item off the board, with who, when and why.

Who: holders of ``Cap.PUBLISH_PORTAL`` in the project (客服经理, 管理处经理, 品质管理部,
:mod:`apps.portal.access`).

Transactions: each action runs in ``transaction.atomic()`` (a savepoint in the caller's transaction);
every change of a :class:`~apps.portal.models.Publication` is saved with its history row (who, why).

Personal data: the board is public (no login), so every text is passed through
``apps.reports.anonymise`` with the names of the project's residents — phone and ID numbers, room
numbers and residents' names never reach the snapshot.

Owners may be told by SMS (only when the publisher ticks it) through
``apps.notify.notices.send_owner_notice``; the SMS is held out of the project's quiet windows
(R-M17-01) even where the project does not apply them to SMS in general — it is never urgent.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.core.errors import DomainError
from apps.notify import notices
from apps.notify.channels import absolute_link
from apps.notify.models import Channel, NoticeKind
from apps.notify.queries import NotifyError, next_contact_moment, policy_for
from apps.org.models import Project, User
from apps.portal.access import can_publish
from apps.portal.models import BOARD_KIND, Publication, PublicationKind
from apps.portal.queries import management_reps, resident_names
from apps.reports.actions import ReportError, record_publication
from apps.reports.anonymise import anonymise
from apps.reports.models import Report, ReportStatus

SECTION_ORDER = {"summary": "概述", "measures": "处理措施", "causes": "原因分析", "lessons": "经验教训",
                 "trends": "趋势"}
PORTAL_PLACE = "业主公告栏（线上）"


class PortalError(DomainError):
    """A refused publication, with a Chinese message, the field, a code and the HTTP status."""


def _require(user: Any, project: Project | None) -> None:
    if not can_publish(user, project):
        raise PortalError("没有推送到业主公告栏的权限", code="forbidden", status=403)


# ------------------------------------------------------------------ snapshot without personal data


class _Cleaner:
    def __init__(self, project: Project, *, keep_phones: bool = False) -> None:
        self.names = resident_names(project)
        self.keep_phones = keep_phones

    def __call__(self, text: Any) -> str:
        return anonymise(str(text if text is not None else ""), names=self.names, keep_phones=self.keep_phones)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}".strip()


def report_snapshot(report: Report, clean: _Cleaner) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The sections and public tables of ``report`` as owners will read them."""
    raw = report.sections or {}
    keys = [k for k in SECTION_ORDER if k in raw] + [k for k in raw if k not in SECTION_ORDER]
    sections = [{"heading": SECTION_ORDER.get(k, ""), "text": clean(raw[k]).strip()} for k in keys
                if str(raw[k] or "").strip()]
    figures = report.figures or {}
    tables: list[dict[str, Any]] = []
    if figures.get("items"):
        tables.append({"title": "公布事项", "columns": ["类别", "件数", "已处理", "处理措施"],
                       "rows": [[clean(i.get("category")), i.get("count", 0), i.get("closed", 0),
                                 clean("；".join(i.get("measures") or []))] for i in figures["items"]]})
    kpi_rows = [[clean(k.get("label")), _fmt(k.get("value"), k.get("unit") or "")]
                for k in figures.get("kpis") or [] if k.get("label")]
    if kpi_rows:
        tables.append({"title": "主要指标", "columns": ["指标", "数值"], "rows": kpi_rows})
    for t in figures.get("tables") or []:
        rows = [[clean(r.get("label")), r.get("count", 0)] for r in t.get("rows") or []]
        if rows:
            tables.append({"title": clean(t.get("title")), "columns": ["", "件数"], "rows": rows})
    return sections, tables


# ------------------------------------------------------------------ telling owners by SMS


def board_url(project: Project) -> str:
    return absolute_link(reverse("portal:board", args=[project.code]))


def _audit(obj: Any, *, acting_user: User, reason: str) -> None:
    """Who and why, for the history row simple-history writes on the next save (its column holds 100)."""
    obj._change_reason = reason[:100]
    obj._history_user = acting_user


def _save(pub: Publication, fields: Sequence[str], *, acting_user: User, reason: str) -> None:
    _audit(pub, acting_user=acting_user, reason=reason)
    pub.save(update_fields=list(fields))


def _tell_owners(pub: Publication, *, acting_user: User, now: dt.datetime) -> None:
    """Reaction (a): one SMS per owner through ``apps.notify.notices.send_owner_notice``, in this transaction
    (a refusal rolls the publication back)."""
    project = pub.project
    # held out of the quiet windows even where the project does not restrict SMS in general (never urgent)
    send_at = next_contact_moment(replace(policy_for(project), sms=True), now, channel=Channel.SMS)
    body = f"【{project.name}】业主公告栏有新公告：《{pub.title}》，请到管理处公告栏或 {board_url(project)} 查看。"
    try:
        pub.owners_told = notices.send_owner_notice(project=project, kind=NoticeKind.OTHER, body=body,
                                                    acting_user=acting_user, now=now, not_before=send_at)
    except NotifyError as exc:
        raise PortalError(f"短信告知业主失败：{exc}", field="notify_owners", code=exc.code, status=exc.status) from exc
    _save(pub, ["owners_told"], acting_user=acting_user, reason="短信告知业主")


# ------------------------------------------------------------------ actions


def _name(user: User | None) -> str:
    """The snapshot of an approver's name kept on the board."""
    return (user.display_name or user.username)[:100] if user is not None else ""


def _create(*, acting_user: User, reason: str, **fields: Any) -> Publication:
    pub = Publication(**fields)
    _audit(pub, acting_user=acting_user, reason=reason)
    try:
        with transaction.atomic():
            pub.save(force_insert=True)
            return pub
    except IntegrityError:
        raise PortalError("该报告已在业主公告栏上，不能重复推送", code="already_published", status=409) from None


@transaction.atomic
def publish_report(report: Report, *, acting_user: User, now: dt.datetime,
                   notify_owners: bool = False) -> Publication:
    """Push an approved 投诉公布 / 管理服务报告（业主告示） to its project's notice board (R-M17-12).

    Reaction (a): the report records the board as one more publication place through
    ``apps.reports.actions.record_publication``, in this transaction."""
    report = Report.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)
    project = report.project
    if project is None:
        raise PortalError("公司级报告没有对应的业主公告栏", field="report", code="no_project")
    _require(acting_user, project)
    board_kind = BOARD_KIND.get(report.duty_code)
    if board_kind is None:
        raise PortalError("只有投诉公布和管理服务报告业主告示可以推送到业主公告栏",
                          field="report", code="wrong_kind")
    if report.status == ReportStatus.SUPERSEDED:
        raise PortalError("该版本已被更正版本取代，请推送最新版本", field="report", code="superseded")
    if report.status != ReportStatus.APPROVED:
        raise PortalError("报告须经批准（冻结）后才能推送到业主公告栏", field="report", code="not_approved")
    if Publication.objects.filter(source_report=report, withdrawn_at=None).exists():
        raise PortalError("该报告已在业主公告栏上，不能重复推送", code="already_published", status=409)
    clean = _Cleaner(project)
    sections, tables = report_snapshot(report, clean)
    if not sections and not tables:
        raise PortalError("报告没有可公布的内容", field="report", code="empty")
    # a corrected version replaces the older one on the board
    older = [v.pk for v in _older_versions(report)]
    for pub in Publication.objects.filter(source_report_id__in=older, withdrawn_at=None):
        pub.withdrawn_at, pub.withdrawn_by = now, acting_user
        pub.withdraw_reason = f"已由更正版本 v{report.version} 取代"
        _save(pub, ["withdrawn_at", "withdrawn_by", "withdraw_reason"], acting_user=acting_user,
              reason=pub.withdraw_reason)
    pub = _create(company=project.company, project=project, kind=board_kind,
                  title=clean(report.title)[:200], period_label=str((report.figures or {}).get("period", ""))[:50],
                  sections=sections, tables=tables, source_report=report,
                  approved_by_name=_name(report.approved_by),
                  published_at=now, published_by=acting_user, acting_user=acting_user, reason="推送报告")
    try:
        record_publication(report, where=PORTAL_PLACE, acting_user=acting_user, now=now, add=True)
    except ReportError as exc:  # cannot happen for an approved report, kept as a clear refusal
        raise PortalError(str(exc), field="report") from exc
    if notify_owners:
        _tell_owners(pub, acting_user=acting_user, now=now)
    return pub


def _older_versions(report: Report) -> list[Report]:
    out = []
    current = report.supersedes
    while current is not None:
        out.append(current)
        current = current.supersedes
    return out


@transaction.atomic
def publish_notice(*, project: Project, kind: str, title: str, body: str, acting_user: User, now: dt.datetime,
                   approved_by: User | None = None, notify_owners: bool = False,
                   staff_contacts: bool = False) -> Publication:
    """Post a free-form notice (公告) or an open letter (公开信, R-M10-07: approved by the 管理者代表
    before posting — the approver, an active 管理者代表 of the project's company, is required and
    recorded with a snapshot of the name). ``staff_contacts``: the notice publishes the management
    team's contact numbers (R-M12-12), so phone numbers are kept; everything else is cleaned."""
    _require(acting_user, project)
    if kind not in (PublicationKind.OPEN_LETTER, PublicationKind.NOTICE):
        raise PortalError("公告类别不正确", field="kind")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise PortalError("请填写标题", field="title")
    if not body:
        raise PortalError("请填写正文", field="body")
    if kind == PublicationKind.OPEN_LETTER:
        if approved_by is None:
            raise PortalError("公开信须经管理者代表审批后才能公布，请选择审批的管理者代表",
                              field="approved_by", code="approval_required")
        if approved_by.pk == acting_user.pk:  # separation of duties (issue 23 item 4)
            raise PortalError("公开信的审批人不能是发布人本人，请由另一位管理者代表审批", field="approved_by",
                              code="self_approval")
        if not any(u.pk == approved_by.pk for u in management_reps(project)):
            raise PortalError("审批人须为本公司的管理者代表", field="approved_by", code="not_management_rep")
    else:
        approved_by = None
    clean = _Cleaner(project, keep_phones=staff_contacts)
    pub = _create(company=project.company, project=project, kind=kind, title=clean(title)[:200],
                  sections=[{"heading": "", "text": clean(body)}], tables=[],
                  approved_by=approved_by,
                  approved_by_name=_name(approved_by),
                  published_at=now, published_by=acting_user, acting_user=acting_user,
                  reason=str(PublicationKind(kind).label))
    if notify_owners:
        _tell_owners(pub, acting_user=acting_user, now=now)
    return pub


@transaction.atomic
def withdraw(publication: Publication, *, reason: str, acting_user: User, now: dt.datetime) -> Publication:
    """Take an item off the board; the row stays with who, when and why."""
    pub = Publication.objects.select_for_update(of=("self",)).select_related("project").get(pk=publication.pk)
    _require(acting_user, pub.project)
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("请填写撤下原因", field="reason")
    if pub.withdrawn_at is not None:
        raise PortalError("该公告已撤下", code="already_withdrawn", status=409)
    pub.withdrawn_at, pub.withdrawn_by, pub.withdraw_reason = now, acting_user, reason[:300]
    _save(pub, ["withdrawn_at", "withdrawn_by", "withdraw_reason"], acting_user=acting_user, reason=f"撤下：{reason}")
    return pub
