from django.urls import path

from apps.owners import views

app_name = "owners"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("households/", views.choose, name="choose"),
    path("members/", views.members, name="members"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/submitted/", views.submitted, name="submitted"),
    path("requests/<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey"),
    path("fees/", views.fees, name="fees"),
    path("cards/", views.cards, name="cards"),
    path("sms/", views.sms_preferences, name="sms"),
    path("committee/", views.committee, name="committee"),
    path("committee/<int:pk>/", views.committee_ticket, name="committee_ticket"),
    path("committee/<int:pk>/receipt/", views.committee_receipt, name="committee_receipt"),
]
