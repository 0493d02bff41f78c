"""The shortlist: add from cards and pages, compare side by side, one PDF, nothing hidden."""

from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse

from practices.roles import make_members_only
from practices.shortlist import SESSION_KEY
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import LeakFixtures


class ShortlistTestCase(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.picks = [
            PracticePageFactory(
                title=f"Shortlisted practice {n}",
                parent=cls.leak_city,
                sustainability_and_transferability=f"<p>Costs {n}000 euros a year.</p>",
            )
            for n in range(1, 6)
        ]

    def add(self, practice, next_url="/practices/"):
        return self.client.post(
            reverse("shortlist_add"), {"practice": practice.pk, "next": next_url}
        )


class ShortlistTests(ShortlistTestCase):
    def test_a_visitor_shortlists_three_practices_and_compares_them(self):
        search = self.client.get("/practices/")
        self.assertContains(search, reverse("shortlist_add"))
        self.assertContains(search, "Add to shortlist")
        for practice in self.picks[:3]:
            response = self.add(practice)
            self.assertRedirects(response, "/practices/", fetch_redirect_response=False)
        page = self.client.get(reverse("shortlist"))
        self.assertContains(page, "3 practices, kept in this browser")
        self.assertContains(page, "Shortlist (3)")  # the header link
        for practice in self.picks[:3]:
            self.assertContains(page, f'<th scope="col"><a href="{practice.url}">')
        self.assertContains(page, "Costs 2000 euros a year.")
        self.assertContains(page, "Not yet evaluated")
        ids = ",".join(str(p.pk) for p in self.picks[:3])
        self.assertContains(page, f'href="/sheets/bundle/?ids={ids}"')
        # The message after adding shows on the next page.
        self.add(self.picks[0])
        self.assertContains(self.client.get("/practices/"), "is on your shortlist already")

    def test_the_comparison_takes_up_to_four_and_the_ones_chosen(self):
        for practice in self.picks:
            self.add(practice)
        page = self.client.get(reverse("shortlist"))
        columns = page.content.decode().split("<tbody>")[0]
        self.assertEqual(columns.count('<th scope="col"><a href='), 4)
        chosen = self.client.get(
            reverse("shortlist"), {"compare": [self.picks[4].pk, self.picks[1].pk]}
        )
        header = chosen.content.decode().split("<tbody>")[0]
        self.assertIn("Shortlisted practice 5", header)
        self.assertIn("Shortlisted practice 2", header)
        self.assertNotIn("Shortlisted practice 1</a></th>", header)

    def test_removing_and_emptying(self):
        for practice in self.picks[:2]:
            self.add(practice)
        self.client.post(reverse("shortlist_remove"), {"practice": self.picks[0].pk})
        self.assertEqual(self.client.session[SESSION_KEY], [self.picks[1].pk])
        self.client.post(reverse("shortlist_remove"), {"practice": "all"})
        self.assertContains(self.client.get(reverse("shortlist")), "Your shortlist is empty")

    @override_settings(PRACTICE_SHORTLIST_MAX=2)
    def test_the_shortlist_has_a_limit_and_says_so(self):
        for practice in self.picks[:3]:
            self.add(practice)
        self.assertEqual(len(self.client.session[SESSION_KEY]), 2)
        self.assertContains(self.client.get(reverse("shortlist")), "the most it takes")

    def test_bad_input_changes_nothing(self):
        self.add(self.picks[0])
        for data in ({"practice": "abc"}, {"practice": ""}, {}):
            with self.subTest(data=data):
                response = self.client.post(reverse("shortlist_add"), data)
                self.assertEqual(response.status_code, 400)
        response = self.add(self.picks[1], next_url="https://evil.example/")
        self.assertRedirects(response, reverse("shortlist"), fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("shortlist_add")).status_code, 405)
        self.assertEqual(self.client.session[SESSION_KEY], [self.picks[0].pk, self.picks[1].pk])

    def test_a_visitor_without_a_session_gets_none_made(self):
        response = self.client.get("/practices/")
        self.assertNotIn("sessionid", response.cookies)
        self.assertNotContains(response, "Shortlist (")


class ShortlistLeakTests(ShortlistTestCase):
    def test_hidden_practices_cannot_be_added(self):
        for practice in (self.draft_practice, self.members_only_practice):
            with self.subTest(practice=practice.title):
                response = self.add(practice)
                self.assertEqual(response.status_code, 400)
                self.assert_nothing_leaked(response.content)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_a_practice_hidden_after_it_was_added_drops_out_everywhere(self):
        self.add(self.picks[0])
        self.add(self.picks[1])
        self.client.get("/practices/")  # shows (and so spends) the "added" messages
        make_members_only(self.picks[1])
        page = self.client.get(reverse("shortlist"))
        self.assertNotContains(page, "Shortlisted practice 2")
        self.assertContains(page, f'href="/sheets/bundle/?ids={self.picks[0].pk}"')
        self.assertContains(page, "One practice, kept in this browser")
        # A forged session holding hidden ids shows nothing of them.
        session = self.client.session
        session[SESSION_KEY] = [self.draft_practice.pk, self.members_only_practice.pk]
        session.save()
        page = self.client.get(reverse("shortlist"))
        self.assertContains(page, "Your shortlist is empty")
        self.assert_nothing_leaked(page.content)

    def test_a_member_compares_members_only_practices(self):
        member = UserFactory(username="member")
        member.groups.set([Group.objects.get(name="Members")])
        self.client.force_login(member)
        self.add(self.members_only_practice)
        self.assertContains(self.client.get(reverse("shortlist")), "Members-only practice zebra")
        self.client.logout()  # signing out ends the session and its shortlist
        self.assertNotContains(self.client.get(reverse("shortlist")), "zebra")
