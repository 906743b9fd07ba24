from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path, re_path

from apps.tickets import views, views_settings

app_name = "tickets"


def step(slug: str, view: Callable[..., HttpResponse]) -> URLPattern:
    """``<pk>/<slug>/`` → the step's own view; every step keeps the one URL name ``tickets:action``
    (``{% url 'tickets:action' pk 'dispatch' %}`` picks the pattern whose literal slug matches)."""
    return re_path(rf"^(?P<pk>[0-9]+)/(?P<action>{slug})/$", view, name="action")


urlpatterns: list = [
    path("", views.ticket_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("lookup/households/", views.household_lookup, name="household_lookup"),
    path("lookup/similar/", views.similar, name="similar"),
    path("queue/department/", views.queue_department, name="queue_department"),
    path("queue/verification/", views.queue_verification, name="queue_verification"),
    path("queue/return-visit/", views.queue_return_visit, name="queue_return_visit"),
    path("queue/immediate-return-visit/", views.queue_immediate_return_visit,
         name="queue_immediate_return_visit"),  # R-M4-06
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("inventory/", views.inventory, name="inventory"),
    path("inventory/print/", views.inventory_print, name="inventory_print"),
    path("inventory/confirm/", views.inventory_confirm, name="inventory_confirm"),
    path("box-openings/", views.box_openings, name="box_openings"),
    path("channels/", views_settings.channel_publications, name="channel_publications"),
    path("settings/validity-criteria/", views_settings.validity_criteria, name="validity_criteria"),
    path("settings/validity-criteria/<int:pk>/", views_settings.validity_criterion_edit, name="validity_criterion_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/call/", views.call_phone, name="call_phone"),
    path("<int:pk>/receipt/", views.committee_receipt, name="committee_receipt"),
    path("<int:pk>/attachments/<int:aid>/", views.attachment, name="attachment"),
    step("dispatch", views.dispatch_step),
    step("accept", views.accept_step),
    step("handling", views.handling_step),
    step("hand_back", views.hand_back_step),
    step("reply", views.reply_step),
    step("review", views.review_step),
    step("send", views.send_step),
    step("owner_response", views.owner_response_step),
    step("verify", views.verify_step),
    step("return_visit", views.return_visit_step),
    step("answer_question", views.answer_question_step),
    step("exempt", views.exempt_step),
    step("close", views.close_step),
    step("reopen", views.reopen_step),
    step("void", views.void_step),
    step("escalate", views.escalate_step),
    step("report", views.report_step),
    step("quality_opinion", views.quality_opinion_step),
    step("transfer", views.transfer_step),
    step("developer_result", views.developer_result_step),
    step("owner_update", views.owner_update_step),
    step("coordinator", views.coordinator_step),
    step("record_form", views.record_form_step),
    step("claim", views.claim_step),
    step("decide", views.decide_step),
    step("refer", views.refer_step),
    step("note", views.note_step),
    step("internal_staff", views.internal_staff_step),
    step("judge", views.judge_step),
    step("staff_named", views.staff_named_step),
    step("agreed_time", views.agreed_time_step),
    step("online_notification", views.online_notification_step),
    step("gm_report", views.gm_report_step),
    step("suggestion_decision", views.suggestion_decision_step),
]
