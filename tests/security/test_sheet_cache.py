"""The city factsheet keeps one stored file per audience (issue 12, finding 11).

When members see more practices than the public, the two factsheets differ; each download
used to delete the other audience's file, so alternating readers re-rendered every time.
"""

from django.test import TestCase

from practices.roles import make_members_only, setup_roles
from tests.factories import CityPageFactory, PracticePageFactory
from tests.practices.pdf_helpers import count_renders, pdf_text
from tests.search.data import member


class FactsheetAudienceTests(TestCase):
    """Members and the public each get their factsheet from storage after the first render."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.city = CityPageFactory(title="Audienceville")
        PracticePageFactory(title="Open practice", parent=cls.city)
        hidden = PracticePageFactory(title="Members practice quokka", parent=cls.city)
        make_members_only(hidden)
        cls.member = member()

    def download(self, as_member):
        """The factsheet's text, as a member or as an anonymous visitor."""
        self.client.logout()
        if as_member:
            self.client.force_login(self.member)
        return pdf_text(self.client.get(self.city.factsheet_url).getvalue())

    def test_alternating_audiences_render_each_factsheet_once(self):
        with count_renders() as renders:
            for _ in range(3):
                self.assertIn("Members practice quokka", self.download(as_member=True))
                self.assertNotIn("Members practice quokka", self.download(as_member=False))
        self.assertEqual(sorted(render["audience"] for render in renders), ["members", "public"])
