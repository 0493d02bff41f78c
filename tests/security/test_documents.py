"""Documents are as private as the pages that use them, and each city's editors see their
city's documents only (issue 12, finding 5)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import TestCase
from wagtail.documents.models import Document
from wagtail.models import Collection

from practices.models.roles import CityEditorGroup
from practices.roles import city_editor_group, make_members_only, setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.search.data import member


def document(title, collection=None):
    """A stored text document."""
    return Document.objects.create(
        title=title,
        file=ContentFile(f"The text of {title}.".encode(), name=f"{title.replace(' ', '-')}.txt"),
        collection=collection or Collection.get_first_root_node(),
    )


def linking(doc):
    """Rich text that links to `doc`."""
    return f'<p>Read <a linktype="document" id="{doc.pk}">the full practice</a>.</p>'


class DocumentPrivacyTests(TestCase):
    """Who may download which document, and who sees which in the admin."""

    def setUp(self):
        # Per test, not per class: each test stores files under its own MEDIA_ROOT
        # (tests/conftest.py), which the class set-up runs before.
        setup_roles()
        self.ghent = CityPageFactory(title="Ghent", slug="ghent")
        self.lisbon = CityPageFactory(title="Lisbon", slug="lisbon")
        self.public_doc = document("Public annex")
        self.members_doc = document("Members annex")
        self.draft_doc = document("Draft annex")
        self.orphan_doc = document("Orphan annex")
        self.ghent_collection = CityEditorGroup.objects.get(city=self.ghent).collection
        self.ghent_doc = document("Ghent upload", self.ghent_collection)
        PracticePageFactory(
            title="Public", parent=self.lisbon, description=linking(self.public_doc)
        )
        hidden = PracticePageFactory(
            title="Members only", parent=self.lisbon, description=linking(self.members_doc)
        )
        make_members_only(hidden)
        draft = PracticePageFactory(
            title="Draft", parent=self.lisbon, description=linking(self.draft_doc)
        )
        draft.unpublish()
        self.editor = UserFactory(username="doc-editor")
        self.editor.groups.add(city_editor_group(self.ghent))
        self.curator = UserFactory(username="doc-curator")
        self.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def status(self, doc):
        return self.client.get(doc.url).status_code

    def test_anonymous_visitors_get_only_documents_of_public_pages(self):
        self.assertEqual(self.status(self.public_doc), 200)
        for doc in (self.members_doc, self.draft_doc, self.orphan_doc, self.ghent_doc):
            with self.subTest(doc=doc.title):
                self.assertEqual(self.status(doc), 404)

    def test_members_get_the_documents_of_members_only_pages(self):
        self.client.force_login(member())
        self.assertEqual(self.status(self.members_doc), 200)
        self.assertEqual(self.status(self.draft_doc), 404)

    def test_editors_get_their_citys_documents_and_curators_all(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.status(self.ghent_doc), 200)
        self.assertEqual(self.status(self.draft_doc), 404)
        self.client.force_login(self.curator)
        for doc in (self.draft_doc, self.orphan_doc, self.ghent_doc):
            self.assertEqual(self.status(doc), 200)

    def test_the_admin_api_and_chooser_list_an_editor_their_citys_documents_only(self):
        self.client.force_login(self.editor)
        listed = self.client.get("/admin/api/main/documents/").json()["items"]
        self.assertEqual([item["title"] for item in listed], ["Ghent upload"])
        chooser = self.client.get("/admin/documents/chooser/").content.decode()
        self.assertIn("Ghent upload", chooser)
        for title in ("Public annex", "Members annex", "Draft annex", "Orphan annex"):
            self.assertNotIn(title, chooser)
        self.client.force_login(self.curator)
        listed = self.client.get("/admin/api/main/documents/").json()["items"]
        self.assertEqual(len(listed), 5)

    def test_each_city_has_its_own_collection_for_its_editors(self):
        lisbon_collection = CityEditorGroup.objects.get(city=self.lisbon).collection
        self.assertEqual(self.ghent_collection.name, "Ghent")
        self.assertNotEqual(self.ghent_collection, lisbon_collection)
        collections = set(
            city_editor_group(self.ghent).collection_permissions.values_list(
                "collection", flat=True
            )
        )
        self.assertEqual(collections, {self.ghent_collection.pk})


class DevelopmentServerTests(TestCase):
    """`make run` (DEBUG) serves uploaded images from MEDIA_ROOT, never the document files,
    whose direct addresses would skip the document's privacy."""

    def setUp(self):
        self.doc = document("Members annex")
        hidden = PracticePageFactory(title="Members only", description=linking(self.doc))
        make_members_only(hidden)

    def test_a_document_file_is_not_served_from_media_but_an_image_is(self):
        import importlib

        from django.test import override_settings
        from django.urls import clear_url_caches

        import practicehub.urls

        (Path(settings.MEDIA_ROOT) / "images").mkdir(parents=True, exist_ok=True)
        (Path(settings.MEDIA_ROOT) / "images" / "seen.png").write_bytes(b"not really a png")
        try:
            with override_settings(DEBUG=True):
                importlib.reload(practicehub.urls)
                clear_url_caches()
                file_response = self.client.get(f"/media/{self.doc.file.name}")
                image_response = self.client.get("/media/images/seen.png")
                view_response = self.client.get(self.doc.url)
        finally:
            importlib.reload(practicehub.urls)
            clear_url_caches()
        self.assertEqual(image_response.status_code, 200)
        self.assertEqual(file_response.status_code, 404)
        self.assertEqual(view_response.status_code, 404)
        self.assertNotIn(b"The text of", file_response.content)
