"""Editor panels of our own: the summary of a refused save's errors."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .forms import error_summary


class ErrorSummaryPanel(Panel):
    """Every error of a refused save, each linked to its field, shown above the editor's tabs.

    It is the one message of a refused save: the practice's page views leave Wagtail's own out
    (practices/editor_views.py), which offers only "Go to the first error". Placed directly in a
    TabbedInterface, a panel without furniture is rendered outside the tab panels, so the
    summary stays in view whichever tab is open; with no errors it renders nothing.
    """

    def __init__(self, **kwargs):
        """A panel with a heading of its own and no fields."""
        kwargs.setdefault("heading", _("Errors to fix"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        """The summary for one bound form."""

        template_name = "wagtailadmin/panels/practice_error_summary.html"

        @cached_property
        def errors(self):
            """(label, message, anchor) for every error, in form order; none when unbound."""
            return error_summary(self.form) if self.form.is_bound else []

        def refused_action(self):
            """What the refused save was for, in the summary's words ("submitted for review")."""
            data = self.request.POST if self.request is not None else {}
            if data.get("action-submit"):
                return "submit"
            if data.get("action-publish"):
                return "publish"
            return "save"

        def get_context_data(self, parent_context=None):
            """The errors, and what did not happen, for the template."""
            context = super().get_context_data(parent_context)
            context["refused_action"] = self.refused_action()
            return context

        def is_shown(self):
            """Only after a save was refused."""
            return bool(self.errors)

        def show_panel_furniture(self):
            """No tab and no panel heading: the summary is its own block."""
            return False

        @property
        def media(self):
            """The script that opens the tab holding a linked field, and the styles."""
            return forms.Media(
                js=["practices/error_summary.js"], css={"all": ["practices/editor_form.css"]}
            )
