"""Seed the SPEC default rule sets (Appendix A: P-01, P-03, P-06, P-14, P-15, P-16; R-M2-05…R-M8-07)
and the official years the chinesecalendar package knows (P-25)."""
from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor):
    from chinese_calendar import constants

    from apps.workdays.policies import DEFAULT_RULE_SETS

    RuleSet = apps.get_model("workdays", "RuleSet")
    LimitPolicy = apps.get_model("workdays", "LimitPolicy")
    OfficialYear = apps.get_model("workdays", "OfficialYear")
    DataVersion = apps.get_model("workdays", "DataVersion")
    for seed_set in DEFAULT_RULE_SETS:
        rs, _ = RuleSet.objects.update_or_create(code=seed_set.code, defaults={
            "concern": seed_set.concern, "name": seed_set.name, "source": seed_set.source,
            "is_default": seed_set.is_default, "company": None})
        LimitPolicy.objects.filter(rule_set=rs).delete()
        LimitPolicy.objects.bulk_create([
            LimitPolicy(rule_set=rs, stage=r.stage, clock=r.clock, amount=r.amount, rule=r.rule, kind=r.kind,
                        channel=r.channel, reply_class=r.reply_class, urgency=r.urgency, category=r.category)
            for r in seed_set.rows
        ])
    for year in sorted({d.year for d in constants.holidays}):
        OfficialYear.objects.get_or_create(year=year, defaults={
            "status": "official", "source": "chinesecalendar 1.11.0（国务院公布）"})
    DataVersion.objects.update_or_create(pk=1, defaults={"version": 1})


def unseed(apps, schema_editor):
    apps.get_model("workdays", "RuleSet").objects.filter(company=None).delete()
    apps.get_model("workdays", "OfficialYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
