"""Anonymous visitors cannot exhaust the site with PDF bundles (issue 12, finding 2).

Bundles are rendered by the worker (tests/search/test_background_tasks.py); here, the limits
on how many new renders one visitor, and all anonymous visitors together, may queue.
"""

from django.core.cache import cache
from django.test import TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from tests.factories import CityPageFactory, PracticePageFactory, UserFactory

BUNDLE_URL = "/sheets/bundle/"
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(
    TASKS=QUEUE,
    PRACTICE_BUNDLE_RENDERS_PER_VISITOR=3,
    PRACTICE_BUNDLE_ANONYMOUS_RENDERS=5,
    PRACTICE_BUNDLE_WINDOW=600,
)
class BundleLimitTests(TestCase):
    """New renders are counted per visitor and for all anonymous visitors together."""

    @classmethod
    def setUpTestData(cls):
        city = CityPageFactory(title="Limitville")
        cls.practices = [
            PracticePageFactory(title=f"Practice {n}", slug=f"practice-{n}", parent=city)
            for n in range(8)
        ]

    def setUp(self):
        cache.clear()

    def ask(self, n, ip="203.0.113.1"):
        """Ask for the bundle of the first n practices (a distinct bundle for each n)."""
        ids = ",".join(str(page.pk) for page in self.practices[:n])
        return self.client.get(BUNDLE_URL, {"ids": ids}, REMOTE_ADDR=ip)

    def test_a_visitor_is_asked_to_wait_after_their_share_of_new_bundles(self):
        for n in (1, 2, 3):
            self.assertEqual(self.ask(n).status_code, 202)
        refused = self.ask(4)
        self.assertContains(refused, "You have asked for many new PDF bundles", status_code=429)
        self.assertGreater(int(refused["Retry-After"]), 0)
        bundles = DBTaskResult.objects.filter(
            task_path="practices.sheets.bundles.render_bundle_task"
        )
        self.assertEqual(bundles.count(), 3)  # nothing queued for the refused one
        # Asking again for a bundle already queued costs nothing.
        self.assertEqual(self.ask(2).status_code, 202)
        # Another visitor still may.
        self.assertEqual(self.ask(4, ip="203.0.113.2").status_code, 202)

    def test_all_anonymous_visitors_together_have_a_cap(self):
        for n in range(1, 6):
            self.assertEqual(self.ask(n, ip=f"198.51.100.{n}").status_code, 202)
        self.assertEqual(self.ask(6, ip="198.51.100.99").status_code, 429)
        # A signed-in reader is not held back by the anonymous cap.
        self.client.force_login(UserFactory(username="limit-reader"))
        self.assertEqual(self.ask(6, ip="198.51.100.99").status_code, 202)
