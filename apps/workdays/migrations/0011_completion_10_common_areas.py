"""Rule tables (issue 17, R-M8-06, P-15): the default 制度10 takes 制度9's common-area limits for the
repairs it does not name (public glass/doors 2 working days, walls and stairs one batch a month), for
repairs and paid services. Adds the missing rows of the shipped rule sets; rows a company edited are
left as they are."""
from __future__ import annotations

import secrets

from django.db import migrations


def reseed(apps, schema_editor):
    from apps.workdays.policies import ARRIVAL_CONCERN, COMPLETION_CONCERN, DEFAULT_RULE_SETS

    RuleSet = apps.get_model("workdays", "RuleSet")
    LimitPolicy = apps.get_model("workdays", "LimitPolicy")
    for seed in DEFAULT_RULE_SETS:
        if seed.concern not in (ARRIVAL_CONCERN, COMPLETION_CONCERN):
            continue
        rs = RuleSet.objects.filter(code=seed.code).first()
        if rs is None:
            continue
        have = {(r.stage, r.kind, r.channel, r.reply_class, r.urgency, r.category)
                for r in LimitPolicy.objects.filter(rule_set=rs)}
        LimitPolicy.objects.bulk_create([
            LimitPolicy(rule_set=rs, stage=r.stage, clock=r.clock, amount=r.amount, rule=r.rule, kind=r.kind,
                        channel=r.channel, reply_class=r.reply_class, urgency=r.urgency, category=r.category)
            for r in seed.rows
            if (r.stage, r.kind, r.channel, r.reply_class, r.urgency, r.category) not in have
        ])
    apps.get_model("workdays", "DataVersion").objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("workdays", "0010_reply_policy")]
    operations = [migrations.RunPython(reseed, migrations.RunPython.noop)]
