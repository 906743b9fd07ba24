"""The deduction catalogue of SPEC section 4 (seed 001, 考核实施细则 items 1–8) as the default version.

(code, area, behaviour, min, max, unit, outcome, note). ``None`` points = not given by the seed (8.x
attendance, truncated): the company sets them in a new version before the item can be used (R-M14-07).
Item 3.2 carries the printed 15 per occurrence (policy P-23's default; the alternative 1–5 is a new version).
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy

NAME = "客户服务部员工考核实施细则"
VERSION = "seed-001"

A1 = "文明用语，积极、主动、热情"
A2 = "耐心解答"
A3 = "同事配合"
A4 = "上、值、加班认真负责，记录登记完整清楚"
A5 = "自觉维护公司利益和形象"
A6 = "正确对待批评教育"
A7 = "发现可疑情况并跟踪处理"
A8 = "考勤"

ITEMS: list[tuple[str, str, str, str | None, str | None, str, str, str]] = [
    ("1.1", A1, "不及时接待", "1", "1", "occurrence", "points", ""),
    ("1.2", A1, "回避接待", "2", "2", "occurrence", "points", ""),
    ("1.3", A1, "与业主顶撞、争执、争吵", "0", "0", "occurrence", "disciplinary", "视情节给予处分，严重者自动离职处分"),
    ("1.4", A1, "主动服务意识不足被业主投诉", "5", "10", "complaint", "points", "视情况"),
    ("2.1", A2, "不积极热情耐心解答、有厌烦和牢骚情绪", "2", "2", "occurrence", "points", ""),
    ("2.2", A2, "回避业主问题不解答", "5", "5", "occurrence", "points", ""),
    ("2.3", A2, "不能解答而不请示主管和领导自作主张回答", "5", "5", "occurrence", "points", ""),
    ("2.4", A2, "回答或提供不在本部门职责范围内的问题和信息", "5", "5", "occurrence", "points", ""),
    ("3.1", A3, "不主动配合同事或配合但有厌烦埋怨不满情绪", "3", "3", "occurrence", "points", ""),
    ("3.2", A3, "完成工作不认真负责、不彻底、达不到要求", "15", "15", "occurrence", "points",
     "多次出现视情节处理，不能胜任者调动或自动离职处理"),
    ("4.1", A4, "上值加班不负责、记录不完整、异常未及时汇报记录", "2", "10", "occurrence", "points", ""),
    ("5.1", A5, "未按统一式样着工作服", "1", "1", "missing_item", "points", "缺一项扣1分"),
    ("5.2", A5, "乱发碎发、长发未扎于脑后影响精神面貌", "0.5", "1.5", "finding", "points", ""),
    ("5.3", A5, "留长指甲、涂指甲油、染奇异彩色发", "0.5", "1.5", "finding", "points", ""),
    ("5.4", A5, "趴在办公桌上或靠在墙壁上", "1", "1", "occurrence", "points", ""),
    ("5.5", A5, "当众打理衣服、化妆、剪指甲", "0.5", "1.5", "occurrence", "points", ""),
    ("5.6", A5, "上班时间穿或换穿拖鞋", "2", "2", "occurrence", "points", ""),
    ("5.7a", A5, "上班打瞌睡、睡觉（轻者）", "1", "1", "occurrence", "points", ""),
    ("5.7b", A5, "上班打瞌睡、睡觉（严重）", "3", "5", "occurrence", "points", ""),
    ("6.1", A6, "不接受领导或同事的合理批评教育", "2", "10", "occurrence", "points", ""),
    ("7.1", A7, "发现可疑情况能处理不处理、不能处理又不汇报", "2", "10", "occurrence", "points",
     "造成严重后果的，责任人承担相应责任"),
    ("8.x", A8, "考勤（迟到、早退、无故请假缺勤）", None, None, "occurrence", "points", "原文缺失，扣分须由公司设定"),
]

# Shown on the assessment pages: UI text, translated when shown.
PRINCIPLES = [gettext_lazy("及时、热情、周到、专业的服务"), gettext_lazy("业主是上帝"),
              gettext_lazy("只找能行的方法，不找不行的理由")]
