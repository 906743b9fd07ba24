from django.urls import path

from apps.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("mail/", views.mail, name="mail"),
    path("keys/", views.keys, name="keys"),
    path("decorations/", views.decorations, name="decorations"),
    path("decorations/<int:pk>/", views.decoration, name="decoration"),
    path("passes/<int:pk>/photo/", views.pass_photo, name="pass_photo"),
    path("steward/", views.steward, name="steward"),
    path("logs/", views.logs, name="logs"),
    path("meetings/", views.meetings, name="meetings"),
    path("items/", views.items, name="items"),
]
