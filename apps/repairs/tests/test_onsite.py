"""The work order on site: arrival, charge before work, completion, signature, next visit
(R-M8-03, R-M8-05, R-M8-08, R-M8-09, R-M8-12, R-M8-13)."""
from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.repairs import actions, queries
from apps.repairs.errors import RepairError
from apps.repairs.models import ConsentAnswer, PhotoPhase
from apps.repairs.tests.conftest import SITE_OK, item, png
from apps.repairs.tests.helpers import assigned, at, completed, dispatch_of, new_user, on_site
from apps.tickets.choices import Stage, TicketStatus

pytestmark = pytest.mark.django_db


def test_r_m8_03_arrival_meets_the_arrive_deadline(cast, fake_policies):
    """R-M8-03: the recorded arrival time meets the arrive deadline — late when after it."""
    now = at(2026, 11, 23, 10, 0)
    quick = assigned(cast, "repair_water", now=now)
    actions.accept_order(order=quick, acting_user=cast.worker, now=now)
    actions.record_arrival(order=quick, acting_user=cast.worker, now=now + dt.timedelta(minutes=14))
    slow = assigned(cast, "repair_water", now=now)
    actions.accept_order(order=slow, acting_user=cast.worker, now=now)
    actions.record_arrival(order=slow, acting_user=cast.worker, now=now + dt.timedelta(minutes=16))
    assert quick.ticket.deadlines.get(stage=Stage.ARRIVE).met_in_time is True
    assert slow.ticket.deadlines.get(stage=Stage.ARRIVE).met_in_time is False
    assert dispatch_of(slow).arrived_at == now + dt.timedelta(minutes=16)
    with pytest.raises(RepairError) as e:
        actions.record_arrival(order=slow, acting_user=cast.worker, now=now + dt.timedelta(minutes=20))
    assert e.value.code == "already_arrived"


def test_r_m8_08b_chargeable_work_needs_consent_before_it_starts(cast, fake_policies, price_list):
    """R-M8-08 b: the charge is explained and agreed BEFORE work; starting without consent is refused,
    a declined charge blocks the work, an agreed one records who, when and the amount."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now, chargeable=True,
                    items=[(item(price_list, "tap_replace"), 1), (item(price_list, "tap"), 1)])
    assert order.quote_total == Decimal("75.50")
    with pytest.raises(RepairError) as e:
        actions.start_work(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "consent_required" and e.value.status == 409
    actions.record_consent(order=order, agreed=False, owner_name="王先生", explanation="更换水龙头需收材料费",
                            acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.start_work(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "consent_declined"
    later = now + dt.timedelta(minutes=5)
    consent = actions.record_consent(order=order, agreed=True, owner_name="王先生", explanation="更换水龙头需收材料费",
                                      reported_to=cast.eng_head, acting_user=cast.worker, now=later)
    assert (consent.answer, consent.amount, consent.owner_name, consent.at) == (
        ConsentAnswer.AGREED, Decimal("75.50"), "王先生", later)
    actions.start_work(order=order, acting_user=cast.worker, now=later)
    order.refresh_from_db()
    assert order.work_started_at == later
    with pytest.raises(RepairError) as e:
        actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王先生", explanation="x", acting_user=cast.worker,
                                now=later)
    assert e.value.code == "work_started"
    with pytest.raises(RepairError):
        actions.diagnose(order=order, diagnosis="另需更换软管", chargeable=True,
                          items=[(item(price_list, "tap"), 2)], acting_user=cast.worker, now=later)


def test_r_m8_08b_changed_charge_needs_a_new_consent(cast, fake_policies, price_list):
    """R-M8-08 b: consent covers an amount; a changed charge before work needs the owner again."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now, chargeable=True, items=[(item(price_list, "tap"), 1)])
    actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王先生", explanation="材料费",
                            acting_user=cast.worker,
                            now=now)
    actions.diagnose(order=order, diagnosis="还需疏通", chargeable=True,
                      items=[(item(price_list, "tap"), 1), (item(price_list, "drain_clear"), 1)],
                      acting_user=cast.worker, now=now)
    order.refresh_from_db()
    assert not queries.consent_valid(order)
    with pytest.raises(RepairError) as e:
        actions.start_work(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "consent_required"


def test_free_repair_starts_without_consent_but_not_before_diagnosis(cast, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    order = assigned(cast, now=now)
    actions.accept_order(order=order, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.start_work(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "not_arrived"
    actions.record_arrival(order=order, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.start_work(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "diagnosis_required"
    actions.diagnose(order=order, diagnosis="阀芯老化", chargeable=False, acting_user=cast.worker, now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)


def test_r_m8_09_completion_records_labour_materials_and_meets_complete(cast, fake_policies, price_list):
    """R-M8-09 / R-M8-12: what was repaired, labour hours, materials from the list; the complete
    deadline is met and the ticket becomes 已处理."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    actions.add_material(order=order, item=item(price_list, "tape"), quantity="2", acting_user=cast.worker, now=now)
    with pytest.raises(RepairError):  # a service item is not a material
        actions.add_material(order=order, item=item(price_list, "drain_clear"), quantity=1, acting_user=cast.worker,
                              now=now)
    with pytest.raises(RepairError) as e:
        actions.complete_repair(checklist=SITE_OK,
                                 order=order, result="修好", labour_hours="0", acting_user=cast.worker, now=now)
    assert "labour_hours" in e.value.fields
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="更换阀芯", labour_hours="1.25", acting_user=cast.worker,
                             now=now + dt.timedelta(hours=2))
    order.refresh_from_db()
    assert order.labour_hours == Decimal("1.25") and order.worker == cast.worker
    assert [(m.item.code, m.quantity) for m in order.materials.all()] == [("tape", Decimal("2.00"))]
    order.ticket.refresh_from_db()
    assert order.ticket.status == TicketStatus.HANDLED
    assert order.ticket.deadlines.get(stage=Stage.COMPLETE).met_in_time is True


def test_r_m8_05_not_finished_the_same_day_needs_an_explanation(cast, fake_policies):
    """R-M8-05: a repair not finished the same day needs the explanation to the owner; R-M8-08 c: an
    agreed next visit carries it."""
    now = at(2026, 11, 23, 16, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    tomorrow = at(2026, 11, 24, 10, 0)
    with pytest.raises(RepairError) as e:
        actions.complete_repair(checklist=SITE_OK,
                                 order=order, result="修好", labour_hours=1, acting_user=cast.worker, now=tomorrow)
    assert e.value.code == "explanation_required"
    with pytest.raises(RepairError):
        actions.agree_next_visit(order=order, agreed_at=now - dt.timedelta(hours=1), reason="缺配件",
                                  acting_user=cast.worker, now=now)
    visit = actions.agree_next_visit(order=order, agreed_at=tomorrow, reason="缺配件，明早带阀芯上门",
                                      acting_user=cast.worker, now=now + dt.timedelta(minutes=30))
    assert visit.agreed_at == tomorrow
    assert order.ticket.events.filter(message__contains="约定再次上门").exists()
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="修好", labour_hours=1, acting_user=cast.worker, now=tomorrow)
    order.refresh_from_db()
    assert order.late_explanation == "缺配件，明早带阀芯上门"


def test_r_m8_08e_owner_signature_is_stored_as_png(cast, fake_policies):
    """R-M8-08 e / R-M8-13: the owner's signature drawn on screen (PNG) with name, time and the
    acceptance check; a blank canvas or non-PNG data is refused; signing twice is refused."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError):
        actions.sign_acceptance(order=order, signature=base64.b64encode(png()).decode(), signed_name="王",
                                 quality_ok=True, acting_user=cast.worker, now=now)  # not completed yet
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="修好", labour_hours=1, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.sign_acceptance(order=order, signature=base64.b64encode(png(blank=True)).decode(), signed_name="王",
                                 quality_ok=True, acting_user=cast.worker, now=now)
    assert e.value.code == "blank_signature"
    with pytest.raises(RepairError):
        actions.sign_acceptance(order=order, signature=base64.b64encode(b"GIF89a....").decode(), signed_name="王",
                                 quality_ok=True, acting_user=cast.worker, now=now)
    actions.sign_acceptance(order=order, signature="data:image/png;base64," + base64.b64encode(png()).decode(),
                             signed_name="王先生", quality_ok=True, acting_user=cast.worker, now=now)
    order.refresh_from_db()
    assert order.signed_name == "王先生" and order.quality_ok is True
    assert order.signature.read().startswith(b"\x89PNG")
    with pytest.raises(RepairError) as e:
        actions.refuse_acceptance(order=order, reason="不满意", acting_user=cast.worker, now=now)
    assert e.value.code == "already_signed"


def test_owner_refusal_needs_a_reason(cast, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="修好", labour_hours=1, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError):
        actions.refuse_acceptance(order=order, reason="", acting_user=cast.worker, now=now)
    actions.refuse_acceptance(order=order, reason="仍有渗水", acting_user=cast.worker, now=now)
    order.refresh_from_db()
    assert order.refusal_reason == "仍有渗水" and order.quality_ok is False


def test_photos_before_and_after(cast, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.add_photo(order=order, phase=PhotoPhase.BEFORE, file=SimpleUploadedFile("a.png", png()),
                       acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.add_photo(order=order, phase=PhotoPhase.AFTER, file=SimpleUploadedFile("a.txt", b"hello world 123"),
                           acting_user=cast.worker, now=now)
    assert "file" in e.value.fields
    assert [p.phase for p in order.photos.all()] == ["before"]


def test_full_flow_helper_reaches_handled(cast, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    order = completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now)
    assert order.accepted and order.ticket.status == TicketStatus.HANDLED
    assert io.BytesIO(order.signature.read()).read(4) == b"\x89PNG"


def test_r_m8_11_r_m8_12_site_checklist_and_wiring_consent(cast, fake_policies):
    """R-M8-11 / R-M8-12 / R-M8-14: completion needs the site cleaned and the tools counted (the
    rest of the checklist is recorded); a change of the original wiring needs the consent of the
    工程部经理 — a worker or the front desk cannot give it."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.complete_repair(order=order, result="修好", labour_hours=1, checklist={"site_cleaned": True},
                                 acting_user=cast.worker, now=now)
    assert e.value.code == "checklist_incomplete" and "工具" in e.value.message
    with pytest.raises(RepairError):
        actions.complete_repair(order=order, result="修好", labour_hours=1, checklist={"bogus": True},
                                 acting_user=cast.worker, now=now)
    for approver in (None, cast.front_desk, cast.eng_head):  # a name picked by the worker is no consent
        with pytest.raises(RepairError) as e:
            actions.complete_repair(order=order, result="改线", labour_hours=1, checklist=SITE_OK, wiring_changed=True,
                                     wiring_approved_by=approver, acting_user=cast.worker, now=now)
        assert e.value.code == "wiring_consent_required"
    consent = actions.request_consent(order=order, kind="wiring", reason="插座移位", acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.decide_consent(consent=consent, approve=True, acting_user=cast.front_desk, now=now)
    assert e.value.status == 403
    actions.decide_consent(consent=consent, approve=True, acting_user=cast.eng_head, now=now)
    actions.complete_repair(order=order, result="改线", labour_hours=1, checklist=SITE_OK,
                             wiring_changed=True, acting_user=cast.worker, now=now)
    order.refresh_from_db()
    assert order.wiring_approved_by == cast.eng_head
    assert order.checklist == SITE_OK


def test_r_m8_10_shift_handover_needs_the_leaders_consent(cast, fake_policies):
    """R-M8-10: a fault not solved within the shift goes to the next shift only with the leader's
    consent (who, to whom, who consented, why, when); a colleague cannot consent."""
    from apps.org.models import Membership
    from apps.org.roles import Role

    night = new_user(username="night", display_name="夜班师傅")
    Membership.objects.create(user=night, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    now = at(2026, 11, 23, 17, 30)
    order = on_site(cast, assigned(cast, now=now), now=now)
    consent = actions.request_consent(order=order, kind="handover", to_user=night, reason="需更换配电箱配件",
                                      acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.decide_consent(consent=consent, approve=True, acting_user=night, now=now)
    assert e.value.code == "forbidden"
    assert dispatch_of(order).assignee == cast.worker  # nothing moves before the leader decides
    actions.decide_consent(consent=consent, approve=True, acting_user=cast.eng_head, now=now)
    h = order.shift_handovers.get()
    assert (h.from_user, h.to_user, h.consented_by) == (cast.worker, night, cast.eng_head)
    d = dispatch_of(order)
    assert d.assignee == night and "经赵工同意" in d.instructions
    assert list(queries.my_orders(night)) == [order] and list(queries.my_orders(cast.worker)) == []


def test_every_work_order_step_keeps_a_history_row(cast, fake_policies):
    """Issue 13: each state change of the work order is saved by an action with who and why."""
    now = at(2026, 11, 23, 10, 0)
    order = completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now)
    reasons = [h.history_change_reason for h in order.history.order_by("history_date", "history_id")]
    assert reasons == ["报修受理", "到场", "诊断（不收费）", "开工", "完工", "业主签名验收"]
    assert order.history.filter(history_change_reason="完工").get().history_user == cast.worker
