"""E-mails in the recipient's language (issue 18, item 2).

An editor or curator reads e-mail in the language they chose for the admin (Wagtail's preferred
language); a visitor writing through a public form in the language of the page they wrote from.
The French catalogue is being translated as these tests are written, so most of them check the
mechanism through what Django and Wagtail translate already (the month's name, Wagtail's own
greeting) and the language prefix of the links. One checks our own French words and runs once
the catalogue is compiled (`make messages` builds the .mo files): the subjects "Changes
requested: …" and "Your message about …", translated in locale/fr/LC_MESSAGES/django.po.
"""

import datetime
import os
from pathlib import Path
from unittest import mock, skipIf, skipUnless

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from wagtail.models import TaskState
from wagtail.users.models import UserProfile

from practices import contact
from practices.curation import set_archived
from practices.follow import queue_due_digests
from practices.models import KeyTheme, PracticePage, SavedSearch, TargetAudience
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.practices.editor import practice_form

SITE = "https://practices.example.org"
FRENCH_COMPILED = (Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.mo").exists()


def prefer(user, language):
    """Set the admin language `user` chose in their account (Wagtail's profile)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def dates(day):
    """(French month name, French date, English date) of `day`, as Django writes them."""
    with translation.override("fr"):
        french = formats.date_format(day, "F"), formats.date_format(day, "DATE_FORMAT")
    with translation.override("en"):
        return (*french, formats.date_format(day, "DATE_FORMAT"))


def full_url(page, language="en"):
    """The page's address in `language` (the test thread's own language may be any)."""
    with translation.override(language):
        return page.full_url


@override_settings(WAGTAILADMIN_BASE_URL=SITE)
class ChangesRequestedTests(TestCase):
    """Wagtail sends the 'changes requested' e-mail; ours are its templates and city editors."""

    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen")
        editors = Group.objects.get(name="City editors: Mechelen")
        cls.editor = UserFactory(username="editor", first_name="Eva", email="eva@mechelen.example")
        cls.editor.groups.set([editors])
        cls.colleague = UserFactory(username="colleague", email="cor@mechelen.example")
        cls.colleague.groups.set([editors])
        cls.curator = UserFactory(username="curator", first_name="Carl", last_name="Curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def request_changes(self):
        """The editor submits a new practice; the curator (in English) asks for changes."""
        self.client.force_login(self.editor)
        form = practice_form(
            "Youth outreach",
            themes=list(KeyTheme.objects.all()[:2]),
            audiences=[TargetAudience.objects.first()],
            action="action-submit",
        )
        add = reverse("wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk))
        self.client.post(add, form)
        page = PracticePage.objects.get(title="Youth outreach")
        self.client.force_login(self.curator)
        task_state = page.current_workflow_task_state
        mail.outbox.clear()
        url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", task_state.pk])
        self.client.post(url, {"comment": "Say who runs it."}, HTTP_ACCEPT_LANGUAGE="en")
        return page

    def to(self, address):
        return next(message for message in mail.outbox if message.to == [address])

    def test_a_french_speaking_editor_gets_it_in_french_a_colleague_in_english(self):
        prefer(self.editor, "fr")
        page = self.request_changes()
        finished = TaskState.objects.get(workflow_state__object_id=str(page.pk)).finished_at
        french_month, french_date, english_date = dates(timezone.localtime(finished))

        french = self.to("eva@mechelen.example")
        # Django's French date (the month's name) and Wagtail's own French greeting.
        self.assertIn(french_date, french.body)
        self.assertIn(french_month, french.body)
        with translation.override("fr"):
            greeting = translation.gettext("Hello %(username)s,") % {"username": "Eva"}
        self.assertNotEqual(greeting, "Hello Eva,")  # Wagtail ships French
        self.assertIn(greeting, french.body)
        self.assertIn("Say who runs it.", french.body)

        english = self.to("cor@mechelen.example")  # no preference: the site's language
        self.assertIn(english_date, english.body)
        self.assertNotIn(french_month, english.body)
        self.assertIn("has requested changes", english.body)

    @skipUnless(FRENCH_COMPILED, "the French catalogue is not compiled (make messages)")
    def test_the_french_subject_once_the_catalogue_is_compiled(self):
        prefer(self.editor, "fr")
        self.request_changes()
        with translation.override("fr"):
            french = translation.gettext('Changes requested: "%(title)s"')
        # The catalogue has it (today "Modifications demandées : « … »"), and the e-mail uses it.
        self.assertNotEqual(french, 'Changes requested: "%(title)s"')
        self.assertEqual(
            self.to("eva@mechelen.example").subject, french % {"title": "Youth outreach"}
        )
        self.assertEqual(
            self.to("cor@mechelen.example").subject, 'Changes requested: "Youth outreach"'
        )


@override_settings(WAGTAILADMIN_BASE_URL=SITE)
class PublicFormTests(TestCase):
    """A visitor's copy follows the page they wrote from, whatever the worker's language."""

    MESSAGE = {
        "name": "Anne Visiteuse",
        "organisation": "Ville de Lyon",
        "email": "anne@lyon.example",
        "message": "Comment avez-vous formé les animateurs de quartier pour ce projet ?",
    }

    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Leuven")
        cls.practice = PracticePageFactory(title="Neighbourhood mentors", parent=cls.city)
        cls.editor = UserFactory(username="leuven-editor", email="editor@leuven.example")
        cls.editor.groups.set([Group.objects.get(name="City editors: Leuven")])

    def setUp(self):
        cache.clear()  # the per-visitor counts

    def write_from(self, language):
        """Post the contact form of the page in `language`; deliver as the worker would."""
        with translation.override(language):
            url = self.practice.url + "contact/"
        with mock.patch.object(contact, "deliver_contact_message") as queued:
            response = self.client.post(url, self.MESSAGE)
        self.assertEqual(response.status_code, 302)
        (message_id,), _kwargs = queued.enqueue.call_args
        # The worker runs in the site's language, not the visitor's.
        with translation.override(settings.LANGUAGE_CODE):
            contact.deliver_contact_message.enqueue(message_id)
        return {tuple(message.to): message for message in mail.outbox}

    def test_the_visitors_copy_is_in_the_language_of_the_form_s_page(self):
        sent = self.write_from("fr")
        copy = sent[("anne@lyon.example",)]
        french_url = full_url(self.practice, "fr")
        with translation.override("fr"):
            subject = translation.gettext("Your message about “%(title)s”")
        self.assertIn("/fr/", french_url)
        self.assertIn(french_url, copy.body)  # the link goes back to the French page
        self.assertEqual(copy.subject, subject % {"title": "Neighbourhood mentors"})
        if FRENCH_COMPILED:  # then the subject is French words, not the English msgid
            self.assertNotEqual(subject, "Your message about “%(title)s”")
        # The city's editor chose no language: the relay is in the site's, with English links.
        relayed = sent[("editor@leuven.example",)]
        self.assertIn(full_url(self.practice), relayed.body)
        self.assertNotIn("/fr/", relayed.body)
        self.assertIn(self.MESSAGE["message"], relayed.body)

    def test_an_editor_who_reads_german_gets_the_relay_in_german(self):
        prefer(self.editor, "de")
        sent = self.write_from("en")
        relayed = sent[("editor@leuven.example",)]
        german_url = full_url(self.practice, "de")
        self.assertIn(german_url, relayed.body)
        self.assertIn("/de/", german_url)
        copy = sent[("anne@lyon.example",)]
        self.assertIn(full_url(self.practice), copy.body)
        self.assertNotIn("/de/", copy.body)


@override_settings(WAGTAILADMIN_BASE_URL=SITE)
class WorkerEmailTests(TestCase):
    """Archive notices and digests: each account in its own language."""

    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Ghent")
        editors = Group.objects.get(name="City editors: Ghent")
        cls.dutch = UserFactory(username="els", email="els@ghent.example")
        cls.english = UserFactory(username="tom", email="tom@ghent.example")
        for user in (cls.dutch, cls.english):
            user.groups.set([editors])
        cls.curator = UserFactory(username="curator", email="curator@hub.example")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def test_each_city_editor_reads_the_archive_notice_in_their_language(self):
        prefer(self.dutch, "nl")
        practice = PracticePageFactory(title="Street coaches", parent=self.city)
        with self.captureOnCommitCallbacks(execute=True):
            set_archived(practice, True, self.curator, reason="Ended in 2024.")
        sent = {tuple(message.to): message for message in mail.outbox}
        practice = PracticePage.objects.get(pk=practice.pk)
        dutch_url = full_url(practice, "nl")
        self.assertIn("/nl/", dutch_url)
        self.assertIn(dutch_url, sent[("els@ghent.example",)].body)
        self.assertIn(full_url(practice), sent[("tom@ghent.example",)].body)
        self.assertNotIn("/nl/", sent[("tom@ghent.example",)].body)

    def test_a_members_digest_is_in_their_chosen_language(self):
        member = UserFactory(username="marta", email="marta@city.example")
        member.groups.set([Group.objects.get(name="Members")])
        prefer(member, "es")
        saved = SavedSearch.objects.create(
            user=member, query="q=mentors", description="mentors", frequency="weekly"
        )
        SavedSearch.objects.filter(pk=saved.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=8)
        )
        with self.captureOnCommitCallbacks(execute=True):
            practice = PracticePageFactory(title="Mentors for newcomers", parent=self.city)
            practice.save_revision().publish()
        self.assertEqual(queue_due_digests(), 1)
        (digest,) = mail.outbox
        spanish_url = full_url(practice, "es")
        with translation.override("es"):
            manage = reverse("saved_searches")
        self.assertIn("/es/", spanish_url)
        self.assertIn(spanish_url, digest.body)
        self.assertIn(f"{SITE}/es/practices/?q=mentors", digest.body)
        self.assertIn(SITE + manage, digest.body)

    def test_a_member_who_saved_a_search_in_spanish_gets_the_digest_in_spanish(self):
        # Members have no admin account settings: the page they saved from tells the language.
        member = UserFactory(username="lucia", email="lucia@city.example")
        member.groups.set([Group.objects.get(name="Members")])
        self.client.force_login(member)
        with translation.override("es"):
            save = reverse("saved_search_save")
        self.assertTrue(save.startswith("/es/"), save)
        self.client.post(save, {"query": "q=mentors", "frequency": "weekly"})
        saved = SavedSearch.objects.get(user=member)
        SavedSearch.objects.filter(pk=saved.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=8)
        )
        with self.captureOnCommitCallbacks(execute=True):
            practice = PracticePageFactory(title="Mentors for newcomers", parent=self.city)
            practice.save_revision().publish()
        self.assertEqual(queue_due_digests(), 1)
        (digest,) = mail.outbox
        self.assertIn(full_url(practice, "es"), digest.body)
        self.assertIn(f"{SITE}/es/practices/?q=mentors", digest.body)

    def test_an_editors_own_choice_of_language_stays_when_they_save_a_search(self):
        prefer(self.dutch, "nl")
        self.client.force_login(self.dutch)
        with translation.override("fr"):
            self.client.post(reverse("saved_search_save"), {"query": "q=x", "frequency": "weekly"})
        self.assertEqual(UserProfile.get_for_user(self.dutch).preferred_language, "nl")


class CriteriaMarkedTests(TestCase):
    @skipIf(os.environ.get("PRACTICE_INCLUSION_CRITERIA"), "the site sets its own criteria")
    def test_the_default_inclusion_criteria_are_all_marked_for_translation(self):
        # The review form and the stored comment show them translated: makemessages must see
        # each one in practices/workflow.py, word for word as settings has it.
        from practices.workflow import DEFAULT_CRITERIA

        self.assertEqual(DEFAULT_CRITERIA, settings.PRACTICE_INCLUSION_CRITERIA)


class FeedLanguageTests(TestCase):
    def test_feeds_keep_one_english_address_whatever_the_readers_language(self):
        # Feeds are shared and cached: a French browser gets the same English feed.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        for url in ("/feeds/practices.rss", "/feeds/search.atom?q=mentors"):
            response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
            self.assertEqual(response.status_code, 200)
            self.assertIn(b"<title>Practice Hub: ", response.content)
            self.assertNotIn(b"/fr/", response.content)
