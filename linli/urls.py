from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from apps.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("apps.core.urls")),
    path("", include("apps.home.urls")),
    path("", include("apps.api.urls")),
    path("org/", include("apps.org.urls")),
    path("estates/", include("apps.estates.urls")),
    path("calendar/", include("apps.workdays.urls")),
    path("tickets/", include("apps.tickets.urls")),
    path("escalation/", include("apps.escalation.urls")),
    path("notify/", include("apps.notify.urls")),
    path("repairs/", include("apps.repairs.urls")),
    path("reports/", include("apps.reports.urls")),
    path("portal/", include("apps.portal.urls")),
    path("visits/", include("apps.visits.urls")),
    path("quality/", include("apps.quality.urls")),
    path("surveys/", include("apps.surveys.urls")),
    path("improvement/", include("apps.improvement.urls")),
    path("audits/", include("apps.audits.urls")),
    path("assessments/", include("apps.assessments.urls")),
    path("staff-records/", include("apps.staffrecords.urls")),
    path("cards/", include("apps.cards.urls")),
    path("fees/", include("apps.fees.urls")),
    path("inspections/", include("apps.inspections.urls")),
    path("activities/", include("apps.activities.urls")),
    path("desk/", include("apps.desk.urls")),
    path("me/", include("apps.owners.urls")),
    path("owners-committee/", include("apps.owners.staff_urls")),  # staff: appoint/end 业委会成员
]
# No /media serving: uploaded files are private and reach a browser only through their record's view
# (apps/core/files.py).

admin.site.site_header = "邻里 Linli 管理后台"
admin.site.site_title = "邻里 Linli"
handler500 = "apps.core.views.server_error"
