from django.urls import path

from apps.org import views

app_name = "org"

urlpatterns: list = [
    path("directory/", views.directory_page, name="directory"),
]
