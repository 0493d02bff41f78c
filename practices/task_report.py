"""The "Background tasks" report: what the worker has queued, is running and has failed.

django-tasks-db keeps one row per task (DBTaskResult); this is a read-only Wagtail report of
those rows for curators and administrators, newest first, filtered by status, with the
error of a failed task and whether it will be tried again (practicehub/tasks.py).
"""

import django_filters
from django.core.exceptions import SuspiciousOperation
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from practicehub.tasks import is_retried, will_retry

from .curation import CuratorsMenuItem, CuratorsOnlyMixin
from .exports import SafeCsvExportMixin

# What each of our tasks does, in words, by its path; %(count)d is how many ids it was given.
TASK_LABELS = {
    "search.tasks.index_practices": (
        "Update the search index for %(count)d practice",
        "Update the search index for %(count)d practices",
    ),
    "practices.sheets.bundles.render_bundle_task": (
        "Render a PDF bundle of %(count)d practice",
        "Render a PDF bundle of %(count)d practices",
    ),
}
# Wagtail's own tasks, which name one object by app label, model name and id.
WAGTAIL_TASK_LABELS = {
    "modelsearch.tasks.insert_or_update_object_task": _("Update the admin search entry of %s"),
    "wagtail.tasks.update_reference_index_task": _("Update the reference index of %s"),
}


def describe(result):
    """A sentence saying what the task `result` does."""
    args = result.args_kwargs.get("args") or []
    forms = TASK_LABELS.get(result.task_path)
    if forms and args and isinstance(args[0], list):
        return ngettext(*forms, len(args[0])) % {"count": len(args[0])}
    label = WAGTAIL_TASK_LABELS.get(result.task_path)
    if label and len(args) == 3:
        app_label, model_name, pk = args
        return label % f"{model_name} {pk}"
    if result.task_path == "wagtail.tasks.delete_file_from_storage_task":
        return _("Delete a replaced file from storage")
    return result.task_path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def attempt_of(result):
    """The attempt number of a task that retries itself (1 for every other task)."""
    return (result.args_kwargs.get("kwargs") or {}).get("attempt", 1)


def error_of(result):
    """The last line of a failed task's traceback: the exception and its message."""
    lines = [line for line in (result.traceback or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def outcome_of(result):
    """What happens next to a failed task: retried, or nothing more."""
    if result.status != TaskResultStatus.FAILED:
        return ""
    try:
        retried = is_retried(result.task)
    except (ImportError, SuspiciousOperation):  # its code is gone: nothing runs it again
        retried = False
    if retried and will_retry(attempt_of(result)):
        return _("Tried again")
    return _("Gave up")


class TaskFilterSet(WagtailFilterSet):
    """Filter the tasks by status."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TaskResultStatus.choices, empty_label=_("Any")
    )

    class Meta:
        model = DBTaskResult
        fields = ["status"]


class BackgroundTasksView(CuratorsOnlyMixin, SafeCsvExportMixin, ReportView):
    """Every task the database queue holds, newest first; curators and administrators."""

    page_title = _("Background tasks")
    header_icon = "cogs"
    index_url_name = "practices_background_tasks"
    index_results_url_name = "practices_background_tasks_results"
    filterset_class = TaskFilterSet
    columns = [
        Column("description", label=_("Task"), accessor=describe),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("attempt", label=_("Attempt"), accessor=attempt_of),
        DateColumn("enqueued_at", label=_("Queued")),
        DateColumn("finished_at", label=_("Finished")),
        Column("error", label=_("Error"), accessor=error_of),
        Column("outcome", label=_("Then"), accessor=outcome_of),
    ]
    list_export = ["id", "task_path", "status", "enqueued_at", "started_at", "finished_at"]
    export_headings = {"task_path": "Task", "enqueued_at": "Queued"}

    def get_queryset(self):
        """Every task row, newest first."""
        return DBTaskResult.objects.order_by("-enqueued_at")

    def get_filename(self):
        """The name of the spreadsheet export."""
        return "background-tasks"


def urls():
    """The report's two URLs (the page and its results, which the filters refresh)."""
    view = BackgroundTasksView.as_view()
    results = BackgroundTasksView.as_view(results_only=True)
    return [
        path("reports/background-tasks/", view, name="practices_background_tasks"),
        path(
            "reports/background-tasks/results/",
            results,
            name="practices_background_tasks_results",
        ),
    ]


def menu_item():
    """The report's entry in the Reports menu, shown to curators and administrators."""
    return CuratorsMenuItem(
        _("Background tasks"),
        reverse("practices_background_tasks"),
        name="background-tasks",
        icon_name="cogs",
        order=1000,
    )
