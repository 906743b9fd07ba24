from django.urls import path

from apps.owners import staff_views

app_name = "owners_staff"

urlpatterns = [
    path("", staff_views.committee_members, name="committee_members"),
    path("<int:pk>/end/", staff_views.committee_member_end, name="committee_member_end"),
]
