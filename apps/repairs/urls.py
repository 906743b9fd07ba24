from django.urls import path

from apps.repairs import views

app_name = "repairs"

urlpatterns: list = [
    path("", views.order_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/signature.png", views.signature, name="signature"),
    path("orders/<int:pk>/<str:op>/", views.order_action, name="action"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("cash/", views.cash, name="cash"),
    path("measures/", views.measures, name="measures"),
    path("prices/<slug:code>/", views.prices, name="prices"),
]
