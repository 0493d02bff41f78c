"""practice_to_document: the one flattening of a practice, and its agreement with the rest."""

from django.test import TestCase
from wagtail.search import index

from practices.models import PracticePage
from search.backends.elasticsearch import PracticeDocument
from search.documents import TEXT_FIELDS, is_searchable, practice_to_document
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

    def test_the_document_searches_exactly_the_texts_wagtail_indexes(self):
        # The database engine searches PracticePage.search_fields; if a field is added there,
        # the Elasticsearch document must add it too, or the engines' hits drift apart.
        searched = {
            field.field_name
            for field in PracticePage.search_fields
            if isinstance(field, index.SearchField | index.RelatedFields)
        }
        self.assertEqual(set(TEXT_FIELDS.values()), searched)

    def test_every_facet_and_document_field_is_mapped(self):
        document = practice_to_document(PracticePage.objects.get(pk=self.content.a.pk))
        mapped = set(PracticeDocument._doc_type.mapping.to_dict()["properties"])
        self.assertEqual(set(document), mapped - {"all_text"})
        self.assertLessEqual({facet.name for facet in FACETS}, set(document))

    def test_only_live_practices_that_are_not_archived_are_searchable(self):
        self.assertTrue(is_searchable(self.content.a))
        self.assertTrue(is_searchable(self.content.restricted))  # visibility is checked per user
        self.assertFalse(is_searchable(PracticePage.objects.get(pk=self.content.draft.pk)))
        self.assertFalse(is_searchable(self.content.archived))
        self.assertFalse(is_searchable(self.content.ghent))
