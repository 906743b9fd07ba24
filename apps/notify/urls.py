from django.urls import path

from apps.notify import views

app_name = "notify"

urlpatterns: list = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("deliveries/", views.delivery_log, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="retry"),
    path("quiet-hours/", views.quiet_hours_page, name="quiet_hours"),
    path("calls/", views.call_list, name="calls"),
    path("owner-notices/", views.owner_notices, name="owner_notices"),
    path("faxes/", views.fax_queue, name="faxes"),
    path("decoration/", views.decoration_progress, name="decoration"),
    path("decoration/<int:pk>/tell/", views.decoration_tell, name="decoration_tell"),
]
