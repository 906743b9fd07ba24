from django.urls import path

from apps.visits import annual_views as av
from apps.visits import occupancy_views as ov
from apps.visits import programme_views as pv
from apps.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/settle/", views.problem_settle, name="problem_settle"),
    path("problems/<int:pk>/ticket/", views.problem_ticket, name="problem_ticket"),
    path("agenda/", pv.agenda_view, name="agenda"),
    path("programme/", pv.programme_view, name="programme"),
    path("programme/welcome/<int:household_id>/", pv.welcome, name="welcome"),
    path("programme/settings/", pv.programme_settings, name="programme_settings"),
    path("plans/", pv.plan_list, name="plans"),
    path("plans/<int:pk>/", pv.plan_detail, name="plan"),
    path("plans/<int:pk>/change/", pv.plan_change, name="plan_change"),
    path("plans/<int:pk>/submit/", pv.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/decide/", pv.plan_decide, name="plan_decide"),
    path("plans/<int:pk>/summary/", pv.summary_prepare, name="summary_prepare"),
    path("summaries/<int:pk>/sign/<str:stage>/", pv.summary_sign, name="summary_sign"),
    path("problems/<int:pk>/progress/", pv.problem_progress, name="problem_progress"),
    path("problems/<int:pk>/return-visit/", pv.problem_return_visit, name="problem_return_visit"),
    path("annual/", av.annual_list, name="annual_plans"),
    path("annual/<int:pk>/", av.annual_detail, name="annual"),
    path("annual/<int:pk>/change/", av.annual_change, name="annual_change"),
    path("annual/<int:pk>/submit/", av.annual_submit, name="annual_submit"),
    path("annual/<int:pk>/decide/", av.annual_decide, name="annual_decide"),
    path("annual/<int:pk>/review/", av.annual_review, name="annual_review"),
    path("early-care/", ov.early_care, name="early_care"),
    path("early-care/<int:pk>/follow-up/", ov.early_care_follow_up, name="early_care_follow_up"),
    path("not-moved-in/", ov.not_moved_in, name="not_moved_in"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/correct/", views.visit_correct, name="correct"),
    path("<int:pk>/void/", views.visit_void, name="void"),
]
