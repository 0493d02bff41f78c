"""What a city editor sees of other cities in the admin: only what the public sees.

Wagtail shows every signed-in editor the titles of pages they cannot edit in a few places: the
page chooser, the error of the workflow preview, the page types usage report (its "last
edited" page) and the tag autocomplete. Curators and administrators see everything; anyone
else sees, of other cities, only live pages without a view restriction (issue 12, finding 4).

The hook below narrows the chooser; the three views replace Wagtail's at the same URLs
(site/urls.py routes them first) and hand over to Wagtail's own view once the check passed.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.pages.workflow import PreviewRevisionForTaskView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.tags import autocomplete as wagtail_tag_autocomplete
from wagtail.models import GroupPagePermission, Page

from .curation import is_curator
from .models import PracticePage, PracticeTag

TAGS_LIMIT = 10  # suggestions per keystroke, as Wagtail's autocomplete gives


def own_subtrees(user):
    """A filter for the pages at or below the pages `user`'s groups have rights on."""
    roots = Page.objects.filter(
        pk__in=GroupPagePermission.objects.filter(group__user=user).values("page_id")
    )
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(path__startswith=root.path)
    return condition


def pages_shown_to(user):
    """The pages `user` may see listed in the admin's choosers."""
    if is_curator(user):
        return Page.objects.all()
    public = Page.objects.live().public()
    return Page.objects.filter(Q(pk__in=public.values("pk")) | own_subtrees(user))


def scope_page_chooser(pages, request):
    """construct_page_chooser_queryset: leave out other cities' drafts and private pages."""
    if is_curator(request.user):
        return pages
    return pages.filter(pk__in=pages_shown_to(request.user).values("pk"))


class ScopedWorkflowPreview(PreviewRevisionForTaskView):
    """Wagtail's workflow preview, refused before it says anything about a page the reader
    may neither edit nor review (Wagtail's own view names the page's latest title first)."""

    def get(self, request, *args, **kwargs):
        """Check the reader first, then let Wagtail answer."""
        may_review = self.task_state is not None and self.task.get_actions(
            self.object, request.user
        )
        if not (may_review or self.object.permissions_for_user(request.user).can_edit()):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class CuratorsPageTypesUsage(PageTypesUsageReportView):
    """The page types usage report (it names the last edited page of each type): curators."""

    def dispatch(self, request, *args, **kwargs):
        """Refuse everyone but curators and administrators."""
        if not is_curator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def hide_page_types_usage(request, menu_items):
    """construct_reports_menu: no page types usage report in other people's menus."""
    if not is_curator(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


def tag_autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete; for practice tags, only tags a non-curator could find on
    the public site or on their own city's pages."""
    if (app_name, model_name) != ("practices", "practicetag") or is_curator(request.user):
        return wagtail_tag_autocomplete(request, app_name=app_name, model_name=model_name)
    term = request.GET.get("term", "")
    if not term:
        return JsonResponse([], safe=False)
    user = request.user
    practices = PracticePage.objects.filter(
        Q(pk__in=PracticePage.objects.visible_to(user).values("pk")) | own_subtrees(user)
    )
    names = (
        PracticeTag.objects.filter(
            name__istartswith=term, tagged_practices__content_object__in=practices
        )
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)[:TAGS_LIMIT]
    )
    return JsonResponse(list(names), safe=False)


urlpatterns_before_wagtail = [
    # Same paths and names as Wagtail's (wagtail/admin/urls); matched first.
    ("pages/workflow/preview/<int:page_id>/<int:task_id>/", ScopedWorkflowPreview.as_view()),
    ("reports/page-types-usage/", CuratorsPageTypesUsage.as_view()),
    ("reports/page-types-usage/results/", CuratorsPageTypesUsage.as_view(results_only=True)),
    ("tag-autocomplete/<slug:app_name>/<slug:model_name>/", tag_autocomplete),
]


def admin_overrides():
    """The URL patterns (under admin/) to route before Wagtail's admin, login required."""
    from django.urls import path

    return [path(route, require_admin_access(view)) for route, view in urlpatterns_before_wagtail]
