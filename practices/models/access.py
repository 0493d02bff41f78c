"""A visitor's request to become a member (practices/access.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberAccessRequest(models.Model):
    """Someone asks to read members-only practices; a curator approves or declines.

    Kept after the decision (who asked, when, who decided) so that curators see the history;
    a declined request's reason and organisation are emptied (docs/roles.md).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a curator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    organisation = models.CharField(_("organisation"), max_length=200)
    reason = models.TextField(_("why they ask"), blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_access_requests",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("member access request")
        verbose_name_plural = _("member access requests")

    def __str__(self):
        return f"{self.name} <{self.email}>"
