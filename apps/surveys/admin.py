"""Admin of the surveys app (Chinese verbose names come from the models). Read-mostly: every business
write goes through the actions and their pages; the policy rows may be edited here too."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.surveys.models import (
    FollowUp,
    OpenLetter,
    ProjectSurvey,
    QuestionItem,
    Questionnaire,
    ScaleOption,
    SurveyCampaign,
    SurveyDeadline,
    SurveyPolicy,
)


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("company", "project", "frequency", "scope", "rate_young", "rate_old", "old_years")


class OptionInline(admin.TabularInline):
    model = ScaleOption
    extra = 0


class ItemInline(admin.TabularInline):
    model = QuestionItem
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ("title", "code", "version", "status", "published_at")
    list_filter = ("status",)
    inlines = [OptionInline, ItemInline]


class ProjectSurveyInline(admin.TabularInline):
    model = ProjectSurvey
    extra = 0
    fields = ("project", "received_on", "households", "minimum", "closed_at")
    readonly_fields = fields
    can_delete = False


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(SimpleHistoryAdmin):
    list_display = ("title", "received_on", "questionnaire", "issued_by")
    inlines = [ProjectSurveyInline]


class DeadlineInline(admin.TabularInline):
    model = SurveyDeadline
    extra = 0
    readonly_fields = ("stage", "start_at", "due_at", "warn_at", "rule", "met_at")
    can_delete = False


@admin.register(ProjectSurvey)
class ProjectSurveyAdmin(SimpleHistoryAdmin):
    list_display = ("campaign", "project", "received_on", "households", "minimum", "closed_at")
    list_filter = ("project",)
    readonly_fields = ("seed", "explanation", "sampled_at", "sampled_by")
    inlines = [DeadlineInline]


@admin.register(OpenLetter)
class OpenLetterAdmin(SimpleHistoryAdmin):
    list_display = ("title", "survey", "approved_by", "posted_at")
    readonly_fields = ("approved_by", "approved_at", "publication", "posted_at", "posted_by")


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ("survey", "kind", "department", "held_on", "recorded_by")
    list_filter = ("kind",)
