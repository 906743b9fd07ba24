from django.urls import path

from apps.staffrecords import views

app_name = "staffrecords"

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/new/", views.certificate_new, name="certificate_new"),
    path("certificates/<int:pk>/edit/", views.certificate_edit, name="certificate_edit"),
]
