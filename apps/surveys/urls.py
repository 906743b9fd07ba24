from django.urls import path

from apps.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("policy/", views.policy, name="policy"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sample/", views.sample, name="sample"),
    path("<int:pk>/households/", views.households, name="households"),
    path("<int:pk>/step/<str:name>/", views.step, name="step"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/supervision/", views.supervision, name="supervision"),
    path("<int:pk>/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/key/", views.key, name="key"),
    path("<int:pk>/import/", views.import_answers, name="import"),
    path("<int:pk>/letter/", views.letter, name="letter"),
    path("<int:pk>/statistics.pdf", views.statistics_pdf, name="statistics_pdf"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
]
