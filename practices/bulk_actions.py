"""The curators' bulk actions on the curation listing: "Mark reviewed" and "Archive with a reason".

They are Wagtail page bulk actions registered for PracticePage only, so they appear in the
curation listing (templates/practices/admin/curation_index.html shows that model's actions) and
in no other page listing; the server refuses everyone but curators, whatever the URL.
"""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.admin.views.pages.search import page_filter_search

from .curation import (
    ArchiveReasonForm,
    PracticeFilterSet,
    is_curator,
    mark_reviewed,
    set_archived,
)
from .models import PracticePage


class CuratorBulkAction(PageBulkAction):
    """A bulk action on practices that only curators may run, on practices they may publish."""

    models = [PracticePage]
    form_class = forms.Form

    def dispatch(self, request, *args, **kwargs):
        """Refuse everyone but curators and administrators, before anything is shown or done."""
        if not is_curator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, page):
        """Only live practices the curator may publish (a draft has no published content)."""
        return page.live and page.permissions_for_user(self.request.user).can_publish()

    def get_all_objects_in_listing_query(self, parent_id):
        """ "Select all practices in listing": the practices the listing showed, not every one.

        Wagtail's footer sends the listing's address (with its filters and search) as `next`;
        the same filters and search choose the practices here.
        """
        listing = QueryDict(urlsplit(self.next_url).query)
        practices = PracticePage.objects.all()
        filters = PracticeFilterSet(listing, queryset=practices, request=self.request)
        if filters.is_valid():
            practices = filters.qs
        pks = practices.values_list("pk", flat=True)
        if listing.get("q"):
            return page_filter_search(listing["q"], pks)[0].results()
        return pks


class MarkReviewedBulkAction(CuratorBulkAction):
    """Set "Last reviewed" to today on the selected practices, publishing nothing."""

    display_name = _("Mark reviewed")
    action_type = "mark_reviewed"
    aria_label = _("Mark the selected practices reviewed today")
    template_name = "practices/admin/bulk_mark_reviewed.html"
    action_priority = 10

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        """Mark each practice reviewed today; the count is the number of practices."""
        for page in objects:
            mark_reviewed(page, user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        """How many practices were marked reviewed."""
        return ngettext(
            "%(count)d practice is marked reviewed today.",
            "%(count)d practices are marked reviewed today.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class ArchiveBulkAction(CuratorBulkAction):
    """Archive the selected practices with one reason, told to each city's editors."""

    display_name = _("Archive with a reason")
    action_type = "archive_with_reason"
    aria_label = _("Archive the selected practices, giving a reason")
    template_name = "practices/admin/bulk_archive.html"
    form_class = ArchiveReasonForm
    action_priority = 20

    def check_perm(self, page):
        """Live practices not archived yet, that the curator may publish."""
        return not page.archived and super().check_perm(page)

    def get_execution_context(self):
        """The user and the reason from the form."""
        return {
            **super().get_execution_context(),
            "reason": self.cleaned_form.cleaned_data["reason"],
        }

    @classmethod
    def execute_action(cls, objects, user=None, reason="", **kwargs):
        """Archive each practice with the reason; the count is the number of practices."""
        for page in objects:
            set_archived(page, True, user, reason=reason)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        """How many practices were archived, and who is told."""
        return ngettext(
            "%(count)d practice is archived; its city's editors are told why by e-mail.",
            "%(count)d practices are archived; their cities' editors are told why by e-mail.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
