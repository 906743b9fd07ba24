from django.urls import path

from apps.org import views

app_name = "org"

urlpatterns: list = [
    path("directory/", views.directory_page, name="directory"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("department/plans/", views.department_plans, name="department_plans"),
    path("department/assets/", views.department_assets, name="department_assets"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/<slug:key>/", views.settings_company, name="settings_company"),
    path("settings/<slug:key>/project/<int:project_id>/", views.settings_project, name="settings_project"),
]
