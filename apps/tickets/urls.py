from django.urls import path

from apps.tickets import views

app_name = "tickets"

urlpatterns: list = [
    path("", views.ticket_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("lookup/households/", views.household_lookup, name="household_lookup"),
    path("lookup/similar/", views.similar, name="similar"),
    path("queue/department/", views.queue_department, name="queue_department"),
    path("queue/verification/", views.queue_verification, name="queue_verification"),
    path("queue/return-visit/", views.queue_return_visit, name="queue_return_visit"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("inventory/", views.inventory, name="inventory"),
    path("inventory/print/", views.inventory_print, name="inventory_print"),
    path("inventory/confirm/", views.inventory_confirm, name="inventory_confirm"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.ticket_action, name="action"),
]
