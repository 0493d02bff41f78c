"""Wagtail integration: the practices index page is served as the faceted search page.

practices/ does not know about search/, so the page is taken over here rather than in its
model. The hook wraps the serve chain (on_serve_page) inside Wagtail's own view-restriction
check, so a restricted index page stays restricted.
"""

from wagtail import hooks

from practices.models import PracticeIndexPage

from .views import practice_search


# order=1 places this inside Wagtail's check_view_restrictions (order 0) in the serve chain.
@hooks.register("on_serve_page", order=1)
def serve_practice_index_as_search(serve):
    """Answer requests for the practices index with the search page."""

    def serve_page(page, request, args, kwargs):
        """The search page for the practices index; every other page as usual."""
        if isinstance(page, PracticeIndexPage) and not args:
            return practice_search(request, page)
        return serve(page, request, args, kwargs)

    return serve_page
