from django.urls import path

from apps.audits import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_new, name="new"),
    path("standards/", views.standards, name="standards"),
    path("standards/<int:pk>/", views.version_detail, name="version"),
    path("standards/<int:pk>/default/", views.version_default, name="version_default"),
    path("standards/rows/<int:pk>/", views.row_edit, name="row_edit"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/items/<int:finding_id>/", views.answer, name="answer"),
    path("<int:pk>/items/<int:finding_id>/ncr/", views.raise_ncr, name="raise_ncr"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
