"""Editor panels of our own: the summary of a refused save's errors."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .forms import error_summary


class ErrorSummaryPanel(Panel):
    """Every error of a refused save, each linked to its field, shown above the editor's tabs.

    Wagtail's own message offers only "Go to the first error". Placed directly in a
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
