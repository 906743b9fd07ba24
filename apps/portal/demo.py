"""Demo notices for ``make run``: each residential project's owners' notice board (R-M17-12) carries an
open letter approved by the 管理者代表 (R-M10-07) and a notice about lift maintenance, posted by the
project's 客服经理 through the real action. Deterministic for a "now"; no SMS is sent."""
from __future__ import annotations

import datetime as dt

from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from apps.portal import actions
from apps.portal.models import PublicationKind
from linli import clock

OPEN_LETTER = ("致全体业主的一封信", "尊敬的业主：\n感谢您一直以来对{name}物业服务工作的支持。近期我们对业主反映集中的电梯运行、"
               "楼道照明和地下车库积水问题进行了专项整改：电梯主板更换已进入招标程序，楼道灯已全部排查更换，"
               "车库排水沟已清淤并加装截水沟。整改进展将在本公告栏持续公布。\n如有意见和建议，欢迎致电客服中心或到前台面谈。\n"
               "{name}管理处")
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
    return count
