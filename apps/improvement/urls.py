from django.urls import path

from apps.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.plan, name="plan"),
]
