"""The one flattening of a practice: practice_to_document (one page) and practice_documents
(rebuilds), their agreement with each other and with the rest."""

from django.test import TestCase

from practices.models import PracticePage
from search.backends.elasticsearch import PracticeDocument
from search.documents import (
    BODY_FIELDS,
    LABEL_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    document_texts,
    is_searchable,
    practice_documents,
    practice_to_document,
    searchable_practices,
)
from search.facets import FACETS

from . import data


class PracticeDocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def test_a_practice_becomes_texts_facet_slugs_sort_keys_and_guards(self):
        document = practice_to_document(PracticePage.objects.get(pk=self.content.c.pk))
        self.assertEqual(document["page_id"], self.content.c.pk)
        self.assertEqual(
            document["description"],
            "Trained mediators walk the streets at night and calm conflicts.",
        )
        self.assertEqual(
            document["key_theme_labels"],
            ["Local strategies/cities", "Social cohesion and polarisation"],
        )
        self.assertEqual(document["tag_names"], ["outreach", "sport"])
        self.assertEqual(document["city"], ["ghent", "malmo"])
        self.assertEqual(document["country"], ["be", "se"])
        self.assertEqual(document["network"], ["city-lab-network"])
        self.assertEqual(document["organisation"], "ngo")
        self.assertEqual((document["start"], document["updated"]), (2021, None))
        self.assertEqual(
            (document["peer_reviewed"], document["evaluation"], document["language"]),
            ("no", "none", "sv"),
        )
        self.assertEqual(document["title_sort"], "street mediation")
        self.assertEqual(
            document["published"], 1673348400000000
        )  # 2023-01-10 12:00 Brussels, in µs
        self.assertEqual(document["restricted_by"], [])

    def test_restrictions_on_the_page_or_an_ancestor_are_recorded(self):
        restricted = practice_to_document(PracticePage.objects.get(pk=self.content.restricted.pk))
        self.assertEqual(restricted["restricted_by"], [self.content.restricted.pk])
        under_city = practice_to_document(
            PracticePage.objects.get(pk=self.content.under_restricted_city.pk)
        )
        self.assertEqual(under_city["restricted_by"], [self.content.oslo.pk])

    def test_the_database_index_searches_every_text_the_elasticsearch_index_does(self):
        # Each text field lands in one of the three weighted parts of the database's
        # full-text table, and each is copied into Elasticsearch's all_text.
        document = practice_to_document(PracticePage.objects.get(pk=self.content.b.pk))
        document["evidence"] = "An evaluation by the university."
        title, labels, body = document_texts(document)
        parts = [(TITLE_FIELDS, title), (LABEL_FIELDS, labels), (BODY_FIELDS, body)]
        self.assertEqual(sorted(TITLE_FIELDS + LABEL_FIELDS + BODY_FIELDS), sorted(TEXT_FIELDS))
        for fields, part in parts:
            for name in fields:
                values = document[name] if isinstance(document[name], list) else [document[name]]
                with self.subTest(field=name):
                    self.assertTrue(values and all(value in part for value in values))
        mapping = PracticeDocument._doc_type.mapping.to_dict()["properties"]
        copied = {name for name, field in mapping.items() if "all_text" in field.get("copy_to", ())}
        self.assertEqual(copied, set(TEXT_FIELDS))

    def test_every_facet_and_document_field_is_mapped(self):
        document = practice_to_document(PracticePage.objects.get(pk=self.content.a.pk))
        mapped = set(PracticeDocument._doc_type.mapping.to_dict()["properties"])
        self.assertEqual(set(document), mapped - {"all_text"})
        self.assertLessEqual({facet.name for facet in FACETS}, set(document))

    def test_a_rebuild_flattens_every_searchable_practice_as_publishing_it_does(self):
        published = {
            page.pk: practice_to_document(page) for page in PracticePage.objects.order_by("pk")
        }
        content = self.content
        searchable = [content.a, content.b, content.c, content.d, content.e, content.f]
        searchable += [content.restricted, content.under_restricted_city]
        # A chunk smaller than the practices, so relations are read across chunk boundaries.
        for chunk_size in (2000, 3):
            with self.subTest(chunk_size=chunk_size):
                documents = list(practice_documents(chunk_size=chunk_size))
                self.assertEqual(
                    [document["page_id"] for document in documents],
                    sorted(page.pk for page in searchable),
                )
                for document in documents:
                    self.assertEqual(document, published[document["page_id"]])
        # B and C have two values in every kind of relation between them, so the values'
        # grouping per practice and their order are checked too.
        b, c = (published[content.b.pk], published[content.c.pk])
        self.assertEqual(b["network"], ["city-lab-network", "peer-network"])
        self.assertEqual(b["funding"], ["erasmus", "esf"])
        self.assertEqual(b["theme"], ["early-prevention", "family-support"])
        self.assertEqual(b["key_theme_labels"], ["(Early) prevention", "Family support"])
        self.assertEqual(b["organisation"], "governmental-institution")
        self.assertEqual(c["city"], ["ghent", "malmo"])
        self.assertEqual(c["country"], ["be", "se"])
        self.assertEqual(c["audience"], ["general-public", "youthpupilsstudents"])
        self.assertEqual((c["tag"], c["tag_names"]), (["outreach", "sport"], ["outreach", "sport"]))

    def test_flattening_a_selection_keeps_every_value_of_its_practices(self):
        # Selecting practices by a city must not narrow the cities their documents list.
        in_ghent = searchable_practices().filter(cities=self.content.ghent)
        cities = {
            document["page_id"]: document["city"] for document in practice_documents(in_ghent)
        }
        self.assertEqual(cities[self.content.c.pk], ["ghent", "malmo"])
        self.assertNotIn(self.content.b.pk, cities)

    def test_only_live_practices_that_are_not_archived_are_searchable(self):
        self.assertTrue(is_searchable(self.content.a))
        self.assertTrue(is_searchable(self.content.restricted))  # visibility is checked per user
        self.assertFalse(is_searchable(PracticePage.objects.get(pk=self.content.draft.pk)))
        self.assertFalse(is_searchable(self.content.archived))
        self.assertFalse(is_searchable(self.content.ghent))
