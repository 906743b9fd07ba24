from django.urls import path

from apps.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/settle/", views.problem_settle, name="problem_settle"),
    path("problems/<int:pk>/ticket/", views.problem_ticket, name="problem_ticket"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/correct/", views.visit_correct, name="correct"),
    path("<int:pk>/void/", views.visit_void, name="void"),
]
