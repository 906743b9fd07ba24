from django.urls import path

from apps.portal import views

app_name = "portal"

# staff pages first: a project whose code is "manage" would be shadowed (project codes are short
# upper-case abbreviations such as YG in practice)
urlpatterns = [
    path("manage/", views.manage, name="manage"),
    path("manage/notice/new/", views.notice_new, name="notice_new"),
    path("manage/report/<int:pk>/publish/", views.publish_report, name="publish_report"),
    path("manage/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:code>/", views.board, name="board"),
    path("<slug:code>/<int:pk>/", views.item, name="item"),
]
