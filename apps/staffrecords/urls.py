from django.urls import path

from apps.staffrecords import views

app_name = "staffrecords"

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/new/", views.certificate_new, name="certificate_new"),
    path("certificates/<int:pk>/edit/", views.certificate_edit, name="certificate_edit"),
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/edit/", views.directory_edit, name="directory_edit"),
    path("training/", views.training_list, name="training"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("takeovers/", views.takeover_list, name="takeovers"),
    path("takeovers/new/", views.takeover_new, name="takeover_new"),
    path("appraisals/", views.appraisals, name="appraisals"),
    path("patrols/", views.patrols, name="patrols"),
    path("patrols/<int:pk>/ticket/", views.patrol_ticket, name="patrol_ticket"),
]
