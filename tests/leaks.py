"""Shared leak-test data: content an anonymous visitor must never see, in any channel.

Mix LeakFixtures into a TestCase; every channel's test (pages, listings, sitemap, feeds,
search, facet counts, PDF, API) asserts with assert_nothing_leaked() on what it returns.
"""

from practices.roles import make_members_only
from tests.factories import CityPageFactory, PracticePageFactory

SECRET_CONTACT = "secret.contact@example.org"  # noqa: S105 - an address, not a password


class LeakFixtures:
    """A public practice plus one of each thing that must stay hidden from the public."""

    @classmethod
    def create_leak_fixtures(cls):
        """Build the pages; call from setUpTestData."""
        cls.leak_city = CityPageFactory(title="Leakton")
        cls.public_practice = PracticePageFactory(
            title="Openly listed practice",
            parent=cls.leak_city,
            contact_name="Secret Person",
            contact_email=SECRET_CONTACT,
            contact_consent=False,
        )
        cls.members_only_practice = PracticePageFactory(
            title="Members-only practice zebra", parent=cls.leak_city
        )
        make_members_only(cls.members_only_practice)
        cls.draft_practice = PracticePageFactory(
            title="Draft practice walrus", parent=cls.leak_city
        )
        cls.draft_practice.unpublish()
        cls.archived_practice = PracticePageFactory(
            title="Archived practice narwhal", parent=cls.leak_city, archived=True
        )
        cls.hidden_markers = [
            "Members-only practice zebra",
            cls.members_only_practice.slug,
            "Draft practice walrus",
            cls.draft_practice.slug,
            SECRET_CONTACT,
            "Secret Person",
        ]

    def assert_nothing_leaked(self, content, *, archived_hidden=True):
        """No members-only practice, draft or unconsented contact (nor archived) in `content`."""
        if isinstance(content, bytes):
            content = content.decode()
        markers = list(self.hidden_markers)
        if archived_hidden:
            markers += ["Archived practice narwhal", self.archived_practice.slug]
        for marker in markers:
            self.assertNotIn(marker, content)
