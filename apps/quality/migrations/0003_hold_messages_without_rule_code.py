"""The handling hold message stored on tickets loses its rule code (issue 23 item 6): users read
"…须经管理者代表签发后才能开始处理", not "…（R-M2-04）"."""
from django.db import migrations

CODE = "awaiting_ncr_signature"
SUFFIX = "（R-M2-04）"


def strip_code(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    for pk, text in (Ticket.objects.filter(handling_hold=CODE, handling_hold_message__endswith=SUFFIX)
                     .values_list("pk", "handling_hold_message")):
        Ticket.objects.filter(pk=pk).update(handling_hold_message=text[: -len(SUFFIX)])


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_hold_handling_of_unsigned_reports"),
        ("tickets", "0015_labels_without_rule_codes"),
    ]

    operations = [migrations.RunPython(strip_code, migrations.RunPython.noop)]
