from django.urls import path

from apps.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("night/", views.night, name="night"),
    path("pool/", views.pool, name="pool"),
    path("pool/limits/", views.pool_limits, name="pool_limits"),
    path("rounds/", views.rounds, name="rounds"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/<int:pk>/attachment/", views.evaluation_attachment, name="evaluation_attachment"),
    path("emergency-plans/", views.emergency_plans, name="emergency_plans"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("findings/<int:pk>/hand-on/", views.hand_on, name="hand_on"),
    path("findings/<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("<int:pk>/signature/<str:which>/", views.signature, name="signature"),
]
