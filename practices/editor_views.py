"""The practice's admin views: Wagtail's own, with the error summary standing in for Wagtail's
error message after a refused save (docs/editing.md).

A module of its own, imported by wagtail_hooks only: the models import practices.panels, and
these views import the models.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.pages import create, edit
from wagtail.admin.viewsets.pages import PageViewSet

from .forms import error_summary
from .models import PracticePage


class SummaryInsteadOfMessageMixin:
    """A refused save of a practice reads as one message: the summary, not Wagtail's as well.

    Wagtail's page views add "The page could not be saved due to validation errors" with a
    "Go to the first error" button above the editor; our summary names every error and says
    what did not happen. Only the plain validation case changes: locks, withdrawing from
    review and a form whose errors the summary cannot list keep Wagtail's own handling.

    Autosave (Wagtail 8) posts the form for a JSON answer and pauses at a refused one, showing
    the answer's text beside "Autosave is paused". Wagtail's text, "click save to highlight
    them", reads as if nothing were shown yet; ours points at the summary.
    """

    autosave_refused = _(
        "Not saved automatically: some fields need fixing. Saving lists them at the top of "
        "the form; autosave starts again after a save that succeeds."
    )

    def summary_replaces_message(self, form):
        """True when the summary above the tabs will list this form's errors."""
        return bool(error_summary(form))

    def refused_autosave(self):
        """Autosave's JSON answer to a form with errors, in our words."""
        return self.json_error_response("validation_error", self.autosave_refused)

    def render_refused_save(self):
        """The editor again with the summary and nothing else, the data the editor typed kept."""
        self.has_unsaved_changes = True
        return self.render_to_response(self.get_context_data())


class PracticeEditView(SummaryInsteadOfMessageMixin, edit.EditView):
    """Wagtail's edit view for practices, with the summary as the one error message."""

    def form_invalid(self, form):
        """Wagtail's handling, except that a plain validation failure adds no message."""
        if self.is_cancelling_workflow or self.locked_for_user:
            return super().form_invalid(form)
        if self.expects_json_response:
            return self.refused_autosave()
        if not self.summary_replaces_message(form):
            return super().form_invalid(form)
        # What Wagtail's form_invalid keeps for its tests and debugging, kept alike.
        self.errors_debug = repr(form.errors) + repr(
            [(name, fs.errors) for name, fs in form.formsets.items() if fs.errors]
        )
        return self.render_refused_save()


class PracticeCreateView(SummaryInsteadOfMessageMixin, create.CreateView):
    """Wagtail's create view for practices, with the summary as the one error message."""

    def form_invalid(self, form):
        """Wagtail's handling, except that a plain validation failure adds no message."""
        if self.expects_json_response:
            return self.refused_autosave()
        if not self.summary_replaces_message(form):
            return super().form_invalid(form)
        return self.render_refused_save()


class PracticePageViewSet(PageViewSet):
    """The practice's admin views: Wagtail's, with the edit and create views above."""

    model = PracticePage
    add_view_class = PracticeCreateView
    edit_view_class = PracticeEditView
