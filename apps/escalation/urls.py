from django.urls import URLPattern, path

from apps.escalation import views

app_name = "escalation"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("tickets/<int:pk>/", views.ticket_panel, name="ticket"),
    path("tickets/<int:pk>/downgrade/", views.ticket_downgrade, name="downgrade"),
    path("tickets/<int:pk>/flags/", views.ticket_flags, name="flags"),
    path("tickets/<int:pk>/opinion/", views.ticket_opinion, name="opinion"),
    path("tickets/<int:pk>/government/", views.ticket_government, name="government"),
    path("tickets/<int:pk>/visit-problem/", views.ticket_visit_problem, name="visit_problem"),
    path("tickets/<int:pk>/visit-problem/result/", views.ticket_visit_result, name="visit_result"),  # R-M3-13
    path("tickets/<int:pk>/major-change/", views.ticket_major_change, name="major_change"),
    path("tickets/<int:pk>/volume/", views.ticket_volume, name="volume"),
    path("tickets/<int:pk>/close-volume/", views.ticket_close_volume, name="close_volume"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/confirm/", views.cluster_confirm, name="cluster_confirm"),
    path("clusters/<int:pk>/reject/", views.cluster_reject, name="cluster_reject"),
    path("clusters/<int:pk>/split/", views.cluster_split, name="cluster_split"),
    path("clusters/<int:pk>/merge/", views.cluster_merge, name="cluster_merge"),
    path("clusters/<int:pk>/distinct/", views.cluster_distinct, name="cluster_distinct"),
    path("clusters/<int:pk>/add/", views.cluster_add, name="cluster_add"),
    path("legacy/", views.legacy, name="legacy"),
]
