"""Requesting member access: the public form, the curators' decision, the new member's password."""

import re
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from practices.models import MemberAccessRequest
from tests.factories import UserFactory
from tests.leaks import LeakFixtures

REQUEST = {
    "name": "Bert Practitioner",
    "email": "bert@antwerp.example",
    "organisation": "City of Antwerp, prevention service",
    "reason": "I coordinate our local prevention network and would like to read the RAN practices.",
}


class MemberAccessTestCase(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.curator = UserFactory(username="curator", email="curator@hub.example")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.editor = UserFactory(username="leakton-editor")
        cls.editor.groups.set([Group.objects.get(name="City editors: Leakton")])

    def setUp(self):
        cache.clear()

    def ask(self, **changes):
        return self.client.post(reverse("request_access"), {**REQUEST, **changes})

    def decide(self, access_request, decision):
        self.client.force_login(self.curator)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse(f"member_requests:{decision}", args=[access_request.pk]), follow=True
            )


class RequestTests(MemberAccessTestCase):
    def test_the_sign_in_page_offers_the_request_and_curators_are_told(self):
        login = self.client.get(reverse("login"))
        self.assertContains(login, f'href="{reverse("request_access")}"')
        response = self.ask()
        self.assertRedirects(response, reverse("request_access_sent"))
        access_request = MemberAccessRequest.objects.get()
        self.assertEqual(access_request.status, "pending")
        (told,) = mail.outbox
        self.assertEqual(told.to, ["curator@hub.example"])
        self.assertIn("Bert Practitioner", told.subject)
        self.assertIn(REQUEST["reason"], told.body)
        self.assertIn(reverse("member_requests:detail", args=[access_request.pk]), told.body)

    def test_bad_input_is_listed_and_nothing_is_kept(self):
        response = self.ask(email="nope", reason="")
        self.assertContains(response, "Your request was not sent", status_code=400)
        self.assertContains(response, 'href="#id_email"', status_code=400)
        self.assertContains(response, 'href="#id_reason"', status_code=400)
        self.assertFalse(MemberAccessRequest.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_robots_are_dropped_in_silence(self):
        self.assertRedirects(self.ask(homepage="x"), reverse("request_access_sent"))
        self.assertFalse(MemberAccessRequest.objects.exists())

    @override_settings(PRACTICE_CONTACT_MESSAGES_PER_VISITOR=3)
    def test_one_visitor_cannot_flood_the_curators(self):
        statuses = [self.ask().status_code for _ in range(20)]
        self.assertEqual((statuses.count(302), statuses.count(429)), (3, 17))
        self.assertEqual(MemberAccessRequest.objects.count(), 3)


class DecisionTests(MemberAccessTestCase):
    def test_an_approved_person_chooses_a_password_signs_in_and_reads_members_only(self):
        self.ask()
        access_request = MemberAccessRequest.objects.get()
        mail.outbox.clear()
        self.client.force_login(self.curator)
        detail = self.client.get(reverse("member_requests:detail", args=[access_request.pk]))
        self.assertContains(detail, REQUEST["reason"])
        response = self.decide(access_request, "approve")
        self.assertContains(response, "is a member now")
        user = get_user_model().objects.get(email="bert@antwerp.example")
        self.assertTrue(user.groups.filter(name="Members").exists())
        self.assertFalse(user.has_usable_password())
        (approved,) = mail.outbox
        self.assertEqual(approved.to, ["bert@antwerp.example"])
        link = re.search(r"http://testserver(/accounts/password/\S+)", approved.body).group(1)

        self.client.logout()
        page = self.client.get(link, follow=True)
        self.assertContains(page, "Choose your password")
        set_url = page.redirect_chain[-1][0]
        done = self.client.post(
            set_url,
            {"new_password1": "a long new pass phrase", "new_password2": "a long new pass phrase"},
            follow=True,
        )
        self.assertContains(done, "Your password is set")
        signed_in = self.client.post(
            reverse("login"), {"username": user.username, "password": "a long new pass phrase"}
        )
        self.assertRedirects(signed_in, "/", fetch_redirect_response=False)
        self.assertContains(
            self.client.get(self.members_only_practice.url), "Members-only practice zebra"
        )
        # The link works once.
        self.client.logout()
        self.assertContains(self.client.get(link, follow=True), "has been used already")

    def test_an_existing_account_is_made_a_member_without_a_second_account(self):
        existing = UserFactory(username="bert", email="Bert@Antwerp.example")
        self.ask()
        mail.outbox.clear()
        self.decide(MemberAccessRequest.objects.get(), "approve")
        self.assertEqual(get_user_model().objects.filter(email__iexact=REQUEST["email"]).count(), 1)
        self.assertTrue(existing.groups.filter(name="Members").exists())
        self.assertIn("Sign in with the password you already have", mail.outbox[0].body)
        self.assertNotIn("/accounts/password/", mail.outbox[0].body)

    def test_a_declined_request_is_told_and_decided_once(self):
        self.ask()
        access_request = MemberAccessRequest.objects.get()
        mail.outbox.clear()
        self.decide(access_request, "decline")
        access_request.refresh_from_db()
        self.assertEqual((access_request.status, access_request.reason), ("declined", ""))
        self.assertIn("could not approve", mail.outbox[0].body)
        again = self.decide(access_request, "approve")
        self.assertContains(again, "already decided")
        self.assertFalse(get_user_model().objects.filter(email=REQUEST["email"]).exists())


class MemberAccessLeakTests(MemberAccessTestCase):
    def test_visitors_members_and_editors_cannot_see_or_decide_requests(self):
        self.ask()
        access_request = MemberAccessRequest.objects.get()
        member = UserFactory(username="member")
        member.groups.set([Group.objects.get(name="Members")])
        urls = [
            ("get", reverse("member_requests:index")),
            ("get", reverse("member_requests:detail", args=[access_request.pk])),
            ("post", reverse("member_requests:approve", args=[access_request.pk])),
            ("post", reverse("member_requests:decline", args=[access_request.pk])),
        ]
        for user in (None, member, self.editor):
            for method, url in urls:
                with self.subTest(user=user, url=url):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertNotIn("member-requests", urlsplit(response["Location"]).path)
                    followed = self.client.get(response["Location"])
                    for content in (response.content, followed.content):
                        self.assertNotIn(REQUEST["email"].encode(), content)
                        self.assertNotIn(REQUEST["reason"].encode(), content)
        access_request.refresh_from_db()
        self.assertEqual(access_request.status, "pending")

    def test_the_public_pages_show_nothing_hidden(self):
        for url in (reverse("request_access"), reverse("request_access_sent")):
            self.assert_nothing_leaked(self.client.get(url).content)
