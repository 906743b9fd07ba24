"""Demo data of the company's own deadline and approval policies (issue 17 item 3).

The demo company has changed two of its settings on the staff settings pages, as a property company
does after its first months on Linli, so the pages show the company's values and their history:

- 投诉方式与答复 (``/org/settings/reply-policy/``, R-M1-04, P-22, P-09): complaints by e-mail are answered
  with a formal letter (书面), reviewed as before by 品质管理部 and the 办公室 (whose clerk has them on the
  home page); the public-property project 市民服务中心 also answers its walk-in complaints in writing and
  has them reviewed by 品质管理部 alone (the client's requirement);
- 赔偿审批权限 (``/org/settings/compensation-limits/``, R-M2-24, P-11): the company's own limits per role
  (客服经理 ¥1,000, 管理处经理 ¥3,000, 品质管理部 ¥10,000, 物业总经理 ¥20,000, 公司领导 without a limit).

Each change goes through :func:`apps.org.actions.change_setting` (the same path as the page), so it is
recorded with who changed it, when and why. Sections are found by key in the settings registry (the
compensation limits are the ticket pipeline's section), so this module imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.org import actions as org_actions
from apps.org import settings_registry
from apps.org.models import Company, Project, User
from apps.workdays.keys import Channel, ReplyClass
from linli import clock

# (settings key, project code or None, changes over the values in force, by username (prefix), reason, days ago)
CHANGES: list[tuple[str, str | None, dict[str, Any], str, str, int]] = [
    (
        "reply-policy",
        None,
        {Channel.EMAIL.value: ReplyClass.WRITTEN.value},
        "sysadmin",
        "公司办公会决定：邮件投诉一律正式回函，按书面答复的时限办理",
        40,
    ),
    (
        "reply-policy",
        "SM",
        {Channel.VISIT.value: ReplyClass.WRITTEN.value, Channel.FIELD_VISIT.value: ReplyClass.WRITTEN.value,
         "written_reviewers": "quality"},
        "pm_sm",
        "委托方（街道办）要求来访和现场投诉均书面答复，并存档备查；书面答复由品质管理部统一审核",
        25,
    ),
    (
        "compensation-limits",
        None,
        {
            "cs_manager": "1000",
            "project_manager": "3000",
            "quality": "10000",
            "general_manager": "20000",
            "leadership": "",
        },
        "sysadmin",
        "按2026年修订的《赔偿管理办法》调整各岗位审批权限",
        33,
    ),
]


def load_demo_policies(company: Company, *, now: dt.datetime | None = None) -> int:
    """Apply :data:`CHANGES` for ``company`` through the settings pages' action; returns the changes made."""
    now = now or clock.now()
    made = 0
    for key, project_code, changes, username, reason, days_ago in CHANGES:
        section = settings_registry.get(key)
        if section is None:
            raise LookupError(f"settings section {key!r} is not registered")
        by = User.objects.get(username=username)
        project = Project.objects.get(company=company, code=project_code) if project_code is not None else None
        values, _source = section.values(company, project)
        data = settings_registry.form_data(section.form(company, project), {**values, **changes})
        org_actions.change_setting(
            section=section,
            company=company,
            project=project,
            data=data,
            reason=reason,
            by=by,
            now=now - dt.timedelta(days=days_ago),
        )
        made += 1
    return made
