"""An import a curator started in the admin: its file, options and reports (docs/importing.md)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PracticeImport(models.Model):
    """One uploaded file on its way in: checked by a dry run on the worker, then (once a
    curator confirms) imported on the worker; both reports are kept.

    The file is held in the database, not in media storage (whose files the web server may
    serve): it may hold drafts and contact details without consent. It is emptied once the
    file has been imported or found not importable; the reports stay.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        READY = "ready", _("Checked, waiting for confirmation")
        REJECTED = "rejected", _("Cannot be imported")
        UNCHANGED = "unchanged", _("Nothing to import: the hub has it all already")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Import failed")

    # The statuses in which a task is working on the import.
    RUNNING = (Status.CHECKING, Status.IMPORTING)

    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(_("size in bytes"))
    add_missing_terms = models.BooleanField(
        _("create what the hub does not know yet"),
        default=True,
        help_text=_(
            "Unknown vocabulary terms are added; unknown networks are created as draft network "
            "pages for you to complete. Otherwise such records are errors."
        ),
    )
    drafts = models.BooleanField(
        _("import every practice as a draft"),
        default=False,
        help_text=_("Nothing is published until a curator reviews it."),
    )
    default_network = models.ForeignKey(
        "practices.NetworkPage",
        verbose_name=_("network for practices with no city or network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Left empty, such practices go to Unfiled practices as drafts."),
    )
    strict = models.BooleanField(
        _("reject practices with no city or network"),
        default=False,
        help_text=_("Instead of filing them under Unfiled practices."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # ImportReport.as_dict() of the dry run and of the import, plus "messages": the
    # problems of a file that could not be read at all (practices/importing/importer.py).
    check_report = models.JSONField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("practice import")
        verbose_name_plural = _("practice imports")

    def __str__(self):
        return self.file_name

    @property
    def running(self):
        """Whether a task is checking or importing the file now."""
        return self.status in self.RUNNING

    @property
    def latest_report(self):
        """The import's report once there is one, else the dry run's."""
        return self.report or self.check_report

    def get_admin_url(self):
        """The admin page of this import (its progress, then its reports)."""
        return reverse("practices_imports:detail", args=[self.pk])
