from django.contrib import admin

from apps.owners.models import OnlineIntakeSetting, OwnerAccount, OwnerPhoto, OwnerSubmission, SignInCode


@admin.register(OwnerAccount)
class OwnerAccountAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "last_sign_in_at", "active")
    search_fields = ("phone",)


@admin.register(SignInCode)
class SignInCodeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "ip", "expires_at", "used_at", "wrong_attempts")
    exclude = ("code_hash",)
    readonly_fields = ("phone", "ip", "created_at", "expires_at", "used_at", "wrong_attempts")


@admin.register(OnlineIntakeSetting)
class OnlineIntakeSettingAdmin(admin.ModelAdmin):
    list_display = ("project", "receiver")


@admin.register(OwnerSubmission)
class OwnerSubmissionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "household", "submitted_at", "preferred_visit_at")
    raw_id_fields = ("ticket", "account", "household")


@admin.register(OwnerPhoto)
class OwnerPhotoAdmin(admin.ModelAdmin):
    list_display = ("ticket", "uploaded_at")
    raw_id_fields = ("ticket", "account")
