from django.urls import path

from apps.workdays import views

app_name = "workdays"

urlpatterns: list = [
    path("", views.month, name="month"),
    path("import/", views.import_view, name="import"),
]
