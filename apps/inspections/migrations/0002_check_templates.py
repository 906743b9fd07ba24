"""The shipped check templates (SPEC M18) as data: the three levels of daily check with the 日检表 items
(R-M18-02/-03), night post checks (R-M18-04), the warehouse check (R-M18-05), patrols (R-M18-06), the
品质部 building checks (R-M18-07), the property-state assessment (R-M18-10), head-office checks
(R-M18-12), electricians' rounds (R-M18-13), upkeep of common parts (R-M18-14), emergency drills
(R-M18-15), cleaning checks (R-M18-17) and the steward's building checks (R-M18-18)."""
from django.db import migrations

TEMPLATES = [
    # kind, level, name, interval_days, requires_checked_signature, [(item, specialty)]
    ("daily", "director", "管理处主任综合检查（日检）", 1, False,
     [("安全：消防通道、监控、岗位值守", "安管"), ("环境：公共区域清洁、绿化", "环境"), ("设备：水电、电梯、泵房运行", "工程"),
      ("客服：前台服务、投诉处理、公告栏", "客服"), ("员工：交接班、劳动纪律", "综合")]),
    ("daily", "specialist", "专业主管专业检查（日检）", 1, False,
     [("本专业岗位在岗与作业质量", ""), ("本专业设施设备状态", ""), ("本专业记录填写", "")]),
    ("daily", "operator", "操作层自查巡查（日检）", 1, False,
     [("本岗位责任区域巡查", ""), ("发现问题及处理", "")]),
    ("night_post", "", "夜间查岗", None, True,
     [("岗位在岗、精神状态", "安管"), ("值班记录填写", "安管"), ("巡逻签到", "安管"), ("设备运行与门岗管理", "安管")]),
    ("warehouse", "", "管理处主任仓库月检", 30, False,
     [("物品盘点账实相符", "综合"), ("物品分类摆放符合公司标准", "综合")]),
    ("equipment_room", "", "设备房巡查（电梯机房等）", 1, False,
     [("设备运行记录", "工程"), ("机房环境与安全", "工程")]),
    ("patrol", "", "资源与废弃物巡查（废气、噪音、照明、固体废弃物）", 30, False,
     [("废气", "品质"), ("噪音", "品质"), ("照明度", "品质"), ("固体废弃物", "品质")]),
    ("monthly", "", "品质部管理状态月检（楼检）", 30, False,
     [("客服管理", "客服"), ("工程管理", "工程"), ("安全管理", "安管"), ("环境管理", "环境"), ("上月缺陷消项验证", "品质")]),
    ("quarterly", "", "品质部物业状态季检", 90, False,
     [("房屋本体", "工程"), ("设施设备", "工程"), ("环境", "环境")]),
    ("property_state", "", "物业状态评估（物业状态评估表）", 365, False,
     [("楼宇", "工程"), ("设备", "工程"), ("环境", "环境")]),
    ("annual", "", "年度评比（设备完好率、红旗设备、房屋完好率）", 365, False,
     [("设备完好率", "工程"), ("红旗设备", "工程"), ("房屋完好率", "工程")]),
    ("head_office", "", "总部办公检查（人事行政部）", 30, False,
     [("办公秩序", "综合"), ("办公设备", "综合"), ("员工着装", "综合"), ("工作纪律", "综合"), ("工作业绩", "综合")]),
    ("electrician", "", "电工巡楼点检", 1, False,
     [("楼层配电与照明", "工程"), ("泵房、空调机房、电梯", "工程"), ("监控中心、电话机房、备用电源", "工程")]),
    ("common_parts", "", "共用部位日常巡查（单元门、楼梯通道、门窗玻璃）", 1, False,
     [("单元门", "工程"), ("楼梯通道", "工程"), ("公共部位门窗玻璃", "工程"), ("违章搭建、改变使用性质", "安管"),
      ("标识标牌", "工程")]),
    ("safety_survey", "", "共用部位与设施安全普查（每年一次）", 365, False,
     [("共用部位安全状况", "工程"), ("维修养护计划报委托方", "工程")]),
    ("lightning", "", "防雷检测（每年一次）", 365, False, [("防雷检测报告", "工程")]),
    ("emergency_drill", "", "应急预案演练", 365, False,
     [("组织与人员到位", "安管"), ("措施执行", "安管"), ("演练总结", "安管")]),
    ("cleaning", "", "保洁日检", 1, False, [("公共区域清洁", "环境"), ("垃圾清运", "环境")]),
    ("cleaning", "", "保洁周检", 7, False, [("清洁质量", "环境"), ("保洁记录", "环境")]),
    ("steward", "", "楼宇员巡楼", 1, False,
     [("清洁、安全、维修、绿化监督", "客服"), ("水、电、气、通讯、有线电视设施", "工程"), ("公告栏", "客服")]),
]


def add(apps, schema_editor):
    CheckTemplate = apps.get_model("inspections", "CheckTemplate")
    CheckItem = apps.get_model("inspections", "CheckItem")
    for kind, level, name, interval, signed, items in TEMPLATES:
        t = CheckTemplate.objects.create(kind=kind, level=level, name=name, interval_days=interval,
                                         requires_checked_signature=signed)
        CheckItem.objects.bulk_create([CheckItem(template=t, text=text, specialty=sp, sort=n)
                                       for n, (text, sp) in enumerate(items)])


def remove(apps, schema_editor):
    apps.get_model("inspections", "CheckTemplate").objects.filter(company=None).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_inspections")]
    operations = [migrations.RunPython(add, remove)]
