"""Contact the team behind a practice: the relay, its privacy rules and its limits."""

from unittest import mock

from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from practices.contact import fingerprint
from practices.models import ContactMessage
from tests.factories import NetworkPageFactory, PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures

MESSAGE = {
    "name": "Anna Visitor",
    "organisation": "City of Ghent",
    "email": "anna@ghent.example",
    "message": "We would like to know how you trained the youth workers for this.",
}


class ContactTestCase(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.editor = UserFactory(username="leakton-editor", email="editor@leakton.example")
        cls.editor.groups.set([Group.objects.get(name="City editors: Leakton")])
        cls.curator = UserFactory(username="curator", email="curator@hub.example")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def setUp(self):
        cache.clear()  # the per-visitor counts

    def contact_url(self, practice):
        return practice.url + "contact/"

    def send(self, practice, **changes):
        return self.client.post(self.contact_url(practice), {**MESSAGE, **changes})


class RelayTests(ContactTestCase):
    def test_a_message_without_public_contact_goes_to_the_city_editors_and_is_then_forgotten(
        self,
    ):
        page = self.client.get(self.contact_url(self.public_practice))
        self.assertContains(page, "Your message goes by e-mail to the editors of Leakton.")
        self.assert_nothing_leaked(page.content)
        self.assertNotContains(page, "editor@leakton.example")

        response = self.send(self.public_practice)
        self.assertRedirects(response, self.contact_url(self.public_practice) + "sent/")
        relayed, copy = mail.outbox
        self.assertEqual(relayed.to, ["editor@leakton.example"])
        self.assertEqual(relayed.reply_to, ["anna@ghent.example"])
        self.assertIn("Openly listed practice", relayed.subject)
        self.assertIn(MESSAGE["message"], relayed.body)
        self.assertIn("Anna Visitor (City of Ghent) <anna@ghent.example>", relayed.body)
        self.assertIn(self.public_practice.full_url, relayed.body)
        self.assertNotIn(SECRET_CONTACT, relayed.body)  # the contact did not consent
        # The sender's copy names who it went to, never their address.
        self.assertEqual(copy.to, ["anna@ghent.example"])
        self.assertIn("was sent to the editors of Leakton", copy.body)
        self.assertIn(MESSAGE["message"], copy.body)
        for message in (copy.subject, copy.body):
            self.assertNotIn("editor@leakton.example", message)
            self.assertNotIn(SECRET_CONTACT, message)
            self.assertNotIn("Secret Person", message)
        # Delivered: only what an audit needs stays.
        kept = ContactMessage.objects.get()
        self.assertEqual(
            (kept.sender_name, kept.sender_organisation, kept.sender_email, kept.message),
            ("", "", "", ""),
        )
        self.assertEqual((kept.recipients, kept.recipient_count), ("city_editors", 1))
        self.assertEqual(kept.sender_fingerprint, fingerprint("Anna@Ghent.example "))
        self.assertIsNotNone(kept.delivered_at)
        self.assertContains(
            self.client.get(self.contact_url(self.public_practice) + "sent/"),
            "Your message is on its way",
        )

    def test_a_consenting_contact_gets_the_message_and_the_visitor_still_sees_no_address(self):
        practice = PracticePageFactory(
            parent=self.leak_city, contact_email="team@open.example", contact_consent=True
        )
        page = self.client.get(self.contact_url(practice))
        self.assertContains(page, "to the practice&#x27;s contact person")
        self.assertNotContains(page, "team@open.example")
        self.send(practice)
        self.assertEqual(mail.outbox[0].to, ["team@open.example"])
        self.assertNotIn("team@open.example", mail.outbox[1].body)

    def test_a_network_practice_goes_to_the_curators(self):
        network = NetworkPageFactory(title="Efus", short_name="Efus")
        practice = PracticePageFactory(parent=network, contact_email="", contact_consent=False)
        self.send(practice)
        self.assertEqual(mail.outbox[0].to, ["curator@hub.example"])
        self.assertEqual(ContactMessage.objects.get().recipients, "curators")

    def test_a_city_without_editors_falls_back_to_the_curators(self):
        self.editor.groups.clear()
        self.send(self.public_practice)
        self.assertEqual(mail.outbox[0].to, ["curator@hub.example"])

    def test_with_nobody_to_reach_the_page_says_so_and_takes_no_message(self):
        self.editor.groups.clear()
        self.curator.delete()
        page = self.client.get(self.contact_url(self.public_practice))
        self.assertContains(page, "cannot be reached through the hub yet")
        self.assertNotContains(page, "Send the message")
        self.send(self.public_practice)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(ContactMessage.objects.exists())

    def test_the_practice_page_offers_the_form(self):
        page = self.client.get(self.public_practice.url)
        self.assertContains(page, f'href="{self.contact_url(self.public_practice)}"')
        self.assertContains(page, "Write to the team behind this practice")

    def test_curators_see_how_many_messages_a_practice_received(self):
        self.send(self.public_practice)
        self.send(self.public_practice, email="bob@ghent.example")
        self.client.force_login(self.curator)
        listing = self.client.get(reverse("curation:index"), {"city": self.leak_city.pk})
        self.assertContains(listing, "Messages")
        rows = listing.content.decode().split("<tr")
        row = next(r for r in rows if "Openly listed practice" in r)
        self.assertIn(">2<", row.replace(" ", "").replace("\n", ""))
        self.assertNotContains(listing, MESSAGE["message"])  # a count, not the text


class BadInputTests(ContactTestCase):
    def test_missing_and_wrong_fields_are_all_listed_and_nothing_is_sent(self):
        response = self.send(self.public_practice, email="not an address", message="Hi", name="")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Your message was not sent", status_code=400)
        for field in ("id_name", "id_email", "id_message"):
            self.assertContains(response, f'href="#{field}"', status_code=400)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(ContactMessage.objects.exists())

    def test_a_robot_that_fills_the_hidden_field_is_thanked_and_nothing_is_sent(self):
        response = self.send(self.public_practice, homepage="http://spam.example")
        self.assertRedirects(response, self.contact_url(self.public_practice) + "sent/")
        self.assertEqual(mail.outbox, [])
        self.assertFalse(ContactMessage.objects.exists())

    def test_a_post_without_the_csrf_token_is_refused(self):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            self.contact_url(self.public_practice), MESSAGE
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(mail.outbox, [])

    @override_settings(PRACTICE_CONTACT_MESSAGES_PER_VISITOR=5, PRACTICE_CONTACT_WINDOW=60)
    def test_a_hundred_posts_from_one_address_in_a_minute_send_at_most_the_limit(self):
        # One instant for all of them: limits count in fixed windows, and a slow run that
        # crossed a window's end would rightly get a fresh allowance there.
        now = timezone.now()
        with mock.patch("practices.limits.timezone.now", return_value=now):
            statuses = [self.send(self.public_practice).status_code for _ in range(100)]
            self.assert_the_limit_held(statuses)

    def assert_the_limit_held(self, statuses):
        """Five messages went, the other 95 were refused, and another visitor still may send."""
        self.assertEqual(statuses.count(302), 5)
        self.assertEqual(statuses.count(429), 95)
        self.assertEqual(ContactMessage.objects.count(), 5)
        self.assertEqual(len(mail.outbox), 10)  # five messages, five copies
        refused = self.send(self.public_practice)
        self.assertContains(refused, "as many messages as one visitor may", status_code=429)
        # Another visitor is not held back by the first.
        other = self.client.post(
            self.contact_url(self.public_practice), MESSAGE, REMOTE_ADDR="10.0.0.2"
        )
        self.assertEqual(other.status_code, 302)


class ContactLeakTests(ContactTestCase):
    """Drafts and members-only practices have no contact form; no address leaks anywhere."""

    def test_members_only_and_draft_practices_have_no_form_for_visitors(self):
        for practice, expected in (
            (self.members_only_practice, 302),  # to sign in
            (self.draft_practice, 404),
        ):
            for method in ("get", "post"):
                with self.subTest(practice=practice.title, method=method):
                    url = self.contact_url(practice)
                    response = getattr(self.client, method)(url, MESSAGE)
                    self.assertEqual(response.status_code, expected)
                    if expected == 302:
                        self.assertIn("/login/", response["Location"])
                        self.assert_nothing_leaked(response.content)
                    else:  # the not-found page repeats the address asked for, nothing more
                        self.assertNotIn(b"Draft practice walrus", response.content)
                        self.assertNotIn(SECRET_CONTACT.encode(), response.content)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(ContactMessage.objects.exists())

    def test_a_member_may_write_about_a_members_only_practice(self):
        member = UserFactory(username="member")
        member.groups.set([Group.objects.get(name="Members")])
        self.client.force_login(member)
        response = self.send(self.members_only_practice)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(mail.outbox[0].to, ["editor@leakton.example"])

    def test_no_page_of_the_relay_shows_the_unconsented_contact(self):
        for url in (
            self.contact_url(self.public_practice),
            self.contact_url(self.public_practice) + "sent/",
        ):
            with self.subTest(url=url):
                self.assert_nothing_leaked(self.client.get(url).content)
        invalid = self.send(self.public_practice, message="short")
        self.assert_nothing_leaked(invalid.content)
