"""R-M2-04 moves into the ticket: tickets whose 《不合格/纠正、预防措施报告》 still awaits the 管理者代表's
signature (awaiting signature or returned) get the handling hold apps.quality now puts on at raising
time, so existing data keeps refusing handling exactly as the old lookup did."""
from django.db import migrations

CODE = "awaiting_ncr_signature"
UNSIGNED = ("awaiting_signature", "returned")


def message(number: str) -> str:
    return f"该工单已提交《不合格/纠正、预防措施报告》{number}，须经管理者代表签发后才能开始处理（R-M2-04）"


def hold(apps, schema_editor):
    Report = apps.get_model("quality", "NonconformityReport")
    Ticket = apps.get_model("tickets", "Ticket")
    for ticket_id, number in (Report.objects.filter(status__in=UNSIGNED).order_by("raised_at", "id")
                              .values_list("ticket_id", "number")):
        Ticket.objects.filter(pk=ticket_id).update(handling_hold=CODE, handling_hold_message=message(number))


def release(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Ticket.objects.filter(handling_hold=CODE).update(handling_hold="", handling_hold_message="")


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_nonconformity_report"),
        ("tickets", "0009_ticket_handling_hold"),
    ]

    operations = [migrations.RunPython(hold, release)]
