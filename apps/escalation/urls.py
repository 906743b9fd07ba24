from django.urls import path

from apps.escalation import views

app_name = "escalation"

urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("tickets/<int:pk>/", views.ticket_panel, name="ticket"),
    path("tickets/<int:pk>/downgrade/", views.ticket_downgrade, name="downgrade"),
    path("tickets/<int:pk>/flags/", views.ticket_flags, name="flags"),
    path("tickets/<int:pk>/opinion/", views.ticket_opinion, name="opinion"),
    path("tickets/<int:pk>/government/", views.ticket_government, name="government"),
    path("tickets/<int:pk>/visit-problem/", views.ticket_visit_problem, name="visit_problem"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/<str:op>/", views.cluster_action, name="cluster_action"),
    path("legacy/", views.legacy, name="legacy"),
]
