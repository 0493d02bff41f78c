"""Media on practices, cities and networks (issue 15): an image needs its alt text, the image
and the full practice document show on the page and on the PDF sheet, and the document is as
private as the practice that links to it."""

import io

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image as PILImage
from pypdf import PdfReader
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from practices.models import KeyTheme, PracticePage, TargetAudience
from practices.models.roles import CityEditorGroup
from practices.roles import city_editor_group, make_members_only, setup_roles
from practices.sheets.render import (
    IMAGE_RENDITION,
    city_related_digest,
    practice_related_digest,
)
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, NetworkPageFactory, PracticePageFactory, UserFactory
from tests.leaks import LeakFixtures
from tests.practices.editor import practice_form
from tests.practices.pdf_helpers import page_texts
from tests.search.data import member

PRACTICE_ALT = "Young people playing a board game with two youth workers."
CITY_ALT = "The town hall of Imageton seen from the market square."
LOGO_ALT = "The network logo: a blue bridge over three dots."


def make_image(title, colour=(11, 79, 148), collection=None):
    """A stored 400 x 225 PNG as a Wagtail image."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (400, 225), colour).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title,
        file=ImageFile(buffer, name=f"{title.replace(' ', '-')}.png"),
        collection=collection or Collection.get_first_root_node(),
    )


def make_document(title, collection=None, size=1536):
    """A stored PDF-named document of `size` bytes."""
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(b"%PDF-1.4\n" + b"x" * (size - 9), name=f"{title.replace(' ', '-')}.pdf"),
        collection=collection or Collection.get_first_root_node(),
    )


def pdf_images_on_first_page(data):
    """How many images page one of a PDF draws."""
    return len(PdfReader(io.BytesIO(data)).pages[0].images)


class AltTextTests(TestCase):
    """An image without its alt text is refused, with a message, and nothing is saved."""

    def setUp(self):
        # Per test: the image file goes under this test's MEDIA_ROOT (tests/conftest.py).
        setup_roles()
        self.city = CityPageFactory(title="Altton")
        self.practice = PracticePageFactory(title="Alt practice", parent=self.city)
        self.editor = UserFactory(username="alt-editor")
        self.editor.groups.add(city_editor_group(self.city))
        self.image = make_image("Board game", collection=self.editor_collection())

    def editor_collection(self):
        """The collection the city's editors upload into."""
        return CityEditorGroup.objects.get(city=self.city).collection

    def test_the_practice_editor_refuses_an_image_without_alt_text_and_saves_nothing(self):
        self.client.force_login(self.editor)
        revisions = self.practice.revisions.count()
        data = practice_form(
            "Alt practice",
            themes=KeyTheme.objects.order_by("pk")[:2],
            audiences=TargetAudience.objects.order_by("pk")[:1],
            action="action-publish",
        )
        data["image"] = self.image.pk
        data["image_alt"] = "   "
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Describe the image for people who cannot see it.")
        self.assertContains(response, 'href="#id_image_alt"')
        self.practice.refresh_from_db()
        self.assertIsNone(self.practice.image_id)
        self.assertEqual(self.practice.revisions.count(), revisions)

    def test_with_its_alt_text_the_image_is_saved(self):
        self.client.force_login(self.editor)
        data = practice_form(
            "Alt practice",
            themes=KeyTheme.objects.order_by("pk")[:2],
            audiences=TargetAudience.objects.order_by("pk")[:1],
            action="action-publish",
        )
        data["image"] = self.image.pk
        data["image_alt"] = PRACTICE_ALT
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        self.assertEqual(self.client.post(url, data).status_code, 302)
        # A city editor's publish is a change waiting for review: the revision holds the image.
        saved = PracticePage.objects.get(pk=self.practice.pk).get_latest_revision_as_object()
        self.assertEqual((saved.image_id, saved.image_alt), (self.image.pk, PRACTICE_ALT))

    def test_cities_and_networks_refuse_an_image_without_alt_text(self):
        network = NetworkPageFactory()
        for page, image_field, alt_field in (
            (self.city, "image", "image_alt"),
            (network, "logo", "logo_alt"),
        ):
            with self.subTest(page=type(page).__name__):
                setattr(page, image_field, self.image)
                setattr(page, alt_field, "")
                with self.assertRaises(ValidationError) as raised:
                    page.full_clean()
                self.assertIn(alt_field, raised.exception.message_dict)


class MediaOnPagesTests(TestCase):
    """The image, with its alt text, and the full practice document on the pages and sheets."""

    def setUp(self):
        setup_roles()
        self.city = CityPageFactory(title="Imageton", image_alt=CITY_ALT)
        self.city.image = make_image("Town hall", (200, 120, 20))
        self.city.save_revision().publish()
        self.network = NetworkPageFactory(title="Bridge Network", short_name="BRN")
        self.network.logo = make_image("Bridge logo", (255, 255, 255))
        self.network.logo_alt = LOGO_ALT
        self.network.save_revision().publish()
        collection = CityEditorGroup.objects.get(city=self.city).collection
        self.document = make_document("Board game full text", collection, size=1_258_291)
        self.practice = PracticePageFactory(
            title="Board games against polarisation",
            parent=self.city,
            image=make_image("Board game"),
            image_alt=PRACTICE_ALT,
            full_document=self.document,
        )
        self.practice.save_revision().publish()

    def test_the_practice_page_shows_the_image_and_links_the_full_practice(self):
        response = self.client.get(self.practice.url)
        self.assertContains(response, f'alt="{PRACTICE_ALT}"')
        self.assertContains(response, "srcset=")
        html = response.content.decode()
        self.assertIn(f'<a href="{self.document.url}">Read the full practice</a>', html)
        self.assertIn("(PDF, 1.2\xa0MB)", html)
        # The link works for the visitor who sees it.
        self.assertEqual(self.client.get(self.document.url).status_code, 200)

    def test_a_practice_without_media_shows_neither(self):
        plain = PracticePageFactory(title="Plain practice", parent=self.city)
        response = self.client.get(plain.url)
        self.assertNotContains(response, "Read the full practice")
        self.assertNotContains(response, 'class="practice-image"')

    def test_the_city_and_network_pages_show_their_image_with_its_alt(self):
        self.assertContains(self.client.get(self.city.url), f'alt="{CITY_ALT}"')
        self.assertContains(self.client.get(self.network.url), f'alt="{LOGO_ALT}"')

    def test_the_sheet_has_the_image_on_page_one_and_the_full_practice_line(self):
        response = self.client.get(self.practice.sheet_url)
        self.assertEqual(response.status_code, 200)
        data = b"".join(response.streaming_content)
        first_page = page_texts(data)[0]
        root = self.practice.get_site().root_url
        self.assertIn(f"Read the full practice: {root}{self.document.url}", first_page)
        self.assertEqual(pdf_images_on_first_page(data), 1)

    def test_a_rendition_whose_file_is_gone_is_made_again_for_the_sheet(self):
        rendition = self.practice.image.get_rendition(IMAGE_RENDITION)
        rendition.file.storage.delete(rendition.file.name)
        data = b"".join(self.client.get(self.practice.sheet_url).streaming_content)
        self.assertEqual(pdf_images_on_first_page(data), 1)

    def test_the_city_factsheet_has_the_city_image(self):
        response = self.client.get(self.city.factsheet_url)
        data = b"".join(response.streaming_content)
        self.assertEqual(pdf_images_on_first_page(data), 1)

    def test_a_sheet_without_media_has_no_image_and_no_full_practice_line(self):
        plain = PracticePageFactory(title="Plain practice", parent=self.city)
        data = b"".join(self.client.get(plain.sheet_url).streaming_content)
        self.assertNotIn("Read the full practice", " ".join(page_texts(data)))
        self.assertEqual(pdf_images_on_first_page(data), 0)

    def test_the_sheet_digest_moves_with_the_image_its_alt_and_the_document(self):
        page = PracticePage.objects.get(pk=self.practice.pk)
        seen = {practice_related_digest(page)}
        # Bulk updates send no signal and make no revision: the digest still sees them.
        changes = [
            lambda: PracticePage.objects.filter(pk=page.pk).update(image_alt="Another text."),
            lambda: type(page.image).objects.filter(pk=page.image_id).update(file="new.png"),
            lambda: type(self.document).objects.filter(pk=self.document.pk).update(file="v2.pdf"),
            lambda: PracticePage.objects.filter(pk=page.pk).update(full_document=None),
            lambda: PracticePage.objects.filter(pk=page.pk).update(image=None),
        ]
        for change in changes:
            change()
            digest = practice_related_digest(page)
            self.assertNotIn(digest, seen)
            seen.add(digest)

    def test_the_factsheet_digest_moves_with_the_city_image(self):
        city = type(self.city).objects.get(pk=self.city.pk)
        before = city_related_digest(city, [])
        type(city.image).objects.filter(pk=city.image_id).update(file="new.png")
        self.assertNotEqual(city_related_digest(type(city).objects.get(pk=city.pk), []), before)


class FullDocumentUploadTests(TestCase):
    """A city editor's upload from the practice editor's chooser lands in their city."""

    def setUp(self):
        setup_roles()
        self.city = CityPageFactory(title="Uploadton")
        self.other = CityPageFactory(title="Elsewhere")
        self.editor = UserFactory(username="upload-editor")
        self.editor.groups.add(city_editor_group(self.city))

    def test_an_editors_chooser_upload_goes_into_their_citys_collection(self):
        self.client.force_login(self.editor)
        other_collection = CityEditorGroup.objects.get(city=self.other).collection
        response = self.client.post(
            reverse("wagtaildocs_chooser:create"),
            {
                "document-chooser-upload-title": "Our full practice",
                "document-chooser-upload-file": ContentFile(b"%PDF-1.4 text", name="full.pdf"),
                # Not offered to the editor; sent anyway, it must not be obeyed.
                "document-chooser-upload-collection": other_collection.pk,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["step"], "chosen")
        document = get_document_model().objects.get(title="Our full practice")
        self.assertEqual(
            document.collection, CityEditorGroup.objects.get(city=self.city).collection
        )


class FullDocumentLeakTests(LeakFixtures, TestCase):
    """The full document of a draft or members-only practice is not found by a visitor; members
    get it once it is published, and the city's editors always (tests/leaks.py)."""

    def setUp(self):
        setup_roles()
        self.create_leak_fixtures()
        collection = CityEditorGroup.objects.get(city=self.leak_city).collection
        self.documents = {}
        for name, practice in (
            ("members", self.members_only_practice),
            ("draft", self.draft_practice),
            ("public", self.public_practice),
        ):
            document = make_document(f"Full text {name}", collection)
            # Set on the page row only, as the field is: no rich-text link to find it by.
            PracticePage.objects.filter(pk=practice.pk).update(full_document=document)
            PracticePage.objects.get(pk=practice.pk).save()  # the reference index
            self.documents[name] = document
        self.editor = UserFactory(username="leak-editor")
        self.editor.groups.add(city_editor_group(self.leak_city))
        self.outsider = UserFactory(username="leak-outsider")  # signed in, not a member

    def status(self, name):
        """The status of downloading the named document as the current client."""
        return self.client.get(self.documents[name].url).status_code

    def test_visitors_get_the_public_practices_document_only(self):
        self.assertEqual(self.status("public"), 200)
        self.assertEqual(self.status("members"), 404)
        self.assertEqual(self.status("draft"), 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.status("members"), 404)
        self.assertEqual(self.status("draft"), 404)

    def test_members_get_the_members_only_document_but_not_the_drafts(self):
        self.client.force_login(member())
        self.assertEqual(self.status("members"), 200)
        self.assertEqual(self.status("draft"), 404)

    def test_the_drafts_document_is_served_once_the_practice_is_published(self):
        draft = PracticePage.objects.get(pk=self.draft_practice.pk)
        draft.save_revision().publish()
        self.assertEqual(self.status("draft"), 200)

    def test_a_document_chosen_in_a_draft_of_a_live_practice_waits_for_publishing(self):
        page = PracticePage.objects.get(pk=self.public_practice.pk)
        new = make_document("Second edition", self.documents["public"].collection)
        page.full_document = new
        revision = page.save_revision()
        self.assertEqual(self.client.get(new.url).status_code, 404)
        revision.publish()
        self.assertEqual(self.client.get(new.url).status_code, 200)

    def test_making_a_practice_members_only_hides_its_document_from_visitors(self):
        make_members_only(self.public_practice)
        self.assertEqual(self.status("public"), 404)

    def test_the_citys_editors_and_curators_get_every_document(self):
        curator = UserFactory(username="leak-curator")
        curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
        for user in (self.editor, curator):
            self.client.force_login(user)
            for name in self.documents:
                with self.subTest(user=user.username, document=name):
                    self.assertEqual(self.status(name), 200)

    def test_public_pages_and_sheets_name_no_hidden_document(self):
        hidden = [self.documents["members"].url, self.documents["draft"].url]
        for url in (self.public_practice.url, self.leak_city.url, "/practices/"):
            content = self.client.get(url).content.decode()
            self.assert_nothing_leaked(content)
            for address in hidden:
                self.assertNotIn(address, content)
        # The sheets that would carry the line: the members-only one asks to sign in.
        response = self.client.get(self.members_only_practice.sheet_url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.assertEqual(self.client.get(self.draft_practice.sheet_url).status_code, 404)
