"""Curation tools for network staff: archiving with a reason, marking practices reviewed, and
the listing of every practice (its bulk actions are in bulk_actions.py)."""

from functools import wraps

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_tasks import task
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import PageTitleColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.log_actions import log
from wagtail.models import Page, WorkflowState

from practicehub.tasks import retried

from .exports import SafeCsvExportMixin
from .importing.spreadsheet import COLUMNS, INFORMATION_COLUMNS, record_to_row
from .interchange import current_version, practice_record
from .models import CityPage, NetworkPage, PracticePage
from .visibility import CURATORS_GROUP


def is_curator(user):
    """Curators and superusers run the curation tools."""
    # Kept on the request's user object: listings ask once per row (the Archive menu item).
    if not hasattr(user, "_practicehub_is_curator"):
        user._practicehub_is_curator = user.is_active and (
            user.is_superuser or user.groups.filter(name=CURATORS_GROUP).exists()
        )
    return user._practicehub_is_curator


def curator_addresses():
    """The e-mail addresses of the active curators and superusers (is_curator's people)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(groups__name=CURATORS_GROUP) | Q(is_superuser=True))
    return sorted(set(users.values_list("email", flat=True)))


def preferred_language(user):
    """The language `user` reads e-mail in: their Wagtail preference, else LANGUAGE_CODE."""
    from wagtail.users.models import UserProfile

    # get_preferred_language() falls back to the active language: on the worker, make that ours.
    with translation.override(settings.LANGUAGE_CODE):
        return UserProfile.get_for_user(user).get_preferred_language()


def addresses_by_language(addresses, default=None):
    """{language: addresses}: each address in its account's language, others in `default`."""
    default = default or settings.LANGUAGE_CODE
    users = get_user_model().objects.filter(is_active=True, email__in=addresses).order_by("pk")
    language_of = {}
    for user in users:
        language_of.setdefault(user.email, preferred_language(user))
    groups = {}
    for address in addresses:
        groups.setdefault(language_of.get(address, default), []).append(address)
    return groups


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


# --- Archiving


class ArchiveReasonForm(forms.Form):
    """Why a practice is archived: shown on its page and e-mailed to its city's editors."""

    reason = forms.CharField(
        label=_("Reason for archiving"),
        help_text=_(
            "Shown on the archived page and e-mailed to the city's editors, e.g. “The project "
            "ended in 2023 and its website is gone.”"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


def set_archived(page, archived, user, reason=""):
    """Archive (or restore) a practice: publish its live content with the flag changed.

    The flag and the reason go through a revision so that a later publish of an older draft
    cannot silently undo them; the audit log records the action (with the reason), and the
    city's editors are told by e-mail on the task worker. Restoring clears the reason.
    """
    live = PracticePage.objects.get(pk=page.pk)  # the published content, not a pending draft
    live.archived = archived
    live.archive_reason = reason.strip() if archived else ""
    revision = live.save_revision(user=user, log_action=False, clean=False)
    revision.publish(user=user, log_action=False)
    if archived:
        log(instance=live, action="practices.archive", user=user, data={"reason": reason})
        tell_city_editors_about_archiving.enqueue(live.pk)
    else:
        log(instance=live, action="practices.unarchive", user=user)


def city_editor_addresses(practice):
    """The e-mail addresses of the active editors of the practice's owning city."""
    city = practice.owning_city
    if city is None:
        return []
    users = get_user_model().objects.filter(is_active=True, groups__city_link__city=city)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


@task(takes_context=True)
@retried
def tell_city_editors_about_archiving(page_id):
    """E-mail each editor of the owning city the title, the reason and the page's address."""
    practice = PracticePage.objects.filter(pk=page_id, archived=True).first()
    if practice is None:
        return  # restored (or deleted) before the worker got here: nothing to tell
    for language, addresses in addresses_by_language(city_editor_addresses(practice)).items():
        # Inside the override, so that the page's address carries the language's prefix too.
        with translation.override(language):
            context = {
                "practice": practice,
                "reason": practice.archive_reason,
                "practice_url": practice.full_url,
            }
            subject = gettext("Archived: “%(title)s”") % {"title": practice.title}
            body = render_to_string("practices/email/archived.txt", context)
            # One message per editor, so that nobody learns the other editors' addresses.
            for address in addresses:
                EmailMessage(subject=subject, body=body, to=[address]).send()


def mark_reviewed(page, user, day=None):
    """Record that a curator reviewed the practice today, without publishing anything.

    The date is written on the live row, and into the content of the live revision and of a
    pending draft, so that publishing either later does not take the review back (nor publish
    the draft now). The audit log records it.
    """
    day = day or timezone.localdate()
    PracticePage.objects.filter(pk=page.pk).update(last_reviewed=day)
    revisions = {page.get_latest_revision(), page.live_revision} - {None}
    for revision in revisions:
        revision.content["last_reviewed"] = day.isoformat()
        revision.save(update_fields=["content"])
    log(instance=page, action="practices.mark_reviewed", user=user, data={"day": day.isoformat()})


def archive_view(request, page_id):
    """Confirm and archive (with a required reason) or restore one practice; curators only."""
    page = get_object_or_404(PracticePage, pk=page_id)
    if not (is_curator(request.user) and page.permissions_for_user(request.user).can_publish()):
        raise PermissionDenied
    archiving = not page.archived
    form = ArchiveReasonForm(request.POST or None) if archiving else None
    if request.method == "POST" and (form is None or form.is_valid()):
        set_archived(page, archiving, request.user, form.cleaned_data["reason"] if form else "")
        if archiving:
            message = _(
                "“%(title)s” is archived: out of search and listings, its page has a banner."
            )
        else:
            message = _("“%(title)s” is back in search and listings.")
        messages.success(request, message % {"title": page.title})
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return TemplateResponse(
        request,
        "practices/admin/confirm_archive.html",
        {"page": page, "archiving": archiving, "form": form},
        status=400 if form is not None and form.is_bound else 200,
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


# The filter's values are the statuses' codes with "_" for " " (query strings read better).
STATUS_CHOICES = [
    (code.replace(" ", "_"), label) for code, label in PracticePage.CURATION_STATUSES.items()
]


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
        """The practices whose curation_status() is the chosen one (the same rule)."""
        return queryset.filter(PracticePage.curation_status_q(value.replace("_", " ")))


class CurationIndexView(CuratorsOnlyMixin, SafeCsvExportMixin, IndexView):
    """The listing itself, shown to curators only. Its CSV and XLSX exports are the
    importer's spreadsheet layout (docs/importing.md), so an export edited in a spreadsheet
    imports back onto the same pages."""

    template_name = "practices/admin/curation_index.html"

    def annotate_queryset(self, pages):
        """Count each practice's contact messages and find when its review started in the
        listing's own query; fetch networks and themes once for the whole page of rows."""
        in_review = WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type__app_label="wagtailcore",
            object_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        )
        pages = pages.annotate(
            contact_message_count=Count("contact_messages", distinct=True),
            # The current task's start: a resubmission after changes starts the wait again.
            awaiting_review_since=Subquery(in_review.values("current_task_state__started_at")[:1]),
        ).prefetch_related("networks", "key_themes", "possible_duplicate_of")
        return super().annotate_queryset(pages)

    def order_queryset(self, queryset):
        """Sorted by the review wait, practices in review come first either way (SQLite and
        PostgreSQL would put the empty waits first in one direction each)."""
        if self.ordering in ("awaiting_review_since", "-awaiting_review_since"):
            wait = F("awaiting_review_since")
            if self.ordering.startswith("-"):
                return queryset.order_by(wait.desc(nulls_last=True), "title")
            return queryset.order_by(wait.asc(nulls_last=True), "title")
        return super().order_queryset(queryset)

    def get_table(self, object_list):
        """Find the owning cities of the rows in one query (owning_city asks one per row)."""
        object_list = list(object_list)
        parent_paths = {page.path[: -Page.steplen] for page in object_list}
        cities = {city.path: city for city in CityPage.objects.filter(path__in=parent_paths)}
        for page in object_list:
            page.owning_city = cities.get(page.path[: -Page.steplen])  # its cached property
        return super().get_table(object_list)

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
        IndexView.base_columns[0],  # the bulk-action checkbox
        # Wagtail's title column, given a width: ten columns would squeeze it to a few letters.
        PageTitleColumn(
            "title", label=_("Title"), sort_key="title", classname="title", width="22%"
        ),
        Column("owning_city_name", label=_("City")),
        Column("network_names", label=_("Networks")),
        Column(
            "key_themes",
            label=_("Key themes"),
            # In the curator's admin language (a term prints its localised label).
            accessor=lambda page: ", ".join(str(theme) for theme in page.key_themes.all()),
        ),
        Column("curation_status_label", label=_("Status")),
        DateColumn(
            "awaiting_review_since",
            label=_("Awaiting review since"),
            sort_key="awaiting_review_since",
        ),
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
