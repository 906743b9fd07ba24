from django.urls import path

from apps.fees import views

app_name = "fees"

urlpatterns = [
    path("", views.home, name="home"),
    path("bills/", views.bills, name="bills"),
    path("households/<int:pk>/", views.household_account, name="account"),
    path("households/<int:pk>/apply-prepaid/", views.apply_prepaid, name="apply_prepaid"),
    path("payments/<int:pk>/", views.payment_detail, name="payment"),
    path("arrears/", views.arrears, name="arrears"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("standards/", views.standards, name="standards"),
    path("cycles/", views.cycles, name="cycles"),
    path("charges/new/", views.charge_new, name="charge_new"),
    path("charges/price-list/", views.price_charge, name="price_charge"),
    path("settings/", views.fee_settings, name="settings"),
    path("import/", views.import_opening, name="import"),
    path("handovers/", views.handovers, name="handovers"),
    path("publish/", views.publish, name="publish"),
    path("transfers/", views.transfers, name="transfers"),
    path("inquiries/", views.inquiries, name="inquiries"),
]
