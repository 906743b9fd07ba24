"""Front-desk and building pages (thin: rules in actions). Each page shows its register and the forms
that write to it; a POST names its step in ``op``. A refused step shows its message beside the field and
at the top of the form.

``/desk/`` overview · ``/desk/mail/`` (apps.notify's mail register) · ``/desk/keys/`` (+ Excel) · ``/desk/decorations/`` and
``/desk/decorations/<pk>/`` (+ PDF permit) · ``/desk/steward/`` (vacant houses, disputes) · ``/desk/logs/``
· ``/desk/meetings/`` · ``/desk/items/``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.exports import render_pdf, xlsx_response
from apps.core.files import serve
from apps.core.flash import flash_refusal
from apps.desk import access, actions
from apps.desk.forms import (
    CheckForm,
    DepositForm,
    DisputeForm,
    InspectForm,
    ItemForm,
    KeyForm,
    LendItemForm,
    LendKeyForm,
    LogForm,
    MailForm,
    MeetingForm,
    PassForm,
    PermitForm,
    VacantForm,
)
from apps.desk.models import (
    ButlerMeeting,
    ConvenienceItem,
    DecorationPermit,
    DeskLog,
    HouseKey,
    ItemLoan,
    KeyLoan,
    PermitStatus,
    VacantHouseCheck,
    WorkerPass,
)
from apps.estates.models import Household
from apps.notify import mail as notify_mail
from apps.notify.models import MailItem
from apps.org.models import Project, User
from linli import clock


@dataclass
class Link:
    text: str
    url: str


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[tuple[list[Any], list[tuple[str, int, str]]]] = field(default_factory=list)
    testid: str = ""

    @property
    def labelled(self) -> list[tuple[list[tuple[str, Any]], list[tuple[str, int, str]]]]:
        """The rows with each cell beside its column header (the card layout on phones labels each value)."""
        return [(list(zip(self.headers, cells, strict=False)), ops) for cells, ops in self.rows]


def bind_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = list(access.desk_projects(request.user))
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or ""
    for p in projects:
        if str(p.pk) == wanted:
            return p, projects
    return projects[0], projects


def _hh(project: Project, label: str, required: bool = True) -> Household | None:
    label = (label or "").strip()
    if not label and not required:
        return None
    found = Household.objects.filter(project=project, label=label).first()
    if found is None:
        raise actions.DeskError(_("该项目没有这个房号"), field="household")
    return found


def _run(request: HttpRequest, form: Any, step: Callable[[dict[str, Any]], str], tz: Any) -> bool:
    """Validate and run one step; True when it succeeded (the caller redirects)."""
    if not form.is_valid():
        return False
    try:
        with timezone.override(tz):
            message = step(form.cleaned_data)
    except DomainError as exc:
        bind_error(form, exc)
        return False
    messages.success(request, message)
    return True


def _row_op(request: HttpRequest, ops: dict[str, Callable[[int], str]]) -> bool:
    op, pk = request.POST.get("op", ""), request.POST.get("pk", "")
    if op not in ops or not pk.isdigit():
        return False
    try:
        messages.success(request, ops[op](int(pk)))
    except DomainError as exc:
        flash_refusal(request, exc)
    return True


def _page(request: HttpRequest, project: Project, projects: list[Project], title: str,
          forms: list[tuple[str, str, Any]], tables: list[Table], **extra: Any) -> HttpResponse:
    bad = request.method == "POST"
    return render(request, "desk/page.html", {"title": title, "project": project, "projects": projects,
                                              "forms": forms, "tables": tables, **extra}, status=400 if bad else 200)


def _now() -> dt.datetime:
    return clock.now()


def _local(moment: dt.datetime | None, project: Project) -> str:
    return clock.local(moment, project.tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    now = _now()
    out = KeyLoan.objects.filter(key__project=project, returned_at__isnull=True).select_related("key")
    return render(request, "desk/home.html", {
        "project": project, "projects": projects, "now": now, "keys_out": out,
        "overdue": sum(1 for k in out if k.due_at < now),
        "mail": MailItem.objects.filter(project=project, delivered_at__isnull=True).count(),
        "decorations": DecorationPermit.objects.filter(project=project).exclude(status=PermitStatus.CLOSED)
        .select_related("household"),
        "logs": DeskLog.objects.filter(project=project, closed_at__isnull=True).count(),
        "meeting_today": ButlerMeeting.objects.filter(project=project, held_on=clock.local(now, project.tz).date()).exists(),
    })


@login_required
def mail(request: HttpRequest) -> HttpResponse:
    """信件报刊 (R-M20-01): received at the desk, collected by the steward, delivered (apps.notify.mail)."""
    project, projects = _project(request)
    user = access.acting_user(request)
    form = MailForm(request.POST if request.POST.get("op") == "log" else None)
    if request.method == "POST":
        if not access.can_record(user, project) and not access.can_patrol(user, project):
            raise PermissionDenied
        done = _row_op(request, {
            "collect": lambda pk: (notify_mail.collect_mail(MailItem.objects.get(pk=pk, project=project),
                                                            acting_user=user, now=_now()), _("已领取"))[1],
            "deliver": lambda pk: (notify_mail.deliver_mail(MailItem.objects.get(pk=pk, project=project),
                                                            acting_user=user, now=_now()), _("已派送"))[1]})
        if request.POST.get("op") == "log" and _run(request, form, lambda d: (notify_mail.receive_mail(
                project=project, household=_hh(project, d["household"]), addressee=d["addressee"], kind=d["kind"],
                note=d["note"], acting_user=user, now=_now()), _("已登记"))[1], project.tz):
            done = True
        if done:
            return redirect(f"{request.path}?project={project.pk}")
    items = MailItem.objects.filter(project=project).select_related("household")[:100]
    table = Table(_("信件报刊"), [_("房号"), _("收件人"), _("类别"), _("收到"), _("通知领取"), _("领取"), _("派送")],
                  testid="mail-row")
    for m in items:
        ops = [] if m.delivered_at else [("collect", m.pk, _("领取"))] if not m.collected_at else [("deliver", m.pk, _("已派送"))]
        table.rows.append(([m.household.label if m.household else "—", m.addressee, m.get_kind_display(),
                            _local(m.received_at, project), _local(m.notified_at, project),
                            _local(m.collected_at, project), _local(m.delivered_at, project)], ops))
    return _page(request, project, projects, _("信件报刊登记"), [("log", _("登记收到"), form)], [table])


KEY_HEADERS = ["钥匙", "领用人", "用途", "领用时间", "应还时间", "归还时间", "经办人", "是否逾期"]


@login_required
def keys(request: HttpRequest) -> HttpResponse | FileResponse:
    """钥匙登记 (R-M20-03): who took which key, when it is due back; overdue keys flagged."""
    project, projects = _project(request)
    user = access.acting_user(request)
    now = _now()
    active = HouseKey.objects.filter(project=project, active=True)
    loans = KeyLoan.objects.filter(key__project=project).select_related("key", "lent_by")
    if request.GET.get("format") == "xlsx":
        return xlsx_response("钥匙领用登记表.xlsx", KEY_HEADERS, (
            [k.key.label, k.borrower, k.purpose, k.taken_at, k.due_at, k.returned_at, str(k.lent_by),
             "逾期" if k.returned_at is None and k.due_at < now else ""] for k in loans.iterator()),
            sheet="钥匙领用登记表", title="钥匙领用登记表")
    add = KeyForm(request.POST if request.POST.get("op") == "add" else None)
    lend = LendKeyForm(request.POST if request.POST.get("op") == "lend" else None, keys=active)
    if request.method == "POST":
        if not access.can_record(user, project):
            raise PermissionDenied
        op = request.POST.get("op")
        done = _row_op(request, {"return": lambda pk: (actions.return_key(
            loan=KeyLoan.objects.get(pk=pk, key__project=project), acting_user=user, now=_now()), _("已归还"))[1]})
        if op == "add":
            done = _run(request, add, lambda d: (actions.add_key(project=project, label=d["label"],
                                                                 household=_hh(project, d["household"], False),
                                                                 acting_user=user, now=_now()), _("已添加"))[1],
                        project.tz)
        if op == "lend":
            done = _run(request, lend, lambda d: (actions.lend_key(key=d["key"], borrower=d["borrower"],
                                                                   purpose=d["purpose"], due_at=d["due_at"],
                                                                   acting_user=user, now=_now()), _("已登记领用"))[1],
                        project.tz)
        if done:
            return redirect(f"{request.path}?project={project.pk}")
    table = Table(_("钥匙领用登记"), [_("钥匙"), _("领用人"), _("用途"), _("领用"), _("应还"), _("归还")], testid="key-row")
    for k in loans[:100]:
        late = k.returned_at is None and k.due_at < now
        table.rows.append(([k.key.label, k.borrower, k.purpose, _local(k.taken_at, project),
                            _local(k.due_at, project) + (" ⚠ " + _("逾期未还") if late else ""),
                            _local(k.returned_at, project)], [] if k.returned_at else [("return", k.pk, _("归还"))]))
    return _page(request, project, projects, _("钥匙登记"), [("lend", _("领用钥匙"), lend), ("add", _("添加钥匙"), add)],
                 [table], export=True)


@login_required
def decorations(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    user = access.acting_user(request)
    form = PermitForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not access.can_record(user, project):
            raise PermissionDenied
        holder: dict[str, int] = {}

        def step(d: dict[str, Any]) -> str:
            permit = actions.apply_decoration(project=project, household=_hh(project, d["household"]),  # type: ignore[arg-type]
                                              applicant=d["applicant"], contractor=d["contractor"], scope=d["scope"],
                                              planned_start=d["planned_start"], planned_end=d["planned_end"],
                                              deposit=d["deposit"], documents=d["documents"],
                                              notice_explained=d["notice_explained"], acting_user=user, now=_now())
            holder["pk"] = permit.pk
            return _("装修申请已登记")

        if _run(request, form, step, project.tz):
            return redirect("desk:decoration", pk=holder["pk"])
    table = Table(_("装修手续"), [_("房号"), _("申请人"), _("计划工期"), _("状态")], testid="permit-row")
    for p in DecorationPermit.objects.filter(project=project).select_related("household")[:100]:
        table.rows.append(([Link(p.household.label, reverse("desk:decoration", args=[p.pk])), p.applicant,
                            f"{p.planned_start:%Y-%m-%d}–{p.planned_end:%Y-%m-%d}", p.get_status_display()], []))
    return _page(request, project, projects, _("装修手续"), [("apply", _("装修申请"), form)], [table])


def _permit(request: HttpRequest, pk: int) -> DecorationPermit:
    permit = DecorationPermit.objects.select_related("project", "household").filter(pk=pk).first()
    if permit is None or not access.can_view(request.user, permit.project):
        raise Http404
    return permit


@login_required
def decoration(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _permit(request, pk)
    project = permit.project
    user = access.acting_user(request)
    op = request.POST.get("op", "")
    if request.GET.get("format") == "pdf":
        html = render_to_string("desk/permit_pdf.html", {"p": permit, "passes": permit.passes.all()})
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="permit-{permit.pk}.pdf"'
        return response
    pass_form = PassForm(request.POST if op == "pass" else None, request.FILES if op == "pass" else None)
    check_form = CheckForm(request.POST if op == "check" else None)
    inspect_form = InspectForm(request.POST if op == "inspect" else None)
    deposit_form = DepositForm(request.POST if op == "deposit" else None)
    if request.method == "POST":
        done = False
        if op == "approve":
            try:
                actions.approve_decoration(permit=permit, acting_user=user, now=_now())
                messages.success(request, _("已批准"))
            except DomainError as exc:
                flash_refusal(request, exc)
            done = True
        elif op == "pass":
            done = _run(request, pass_form, lambda d: (actions.issue_worker_pass(
                permit=permit, acting_user=user, now=_now(), **d), _("已发放出入证"))[1], project.tz)
        elif op == "check":
            done = _run(request, check_form, lambda d: (actions.record_decoration_check(
                permit=permit, acting_user=user, now=_now(), **d), _("已登记检查"))[1], project.tz)
        elif op == "inspect":
            done = _run(request, inspect_form, lambda d: (actions.inspect_completion(
                permit=permit, result=d["result"], acting_user=user, now=_now()), _("已验收"))[1], project.tz)
        elif op == "deposit":
            done = _run(request, deposit_form, lambda d: (actions.return_deposit(
                permit=permit, amount=d["amount"], acting_user=user, now=_now()), _("押金已退还"))[1], project.tz)
        if done:
            return redirect("desk:decoration", pk=permit.pk)
    return render(request, "desk/decoration.html", {
        "p": permit, "project": project, "passes": permit.passes.all(), "checks": permit.checks.select_related("by"),
        # each step offered only to the roles its action accepts (patrol, record, approve)
        "forms": [(op, label, form) for op, label, form, allowed in (
            ("check", _("登记巡查/工人检查"), check_form, access.can_patrol(user, project)),
            ("pass", _("发放出入证"), pass_form, access.can_record(user, project)),
            ("inspect", _("完工验收"), inspect_form, access.can_approve(user, project)),
            ("deposit", _("退押金"), deposit_form, access.can_approve(user, project))) if allowed],
        "can_approve": access.can_approve(user, project), "today": clock.local(_now(), project.tz).date(),
    }, status=400 if request.method == "POST" else 200)


@login_required
def pass_photo(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    wp = WorkerPass.objects.select_related("permit__project").filter(pk=pk).first()
    if wp is None or not access.can_view(request.user, wp.permit.project):
        raise Http404
    return serve(wp.photo, thumb=request.GET.get("thumb") == "1")


@login_required
def steward(request: HttpRequest) -> HttpResponse:
    """The steward's page: vacant-house checks (R-M20-04) and neighbour disputes (R-M20-05)."""
    project, projects = _project(request)
    user = access.acting_user(request)
    op = request.POST.get("op", "")
    vacant = VacantForm(request.POST if op == "vacant" else None)
    dispute = DisputeForm(request.POST if op == "dispute" else None)
    if request.method == "POST":
        if not access.can_patrol(user, project):
            raise PermissionDenied
        done = False
        if op == "vacant":
            done = _run(request, vacant, lambda d: (actions.check_vacant_house(
                project=project, household=_hh(project, d["household"]), ok=d["ok"], finding=d["finding"],  # type: ignore[arg-type]
                raise_ticket=d["raise_ticket"], acting_user=user, now=_now()), _("已登记空置房检查"))[1], project.tz)
        elif op == "dispute":
            done = _run(request, dispute, lambda d: _("已登记为纠纷工单 %(n)s") % {"n": actions.record_dispute(
                project=project, household=_hh(project, d["household"], False), content=d["content"],
                complainant_surname=d["complainant_surname"], phone=d["phone"], acting_user=user, now=_now()).number}, project.tz)
        if done:
            return redirect(f"{request.path}?project={project.pk}")
    table = Table(_("空置房检查"), [_("房号"), _("时间"), _("检查人"), _("情况")], testid="vacant-row")
    for c in VacantHouseCheck.objects.filter(project=project).select_related("household", "by")[:100]:
        table.rows.append(([c.household.label, _local(c.at, project), str(c.by),
                            _("正常") if c.ok else c.finding], []))
    forms = [("vacant", _("空置房检查"), vacant), ("dispute", _("邻里纠纷"), dispute)]
    # a page offers only the steps its user may take: the POST above refuses the others
    return _page(request, project, projects, _("楼宇巡查"), forms if access.can_patrol(user, project) else [], [table])


@login_required
def logs(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    user = access.acting_user(request)
    op = request.POST.get("op", "")
    form = LogForm(request.POST if op == "log" else None)
    if request.method == "POST":
        if not access.can_record(user, project):
            raise PermissionDenied
        done = _row_op(request, {"close": lambda pk: (actions.close_log(
            log=DeskLog.objects.get(pk=pk, project=project), outcome=request.POST.get("outcome") or "",
            acting_user=user, now=_now()), _("已办结"))[1]})
        if op == "log":
            done = _run(request, form, lambda d: (actions.record_log(
                project=project, kind=d["kind"], title=d["title"], detail=d["detail"], happened_on=d["happened_on"],
                household=_hh(project, d["household"], False), acting_user=user, now=_now()), _("已登记"))[1],
                project.tz)
        if done:
            return redirect(f"{request.path}?project={project.pk}")
    table = Table(_("楼宇事务"), [_("类别"), _("事项"), _("日期"), _("首问责任人"), _("处理结果")], testid="log-row")
    for g in DeskLog.objects.filter(project=project).select_related("first_responder")[:100]:
        table.rows.append(([g.get_kind_display(), g.title, f"{g.happened_on:%Y-%m-%d}", str(g.first_responder),
                            g.outcome or _("办理中")], [] if g.closed_at else [("close", g.pk, _("办结"))]))
    return _page(request, project, projects, _("标识、遗留问题、验房与同行参观"), [("log", _("登记"), form)], [table],
                 close_needs_outcome=True)


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    user = access.acting_user(request)
    staff = User.objects.filter(memberships__project=project, is_active=True).distinct().order_by("username")
    form = MeetingForm(request.POST or None, staff=staff,
                       initial={"held_on": clock.local(_now(), project.tz).date()})
    if request.method == "POST":
        if not access.can_patrol(user, project):
            raise PermissionDenied
        if _run(request, form, lambda d: (actions.record_meeting(project=project, acting_user=user, now=_now(), **d),
                                          _("例会记录已保存"))[1], project.tz):
            return redirect(f"{request.path}?project={project.pk}")
    table = Table(_("管家每日例会"), [_("日期"), _("主持人"), _("出席"), _("重点问题")], testid="meeting-row")
    for m in ButlerMeeting.objects.filter(project=project).select_related("chair").prefetch_related("attendees")[:60]:
        table.rows.append(([f"{m.held_on:%Y-%m-%d}", str(m.chair), "、".join(str(a) for a in m.attendees.all()),
                            m.key_issues], []))
    return _page(request, project, projects, _("管家每日例会"),
                 [("meeting", _("记录例会"), form)] if access.can_patrol(user, project) else [], [table])


@login_required
def items(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    user = access.acting_user(request)
    op = request.POST.get("op", "")
    stock = ConvenienceItem.objects.filter(project=project)
    add = ItemForm(request.POST if op == "add" else None)
    lend = LendItemForm(request.POST if op == "lend" else None, items=stock)
    if request.method == "POST":
        if not access.can_record(user, project):
            raise PermissionDenied
        done = _row_op(request, {"return": lambda pk: (actions.return_item(
            loan=ItemLoan.objects.get(pk=pk, item__project=project), acting_user=user, now=_now()), _("已归还"))[1]})
        if op == "add":
            done = _run(request, add, lambda d: (actions.add_item(project=project, acting_user=user, now=_now(), **d),
                                                 _("已添加"))[1], project.tz)
        if op == "lend":
            done = _run(request, lend, lambda d: (actions.lend_item(
                item=d["item"], borrower=d["borrower"], household=_hh(project, d["household"], False),
                acting_user=user, now=_now()), _("已借出"))[1], project.tz)
        if done:
            return redirect(f"{request.path}?project={project.pk}")
    table = Table(_("便民物品借用"), [_("物品"), _("借用人"), _("借出"), _("归还")], testid="item-row")
    for loan in ItemLoan.objects.filter(item__project=project).select_related("item")[:100]:
        table.rows.append(([loan.item.name, loan.borrower, _local(loan.lent_at, project),
                            _local(loan.returned_at, project)], [] if loan.returned_at else [("return", loan.pk, _("归还"))]))
    return _page(request, project, projects, _("便民服务"), [("lend", _("借出"), lend), ("add", _("添加物品"), add)], [table])
