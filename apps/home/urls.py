from django.urls import path

from apps.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-project/", views.switch_project, name="switch_project"),
]
