from django.urls import URLPattern, path

from apps.repairs import views

app_name = "repairs"

urlpatterns: list[URLPattern] = [
    path("", views.order_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("tickets/<int:ticket_id>/", views.for_ticket, name="for_ticket"),
    path("orders/<int:pk>/signature.png", views.signature, name="signature"),
    path("orders/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo_file"),
    # the work order's steps: one view and one action each
    path("orders/<int:pk>/accept/", views.accept, name="accept"),
    path("orders/<int:pk>/assign/", views.assign, name="assign"),
    path("orders/<int:pk>/hand_back/", views.hand_back, name="hand_back"),
    path("orders/<int:pk>/arrive/", views.arrive, name="arrive"),
    path("orders/<int:pk>/diagnose/", views.diagnose, name="diagnose"),
    path("orders/<int:pk>/consent/", views.consent, name="consent"),
    path("orders/<int:pk>/start/", views.start, name="start"),
    path("orders/<int:pk>/material/", views.material, name="material"),
    path("orders/<int:pk>/photo/", views.photo, name="photo"),
    path("orders/<int:pk>/complete/", views.complete, name="complete"),
    path("orders/<int:pk>/next_visit/", views.next_visit, name="next_visit"),
    path("orders/<int:pk>/sign/", views.sign, name="sign"),
    path("orders/<int:pk>/consent-request/", views.request_consent, name="request_consent"),
    path("consents/<int:pk>/decide/", views.decide_consent, name="decide_consent"),
    path("orders/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("orders/<int:pk>/receipt/", views.issue_receipt, name="issue_receipt"),
    path("orders/<int:pk>/pay/", views.pay, name="pay"),
    path("orders/<int:pk>/return_visit/", views.return_visit, name="return_visit"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("receipts/<int:pk>/void/", views.void_receipt, name="void_receipt"),
    path("cash/", views.cash, name="cash"),
    path("requisitions/", views.requisitions, name="requisitions"),
    path("duty-log/", views.duty_log, name="duty_log"),
    path("measures/", views.measures, name="measures"),
    path("prices/<slug:code>/", views.prices, name="prices"),
    path("price-lists/", views.price_lists, name="price_lists"),
    path("price-lists/new/", views.price_list_new, name="price_list_new"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list"),
]
