"""The curators' import screen: upload a file, read its dry run, confirm, watch it go in.

Both the dry run and the import run on the task worker (django-tasks), never in a web
request: a collection of a few hundred practices takes minutes to write. The worker reports
how far it has got in the "progress" cache, which the page asks for every few seconds
(practices/static/practices/import_progress.js); what each run did is kept on its
PracticeImport row and can be opened again from the listing. Only curators see any of it.
"""

import logging
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_tasks import task
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from .curation import CuratorsMenuItem, CuratorsOnlyMixin, curators_only
from .importing import ImportFailed, PracticeImporter
from .importing.spreadsheet import SPREADSHEET_SUFFIXES
from .models import NetworkPage, PracticeImport

logger = logging.getLogger(__name__)

SUFFIXES = (".json", *SPREADSHEET_SUFFIXES)
# How often the page asks how far the worker has got (seconds).
POLL_SECONDS = 2
# The worker writes its progress at most this often (seconds): a cache write per record
# would cost more than some records take.
PROGRESS_EVERY = 0.5
STAGE_LABELS = {
    "checking": gettext_lazy("Checking"),
    "writing": gettext_lazy("Writing"),
}


# --- Progress, shared by the worker and the web processes


def _progress_key(import_id):
    return f"practices-import-{import_id}"


def read_progress(import_id):
    """{"stage", "done", "total"} of a running import as the worker last wrote it, or None."""
    return caches["progress"].get(_progress_key(import_id))


class ProgressWriter:
    """The importer's on_progress: writes the stage and counts for the page, throttled."""

    def __init__(self, import_id):
        self.key = _progress_key(import_id)
        self.last = None

    def __call__(self, stage, done, total):
        """Record that `done` of `total` records are through `stage`."""
        now = timezone.now()
        finished = done == total
        if not finished and self.last and (now - self.last).total_seconds() < PROGRESS_EVERY:
            return
        self.last = now
        caches["progress"].set(self.key, {"stage": stage, "done": done, "total": total}, 3600)


# --- The tasks


def _importer(run, *, dry_run, user):
    return PracticeImporter(
        add_missing_terms=run.add_missing_terms,
        drafts=run.drafts,
        default_network=run.default_network.title if run.default_network else None,
        strict=run.strict,
        dry_run=dry_run,
        user=user,
        progress=False,
        on_progress=ProgressWriter(run.pk),
    )


def _run(run, *, dry_run, user):
    """Import (or dry-run) the upload; return (report dict, True when it went through)."""
    # The importer reads files; the upload is written to one with its own suffix, which
    # tells a spreadsheet from JSON.
    with tempfile.NamedTemporaryFile(suffix=Path(run.file_name).suffix.lower()) as handle:
        handle.write(bytes(run.content))
        handle.flush()
        try:
            report = _importer(run, dry_run=dry_run, user=user).import_file(
                handle.name, name=run.file_name
            )
        except ImportFailed as failure:
            data = failure.report.as_dict() if failure.report else {"records": []}
            data["messages"] = failure.messages
            return data, False
    return report.as_dict(), True


def _finish_on_error(run, stage):
    """Record an unexpected failure of a task on its import (the task report has the trace)."""
    logger.exception("The %s of upload %s stopped with an error.", stage, run.pk)
    PracticeImport.objects.filter(pk=run.pk).update(
        status=PracticeImport.Status.FAILED,
        error=_(
            "The %(stage)s stopped with an unexpected error; nothing was imported. "
            "Administrators find the error under Reports > Background tasks."
        )
        % {"stage": stage},
        finished_at=timezone.now(),
    )


def changes_anything(report):
    """Whether an import with this dry-run report would write anything at all."""
    counts = report["counts"]
    return bool(
        counts["created"] or counts["updated"] or report["cities_created"]
        or report["networks_created"] or report["terms_added"]
    )  # fmt: skip


@task()
def check_import(import_id):
    """The dry run of an upload: everything checked and written, then rolled back."""
    run = PracticeImport.objects.select_related("default_network").get(pk=import_id)
    try:
        report, importable = _run(run, dry_run=True, user=run.uploaded_by)
    except Exception:
        _finish_on_error(run, _("check"))
        raise
    run.check_report = report
    if not importable:
        run.status = PracticeImport.Status.REJECTED
    elif changes_anything(report):
        run.status = PracticeImport.Status.READY
    else:
        run.status = PracticeImport.Status.UNCHANGED
    if run.status != PracticeImport.Status.READY:
        run.content = b""  # it will not be imported: keep the report, not the file
        run.finished_at = timezone.now()
    run.save(update_fields=["check_report", "status", "content", "finished_at"])


@task()
def run_import(import_id):
    """Import a confirmed upload, as the curator who confirmed it."""
    run = PracticeImport.objects.select_related("default_network", "confirmed_by").get(pk=import_id)
    try:
        report, imported = _run(run, dry_run=False, user=run.confirmed_by)
    except Exception:
        _finish_on_error(run, _("import"))
        raise
    run.report = report
    run.status = PracticeImport.Status.IMPORTED if imported else PracticeImport.Status.FAILED
    if imported:
        run.content = b""  # the practices hold it now; keep no second copy of contacts
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "status", "content", "finished_at"])


# --- The form


class ImportUploadForm(forms.ModelForm):
    """A file and the importer's options; the file is checked for kind and size here."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "JSON in the interchange format, or a CSV or XLSX spreadsheet in the import "
            "layout (an export of the Curation listing has it)."
        ),
    )

    class Meta:
        model = PracticeImport
        fields = ["file", "add_missing_terms", "drafts", "default_network", "strict"]

    def __init__(self, *args, **kwargs):
        """Offer every network (drafts too: a collection may be filed under a new one)."""
        super().__init__(*args, **kwargs)
        self.fields["default_network"].queryset = NetworkPage.objects.order_by("title")
        self.fields["file"].widget.attrs["accept"] = ",".join(SUFFIXES)

    def clean_file(self):
        """Refuse what is not a JSON, CSV or XLSX file, empty files and too large ones."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(
                _("“%(name)s” is not a JSON, CSV or XLSX file (.json, .csv, .xlsx).")
                % {"name": upload.name}
            )
        limit = settings.PRACTICE_IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1_000_000:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is %(size).1f MB; the most one upload takes is %(limit)d MB. "
                    "Split it into several files, or ask an administrator to import it with "
                    "manage.py import_practices."
                )
                % {"name": upload.name, "size": upload.size / 1_000_000, "limit": limit}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
        return upload

    def clean(self):
        """A default network and --strict contradict each other; say so."""
        cleaned = super().clean()
        if cleaned.get("strict") and cleaned.get("default_network"):
            self.add_error(
                "strict",
                _(
                    "Choose either a network for practices with no city or network, or to "
                    "reject them, not both."
                ),
            )
        return cleaned

    def save(self, user):
        """Store the upload as a new PracticeImport, waiting for its dry run."""
        upload = self.cleaned_data["file"]
        run = super().save(commit=False)
        run.file_name = Path(upload.name).name[:255]
        run.content = upload.read()
        run.size = len(run.content)
        run.uploaded_by = user
        run.status = PracticeImport.Status.CHECKING
        run.save()
        return run


# --- The views


def summary_of(run):
    """One line on what an import did or would do, for the listing."""
    report = run.latest_report
    if run.error:
        return run.error
    if not report:
        return ""
    counts = report.get("counts")
    if not counts:  # the file could not be read at all
        return "; ".join(report.get("messages", []))[:200]
    text = (
        _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(error)d errors")
        % counts
    )
    if not run.report:
        text = _("Dry run: %(text)s") % {"text": text}
    return text


class ImportIndexView(CuratorsOnlyMixin, IndexView):
    """Every upload, newest first, with what became of it."""

    model = PracticeImport
    page_title = gettext_lazy("Practice imports")
    header_icon = "upload"
    index_url_name = "practices_imports:index"
    index_results_url_name = "practices_imports:index_results"
    default_ordering = "-uploaded_at"
    # Curators, not model permissions, decide (CuratorsOnlyMixin).
    any_permission_required = None
    columns = [
        TitleColumn("file_name", label=gettext_lazy("File"), url_name="practices_imports:detail"),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        Column("summary", label=gettext_lazy("Records"), accessor=summary_of),
        Column("uploaded_by", label=gettext_lazy("Uploaded by")),
        DateColumn("uploaded_at", label=gettext_lazy("Uploaded")),
    ]

    def get_base_queryset(self):
        """Every upload (curators share them: any curator may confirm a checked file)."""
        return PracticeImport.objects.select_related("uploaded_by").defer("content")

    @property
    def header_buttons(self):
        """The "Upload a file" button."""
        return [
            HeaderButton(
                _("Upload a file"), url=reverse("practices_imports:upload"), icon_name="upload"
            )
        ]


class ImportUploadView(CuratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """Upload a file; its dry run is queued at once."""

    form_class = ImportUploadForm
    template_name = "practices/admin/import_upload.html"
    page_title = gettext_lazy("Upload practices")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        """Home > Practice imports > Upload."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse("practices_imports:index"), "label": _("Practice imports")},
            {"url": "", "label": _("Upload")},
        ]

    def get_context_data(self, **kwargs):
        """The form's action and button, and the size limit for the help text."""
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("practices_imports:upload"),
            submit_button_label=_("Upload and check"),
            limit=settings.PRACTICE_IMPORT_MAX_UPLOAD_MB,
        )
        return context

    def form_valid(self, form):
        """Keep the file and queue its dry run; the import page shows it running."""
        run = form.save(self.request.user)
        check_import.enqueue(run.pk)
        return redirect(run.get_admin_url())


class ImportDetailView(CuratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """One upload: its progress while a task runs, then the dry run and the import report."""

    template_name = "practices/admin/import_detail.html"
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        """Show the upload."""
        self.run = get_object_or_404(PracticeImport.objects.defer("content"), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        """The file's name."""
        return self.run.file_name

    def get_breadcrumbs_items(self):
        """Home > Practice imports > the file."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse("practices_imports:index"), "label": _("Practice imports")},
            {"url": "", "label": self.run.file_name},
        ]

    def get_context_data(self, **kwargs):
        """The upload, its reports and, while a task runs, its progress."""
        context = super().get_context_data(**kwargs)
        run = self.run
        context.update(
            run=run,
            check_report=_for_display(run.check_report),
            report=_for_display(run.report),
            progress=progress_of(run),
            poll_seconds=POLL_SECONDS,
            status_url=reverse("practices_imports:status", args=[run.pk]),
        )
        return context


def progress_of(run):
    """What the page says about a running upload: stage, counts and a sentence."""
    if not run.running:
        return None
    progress = read_progress(run.pk) or {}
    done, total = progress.get("done"), progress.get("total")
    stage = progress.get("stage")
    importing = run.status == PracticeImport.Status.IMPORTING
    if stage is None:
        sentence = _("Waiting for the task worker to start…")
    elif stage == "checking":
        sentence = _("Checking %(done)d of %(total)d records…")
    elif importing:
        sentence = _("Importing %(done)d of %(total)d practices…")
    else:
        sentence = _("Trying %(done)d of %(total)d practices (nothing is kept)…")
    if stage is not None:
        sentence = sentence % {"done": done, "total": total}
    return {"stage": stage, "done": done, "total": total, "sentence": sentence}


def _for_display(report):
    """A kept report with its records grouped the way the page lists them."""
    if not report:
        return None
    records = report.get("records", [])
    return {
        **report,
        "errors": [r for r in records if r["outcome"] == "error"],
        "drafts": [r for r in records if r["reasons"] and r["outcome"] != "error"],
        "duplicates": [r for r in records if r.get("duplicate")],
    }


@curators_only
def import_status(request, pk):
    """The state of one upload as JSON, for the page's progress bar."""
    run = get_object_or_404(PracticeImport.objects.defer("content"), pk=pk)
    progress = progress_of(run) or {}
    return JsonResponse(
        {
            "status": run.status,
            "running": run.running,
            "done": progress.get("done"),
            "total": progress.get("total"),
            "sentence": progress.get("sentence", run.get_status_display()),
        }
    )


@require_POST
@curators_only
def confirm_import(request, pk):
    """Queue the import of a checked upload; once only, whoever clicks first."""
    run = get_object_or_404(PracticeImport.objects.defer("content"), pk=pk)
    # One update that only succeeds from READY: two curators (or a double click) cannot
    # import the same file twice.
    started = PracticeImport.objects.filter(pk=run.pk, status=PracticeImport.Status.READY).update(
        status=PracticeImport.Status.IMPORTING,
        confirmed_by=request.user,
        confirmed_at=timezone.now(),
    )
    if started:
        caches["progress"].delete(_progress_key(run.pk))
        run_import.enqueue(run.pk)
        messages.success(request, _("The import of “%(name)s” has started.") % {
            "name": run.file_name
        })  # fmt: skip
    else:
        messages.error(
            request,
            _("“%(name)s” cannot be imported now: it is %(status)s.")
            % {"name": run.file_name, "status": run.get_status_display().lower()},
        )
    return redirect(run.get_admin_url())


class PracticeImportViewSet(ViewSet):
    """The import screen's URLs and its menu item (curators only)."""

    name = "practices_imports"
    url_prefix = "practices/imports"
    icon = "upload"
    menu_label = gettext_lazy("Import practices")
    menu_order = 160
    add_to_admin_menu = True
    menu_item_class = CuratorsMenuItem

    def get_urlpatterns(self):
        """Listing, upload, one upload, its status and its confirmation."""
        return [
            path("", ImportIndexView.as_view(), name="index"),
            path("results/", ImportIndexView.as_view(results_only=True), name="index_results"),
            path("upload/", ImportUploadView.as_view(), name="upload"),
            path("<int:pk>/", ImportDetailView.as_view(), name="detail"),
            path("<int:pk>/status/", import_status, name="status"),
            path("<int:pk>/confirm/", confirm_import, name="confirm"),
        ]
