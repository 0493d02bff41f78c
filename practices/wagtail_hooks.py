"""Admin integration: vocabulary snippets, live word counts and word-limit warnings."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html, json_script
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, StatusFlagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import access, admin_scoping, documents, imports, tag_merge, task_report, workflow
from .curation import ArchiveMenuItem, PracticeCurationViewSet, archive_view
from .models import (
    FundingProgramme,
    KeyTheme,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
)

# Description column: the first words of the definition are enough to tell terms apart.
DESCRIPTION_WORDS = 12


def _practice_count_column():
    """How many practices use the term (annotated by the viewset's queryset), sortable."""
    return Column("practice_count", label=_("Practices"), sort_key="practice_count")


class VocabularyViewSet(SnippetViewSet):
    """Shared listing for vocabulary terms: label, usage, description, slug, network, status."""

    list_display = [
        "label",
        _practice_count_column(),
        Column(
            "description",
            label=_("Description"),
            accessor=lambda term: Truncator(term.description).words(DESCRIPTION_WORDS),
        ),
        "slug",
        "source_network",
        StatusFlagColumn(
            "active",
            label=_("Status"),
            true_label=_("Active"),
            false_label=_("Inactive"),
            sort_key="active",
        ),
    ]
    list_filter = ["active"]
    # The database, not Wagtail's search index: the seeded terms were never indexed (a data
    # migration made them), and a vocabulary is small enough to filter directly.
    search_backend_name = None
    search_fields = ["label", "description"]
    ordering = ["label"]

    def get_queryset(self, request):
        """Every term with the number of practices (live or draft pages) that use it."""
        return self.model.objects.annotate(practice_count=Count("practices", distinct=True))


class KeyThemeViewSet(VocabularyViewSet):
    model = KeyTheme
    icon = "tag"


class TargetAudienceViewSet(VocabularyViewSet):
    model = TargetAudience
    icon = "group"


class OrganisationTypeViewSet(VocabularyViewSet):
    model = OrganisationType
    icon = "site"


class FundingProgrammeViewSet(VocabularyViewSet):
    model = FundingProgramme
    icon = "doc-full"


class PracticeTagViewSet(SnippetViewSet):
    """Free keywords on practices; curators rename them here and merge them (tag_merge.py)."""

    model = PracticeTag
    icon = "tag"
    list_display = ["name", _practice_count_column(), "slug"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        """Every tag with the number of practices tagged with it."""
        return PracticeTag.objects.annotate(practice_count=Count("tagged_practices"))


class VocabularyGroup(SnippetViewSetGroup):
    """All vocabularies under one "Vocabularies" menu item."""

    menu_label = _("Vocabularies")
    menu_icon = "list-ul"
    menu_order = 250
    items = (
        KeyThemeViewSet,
        TargetAudienceViewSet,
        OrganisationTypeViewSet,
        FundingProgrammeViewSet,
        PracticeTagViewSet,
    )


register_snippet(VocabularyGroup)

# Merging practice tags (practices/tag_merge.py): a bulk action on the tag listing, in the log.
hooks.register("register_bulk_action", tag_merge.MergeTagsBulkAction)


@hooks.register("register_log_actions")
def register_tag_merge_log_action(actions):
    """Name tag merges in the audit log."""
    actions.register_action(tag_merge.LOG_ACTION, _("Merge tags"), _("Tags merged into this one"))


@hooks.register("insert_editor_js")
def word_count_js():
    """Load the live word counter with the soft limits from settings."""
    limits = json_script(settings.PRACTICE_WORD_LIMITS, "practice-word-limits")
    return format_html('{}<script src="{}"></script>', limits, static("practices/word_count.js"))


def _warn_about_word_limits(request, page):
    """Tell the editor which texts are over their soft word limit (a warning, never a block)."""
    page = page.specific
    if isinstance(page, PracticePage):
        for warning in page.get_latest_revision_as_object().word_limit_warnings():
            messages.warning(request, warning)


hooks.register("after_create_page", _warn_about_word_limits)
hooks.register("after_edit_page", _warn_about_word_limits)


@hooks.register("register_admin_viewset")
def register_curation_listing():
    """The curators' listing of every practice (filters, CSV/XLSX export)."""
    return PracticeCurationViewSet()


@hooks.register("register_admin_urls")
def register_archive_url():
    """The archive / restore confirmation view."""
    return [path("practices/<int:page_id>/archive/", archive_view, name="practices_archive")]


@hooks.register("register_page_listing_more_buttons")
def archive_listing_button(page, user, next_url=None):
    """Archive from the page explorer's more-actions menu."""
    yield ArchiveMenuItem(page=page, priority=45)


@hooks.register("register_page_header_buttons")
def archive_header_button(page, user, view_name, next_url=None):
    """Archive from the editor's header menu."""
    yield ArchiveMenuItem(page=page, priority=62)


@hooks.register("register_log_actions")
def register_archive_log_actions(actions):
    """Name the archive actions in the audit log."""
    actions.register_action("practices.archive", _("Archive"), _("Archived"))
    actions.register_action(
        "practices.unarchive", _("Restore from archive"), _("Restored from archive")
    )


@hooks.register("register_admin_urls")
def register_task_report_urls():
    """The background tasks report."""
    return task_report.urls()


@hooks.register("register_reports_menu_item")
def register_task_report_menu_item():
    """Reports > Background tasks, for curators and administrators."""
    return task_report.menu_item()


# What city editors see of other cities (admin_scoping.py).
hooks.register("construct_page_chooser_queryset", admin_scoping.scope_page_chooser)
hooks.register("construct_reports_menu", admin_scoping.hide_page_types_usage)

# Documents are as private as the pages that use them (documents.py). The API hook runs after
# wagtail.documents' own (order), so that its endpoint is the one registered.
hooks.register("before_serve_document", documents.guard_document)
hooks.register("construct_admin_api", documents.register_documents_endpoint, order=100)


@hooks.register("register_admin_viewset")
def register_import_screen():
    """The curators' import screen: upload, dry run, confirm, reports (practices/imports.py)."""
    return imports.PracticeImportViewSet()


@hooks.register("register_admin_viewset")
def register_member_requests():
    """The curators' listing of member access requests (practices/access.py)."""
    return access.MemberRequestsViewSet()


# Bulk curation on the curation listing (practices/bulk_actions.py): curators only. Imported
# here, beside its hooks, to keep this block self-contained.
from .bulk_actions import ArchiveBulkAction, MarkReviewedBulkAction  # noqa: E402

hooks.register("register_bulk_action", MarkReviewedBulkAction)
hooks.register("register_bulk_action", ArchiveBulkAction)


@hooks.register("register_log_actions")
def register_review_log_action(actions):
    """Name the "Mark reviewed" action in the audit log."""
    actions.register_action("practices.mark_reviewed", _("Mark reviewed"), _("Marked reviewed"))


# The review workflow in plain words (practices/workflow.py): the footer's labels and order,
# what happens after submitting, and the curator's comment while changes are requested.
hooks.register("construct_page_action_menu", workflow.plain_review_actions)
hooks.register("after_create_page", workflow.explain_what_happens_next)
hooks.register("after_edit_page", workflow.explain_what_happens_next)
hooks.register("before_edit_page", workflow.show_change_request)


# The practice editor and the city editor's dashboard (practices/editor_views.py,
# practices/dashboard.py): the error summary stands in for Wagtail's error message, and a city
# editor's dashboard starts with "Add a practice" and their practices' states.
@hooks.register("register_admin_viewset")
def register_practice_page_views():
    """Wagtail's page views for practices, with the error summary as the one error message."""
    from .editor_views import PracticePageViewSet  # here, to keep this block self-contained

    return PracticePageViewSet()


@hooks.register("construct_homepage_panels")
def city_editor_dashboard_panel(request, panels):
    """The city editor's panel: where to start, and their practices' states."""
    from .dashboard import add_city_editor_panel  # here, to keep this block self-contained

    add_city_editor_panel(request, panels)
