"""The pages whose forms create or edit something, for the form-error tests (issue 23 item 1).

Each entry is (username, path, form): the user who may open the page, its path (``{name}`` placeholders
are filled from :func:`objects`), and which form of the page to submit empty (``None`` = the first
form in ``<main>`` with a field to type in or choose; otherwise a CSS-like ``#id`` or an ``action`` path).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

#: (username, path, form) of every create/edit form.
FORMS: list[tuple[str, str, str | None]] = [
    # complaints and tickets
    ("desk", "/tickets/new/", None),
    ("quality", "/tickets/settings/validity-criteria/", None),
    ("desk", "/tickets/{ticket}/", None),
    ("quality", "/quality/tickets/{ticket}/ncr/new/", None),
    # repairs
    ("desk", "/repairs/new/", None),
    ("pm", "/repairs/price-lists/new/", None),
    # visits
    ("desk", "/visits/new/", None),
    ("pm", "/visits/programme/settings/", None),
    ("supervisor", "/visits/plans/", None),
    # reports, case library, portal notices
    ("supervisor", "/reports/cases/new/", None),
    ("csmanager", "/portal/manage/notice/new/", None),
    # surveys and campaigns, improvement plans
    ("pm", "/surveys/policy/", None),
    ("quality", "/surveys/campaigns/new/", None),
    ("supervisor", "/surveys/questionnaires/", None),
    ("csmanager", "/improvement/", None),
    # audits and assessments
    ("quality", "/audits/new/", None),
    ("quality", "/audits/standards/", None),
    ("supervisor", "/assessments/new/", None),
    ("csmanager", "/assessments/settings/", None),
    # cards
    ("desk", "/cards/doors/", None),
    ("csmanager", "/cards/settings/", None),
    ("desk", "/cards/password/", None),
    ("desk", "/cards/review/", None),
    ("csmanager", "/cards/officer/", None),
    # fees
    ("desk", "/fees/charges/new/", None),
    ("csmanager", "/fees/settings/", None),
    ("csmanager", "/fees/standards/", None),
    ("csmanager", "/fees/import/", None),
    ("csmanager", "/fees/cycles/", None),
    ("csmanager", "/fees/publish/", None),
    # front desk
    ("desk", "/desk/mail/", None),
    ("desk", "/desk/keys/", None),
    ("desk", "/desk/decorations/", None),
    ("desk", "/desk/logs/", None),
    ("desk", "/desk/items/", None),
    # inspections and activities
    ("supervisor", "/inspections/new/", None),
    ("supervisor", "/inspections/night/", None),
    ("supervisor", "/inspections/pool/", None),
    ("pm", "/inspections/rounds/", None),
    ("supervisor", "/activities/", None),
    ("supervisor", "/activities/board/", None),
    # estates, calendar, own profile
    ("supervisor", "/estates/households/{household}/persons/new/", None),
    ("supervisor", "/estates/import/", None),
    ("supervisor", "/estates/grants/", None),
    ("pm", "/calendar/import/", None),
    ("desk", "/profile/password/", None),
]

#: (path, form) of the owners' portal forms (signed in as an owner of two households through the sign-in page,
#: ``apps/owners/tests``): ``{request}`` is a request the owner filed; the portal shows its errors in
#: ``<small class="err">`` beside the field.
OWNER_FORMS: list[tuple[str, str | None]] = [
    ("/me/members/", "#add-member"),
    ("/me/requests/new/", None),
    ("/me/requests/{request}/", "#add-information"),
]

#: (username, path, form) of the sub-forms of detail and settings pages, as FORMS: such a form may answer by going
#: back to its page with the error flashed there (a step of a record's page) instead of beside the field.
DETAIL_FORMS: list[tuple[str, str, str | None]] = [
    # settings pages (company values by the 系统管理员, a project's own values by the 管理处经理)
    *[("admin1", f"/org/settings/{key}/", None) for key in (
        "escalation-thresholds", "quiet-hours", "repairs", "report-cadences", "kpi-targets", "ticket-policy",
        "deadline-conventions", "rule-sets")],
    ("pm", "/org/settings/repairs/project/{project}/", None),
    ("pm", "/org/settings/ticket-policy/project/{project}/", None),
    # a household's fee account
    ("csmanager", "/fees/households/{household}/", None),
]

#: (username, path, skip) of list and record pages whose every POST form (one of each kind) is sent empty by
#: :func:`empty_post_problems`; ``skip`` names the forms that legitimately succeed empty (see there; ``{name}``
#: placeholders filled as in the path).
PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    # the flags of a complaint: not internal staff, no staff member named, validity not judged yet — each a legitimate
    # choice when left empty
    ("desk", "/tickets/{ticket}/", tuple(f"/tickets/{{ticket}}/{step}/" for step in ("internal_staff", "staff_named",
                                                                                       "judge"))),
    ("supervisor", "/tickets/", ()),
    ("supervisor", "/estates/households/{household}/", ()),
    ("csmanager", "/notify/owner-notices/", ()),
    ("supervisor", "/reports/utilities/", ()),
    ("pm", "/visits/annual/", ()),
    ("supervisor", "/visits/early-care/", ()),
    ("supervisor", "/visits/not-moved-in/", ()),
    ("supervisor", "/staff-records/certificates/new/", ()),
    ("supervisor", "/staff-records/training/new/", ()),
    ("supervisor", "/staff-records/contracts/new/", ()),
    ("supervisor", "/staff-records/takeovers/new/", ()),
    ("butler", "/staff-records/patrols/", ()),
    ("desk", "/cards/access/", ()),
    ("desk", "/fees/transfers/", ()),
    ("desk", "/fees/inquiries/", ()),
    ("desk", "/fees/charges/price-list/", ()),
    ("pm", "/inspections/pool/limits/", ()),
    ("pm", "/inspections/evaluations/", ()),
    ("pm", "/inspections/emergency-plans/", ()),
    ("supervisor", "/desk/steward/", ()),
    ("supervisor", "/desk/meetings/", ()),
    ("pm", "/owners-committee/", ()),
    ("admin1", "/org/staff/", ()),
]

#: attribute of conftest.Cast for each username
USERS = {"desk": "front_desk", "supervisor": "supervisor", "csmanager": "cs_manager", "pm": "project_manager",
         "quality": "quality_inspector", "enghead": "eng_head", "butler": "butler", "admin1": "sysadmin"}


def objects(cast: Any) -> dict[str, int]:
    """The objects the edit pages of FORMS need: a household with a person, and a ticket."""
    from apps.estates.models import Building, Household, Person, Unit
    from apps.tickets import actions as ticket_actions
    from linli import clock

    building = Building.objects.create(project=cast.project, name="5栋")
    unit = Unit.objects.create(building=building, name="2单元")
    household = Household.objects.create(project=cast.project, building=building, unit=unit, room_no="1502",
                                         label="5栋2单元1502")
    Person.objects.create(project=cast.project, household=household, name="王建国", phone="13800138888")
    now = clock.now()
    ticket = ticket_actions.receive_ticket(
        project=cast.project, kind="complaint", channel="phone", source="project", urgency="normal",
        content="楼道灯不亮", desired_outcome="", received_at=now, household=household, person=None,
        complainant_surname="王", phone="13800138888", address="", anonymous=False, category=None,
        department=None, people_count=1, media_exposed=False, litigation=False, media_or_litigation_risk=False,
        developer_matter=False, municipal=False, agreed_feedback_at=now + dt.timedelta(hours=6),
        acting_user=cast.front_desk, now=now,
    )
    return {"household": household.pk, "ticket": ticket.pk, "project": cast.project.pk}


TEXTLIKE = {"text", "tel", "search", "email", "url", "number", "date", "datetime-local", "time", "month",
            "password", ""}


@dataclass
class Form:
    attrs: dict[str, str]
    inputs: list[dict[str, str]] = field(default_factory=list)
    selects: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)

    @property
    def typeable(self) -> bool:
        return bool(self.textareas or self.selects or any(
            i.get("type", "").lower() in TEXTLIKE | {"file", "checkbox", "radio"} for i in self.inputs))

    def empty_data(self) -> dict[str, Any]:
        """What a browser sends when every text field is emptied and each select set to its empty choice."""
        data: dict[str, list[str]] = {}
        for i in self.inputs:
            name, kind = i.get("name"), i.get("type", "").lower()
            if not name or kind in {"submit", "button", "reset", "file", "image"}:
                continue
            if kind == "hidden":
                data.setdefault(name, []).append(i.get("value", ""))
            elif kind in {"checkbox", "radio"}:
                if "checked" in i:
                    data.setdefault(name, []).append(i.get("value", "on"))
            else:
                data.setdefault(name, []).append("")
        for name in self.textareas:
            data.setdefault(name, []).append("")
        for name, options in self.selects.items():
            values = [v for v, _ in options]
            chosen = [v for v, sel in options if sel] or values[:1]
            data[name] = [""] if "" in values else chosen[:1]
        submits = [b for b in self.buttons if b.get("type", "submit").lower() == "submit"]
        if submits and submits[-1].get("name"):
            data[submits[-1]["name"]] = [submits[-1].get("value", "")]
        return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._in_main = 0
        self._form: Form | None = None
        self._select: str | None = None
        self._option: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "main":
            self._in_main += 1
        elif tag == "form" and self._in_main and a.get("method", "").lower() == "post":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.inputs.append(a)
        elif tag == "textarea" and a.get("name"):
            self._form.textareas.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.selects[self._select] = []
        elif tag == "option" and self._select:
            self._form.selects[self._select].append((a.get("value", ""), "selected" in a))
        elif tag == "button":
            self._form.buttons.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def pick(forms: list[Form], which: str | None) -> Form:
    if which is None:
        return next(f for f in forms if f.typeable)
    if which.startswith("#"):
        return next(f for f in forms if f.attrs.get("id") == which[1:])
    return next(f for f in forms if f.attrs.get("action", "") == which)



#: tables written by showing a page (the log of who read an owner's data), not by the form sent
READ_LOGS = {"estates.CustomerDataAccessLog"}


def _table_rows() -> dict[str, int]:
    from django.apps import apps as django_apps

    return {m._meta.label: m._default_manager.count() for m in django_apps.get_models()
            if m._meta.managed and not m._meta.proxy and m._meta.label not in READ_LOGS}


def _chinese_errors(response: Any) -> list[str]:
    """The Chinese error texts a page shows: beside a field (``ul.errorlist``) or flashed as an error message."""
    import re

    from django.contrib.messages import constants

    html = response.content.decode()
    beside = [re.sub(r"<[^>]+>", "", li).strip() for fragment in
              re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
              for li in re.findall(r"<li>(.*?)</li>", fragment, re.S)]
    context = response.context
    flashed = [str(m) for m in context.get("messages", []) if m.level == constants.ERROR] \
        if context is not None and "messages" in context else []
    return [t for t in beside + flashed if re.search(r"[\u4e00-\u9fff]", t)]


def forms_to_walk(html: str, url: str, *, skip: tuple[str, ...] = ()) -> list[tuple[int, str, Form]]:
    """The POST forms of ``<main>`` to send empty, as (position among the page's POST forms of ``<main>``, action,
    form): each with a field to fill, one of each kind (the same form repeated per row, such as an audit's items, is
    walked once), except those named in ``skip`` (an action path, ``#id`` or ``data-testid``). Shared by the test
    client walk (:func:`empty_post_problems`) and the browser walk, so that the two send the same forms."""
    import re

    chosen, shapes = [], set()
    for index, form in enumerate(forms_of(html)):
        action = form.attrs.get("action") or url
        shape = (re.sub(r"\d+", "N", action), tuple(sorted(form.empty_data())))
        names = {action, "#" + form.attrs.get("id", ""), form.attrs.get("data-testid", "")}
        if not form.typeable or names & set(skip) or shape in shapes:
            continue
        shapes.add(shape)
        chosen.append((index, action, form))
    return chosen


def empty_post_problems(client: Any, url: str, *, skip: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """Issue 23 item 1 on a record's page: every POST form of ``<main>`` with a field to fill (except the actions
    in ``skip`` — an action path, ``#id`` or ``data-testid`` — each a form that legitimately succeeds without
    input), sent as a browser sends it emptied, must
    answer without a server error, write nothing and tell why in Chinese (beside the field with the summary at the top
    of the form, never in a closed section; or in an error message on the page it goes back to). Returns (problems, the actions walked)."""
    import re
    from urllib.parse import urljoin

    got = client.get(url)
    assert got.status_code == 200, (url, got.status_code)
    problems, walked = [], []
    for _, action, form in forms_to_walk(got.content.decode(), url, skip=skip):
        walked.append(action)
        before = _table_rows()
        try:
            answer = client.post(urljoin(url, action), form.empty_data(), follow=True)
        except Exception as exc:  # the test client re-raises a view's exception: that is a 500
            problems.append(f"{url} → {action}: server error {exc!r}")
            continue
        if answer.status_code not in (200, 400, 409, 422):  # 409: a step refused in this state, page shown again
            problems.append(f"{url} → {action}: HTTP {answer.status_code}")
            continue
        if _table_rows() != before:
            changed = {k for k, v in _table_rows().items() if before.get(k) != v}
            problems.append(f"{url} → {action}: an empty form wrote rows ({', '.join(sorted(changed))})")
        if not _chinese_errors(answer):
            problems.append(f"{url} → {action}: no Chinese error message")
        html = answer.content.decode()
        if re.search(r'<ul class="errorlist(?! nonfield)[^"]*"', html) and "form-error-summary" not in html:
            problems.append(f"{url} → {action}: errors beside the fields but no summary at the top of the form")
        if re.search(r"<details(?![^>]*\bopen\b)[^>]*>(?:(?!</details>).)*class=\"errorlist", html, re.S):
            problems.append(f"{url} → {action}: an error is hidden in a closed section")
    return problems, walked
