"""One filter definition for the ticket list page, the queues, the API list and the export
(STYLE §1/§9; issue 4 items 3 and 9).

``TicketFilterForm`` validates the query string; ``apply_filters`` turns it into a queryset over
``access.visible_tickets(user)``. Overdue is a query on the stored ``Deadline.due_at`` rows, never a
flag (ARCHITECTURE "Time").
"""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from apps.estates.models import Household
from apps.tickets import measures
from apps.tickets.choices import Channel, Kind
from linli import clock

SORTS: dict[str, tuple[str, ...]] = {
    # key: ORDER BY (``next_due`` is annotated by apply_filters)
    "-received": ("-received_at", "-id"),
    "received": ("received_at", "id"),
    "due": ("next_due", "received_at", "id"),  # nulls last: see _order
    "-due": ("-next_due", "-id"),
    "number": ("number",),
}
SORT_LABELS = [
    ("-received", _("受理时间（新→旧）")),
    ("received", _("受理时间（旧→新）")),
    ("due", _("最近到期时间（先到期在前）")),
    ("-due", _("最近到期时间（后到期在前）")),
    ("number", _("编号")),
]
OVERDUE_CHOICES = [("", _("全部")), ("yes", _("已超时")), ("no", _("未超时")), ("soon", _("今日到期"))]
OPEN_CHOICES = [("", _("全部")), ("open", _("未关闭")), ("closed", _("已关闭/作废"))]


def _status_choices() -> list[tuple[str, str]]:
    from apps.tickets.models import Ticket

    return list(Ticket._meta.get_field("status").choices or [])


def closed_statuses() -> set[str]:
    """Statuses that end the pipeline (closed, 未关闭, voided), read from the model's vocabulary."""
    from apps.tickets import models as m

    explicit = getattr(m, "TERMINAL_STATUSES", None)
    if explicit:
        return set(explicit)
    codes = {code for code, _label in _status_choices()}
    return codes & {"closed", "unresolved", "unresolved_closed", "voided", "void"}


class TicketFilterForm(forms.Form):
    """Query-string filters of the list page and ``GET /api/v1/tickets``."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、内容、房号、姓氏、电话")}))
    status = forms.MultipleChoiceField(label=_("状态"), required=False, choices=())
    state = forms.ChoiceField(label=_("开闭"), required=False, choices=OPEN_CHOICES)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices],
                             widget=forms.Select(attrs={"aria-label": _("类型")}))
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices],
                                widget=forms.Select(attrs={"aria-label": _("渠道")}))
    category = forms.IntegerField(label=_("类别"), required=False, min_value=1)
    department = forms.IntegerField(label=_("责任部门"), required=False, min_value=1)
    project = forms.IntegerField(label=_("项目"), required=False, min_value=1)
    household = forms.IntegerField(label=_("房屋"), required=False, min_value=1)
    receiver = forms.IntegerField(label=_("受理人"), required=False, min_value=1)
    overdue = forms.ChoiceField(label=_("超时"), required=False, choices=OVERDUE_CHOICES)
    due_before = forms.DateTimeField(label=_("到期早于"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S%z",
                                                    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])
    received_from = forms.DateField(label=_("受理日期从"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("受理日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    escalation = forms.ChoiceField(label=_("升级"), required=False,
                                   choices=[("", _("全部")), ("none", _("一般")), ("hot", _("热点")), ("major", _("重大"))])
    investigation = forms.ChoiceField(label=_("当日调查核实"), required=False,
                                      choices=[("", _("全部")), ("late", _("当日未调查核实"))])
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_LABELS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = _status_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("结束日期不能早于开始日期"))
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)


def open_deadlines(now: dt.datetime | None = None) -> Q:
    """Q on Deadline: not yet met (and, with ``now``, already past due)."""
    q = Q(met_at__isnull=True, cancelled_at__isnull=True)
    if now is not None:
        q &= Q(due_at__lt=now)
    return q


def category_filter(category_id: int) -> Q:
    """A category and its sub-categories (安管 finds 安管/门岗 too; the tree is two levels deep)."""
    from apps.tickets.models import Category

    if any(f.name == "parent" for f in Category._meta.get_fields()):
        return Q(category_id=category_id) | Q(category__parent_id=category_id)
    return Q(category_id=category_id)


def annotate_next_due(qs: QuerySet) -> QuerySet:
    """``next_due``: the earliest due time among the ticket's open deadlines (NULL when none)."""
    from apps.tickets.models import Deadline

    nxt = (Deadline.objects.filter(ticket=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True,
                                   due_at__isnull=False)
           .order_by("due_at").values("due_at")[:1])
    return qs.annotate(next_due=Subquery(nxt))


HOUSEHOLD_IDS_MAX = 1000


def _household_label_q(text: str) -> Q:
    """Tickets of households whose label contains ``text``. The households are looked up first and
    the condition is an id list (issue 15): an OR over a joined column keeps PostgreSQL from the
    trigram indexes of the ticket's own columns (migration tickets 0012), and the list query scans
    every ticket. Too many households match (a bare "栋"): the join, as before."""
    ids = list(Household.objects.filter(label__icontains=text).values_list("pk", flat=True)[:HOUSEHOLD_IDS_MAX + 1])
    if len(ids) > HOUSEHOLD_IDS_MAX:
        return Q(household__label__icontains=text)
    return Q(household_id__in=ids) if ids else Q(pk__in=[])


def apply_filters(qs: QuerySet, form: TicketFilterForm, *, now: dt.datetime, default_sort: str = "-received") -> Any:
    """Filter and sort ``qs`` (already limited to what the user may see) by a *valid* form. Rows
    carry ``next_due``. Sorting by due returns a :class:`DueOrdered` (count, slices)."""
    from apps.tickets.models import Deadline

    data = form.cleaned_data if form.is_valid() else {}
    text = (data.get("q") or "").strip()
    if text:
        cond = (Q(number__icontains=text) | Q(content__icontains=text) | Q(complainant_surname__startswith=text)
                | _household_label_q(text))
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4 and digits == text:
            cond |= Q(phone__endswith=digits)
        qs = qs.filter(cond)
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("state") == "open":
        qs = qs.filter(measures.open_q())  # issue 23 item 2: one definition of "open"
    elif data.get("state") == "closed":
        qs = qs.filter(status__in=closed_statuses())
    for name in ("kind", "channel"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    for name in ("department", "project", "household", "receiver"):
        if data.get(name):
            qs = qs.filter(**{f"{name}_id": data[name]})
    if data.get("category"):
        qs = qs.filter(category_filter(data["category"]))
    if data.get("escalation"):
        qs = qs.filter(escalation_level=data["escalation"])
    if data.get("overdue") == "yes":  # issue 23 item 2: the measures of apps.tickets.measures
        qs = qs.filter(measures.overdue_q(now))
    elif data.get("overdue") == "no":
        qs = qs.exclude(measures.overdue_q(now))
    elif data.get("overdue") == "soon":
        qs = qs.filter(measures.due_soon_q(now))
    if data.get("investigation") == "late":  # R-M2-02: the same-day investigation missed
        qs = qs.filter(measures.investigation_late_q(now))
    if data.get("due_before"):
        qs = qs.filter(Exists(Deadline.objects.filter(open_deadlines(), ticket=OuterRef("pk"),
                                                      due_at__lt=data["due_before"])))
    if data.get("received_from"):
        qs = qs.filter(received_at__gte=_day_start(data["received_from"]))
    if data.get("received_to"):
        qs = qs.filter(received_at__lt=_day_start(data["received_to"] + dt.timedelta(days=1)))
    sort = data.get("sort") or default_sort
    if sort == "-due":  # rare: the latest next-due first needs the value on every row
        return WithNextDue(_order(annotate_next_due(qs), sort))
    return _order(qs, sort)


def attach_next_due(rows: list[Any]) -> list[Any]:
    """Set ``next_due`` (earliest open dated deadline) on a page of tickets with one query — not as
    a per-row subquery in the list query, which PostgreSQL may evaluate for every matching row
    before the top-N sort."""
    from django.db.models import Min

    from apps.tickets.models import Deadline

    ids = [t.pk for t in rows]
    due = dict(Deadline.objects.filter(open_deadlines(), ticket_id__in=ids, due_at__isnull=False)
               .values("ticket_id").annotate(first=Min("due_at")).values_list("ticket_id", "first")) if ids else {}
    for t in rows:
        t.next_due = due.get(t.pk)
    return rows


class WithNextDue:
    """An ordered ticket queryset whose slices carry ``next_due`` (see :func:`attach_next_due`)."""

    ordered = True

    def __init__(self, qs: QuerySet) -> None:
        self.qs = qs

    def select_related(self, *fields: Any) -> WithNextDue:
        return type(self)(self.qs.select_related(*fields))

    def prefetch_related(self, *lookups: Any) -> WithNextDue:
        return type(self)(self.qs.prefetch_related(*lookups))

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: Any) -> list[Any]:
        if not isinstance(item, slice):
            raise TypeError("slices only")
        # narrow first (ids in order), then the wide rows of just this page
        ids = list(self.qs.values_list("pk", flat=True)[item])
        rows = {t.pk: t for t in self.qs.filter(pk__in=ids).order_by()}
        return attach_next_due([rows[pk] for pk in ids if pk in rows])

    def __iter__(self) -> Any:
        return iter(attach_next_due(list(self.qs)))


class DueOrdered(WithNextDue):
    """Tickets by their earliest open due time (nulls last), for ``sort=due``, without computing
    that time for every matching row: it walks the open deadlines in ``due_at`` order through the
    partial index ``tickets_deadline_open_due`` and stops once the requested page is filled (the
    first time a ticket appears in that walk is its earliest open deadline). Supports what the
    pages and the API use: ``count()``, slicing, ``select_related``/``prefetch_related``."""

    def _due_ids(self, stop: int) -> tuple[list[int], bool]:
        """Ticket ids in next-due order, at least ``stop`` of them unless the walk ran out (then
        ``exhausted`` is True and the list holds every ticket with an open dated deadline)."""
        from apps.tickets.models import Deadline

        walk = (Deadline.objects.filter(open_deadlines(), due_at__isnull=False,
                                        ticket_id__in=self.qs.order_by().values("pk"))
                .order_by("due_at", "id").values_list("ticket_id", flat=True))
        limit = max(stop * 4, 200)
        while True:
            seen: dict[int, None] = {}
            rows = list(walk[:limit])
            for tid in rows:
                seen.setdefault(tid, None)
            if len(seen) >= stop or len(rows) < limit:
                return list(seen), len(rows) < limit
            limit *= 4

    def __getitem__(self, item: Any) -> list[Any]:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("DueOrdered supports plain slices only")
        start, stop = item.start or 0, item.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        ids, exhausted = self._due_ids(stop)
        page = ids[start:stop]
        if exhausted and len(page) < stop - start:
            # then the tickets without an open dated deadline, oldest received first
            rest_start = max(0, start - len(ids))
            rest = (self.qs.exclude(pk__in=ids).order_by("received_at", "id")
                    .values_list("pk", flat=True)[rest_start:rest_start + (stop - start - len(page))])
            page += list(rest)
        rows = {t.pk: t for t in self.qs.filter(pk__in=page).order_by()}
        return attach_next_due([rows[pk] for pk in page if pk in rows])

    def __iter__(self) -> Any:
        return iter(self[0:self.count()])


def _order(qs: QuerySet, sort: str) -> Any:
    from django.db.models import F

    if sort == "due":
        return DueOrdered(qs)
    if sort == "-due":  # ``qs`` carries the ``next_due`` annotation (apply_filters)
        return qs.order_by(F("next_due").desc(nulls_last=True), "-id")
    return WithNextDue(qs.order_by(*SORTS.get(sort, SORTS["-received"])))
