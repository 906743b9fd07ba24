from django.urls import path

from apps.quality import views

app_name = "quality"

urlpatterns: list = [
    path("ncr/", views.ncr_list, name="ncr_list"),
    path("ncr/<int:pk>/", views.ncr_detail, name="ncr_detail"),
    path("ncr/<int:pk>/print/", views.ncr_print, name="ncr_print"),
    path("ncr/<int:pk>/<str:op>/", views.ncr_action, name="ncr_action"),
    path("tickets/<int:ticket_pk>/ncr/new/", views.ncr_raise, name="ncr_raise"),
]
