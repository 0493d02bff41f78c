"""RSS and Atom feeds of newly published practices (public practices only)."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import PracticePage
from .rules import html_to_text

FEED_SIZE = 20


class LatestPracticesFeed(Feed):
    """The newest public practices, as RSS 2.0."""

    title = _("Practice Hub: new practices")
    link = "/practices/"
    description = _("Good practices newly published on Practice Hub.")

    def items(self):
        """Always what an anonymous visitor may see: feeds are cached and shared."""
        return (
            PracticePage.objects.visible_to(AnonymousUser())
            .order_by("-first_published_at")
            .select_related("organisation_type")[:FEED_SIZE]
        )

    def item_title(self, item):
        """The practice's name."""
        return item.title

    def item_description(self, item):
        """The first words of the description, as plain text."""
        return Truncator(html_to_text(item.description)).words(60)

    def item_link(self, item):
        """The practice's page."""
        return item.url

    def item_pubdate(self, item):
        """When it was first published."""
        return item.first_published_at

    def item_updateddate(self, item):
        """When it last changed."""
        return item.last_published_at


class LatestPracticesAtomFeed(LatestPracticesFeed):
    """The same feed as Atom 1.0."""

    feed_type = Atom1Feed
    subtitle = LatestPracticesFeed.description
