"""Demo notices for ``make run``: each residential project's owners' notice board (R-M17-12) carries an
open letter approved by the 管理者代表 (R-M10-07) and a notice about lift maintenance, posted by the
project's 客服经理 through the real action. Deterministic for a "now"; no SMS is sent.

Issue 23 item 3: the approved 投诉公布 and 管理服务报告（业主告示） of the demo reports
(``apps.reports.demo``) are pushed to the board by the 客服经理 the day after approval — except the
latest 投诉公布 of 市民服务中心, left approved and waiting to be pushed — and an outdated notice of
阳光花园 (the water cut-off, done) is withdrawn with its reason."""
from __future__ import annotations

import datetime as dt

from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from apps.portal import actions
from apps.portal.models import PublicationKind
from apps.reports.demo import approved_bulletins
from linli import clock

OPEN_LETTER = ("致全体业主的一封信", "尊敬的业主：\n感谢您一直以来对{name}物业服务工作的支持。近期我们对业主反映集中的电梯运行、"
               "楼道照明和地下车库积水问题进行了专项整改：电梯主板更换已进入招标程序，楼道灯已全部排查更换，"
               "车库排水沟已清淤并加装截水沟。整改进展将在本公告栏持续公布。\n如有意见和建议，欢迎致电客服中心或到前台面谈。\n"
               "{name}管理处")
WATER_CUT = ("停水通知", "因市政供水管网检修，本周三 8:00–14:00 全小区停水，请提前储水。")
NOTICE = ("电梯维保停运通知", "因年度维保检测，本周六 9:00–12:00 各栋电梯将轮流停运约 30 分钟，"
          "停运时段请使用相邻单元电梯或步梯。给您带来不便，敬请谅解。")


def load_demo_publications(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    rep = (Membership.objects.filter(company=company, role=Role.MANAGEMENT_REP).select_related("user")
           .order_by("pk").first())
    count = 0
    for project in Project.objects.filter(company=company, kind="residential").order_by("code"):
        manager = (Membership.objects.filter(project=project, role=Role.CS_MANAGER).select_related("user")
                   .order_by("pk").first())
        if manager is None:
            continue
        if rep is not None:  # an open letter needs the 管理者代表's approval (R-M10-07)
            title, body = OPEN_LETTER
            actions.publish_notice(project=project, kind=PublicationKind.OPEN_LETTER, title=title,
                                   body=body.format(name=project.name), approved_by=rep.user,
                                   acting_user=manager.user, now=now - dt.timedelta(days=10))
            count += 1
        title, body = NOTICE
        actions.publish_notice(project=project, kind=PublicationKind.NOTICE, title=title, body=body,
                               acting_user=manager.user, now=now - dt.timedelta(days=2))
        count += 1
        if project.code == "YG":  # an outdated notice, taken down once the work was done
            title, body = WATER_CUT
            cut = actions.publish_notice(project=project, kind=PublicationKind.NOTICE, title=title, body=body,
                                         acting_user=manager.user, now=now - dt.timedelta(days=9))
            actions.withdraw(cut, reason="停水检修已完成，通知过期撤下", acting_user=manager.user,
                             now=now - dt.timedelta(days=6))
            count += 1
    count += _push_bulletins(company, now)
    return count


def _push_bulletins(company: Company, now: dt.datetime) -> int:
    reports = approved_bulletins(company)
    latest = max((r.period_start for r in reports if r.duty_code == "monthly_bulletin"), default=None)
    pushed = 0
    for report in reports:
        if report.project is None or report.approved_at is None:
            continue
        if report.project.code == "SM" and report.period_start == latest:
            continue  # approved, not yet on the board: the 客服经理 still has it to push
        manager = (Membership.objects.filter(project=report.project, role=Role.CS_MANAGER).select_related("user")
                   .order_by("pk").first())
        if manager is None:
            continue
        actions.publish_report(report, acting_user=manager.user,
                               now=min(report.approved_at + dt.timedelta(hours=18), now - dt.timedelta(minutes=10)))
        pushed += 1
    return pushed
