"""Satisfaction surveys (满意度调查, SPEC M10): campaigns issued by 品质部, the P-20 sample, versioned
questionnaires, distribution and recovery, rates and verdicts, the open letter and the follow-up.

Owns (``models``): ``SurveyPolicy`` (P-19, P-20, targets, day counts; P-28 is the calendar's),
``Questionnaire`` / ``QuestionItem`` / ``ScaleOption``, ``SurveyCampaign``, ``ProjectSurvey`` with
``SurveyDeadline``, ``SampledHousehold`` / ``SurveyAnswer``, ``AnswerLink`` (one-time links),
``OpenLetter``, ``FollowUp``.

Furniture: ``access`` (who may see and do what), ``sampling`` (pure: minimum, explanation, stratified
draw), ``actions`` (every write), ``queries`` (rates and verdicts as SQL aggregates, frequency
compliance, dashboard flags, ``surveys_for_household``), ``imports`` (Excel in and out), ``api``
(/api/v1/surveys), ``views``/``forms``/``templates`` (/surveys/), ``sweep``/``tasks`` and
``manage.py surveys_sweep`` (deadline warnings and breaches), ``admin``, ``demo``.

For the owners' account (issue 19): :func:`apps.surveys.queries.surveys_for_household` lists what a
household was sampled for; :func:`apps.surveys.actions.answer_online` records the owner's answer
(same refusals as staff recovery); :func:`apps.surveys.actions.issue_link` gives a one-time link and
``/surveys/answer/<token>/`` is the self-contained answer page.

Reactions, all (a) explicit calls in the action's transaction: posting the letter →
``apps.portal.actions.publish_notice`` (open letter with the 管理者代表's approval); an SMS link →
``apps.notify.actions.notify_owner``; deadline notices → ``apps.notify.actions.notify_staff`` (sweep).
No signals, no jobs.
"""
