from django.urls import path

from apps.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.sheet_list, name="list"),
    path("new/", views.sheet_new, name="new"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:pk>/", views.sheet_detail, name="detail"),
    path("<int:pk>/entries/", views.entry_add, name="entry_add"),
    path("<int:pk>/entries/<int:entry_id>/remove/", views.entry_remove, name="entry_remove"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("<int:pk>/return/", views.send_back, name="return"),
    path("<int:pk>/suggestions/<int:suggestion_id>/", views.suggestion_decide, name="suggestion"),
]
