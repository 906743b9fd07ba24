from django.urls import path

from apps.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/<str:what>/", views.approve, name="approve"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
]
