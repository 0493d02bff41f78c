"""Curation: the listing's columns, the review statuses, the bulk actions and archive reasons."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, Workflow

from practices.models import KeyTheme, PracticePage
from tests.factories import CityPageFactory, NetworkPageFactory, PracticePageFactory, UserFactory


def bulk_url(action, pages):
    """The address Wagtail's bulk-action footer opens for the selected pages."""
    url = reverse("wagtail_bulk_action", args=("practices", "practicepage", action))
    ids = "&".join(f"id={page.pk}" for page in pages)
    return f"{url}?{ids}&next={reverse('curation:index')}"


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - timedelta(days=days)


class CurationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen")
        cls.editor = UserFactory(username="mechelen-editor", email="eva@mechelen.example")
        cls.editor.groups.set([Group.objects.get(name="City editors: Mechelen")])
        cls.colleague = UserFactory(username="colleague", email="cor@mechelen.example")
        cls.colleague.groups.set([Group.objects.get(name="City editors: Mechelen")])
        cls.curator = UserFactory(username="curator", email="carl@hub.example")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.network = NetworkPageFactory(title="Radicalisation Awareness Network", short_name="RAN")
        max_age = settings.PRACTICE_REVIEW_MAX_AGE_DAYS
        cls.never = PracticePageFactory(title="Never reviewed mentoring", parent=cls.city)
        cls.stale = PracticePageFactory(
            title="Stale sports club", parent=cls.city, last_reviewed=days_ago(max_age + 1)
        )
        cls.fresh = PracticePageFactory(
            title="Fresh family support", parent=cls.city, last_reviewed=days_ago(max_age - 1)
        )
        cls.draft = PracticePageFactory(title="Draft school project", parent=cls.city)
        cls.draft.unpublish()
        cls.archived = PracticePageFactory(
            title="Archived helpline", parent=cls.city, archived=True, archive_reason="Ended."
        )
        cls.in_review = PracticePageFactory(title="Reviewed exit programme", parent=cls.city)
        cls.never.networks.set([cls.network])
        cls.never.save()
        cls.in_review.save_revision(user=cls.editor)  # what "Submit for review" saves first
        Workflow.objects.get(name="Network review").start(cls.in_review, cls.editor)

    def listing(self, **params):
        self.client.force_login(self.curator)
        response = self.client.get(reverse("curation:index"), params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def row(self, content, title):
        """The listing's table row that holds `title`."""
        start = content.index(title)
        return content[content.rfind("<tr", 0, start) : content.index("</tr>", start)]


class ListingColumnTests(CurationTestCase):
    def test_a_curator_with_a_french_admin_reads_the_themes_in_french(self):
        from wagtail.users.models import UserProfile

        theme = self.never.key_themes.first()
        theme.label_fr = "Thème en français"
        theme.save()
        profile = UserProfile.get_for_user(self.curator)
        profile.preferred_language = "fr"
        profile.save()
        never = self.row(self.listing(), "Never reviewed mentoring")
        self.assertIn("Thème en français", never)
        self.assertNotIn(theme.label, never)

    def test_the_listing_shows_networks_themes_status_in_words_and_the_review_wait(self):
        content = self.listing()
        for heading in ("Networks", "Key themes", "Status", "Awaiting review since"):
            self.assertIn(heading, content)
        never = self.row(content, "Never reviewed mentoring")
        self.assertIn("RAN", never)
        for theme in self.never.key_themes.all():
            self.assertIn(theme.label, never)
        self.assertIn("Never reviewed", never)
        self.assertIn("Stale (review overdue)", self.row(content, "Stale sports club"))
        self.assertIn("Live (reviewed)", self.row(content, "Fresh family support"))
        self.assertNotIn("never reviewed", content)  # a code, never shown

        started = self.in_review.current_workflow_task_state.started_at
        waiting = self.row(content, "Reviewed exit programme")
        self.assertIn("In review", waiting)
        self.assertIn(timezone.localtime(started).strftime("%Y"), waiting)
        self.assertNotIn(timezone.localtime(started).strftime("%Y"), never.split("RAN")[1])

    def test_the_query_count_does_not_grow_with_the_rows(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                self.listing()
            return len(queries)

        count()  # the first request fills caches that are not per row
        before = count()
        themes = list(KeyTheme.objects.all()[2:4])
        for number in range(5):
            practice = PracticePageFactory(
                title=f"Extra {number}", parent=CityPageFactory(), key_themes=themes
            )
            practice.networks.set([self.network])
            practice.save()
        self.assertEqual(count(), before)

    def test_sorting_by_the_wait_puts_the_practices_in_review_first_either_way(self):
        for ordering in ("awaiting_review_since", "-awaiting_review_since"):
            with self.subTest(ordering=ordering):
                content = self.listing(ordering=ordering)
                self.assertLess(
                    content.index("Reviewed exit programme"),
                    content.index("Never reviewed mentoring"),
                )


class StatusTests(CurationTestCase):
    def test_never_reviewed_is_its_own_status_and_stale_means_reviewed_too_long_ago(self):
        statuses = {page.title: page.curation_status() for page in PracticePage.objects.all()}
        self.assertEqual(
            statuses,
            {
                "Never reviewed mentoring": "never reviewed",
                "Stale sports club": "stale",
                "Fresh family support": "live",
                "Draft school project": "draft",
                "Archived helpline": "archived",
                "Reviewed exit programme": "in review",
            },
        )
        self.assertFalse(PracticePage.objects.get(pk=self.never.pk).is_stale)
        self.assertTrue(PracticePage.objects.get(pk=self.stale.pk).is_stale)

    def test_the_filter_and_the_status_share_one_rule(self):
        for code in PracticePage.CURATION_STATUSES:
            with self.subTest(status=code):
                content = self.listing(status=code.replace(" ", "_"))
                for page in PracticePage.objects.all():
                    if page.curation_status() == code:
                        self.assertIn(page.title, content)
                    else:
                        self.assertNotIn(page.title, content)

    def test_an_unknown_status_is_refused_without_error(self):
        content = self.listing(status="bogus")
        self.assertIn("Select a valid choice", content)


class MarkReviewedTests(CurationTestCase):
    def test_a_curator_marks_three_practices_reviewed_and_the_log_says_so(self):
        pages = [self.never, self.stale, self.fresh]
        self.client.force_login(self.curator)
        confirm = self.client.get(bulk_url("mark_reviewed", pages))
        self.assertContains(confirm, "Yes, mark reviewed")
        response = self.client.post(bulk_url("mark_reviewed", pages), follow=True)
        self.assertContains(response, "3 practices are marked reviewed today.")
        for page in pages:
            page = PracticePage.objects.get(pk=page.pk)
            self.assertEqual(page.last_reviewed, today())
            self.assertEqual(page.curation_status(), "live")
            entry = PageLogEntry.objects.get(page=page, action="practices.mark_reviewed")
            self.assertEqual(entry.user, self.curator)

    def test_a_pending_draft_is_not_published_and_keeps_the_review_when_it_is(self):
        page = PracticePage.objects.get(pk=self.stale.pk)
        page.title = "Stale sports club, renamed in a draft"
        page.save_revision(user=self.editor)
        self.client.force_login(self.curator)
        self.client.post(bulk_url("mark_reviewed", [page]))
        live = PracticePage.objects.get(pk=page.pk)
        self.assertEqual(live.title, "Stale sports club")  # the draft is not published
        self.assertTrue(live.has_unpublished_changes)
        self.assertEqual(live.last_reviewed, today())
        live.get_latest_revision().publish()
        published = PracticePage.objects.get(pk=page.pk)
        self.assertEqual(published.title, "Stale sports club, renamed in a draft")
        self.assertEqual(published.last_reviewed, today())

    def test_select_all_in_listing_takes_the_listings_filter(self):
        url = reverse("wagtail_bulk_action", args=("practices", "practicepage", "mark_reviewed"))
        listing = reverse("curation:index") + "?status=stale"
        self.client.force_login(self.curator)
        response = self.client.post(url, {}, QUERY_STRING=f"id=all&next={listing}")
        self.assertRedirects(response, listing, fetch_redirect_response=False)
        reviewed = PracticePage.objects.filter(last_reviewed=today())
        self.assertEqual([page.title for page in reviewed], ["Stale sports club"])

    def test_a_draft_is_left_out(self):
        self.client.force_login(self.curator)
        confirm = self.client.get(bulk_url("mark_reviewed", [self.draft]))
        self.assertContains(confirm, "cannot be marked reviewed")
        self.client.post(bulk_url("mark_reviewed", [self.draft]))
        self.assertIsNone(PracticePage.objects.get(pk=self.draft.pk).last_reviewed)


class ArchiveWithReasonTests(CurationTestCase):
    REASON = "The project ended in 2023 and its website is gone."

    def test_bulk_archive_needs_a_reason_and_changes_nothing_without_one(self):
        self.client.force_login(self.curator)
        url = bulk_url("archive_with_reason", [self.never, self.fresh])
        self.assertContains(self.client.get(url), "Reason for archiving")
        response = self.client.post(url, {"reason": "   "})
        self.assertContains(response, "This field is required.")
        self.assertFalse(
            PracticePage.objects.filter(pk__in=[self.never.pk, self.fresh.pk], archived=True)
        )
        self.assertEqual(mail.outbox, [])

    def test_bulk_archive_sets_the_reason_logs_it_and_emails_each_city_editor(self):
        self.client.force_login(self.curator)
        url = bulk_url("archive_with_reason", [self.never])
        response = self.client.post(url, {"reason": self.REASON}, follow=True)
        self.assertContains(response, "1 practice is archived")
        page = PracticePage.objects.get(pk=self.never.pk)
        self.assertTrue(page.archived)
        self.assertTrue(page.live)
        self.assertEqual(page.archive_reason, self.REASON)
        entry = PageLogEntry.objects.get(page=page, action="practices.archive")
        self.assertEqual(entry.data["reason"], self.REASON)

        self.assertEqual(
            sorted(address for message in mail.outbox for address in message.to),
            ["cor@mechelen.example", "eva@mechelen.example"],
        )
        message = mail.outbox[0]
        self.assertEqual(len(message.to), 1)  # editors do not see each other's addresses
        self.assertIn("Never reviewed mentoring", message.subject)
        self.assertIn(self.REASON, message.body)
        self.assertIn(page.full_url, message.body)

        self.client.logout()
        public = self.client.get(page.url)
        self.assertContains(public, "Archived practice.")
        self.assertContains(public, self.REASON)

    def test_the_single_archive_view_asks_for_the_reason_and_restoring_clears_it(self):
        self.client.force_login(self.curator)
        url = reverse("practices_archive", args=[self.fresh.pk])
        self.assertContains(self.client.get(url), "Reason for archiving")
        refused = self.client.post(url, {"reason": ""})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(PracticePage.objects.get(pk=self.fresh.pk).archived)

        self.client.post(url, {"reason": "<script>alert(1)</script> Merged into another."})
        page = PracticePage.objects.get(pk=self.fresh.pk)
        self.assertTrue(page.archived)
        self.assertEqual(len(mail.outbox), 2)
        public = self.client.get(page.url).content.decode()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Merged into another.", public)
        self.assertNotIn("<script>alert(1)", public)

        self.client.post(url)  # restore
        page = PracticePage.objects.get(pk=self.fresh.pk)
        self.assertFalse(page.archived)
        self.assertEqual(page.archive_reason, "")
        self.assertNotIn("Merged into another", self.client.get(page.url).content.decode())


class PermissionTests(CurationTestCase):
    def test_a_city_editor_is_refused_both_actions_and_nothing_changes(self):
        self.client.force_login(self.editor)
        for action, data in (("mark_reviewed", {}), ("archive_with_reason", {"reason": "No."})):
            with self.subTest(action=action):
                url = bulk_url(action, [self.never])
                # Wagtail's admin answers a refusal with its dashboard and a message.
                for response in (self.client.get(url), self.client.post(url, data)):
                    self.assertRedirects(response, reverse("wagtailadmin_home"))
        page = PracticePage.objects.get(pk=self.never.pk)
        self.assertIsNone(page.last_reviewed)
        self.assertFalse(page.archived)
        self.assertEqual(mail.outbox, [])

    def test_the_actions_show_in_the_curation_listing_only(self):
        self.assertIn("Archive with a reason", self.listing())
        self.client.force_login(self.editor)
        explorer = self.client.get(reverse("wagtailadmin_explore", args=[self.city.pk]))
        self.assertEqual(explorer.status_code, 200)
        self.assertNotContains(explorer, "Mark reviewed")
        self.assertNotContains(explorer, "Archive with a reason")
