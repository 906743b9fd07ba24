from django.urls import path

from apps.cards import views

app_name = "cards"

urlpatterns = [
    path("", views.home, name="home"),
    path("officer/", views.officer, name="officer"),
    path("issue/", views.issue, name="issue"),
    path("<int:pk>/", views.card_detail, name="card"),
    path("review/", views.review, name="review"),
    path("password/", views.password, name="password"),
    path("access/", views.access_log, name="access"),
    path("doors/", views.doors, name="doors"),
    path("doors/<int:door_pk>/change/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("settings/", views.card_settings, name="settings"),
]
