"""The city editor's dashboard panel (issue 15): where to start, and how their practices stand.

A first-time editor's Wagtail dashboard is otherwise empty. The panel (a `Component` added by
the `construct_homepage_panels` hook in wagtail_hooks) offers "Add a practice" under each city
the editor edits and "Edit your city's profile", then lists the city's practices with their
state in plain words once there are some (docs/editing.md).
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState

from .models import CityEditorGroup, CityPage, PracticePage

LISTED = 10  # practices per city; the explorer lists them all


def practice_state(page, state):
    """A practice's state as its editors say it: draft, in review, changes requested, published.

    `state` is the page's active workflow state, or None.
    """
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return _("In review by the curators"), "in-review"
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return _("Changes requested: see the comment on the edit page"), "changes"
    if page.live and page.has_unpublished_changes:
        return _("Published; newer changes not submitted yet"), "draft"
    if page.live:
        return _("Published"), "live"
    return _("Draft: not submitted for review yet"), "draft"


def active_workflow_states(pages):
    """{page id: its active workflow state} in one query.

    Wagtail's prefetch_workflow_states finds none through a specific page model's queryset (the
    states are stored against the base Page content type), so the states are looked up here.
    """
    states = WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=[str(page.pk) for page in pages],
    )
    return {int(state.object_id): state for state in states}


def edited_cities(user):
    """The cities whose editor group `user` belongs to, by title."""
    city_ids = CityEditorGroup.objects.filter(group__user=user).values("city_id")
    return list(CityPage.objects.filter(pk__in=city_ids).order_by("title"))


class CityEditorPanel(Component):
    """ "Add a practice", "Edit your city's profile" and the city's practices, per city edited."""

    name = "practices_city_editor"
    order = 50  # above Wagtail's own panels: the first thing a new editor needs
    template_name = "practices/admin/dashboard_city_editor.html"

    def __init__(self, user):
        """The panel for `user` (shown only when they edit a city)."""
        self.user = user

    def cities(self):
        """One entry per edited city: the links and the listed practices with their states."""
        entries = []
        for city in edited_cities(self.user):
            practices = PracticePage.objects.descendant_of(city).order_by(
                "-latest_revision_created_at", "-pk"
            )
            total = practices.count()
            listed = list(practices[:LISTED])
            states = active_workflow_states(listed)
            entries.append(
                {
                    "city": city,
                    "panel_id": f"practices-city-editor-{city.pk}",
                    "heading": _("Your city: %(city)s") % {"city": city.title},
                    "add_url": reverse(
                        "wagtailadmin_pages:add", args=("practices", "practicepage", city.pk)
                    ),
                    "edit_url": reverse("wagtailadmin_pages:edit", args=(city.pk,)),
                    "explore_url": reverse("wagtailadmin_explore", args=(city.pk,)),
                    "practices": [
                        {
                            "page": page,
                            "edit_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                            "state": practice_state(page, states.get(page.pk)),
                        }
                        for page in listed
                    ],
                    "total": total,
                    "more": max(total - LISTED, 0),
                }
            )
        return entries

    def get_context_data(self, parent_context):
        """The cities, computed once per render."""
        return {"cities": self.cities()}

    def render_html(self, parent_context=None):
        """Nothing for someone who edits no city (curators, administrators)."""
        context = self.get_context_data(parent_context)
        if not context["cities"]:
            return ""
        return super().render_html(parent_context)


def add_city_editor_panel(request, panels):
    """construct_homepage_panels: the city editor's panel first on the dashboard."""
    panels.append(CityEditorPanel(request.user))
