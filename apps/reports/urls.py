from django.urls import path

from apps.reports.views import desk as views_desk
from apps.reports.views import ledgers as views_ledgers
from apps.reports.views import reports as views
from apps.reports.views import stairway as views_stairway
from apps.reports.views import stats as views_stats
from apps.reports.views import utilities as views_utilities

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("compliance/", views.report_compliance, name="compliance"),  # R-M5-18, AS-39
    path("dashboard/", views_stats.dashboard_page, name="dashboard"),
    path("dashboard/data/", views_stats.dashboard_data, name="dashboard_data"),
    path("drill/", views_stats.drill, name="drill"),
    path("kpis/export/", views_stats.kpi_export, name="kpi_export"),
    path("ledgers/<str:kind>/", views_ledgers.ledger_export, name="ledger"),  # R-M5-16
    path("utilities/", views_utilities.utility_page, name="utilities"),  # R-M5-17
    path("stairway-lights/", views_stairway.stairway_lights_page, name="stairway_lights"),  # R-M5-13
    path("desk-rates/", views_desk.desk_rates_page, name="desk_rates"),  # R-M5-10
    path("steward/week/", views_ledgers.steward_week, name="steward_week"),  # R-M5-11
    path("quality/queue/", views_ledgers.quality_queue, name="quality_queue"),  # R-M4-03
    path("visits/immediate/", views_ledgers.immediate_visits, name="immediate_visits"),  # R-M4-06
    path("records/retention/", views_ledgers.retention_review, name="retention_review"),  # R-M6-05
    path("forms/ticket/<int:pk>/", views_stats.ticket_form, name="form_ticket"),
    path("forms/worklog/", views_stats.worklog_page, name="form_worklog"),
    path("forms/inventory/", views_stats.inventory_print, name="form_inventory"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/xlsx/", views_stats.report_xlsx, name="xlsx"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/approve/", views.report_approve, name="approve"),
    path("<int:pk>/head-review/", views.report_review_by_head, name="head_review"),
    path("<int:pk>/posting/<str:milestone>/", views.report_posting, name="posting"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/refresh/", views.report_refresh, name="refresh"),
    path("<int:pk>/reissue/", views.report_reissue, name="reissue"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
