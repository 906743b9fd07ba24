"""Owner accounts, sign-in codes, online-intake settings and owners' photos (issue 19)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.files import UuidPath, private_storage


class OwnerAccount(models.Model):
    """业主账号 — one per mobile number registered on households (estates.Person.phone).

    No password: every sign-in is an SMS one-time code. Separate from staff users (org.User)."""

    phone = models.CharField(_("手机"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("开通时间"))
    last_sign_in_at = models.DateTimeField(_("最近登录"), null=True, blank=True)
    active = models.BooleanField(_("可用"), default=True)

    class Meta:
        verbose_name = _("业主账号")
        verbose_name_plural = _("业主账号")

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class SignInCode(models.Model):
    """短信验证码 — stored as a keyed hash; expires, single use, counts wrong tries."""

    phone = models.CharField(_("手机"), max_length=20, db_index=True)
    ip = models.CharField(_("IP"), max_length=45, blank=True, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    wrong_attempts = models.PositiveIntegerField(_("输错次数"), default=0)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class OnlineIntakeSetting(models.Model):
    """网上受理设置 — who is recorded as the receiver of the project's online requests."""

    project = models.OneToOneField("org.Project", on_delete=models.PROTECT, related_name="owner_intake_setting",
                                   verbose_name=_("项目"))
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("网上受理人"))

    class Meta:
        verbose_name = _("网上受理设置")
        verbose_name_plural = _("网上受理设置")

    def __str__(self) -> str:
        return str(self.project)


class OwnerSubmission(models.Model):
    """A ticket an owner submitted or added to from their account (who, for which household)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="owner_submission",
                                  verbose_name=_("工单"))
    account = models.ForeignKey(OwnerAccount, on_delete=models.PROTECT, related_name="submissions",
                                verbose_name=_("业主账号"))
    household = models.ForeignKey("estates.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("房屋"))
    preferred_visit_at = models.DateTimeField(_("希望上门时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("业主网上提交")
        verbose_name_plural = _("业主网上提交")

    def __str__(self) -> str:
        return str(self.ticket_id)


class OwnerPhoto(models.Model):
    """业主上传的照片 of a ticket (checked by content, served only to the household and staff)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="owner_photos",
                               verbose_name=_("工单"))
    account = models.ForeignKey(OwnerAccount, on_delete=models.PROTECT, related_name="photos",
                                verbose_name=_("业主账号"))
    file = models.FileField(_("照片"), upload_to=UuidPath("owners"), storage=private_storage)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("业主照片")
        verbose_name_plural = _("业主照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return str(self.pk)


class OwnerToken(models.Model):
    """业主端接口令牌 (issue 19 item 9): issued by the API sign-in (the same SMS code), for a future
    mini-program. Only its SHA-256 is stored; it never authenticates a staff endpoint."""

    account = models.ForeignKey(OwnerAccount, on_delete=models.CASCADE, related_name="tokens",
                                verbose_name=_("业主账号"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("已注销"), null=True, blank=True)

    class Meta:
        verbose_name = _("业主接口令牌")
        verbose_name_plural = _("业主接口令牌")

    def __str__(self) -> str:
        return f"{self.account} {self.created_at:%Y-%m-%d}"


class CommitteeMember(models.Model):
    """业委会成员 (issue 19 item 7, R-M1-13): an external user of one project who signs in with their
    phone like an owner and forwards the 业主投诉意见记录表 filled at the 业委会 office."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="committee_members",
                                verbose_name=_("项目"))
    phone = models.CharField(_("手机"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=30, blank=True)
    appointed_at = models.DateTimeField(_("登记时间"))
    ended_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("业委会成员")
        verbose_name_plural = _("业委会成员")
        ordering = ["project", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "phone"], condition=models.Q(ended_at=None),
                                               name="owners_committee_member_active_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class CommitteeForward(models.Model):
    """A 业主投诉意见记录表 the 业委会 forwarded to the 管理处 (one ticket, channel 业委会书面平台)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="committee_forward",
                                  verbose_name=_("工单"))
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="forwards",
                               verbose_name=_("转交人"))
    complainant_name = models.CharField(_("填表业主"), max_length=50)
    room = models.CharField(_("房号"), max_length=100, blank=True)
    filled_on = models.DateField(_("填表日期"))
    forwarded_at = models.DateTimeField(_("转交时间"))

    class Meta:
        verbose_name = _("业委会转交记录")
        verbose_name_plural = _("业委会转交记录")
        ordering = ["-forwarded_at", "-id"]

    def __str__(self) -> str:
        return str(self.ticket_id)
