"""Curation tools for network staff: archiving, and the listing of every practice."""

import datetime
from functools import wraps

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.log_actions import log
from wagtail.models import WorkflowState

from .exports import SafeCsvExportMixin
from .importing.spreadsheet import COLUMNS, INFORMATION_COLUMNS, record_to_row
from .interchange import current_version, practice_record
from .models import CityPage, NetworkPage, PracticePage
from .visibility import CURATORS_GROUP


def is_curator(user):
    """Curators and superusers run the curation tools."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name=CURATORS_GROUP).exists()
    )


def curator_addresses():
    """The e-mail addresses of the active curators and superusers (is_curator's people)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(groups__name=CURATORS_GROUP) | Q(is_superuser=True))
    return sorted(set(users.values_list("email", flat=True)))


def curators_only(view):
    """Decorate a function view: refuse everyone but curators and administrators."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_curator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


class CuratorsOnlyMixin:
    """For the curators' admin views: refuse everyone but curators and administrators."""

    def dispatch(self, request, *args, **kwargs):
        """Refuse everyone but curators and administrators, whatever the URL."""
        if not is_curator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def stale_before():
    """Practices last reviewed before this date (or never) are stale."""
    return timezone.localdate() - datetime.timedelta(days=settings.PRACTICE_REVIEW_MAX_AGE_DAYS)


# --- Archiving


def set_archived(page, archived, user):
    """Archive (or restore) a practice: publish its live content with the flag changed.

    The flag goes through a revision so that a later publish of an older draft cannot
    silently undo it; the audit log records the action.
    """
    live = PracticePage.objects.get(pk=page.pk)  # the published content, not a pending draft
    live.archived = archived
    revision = live.save_revision(user=user, log_action=False, clean=False)
    revision.publish(user=user, log_action=False)
    log(instance=live, action="practices.archive" if archived else "practices.unarchive", user=user)


def archive_view(request, page_id):
    """Confirm and archive (or restore) one practice; curators only."""
    page = get_object_or_404(PracticePage, pk=page_id)
    if not (is_curator(request.user) and page.permissions_for_user(request.user).can_publish()):
        raise PermissionDenied
    archiving = not page.archived
    if request.method == "POST":
        set_archived(page, archiving, request.user)
        if archiving:
            message = _(
                "“%(title)s” is archived: out of search and listings, its page has a banner."
            )
        else:
            message = _("“%(title)s” is back in search and listings.")
        messages.success(request, message % {"title": page.title})
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return TemplateResponse(
        request, "practices/admin/confirm_archive.html", {"page": page, "archiving": archiving}
    )


class ArchiveMenuItem(PageMenuItem):
    """ "Archive" / "Restore from archive" in the page's more-actions menu."""

    icon_name = "folder-inverse"
    url_name = "practices_archive"

    @property
    def label(self):
        """Archive or restore, depending on the page."""
        return _("Restore from archive") if self.page.specific.archived else _("Archive")

    def is_shown(self, user):
        """Only on live practices, for curators who may publish them."""
        return (
            isinstance(self.page.specific, PracticePage)
            and self.page.live
            and is_curator(user)
            and self.page.permissions_for_user(user).can_publish()
        )


# --- The curators' listing of every practice


STATUS_CHOICES = (
    ("draft", _("Draft")),
    ("in_review", _("In review")),
    ("live", _("Live")),
    ("archived", _("Archived")),
    ("stale", _("Stale (review overdue)")),
)


def _in_review_ids():
    return (
        WorkflowState.objects.active()
        .filter(base_content_type__app_label="wagtailcore")
        .values_list("object_id", flat=True)
    )


class PracticeFilterSet(WagtailFilterSet):
    """Filters of the curators' listing: city, country, network and curation status."""

    city = django_filters.ModelChoiceFilter(
        label=_("City"), queryset=CityPage.objects.order_by("title"), method="filter_city"
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=list(countries), method="filter_country"
    )
    network = django_filters.ModelChoiceFilter(
        label=_("Network"), queryset=NetworkPage.objects.order_by("title"), field_name="networks"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status"
    )

    class Meta:
        model = PracticePage
        fields = []

    def filter_city(self, queryset, name, value):
        """Practices owned by the city or listing it in their scope."""
        return queryset.filter(Q(path__startswith=value.path) | Q(cities=value)).distinct()

    def filter_country(self, queryset, name, value):
        """Practices from or running in the country (codes are two letters, comma-separated)."""
        return queryset.filter(Q(country_of_origin=value) | Q(countries__contains=value))

    def filter_status(self, queryset, name, value):
        """The curation status of each practice."""
        if value == "draft":
            return queryset.filter(live=False)
        if value == "in_review":
            return queryset.filter(pk__in=[int(i) for i in _in_review_ids()])
        if value == "live":
            return queryset.filter(live=True, archived=False)
        if value == "archived":
            return queryset.filter(archived=True)
        if value == "stale":
            return queryset.filter(live=True, archived=False).filter(
                Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=stale_before())
            )
        return queryset


class CurationIndexView(CuratorsOnlyMixin, SafeCsvExportMixin, IndexView):
    """The listing itself, shown to curators only. Its CSV and XLSX exports are the
    importer's spreadsheet layout (docs/importing.md), so an export edited in a spreadsheet
    imports back onto the same pages."""

    def annotate_queryset(self, pages):
        """Count each practice's contact messages in the listing's own query."""
        pages = pages.annotate(contact_message_count=Count("contact_messages", distinct=True))
        return super().annotate_queryset(pages)

    def to_row_dict(self, item):
        """The practice's row in the spreadsheet layout (its latest draft, when it has one),
        with its status and address for the reader."""
        row = record_to_row(practice_record(current_version(item)), page_id=item.pk)
        row["status"] = item.curation_status()
        row["url"] = item.full_url
        return row


class CuratorsMenuItem(MenuItem):
    """A menu item shown to curators only."""

    def is_shown(self, request):
        """Hide the item from everyone the view would refuse."""
        return is_curator(request.user)


class PracticeCurationViewSet(PageListingViewSet):
    """Every practice, with curation filters and CSV/XLSX export."""

    model = PracticePage
    name = "curation"
    icon = "list-ul"
    menu_label = _("Curation")
    menu_order = 150
    add_to_admin_menu = True
    index_view_class = CurationIndexView
    filterset_class = PracticeFilterSet
    columns = [
        *IndexView.base_columns[:2],  # bulk-action checkbox (if any) and title
        Column("owning_city_name", label=_("City")),
        Column("curation_status", label=_("Status")),
        Column("possible_duplicate_of", label=_("Possible duplicate of")),
        # How many visitors wrote to the practice's team (the messages are not kept).
        Column("contact_message_count", label=_("Messages"), sort_key="contact_message_count"),
        DateColumn("last_reviewed", label=_("Last reviewed"), sort_key="last_reviewed"),
        Column("last_update_year", label=_("Last update"), sort_key="last_update_year"),
    ]
    # The importer's spreadsheet layout, then two columns the importer ignores.
    list_export = [*COLUMNS, *INFORMATION_COLUMNS]
    export_headings = {column: column for column in list_export}
    export_filename = "practices"
    menu_item_class = CuratorsMenuItem
