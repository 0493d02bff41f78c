"""Follow a search: its Atom feed (read with feedparser), saved searches and their digests."""

from datetime import timedelta
from io import StringIO

import feedparser
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from practices.follow import queue_due_digests, unsubscribe_token
from practices.models import KeyTheme, SavedSearch
from practices.roles import make_members_only
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import LeakFixtures


class FollowTestCase(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.theme = KeyTheme.objects.order_by("pk").first()
        # Published again with the theme, so that the index has it (the draft stays a draft).
        for practice in (cls.public_practice, cls.members_only_practice):
            practice.key_themes.add(cls.theme)
            practice.save_revision().publish()
        cls.draft_practice.key_themes.add(cls.theme)
        cls.member = UserFactory(username="member", email="member@city.example")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def theme_practice(self, title, **fields):
        """A newly published practice with the followed theme."""
        practice = PracticePageFactory(title=title, parent=self.leak_city, **fields)
        practice.key_themes.add(self.theme)
        practice.save_revision().publish()
        return practice


class SearchFeedTests(FollowTestCase):
    def test_every_search_has_an_atom_feed_of_its_matches(self):
        page = self.client.get("/practices/", {"theme": self.theme.slug})
        self.assertContains(page, f'href="/feeds/search.atom?theme={self.theme.slug}"')
        self.assertContains(page, 'type="application/atom+xml"')
        newer = self.theme_practice("Newer theme practice")
        feed = feedparser.parse(
            self.client.get("/feeds/search.atom", {"theme": self.theme.slug}).content
        )
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        self.assertIn(str(self.theme.label), feed.feed.title)
        titles = [entry.title for entry in feed.entries]
        self.assertEqual(titles[0], "Newer theme practice")  # newest first
        self.assertIn("Openly listed practice", titles)
        self.assertTrue(all(entry.link.startswith("http://testserver/") for entry in feed.entries))
        other = self.client.get("/feeds/search.atom", {"q": "walrus zebra narwhal"})
        self.assertEqual(feedparser.parse(other.content).entries, [])
        del newer

    def test_the_feed_of_a_search_leaks_nothing(self):
        for query in ({"theme": self.theme.slug}, {}, {"q": "practice"}):
            with self.subTest(query=query):
                response = self.client.get("/feeds/search.atom", query)
                self.assertEqual(response.status_code, 200)
                self.assert_nothing_leaked(response.content)
        # Signed in as a member, the feed is still what anyone sees (it is shared).
        self.client.force_login(self.member)
        self.assert_nothing_leaked(self.client.get("/feeds/search.atom").content)

    def test_nonsense_in_the_query_is_ignored(self):
        response = self.client.get(
            "/feeds/search.atom", {"theme": "atlantis", "page": "x", "sort": "?"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(feedparser.parse(response.content).bozo)


class SavedSearchTests(FollowTestCase):
    def save(self, query, frequency="weekly"):
        return self.client.post(
            reverse("saved_search_save"), {"query": query, "frequency": frequency}
        )

    def test_visitors_are_asked_to_sign_in_and_members_save(self):
        page = self.client.get("/practices/", {"theme": self.theme.slug})
        self.assertContains(page, "to get what is new for this search by e-mail")
        response = self.save(f"theme={self.theme.slug}")
        self.assertIn("/login/", response["Location"])
        self.assertFalse(SavedSearch.objects.exists())

        self.client.force_login(self.member)
        page = self.client.get("/practices/", {"theme": self.theme.slug})
        self.assertContains(page, "Save this search")
        response = self.save(f"theme={self.theme.slug}&page=3&theme=atlantis")
        self.assertRedirects(
            response, f"/practices/?theme={self.theme.slug}", fetch_redirect_response=False
        )
        saved = SavedSearch.objects.get()
        self.assertEqual((saved.query, saved.frequency), (f"theme={self.theme.slug}", "weekly"))
        self.assertIn(str(self.theme.label), saved.description)
        self.save(f"theme={self.theme.slug}", frequency="monthly")  # the same search again
        self.assertEqual(SavedSearch.objects.get().frequency, "monthly")
        listing = self.client.get(reverse("saved_searches"))
        self.assertContains(listing, saved.description)
        self.client.post(reverse("saved_searches"), {"search": saved.pk, "action": "delete"})
        self.assertFalse(SavedSearch.objects.exists())

    def test_bad_input_changes_nothing(self):
        self.client.force_login(self.member)
        self.assertEqual(self.save("q=x", frequency="hourly").status_code, 400)
        self.assertFalse(SavedSearch.objects.exists())
        other = UserFactory(username="other")
        theirs = SavedSearch.objects.create(user=other, query="q=x", description="x")
        response = self.client.post(
            reverse("saved_searches"), {"search": theirs.pk, "action": "delete"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertTrue(SavedSearch.objects.filter(pk=theirs.pk).exists())


class DigestTests(FollowTestCase):
    def follow(self, user, frequency="weekly", days_ago=8):
        saved = SavedSearch.objects.create(
            user=user, query=f"theme={self.theme.slug}", description="Theme", frequency=frequency
        )
        SavedSearch.objects.filter(pk=saved.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        saved.refresh_from_db()
        return saved

    def test_the_digest_sends_new_matching_practices_the_user_may_see(self):
        saved = self.follow(self.member)
        with self.captureOnCommitCallbacks(execute=True):
            new = self.theme_practice("Fresh theme practice")
            hidden = self.theme_practice("Fresh members practice zebra")
            make_members_only(hidden)
            self.theme_practice("Fresh draft walrus").unpublish()
            PracticePageFactory(title="Fresh practice on something else", parent=self.leak_city)
        self.assertEqual(queue_due_digests(), 1)
        (digest,) = mail.outbox
        self.assertEqual(digest.to, ["member@city.example"])
        self.assertIn(new.full_url, digest.body)
        self.assertIn("Fresh members practice zebra", digest.body)  # a member may see it
        self.assertNotIn("Fresh draft walrus", digest.body)
        self.assertNotIn("something else", digest.body)
        self.assertIn(
            reverse("saved_search_unsubscribe", args=[unsubscribe_token(saved)]), digest.body
        )
        self.assertIn("List-Unsubscribe", digest.extra_headers)
        # Sent: not due again until next week, and nothing new means no e-mail.
        mail.outbox.clear()
        self.assertEqual(queue_due_digests(), 0)
        saved.refresh_from_db()
        self.assertIsNotNone(saved.last_sent_at)

    def test_a_visitor_without_membership_gets_only_public_practices(self):
        someone = UserFactory(username="someone", email="someone@city.example")
        self.follow(someone)
        with self.captureOnCommitCallbacks(execute=True):
            hidden = self.theme_practice("Fresh members practice zebra")
            make_members_only(hidden)
            self.theme_practice("Fresh public practice")
        queue_due_digests()
        (digest,) = mail.outbox
        self.assertIn("Fresh public practice", digest.body)
        self.assert_nothing_leaked(digest.body)
        self.assertNotIn("zebra", digest.body)

    def test_monthly_waits_a_month_and_an_empty_digest_is_not_sent(self):
        self.follow(self.member, frequency="monthly", days_ago=8)
        self.assertEqual(queue_due_digests(), 0)
        SavedSearch.objects.update(created_at=timezone.now() - timedelta(days=31))
        out = StringIO()
        call_command("send_search_digests", stdout=out)
        self.assertIn("1 saved-search digest(s) queued.", out.getvalue())
        (digest,) = mail.outbox  # what was published in the month
        self.assertIn("Openly listed practice", digest.body)
        # A search with nothing new sends nothing.
        mail.outbox.clear()
        SavedSearch.objects.update(
            query="q=nothingmatchesthis", last_sent_at=timezone.now() - timedelta(days=31)
        )
        self.assertEqual(queue_due_digests(), 1)
        self.assertEqual(mail.outbox, [])

    def test_the_unsubscribe_link_works_without_signing_in(self):
        saved = self.follow(self.member)
        url = reverse("saved_search_unsubscribe", args=[unsubscribe_token(saved)])
        page = self.client.get(url)
        self.assertContains(page, "Stop the e-mails")
        self.assertTrue(SavedSearch.objects.filter(pk=saved.pk).exists())  # a GET changes nothing
        self.assertContains(self.client.post(url), "you get no more e-mails")
        self.assertFalse(SavedSearch.objects.filter(pk=saved.pk).exists())
        forged = reverse("saved_search_unsubscribe", args=[unsubscribe_token(saved)[:-2] + "xx"])
        self.assertEqual(self.client.get(forged).status_code, 404)
