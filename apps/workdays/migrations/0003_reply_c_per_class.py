"""Rule set C (P-01): one row per reply class, so its 4 working days also apply to online complaints
(SPEC R-M2-05 table) instead of losing to the more specific P-06 online row."""
from __future__ import annotations

import secrets

from django.db import migrations


def reseed(apps, schema_editor):
    from apps.workdays.policies import DEFAULT_RULE_SETS

    RuleSet = apps.get_model("workdays", "RuleSet")
    LimitPolicy = apps.get_model("workdays", "LimitPolicy")
    seed = next(s for s in DEFAULT_RULE_SETS if s.code == "reply_c")
    rs = RuleSet.objects.filter(code="reply_c").first()
    if rs is None:
        return
    have = {(r.reply_class, r.channel) for r in LimitPolicy.objects.filter(rule_set=rs)}
    LimitPolicy.objects.bulk_create([
        LimitPolicy(rule_set=rs, stage=r.stage, clock=r.clock, amount=r.amount, rule=r.rule, kind=r.kind,
                    channel=r.channel, reply_class=r.reply_class, urgency=r.urgency, category=r.category)
        for r in seed.rows if (r.reply_class, r.channel) not in have
    ])
    apps.get_model("workdays", "DataVersion").objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_defaults")]
    operations = [migrations.RunPython(reseed, migrations.RunPython.noop)]
