"""A message a visitor sent to the people behind a practice (practices/contact.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMessage(models.Model):
    """One relayed message: its text until it is delivered, then only what an audit needs.

    After delivery the sender's name, organisation, address and message are emptied
    (docs/roles.md, "Contact messages"): what stays is which practice, when, to whom (the
    kind of recipient and how many), and a keyed fingerprint of the sender's address, so that
    curators can count messages per practice and recognise a sender who abuses the form
    without the hub keeping anyone's words or address.
    """

    class Recipients(models.TextChoices):
        CONTACT = "contact", _("The practice's contact person")
        CITY_EDITORS = "city_editors", _("The owning city's editors")
        CURATORS = "curators", _("The network's curators")
        NOBODY = "nobody", _("Nobody (no address to send to)")

    practice = models.ForeignKey(
        "practices.PracticePage", on_delete=models.CASCADE, related_name="contact_messages"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    sender_name = models.CharField(max_length=200, blank=True)
    sender_organisation = models.CharField(max_length=200, blank=True)
    sender_email = models.EmailField(blank=True)
    message = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    sender_fingerprint = models.CharField(max_length=64, db_index=True)
    recipients = models.CharField(max_length=20, choices=Recipients.choices, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self):
        return f"{self.practice_id} {self.sent_at:%Y-%m-%d %H:%M}"
