from django.urls import path

from apps.estates import views

app_name = "estates"

urlpatterns = [
    path("", views.search, name="search"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/persons/new/", views.person_edit, name="person_new"),
    path("households/<int:pk>/persons/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("households/<int:pk>/decoration/", views.decoration, name="decoration"),
    path("households/<int:pk>/decoration/<int:record_pk>/open/", views.decoration_open, name="decoration_open"),
    path("households/<int:pk>/calls/", views.call_recordings, name="call_recordings"),
    path("households/<int:pk>/calls/<int:record_pk>/open/", views.call_recording_open, name="call_recording_open"),
    path("persons/<int:pk>/call/<slug:field>/", views.person_call, name="person_call"),
    path("households/<int:pk>/not-moved-in/", views.not_moved_in_reason, name="not_moved_in_reason"),
    path("my-buildings/", views.steward_contacts, name="steward_contacts"),
    path("import/", views.roster_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/progress/<str:token>/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("export/", views.roster_export, name="export"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.xlsx", views.access_log_export, name="access_log_export"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
