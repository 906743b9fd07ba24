"""Notification pages (thin: rules live in services.py).

- 通知 inbox: my notices, unread filter, mark one / all read (htmx partials), open → mark read and go.
- 发送记录 delivery log: managers and company-level roles, for the projects they may see.
- 免打扰时段: the quiet-hours policy of each visible project (edited in the admin).
- 回访外呼顺序: the return-visit queue ordered by the next allowed call time (R-M4-14, R-M17-01).
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.estates import masking
from apps.estates.models import Building, DecorationRecord
from apps.notify import actions, notices, queries, quiet_hours
from apps.notify.models import Channel, DeliveryStatus, NoticeKind, OwnerNotice
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from linli import clock

PAGE_SIZE = 30


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "notify-changed"
    return response


def _inbox_context(request: HttpRequest) -> dict[str, Any]:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(queries.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "unread_only": unread_only, "unread": queries.unread_count(request.user)}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    context = _inbox_context(request)
    if _is_htmx(request) and request.headers.get("HX-Target") == "inbox-list":
        return render(request, "notify/_list.html", context)

    context["can_call"] = access.has_cap(request.user, Cap.RETURN_VISIT)
    context["can_log"] = bool(queries.log_projects(request.user)) or request.user.is_superuser
    return render(request, "notify/inbox.html", context)


@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/_badge.html", {"unread": queries.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        note = actions.mark_read(request.user, pk, now=clock.now())
    except queries.NotifyError as exc:
        raise Http404 from exc
    if _is_htmx(request):
        return _changed(render(request, "notify/_row.html", {"n": note}))
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = actions.mark_all_read(request.user, now=clock.now())
    if _is_htmx(request):
        return _changed(render(request, "notify/_list.html", _inbox_context(request)))
    messages.success(request, _("已将 %(n)d 条通知标为已读") % {"n": n})
    return redirect("notify:inbox")


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notice's link (only links inside Linli)."""
    try:
        note = actions.mark_read(request.user, pk, now=clock.now())
    except queries.NotifyError as exc:
        raise Http404 from exc
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return redirect(note.link)
    return redirect("notify:inbox")


# ---------------------------------------------------------------- delivery log


def _require_log(request: HttpRequest) -> list[Any]:
    projects = queries.log_projects(request.user)
    if not projects and not request.user.is_superuser:
        raise Http404
    return projects


@login_required
@require_GET
def delivery_log(request: HttpRequest) -> HttpResponse:
    _require_log(request)
    qs = queries.visible_deliveries(request.user).prefetch_related("attempt_log")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "channel": channel, "statuses": DeliveryStatus.choices,
               "channels": Channel.choices}
    if _is_htmx(request) and request.headers.get("HX-Target") == "delivery-rows":
        return render(request, "notify/_delivery_rows.html", context)
    return render(request, "notify/deliveries.html", context)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(queries.visible_deliveries(request.user), pk=pk)
    if actions.retry_now(delivery, now=clock.now()):
        messages.success(request, _("已重新排队，将由发送任务重试"))
    else:
        messages.error(request, _("只有失败的消息可以重试"))
    return redirect("notify:deliveries")


# ---------------------------------------------------------------- quiet hours and the call list


@login_required
@require_GET
def quiet_hours_page(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    rows = []
    for project in access.visible_projects(request.user).order_by("code"):
        policy = queries.policy_for(project)
        window = quiet_hours.window_at(now, policy.windows, policy.tz)
        rows.append({"project": project, "policy": policy, "windows": [w.label() for w in policy.windows],
                     "quiet_now": window is not None and policy.calls,
                     "next_call": queries.next_contact_moment(policy, now)})
    return render(request, "notify/quiet_hours.html", {"rows": rows, "now": now,
                                                       "can_edit": request.user.is_staff})


@login_required
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    """回访外呼顺序: tickets waiting for a return visit, earliest allowed call first. The tickets come
    from the source a higher module registered (:func:`apps.notify.queries.call_candidates`)."""
    if not access.has_cap(request.user, Cap.RETURN_VISIT):
        raise Http404
    now = clock.now()
    slots = queries.order_call_list(queries.call_candidates(request.user), now=now)
    return render(request, "notify/call_list.html", {"slots": slots, "now": now})


def _reply_projects(user: Any) -> list[Any]:
    return [p for p in Project.objects.order_by("pk") if access.has_cap(user, Cap.REPLY, p)]


@login_required
@require_GET
def decoration_progress(request: HttpRequest) -> HttpResponse:
    """装修进度待告知 (R-M17-08): progress/problem entries whose owners have not been told yet."""
    projects = _reply_projects(request.user)
    if not projects:
        raise Http404
    rows = [r for p in projects for r in notices.untold_decoration_records(p)]
    return render(request, "notify/decoration_progress.html", {"rows": rows})


@login_required
@require_POST
def decoration_tell(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(DecorationRecord.objects.select_related("household", "project"), pk=pk,
                               project__in=_reply_projects(request.user))
    try:
        n = notices.tell_decoration_progress(record, acting_user=request.user, now=clock.now())
        messages.success(request, _("已通知业主（%(n)s 条短信）") % {"n": n})
    except queries.NotifyError as exc:
        messages.error(request, str(exc))
    return redirect("notify:decoration")


# ---------------------------------------------------------------- owner mass notices (R-M17-02/-03/-06/-07)


class OwnerNoticeForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    building = forms.ModelChoiceField(label=_("楼栋（留空=全部业主）"), queryset=Building.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=NoticeKind.choices)
    body = forms.CharField(label=_("短信内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    event_date = forms.DateField(label=_("事项日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("门禁变更须提前7天、活动须提前3天通知"))
    approval_ref = forms.CharField(label=_("审批记录"), max_length=100, required=False,
                                   help_text=_("活动通知：审批人或审批单号"))
    approved_on = forms.DateField(label=_("实施方案批准日期"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    elderly_only = forms.BooleanField(label=_("仅发给空巢老人"), required=False,
                                      help_text=_("节日问候：只发给标记为空巢老人的住户"))

    def __init__(self, projects: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in projects]
        self.fields["project"].queryset = Project.objects.filter(pk__in=ids).order_by("code")  # type: ignore[attr-defined]
        self.fields["building"].queryset = (Building.objects.filter(project_id__in=ids)  # type: ignore[attr-defined]
                                            .select_related("project").order_by("project__code", "sort_key", "pk"))


@login_required
def owner_notices(request: HttpRequest) -> HttpResponse:
    """业主群发通知: the front desk / 客服 sends a door-code, activity, festival, weather or monthly fee
    notice to every owner of a project (or one building); the rules (7 / 3 days ahead, approval
    first, once a month) are the action's, refusals are shown beside the field."""
    projects = _reply_projects(request.user)
    if not projects:
        raise Http404
    form = OwnerNoticeForm(projects, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            n = notices.send_owner_notice(project=d["project"], kind=d["kind"], body=d["body"],
                                          event_date=d["event_date"], approval_ref=d["approval_ref"],
                                          approved_on=d["approved_on"], building=d["building"],
                                          elderly_only=d["elderly_only"], acting_user=request.user, now=clock.now())
        except queries.NotifyError as exc:
            field = next(iter(exc.fields or {}), None)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已发送，%(n)s 位业主将收到短信") % {"n": n.recipients})
            if n.emails or n.faxes:
                messages.info(request, _("另有 %(e)s 封邮件已排队；%(f)s 份传真待前台人工发送（见“待发传真”）")
                              % {"e": n.emails, "f": n.faxes})
            return redirect("notify:owner_notices")
    rows = (OwnerNotice.objects.filter(project__in=projects).select_related("project", "building", "created_by")
            .order_by("-created_at", "-pk")[:100])
    return render(request, "notify/owner_notices.html", {
        "form": form, "rows": rows, "fee_due": notices.fee_reminders_due(projects, clock.now()),
        "faxes_waiting": actions.manual_faxes(projects).count()})


# ---------------------------------------------------------------- faxes the front desk sends by hand (R-M17-07)


FAX_SCREEN = "待发传真页"
FAX_REASON = "发送缴费提醒传真"


@login_required
def fax_queue(request: HttpRequest) -> HttpResponse:
    """待发传真: the fee reminders to owners with a fax number. No fax gateway exists, so the front desk
    faxes them by hand: 显示号码 shows the number in full under the archive's rules (logged, R-M7-01),
    then 已传真 or 传真失败 records the outcome in the delivery log."""
    projects = _reply_projects(request.user)
    if not projects:
        raise Http404
    now = clock.now()
    shown: dict[int, str] = {}
    refused: dict[int, str] = {}
    if request.method == "POST":
        delivery = get_object_or_404(actions.manual_faxes(projects), pk=request.POST.get("delivery"))
        action = request.POST.get("action", "")
        if action == "reveal":
            try:
                number = notices.reveal_fax_number(delivery, request.user, screen=FAX_SCREEN)
            except notices.FaxRevealRefused as exc:
                refused[delivery.pk] = exc.message
            else:
                shown[delivery.pk] = number
        elif action in ("sent", "failed"):
            failed = (request.POST.get("failed") or "").strip() if action == "failed" else ""
            if action == "failed" and not failed:
                refused[delivery.pk] = _("请填写传真失败的原因")
            else:
                try:
                    actions.record_fax_sent(delivery, acting_user=request.user, now=now, failed=failed)
                except queries.NotifyError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("已登记传真失败") if failed else _("已登记为已传真"))
                return redirect("notify:faxes")
    rows = [{"d": d, "number": shown.get(d.pk) or masking.mask_phone(d.address), "revealed": d.pk in shown,
             "refused": refused.get(d.pk, "")} for d in actions.manual_faxes(projects)]
    return render(request, "notify/faxes.html", {"rows": rows}, status=400 if refused and not shown else 200)
