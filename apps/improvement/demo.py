"""Demo improvement plans: the seed's 2013 line plans (R-M15-04) and customer-lifecycle action plan
(R-M15-05) as this year's plans of the demo company, through the actions, linked to the survey items
of the demo questionnaire and motivated by the completed demo survey (loaded first, apps.surveys.demo).
Rows the seed leaves without completion time or responsible person stay so, and are flagged."""
from __future__ import annotations

import datetime as dt

from apps.improvement import actions
from apps.improvement.models import ImprovementPlan
from apps.org.models import Company, Membership
from apps.org.roles import Role
from apps.surveys.demo import load_demo_surveys
from apps.surveys.models import ProjectSurvey
from apps.tickets.models import Category
from linli import clock

_AS_1 = "与客服管家配合，详细识别业户；对无业主卡的住户详细登记；强调标兵形象岗位的重要性"
# (line, item, causes, summary, support, survey item codes, complaint category codes)
LINE_ROWS = [
    ("security", "业主投诉安管对人员进出松懈", "安管员对大部分业户不熟悉", _AS_1, "无", ["security_access"], ["security"]),
    ("security", "装修期间工人或亲属使用业主卡", "", "（同第1项）" + _AS_1, "无", ["security_access"], ["security"]),
    ("security", "住户长期外出或未带业主卡", "", "（同第1项）" + _AS_1, "无", ["security_access"], []),
    ("security", "巡逻有盲区；智能门禁启用后住户进不了单元门安管员不理会", "",
     "加强智能化系统维护，与工程部和厂家联系，学习其操作与维护", "无", ["security_access", "security_attitude"], []),
    ("security", "自查：安管副主管安全意识薄弱，导致安管员麻痹", "", "加强对安管主管的考核与检查", "无", [], []),
    ("security", "安管员形象和责任心松懈", "", "培训；考核淘汰制", "无", ["security_attitude"], []),
    ("security", "日常管理制度存在漏洞", "", "跟进落实", "无", [], []),
    ("engineering", "维修及时率", "客观原因：部分工种缺失", "招聘万能工、弱电工", "", ["eng_speed"], ["engineering"]),
    ("engineering", "产品质量缺陷", "", "加强与开发商沟通；维保单位不受控", "", ["eng_quality"], []),
    ("engineering", "部门间协调配合", "", "加强配合", "内部培训", ["eng_speed"], []),
    ("engineering", "服务意识", "主观原因", "服务意识培训", "公司派专业讲师", ["eng_quality"], []),
    ("cleaning", "保洁管理方式与力度", "", "调整管理模式，认真处理问题", "无", ["clean_quality"], ["cleaning"]),
    ("cleaning", "督导巡查次数太少", "", "每天定时检查，每周一次周检", "无", ["clean_quality"], []),
    ("cleaning", "沟通薄弱，要求偏低", "", "及时沟通、调整问题", "无", ["clean_quality"], []),
    ("cleaning", "培训不到位", "", "增加培训频次，提高培训实效，图文并茂", "无", ["clean_quality"], []),
    ("cleaning", "绿化：草坪监管与处罚不力", "", "严格草坪巡查", "无", ["green_quality"], ["greening"]),
    ("cleaning", "绿化：部分景点不协调", "", "已起草景观改造方案", "无", ["green_quality"], []),
    ("cleaning", "绿化：整体绿化养护不足", "", "联系养护单位，保持乔灌木良好形态", "无", ["green_quality"], []),
    ("cleaning", "绿化：缺少园林小品", "", "利用现有资源营造简洁和谐的景观", "无", ["green_quality"], []),
    ("cs", "日常服务检查管理薄弱、控制力弱、公共区域巡查不到位、装修垃圾杂物监管不力", "",
     "装修检查、工人检查、公共区域巡查、杂物清理、违规装修制止", "无", ["cs_efficiency"], []),
    ("cs", "管家各自只管自己区域，资源不共享，沟通不畅，管家缺乏现场经验", "",
     "每日例会，管家分享日志、共同分析重点问题；疑难问题由有经验的管家现场协助", "无", ["cs_attitude"], []),
]
LIFECYCLE_ROWS = [
    ("new_owner", "新业主（销售、入伙、装修）", "售楼处播放物业服务故事视频；售楼处配备合格的物业人员", "地产销售"),
    ("new_owner", "新业主（销售、入伙、装修）", "入伙时播放交房前开荒保洁视频", "各部门"),
    ("new_owner", "新业主（销售、入伙、装修）", "公布装修公司评估结果供业主选择；举办装修讲座", "品质管理部"),
    ("running_in", "磨合期", "新业主入住后及时上门走访；装修期间跟进检查", "各部门"),
    ("not_moved_in", "未入住业主", "定期更新入住动态，对未入住业主电话联系", "行政人事部"),
    ("legacy", "开发遗留问题", "按月统计开发遗留问题，与开发商沟通处理进度并告知业主", "品质管理部"),
]


def load_demo_improvement(company: Company, *, seed: int = 2026, now: dt.datetime | None = None) -> int:
    """Loads the demo surveys first, then the plans; returns the number of plan rows."""
    now = now or clock.now()
    surveys = load_demo_surveys(company, seed=seed, now=now)
    member = Membership.objects.filter(company=company, role=Role.QUALITY).select_related("user").first()
    if member is None:
        return 0
    user, year = member.user, clock.local(now).year
    cats = {c.code: c for c in Category.objects.filter(company=None)}
    completed = surveys.get("completed") if surveys else None
    source = completed if isinstance(completed, ProjectSurvey) else None
    plans: dict[str, ImprovementPlan] = {}
    n = 0
    for i, (line, item, causes, summary, support, codes, cat_codes) in enumerate(LINE_ROWS):
        if line not in plans:
            plans[line] = actions.create_plan(company=company, year=year, kind="line", line=line,
                                              source_survey=source, acting_user=user, now=now)
        owned = i % 4 == 0  # the seed leaves time and person empty; a few rows are filled in to show both
        row = actions.add_action(plan=plans[line], item=item, causes=causes, summary=summary, support=support,
                                 due_on=dt.date(year, 12, 31) if owned else None,
                                 responsible="条线主管" if owned else "", survey_items=codes,
                                 complaint_categories=[cats[c] for c in cat_codes if c in cats],
                                 acting_user=user, now=now)
        if owned:
            actions.update_action(action=row, status="in_progress", progress="已在部门例会布置，按月跟进",
                                  acting_user=user, now=now)
        n += 1
    life = actions.create_plan(company=company, year=year, kind="lifecycle", source_survey=source,
                               acting_user=user, now=now)
    for stage, strategy, plan_text, dept in LIFECYCLE_ROWS:
        actions.add_action(plan=life, item=strategy, summary=plan_text, stage=stage, strategy=strategy,
                           department=dept, acting_user=user, now=now)
        n += 1
    eng = plans.get("engineering")
    if eng is not None:
        actions.record_meeting(plan=eng, held_on=clock.local(now).date() - dt.timedelta(days=30),
                               minutes="服务质量改进会议：分析维修及时率偏低的原因，确定招聘万能工、弱电工并开展服务意识培训。",
                               actions=list(eng.actions.filter(number__in=[1, 4])), acting_user=user, now=now)
    return n
