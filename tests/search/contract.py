"""The behaviour every search engine shares, checked with the same data and expectations.

Mixed into one TestCase per engine (test_database_engine.py, test_elasticsearch_engine.py),
so both engines must give exactly these hits, orders, totals and facet counts.
"""

from django.contrib.auth.models import AnonymousUser

from practices.models import PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams, SortOrder
from search.facets import FACETS

from . import data
from .engines import rebuild_index

# Every facet's options for an anonymous visitor with nothing selected: (slug, count, ticked).
ALL_FACETS = {
    "network": [("city-lab-network", 3, False), ("peer-network", 3, False)],
    "country": [("be", 3, False), ("pt", 2, False), ("nl", 1, False), ("se", 1, False)],
    "city": [("ghent", 3, False), ("lisbon", 2, False), ("malmo", 1, False)],
    "theme": [
        ("early-prevention", 2, False),
        ("family-support", 2, False),
        ("social-cohesion-and-polarisation", 2, False),
        ("alternative-and-counter-narratives", 1, False),
        ("formalinformal-education", 1, False),
        ("internet-and-radicalisation", 1, False),
        ("local-strategiescities", 1, False),
        ("multi-agency-cooperation", 1, False),
        ("vulnerable-youth-and-youth-engagement-in-pcve", 1, False),
    ],
    "audience": [
        ("youthpupilsstudents", 3, False),
        ("authorities", 1, False),
        ("educatorsacademics", 1, False),
        ("families", 1, False),
        ("general-public", 1, False),
        ("online-community", 1, False),
    ],
    "organisation": [
        ("governmental-institution", 2, False),
        ("ngo", 2, False),
        ("academicresearch-institution", 1, False),
        ("foundation", 1, False),
    ],
    "start": [
        ("before-2010", 1, False),
        ("2010-2014", 1, False),
        ("2015-2019", 2, False),
        ("2020-2024", 2, False),
    ],
    "updated": [("2024", 1, False), ("2023", 1, False), ("2021", 2, False), ("2019", 1, False)],
    "peer_reviewed": [("yes", 2, False), ("no", 4, False)],
    "evaluation": [("none", 2, False), ("internal", 2, False), ("external", 2, False)],
    "funding": [("esf", 2, False), ("erasmus", 1, False), ("horizon-2020", 1, False)],
    "tag": [("sport", 2, False), ("helpline", 1, False), ("outreach", 1, False)],
    "language": [("en", 3, False), ("pt", 2, False), ("sv", 1, False)],
}


class EngineContract:
    """Hits, order, totals, facet counts, sorting, paging and visibility for one engine."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()
        rebuild_index()

    def setUp(self):
        self.engine = get_backend()

    def search(self, text="", user=None, **options):
        """Search as `user` (anonymous by default) with facets given as keyword lists."""
        selected = {
            name: frozenset(options.pop(name)) for name in list(options) if name in self.facet_names
        }
        return self.engine.search(
            SearchParams(text=text, selected=selected, user=user or AnonymousUser(), **options)
        )

    facet_names = {facet.name for facet in FACETS}

    def ids(self, *names):
        """Page ids of the named practices (a, b, ...), in that order."""
        return [getattr(self.content, name).pk for name in names]

    def rewrite(self, practice, **fields):
        """Change a practice's fields behind the signals' back and rebuild the index; the
        index outlives the test's transaction, so both are put back afterwards."""
        practices = PracticePage.objects.filter(pk=practice.pk)
        original = practices.values(*fields).get()
        practices.update(**fields)
        rebuild_index()
        self.addCleanup(rebuild_index)
        self.addCleanup(practices.update, **original)

    @staticmethod
    def options(result, facet_name):
        """A facet's options as (slug, count, selected) tuples, in display order."""
        return [(o.slug, o.count, o.selected) for o in result.facets[facet_name]]

    # --- no words

    def test_without_words_every_visible_practice_is_listed_newest_first(self):
        result = self.search()
        self.assertEqual(result.total, 6)
        # a and e were published at the same moment: the title breaks the tie.
        self.assertEqual(result.page_ids, self.ids("f", "c", "b", "e", "a", "d"))

    def test_every_facet_is_counted_over_what_the_visitor_may_see(self):
        result = self.search()
        self.assertEqual({name: self.options(result, name) for name in ALL_FACETS}, ALL_FACETS)
        self.assertEqual(set(result.facets), self.facet_names)

    def test_facet_labels_come_from_the_vocabularies(self):
        result = self.search()
        labels = {o.slug: o.label for o in result.facets["city"]}
        self.assertEqual(labels["malmo"], "Malmö")
        self.assertEqual(result.facets["country"][0].label, "Belgium")
        self.assertEqual(result.facets["peer_reviewed"][0].label, "Peer reviewed")
        self.assertEqual(result.facets["start"][0].label, "Before 2010")

    # --- facets: OR within, AND across, own selection not applied to own counts

    def test_selecting_a_city_narrows_hits_but_not_the_city_counts(self):
        result = self.search(city=["ghent"])
        self.assertEqual(result.total, 3)
        self.assertEqual(result.page_ids, self.ids("c", "e", "a"))
        self.assertEqual(
            self.options(result, "city"),
            [("ghent", 3, True), ("lisbon", 2, False), ("malmo", 1, False)],
        )
        self.assertEqual(
            self.options(result, "network"),
            [("city-lab-network", 1, False), ("peer-network", 1, False)],
        )
        self.assertEqual(self.options(result, "country"), [("be", 3, False), ("se", 1, False)])

    def test_values_of_one_facet_are_alternatives(self):
        result = self.search(city=["ghent", "lisbon"])
        self.assertEqual(result.total, 5)
        self.assertEqual(set(result.page_ids), set(self.ids("a", "b", "c", "e", "f")))

    def test_facets_combine_and_each_is_counted_with_the_others_applied(self):
        result = self.search(city=["ghent"], network=["peer-network"])
        self.assertEqual(result.page_ids, self.ids("a"))
        self.assertEqual(self.options(result, "city"), [("ghent", 1, True), ("lisbon", 1, False)])
        self.assertEqual(
            self.options(result, "network"),
            [("city-lab-network", 1, False), ("peer-network", 1, True)],
        )
        self.assertEqual(self.options(result, "language"), [("en", 1, False)])

    def test_only_the_facets_asked_for_are_counted(self):
        full = self.search("volunteers", city=["ghent"])
        self.assertEqual(full.total, 2)
        for counted in (frozenset(), frozenset({"theme", "city"})):
            with self.subTest(counted=sorted(counted)):
                part = self.search("volunteers", city=["ghent"], counted=counted)
                self.assertEqual((part.total, part.page_ids), (full.total, full.page_ids))
                self.assertEqual(set(part.facets), self.facet_names)
                for name in self.facet_names:
                    expected = self.options(full, name) if name in counted else []
                    self.assertEqual(self.options(part, name), expected, name)
        # Without words or filters too (the database engine's kept counts).
        part = self.search(counted=frozenset({"theme"}))
        self.assertEqual(self.options(part, "theme"), self.options(self.search(), "theme"))
        self.assertEqual(part.facets["city"], [])

    def test_a_selected_value_without_hits_stays_listed_so_it_can_be_unticked(self):
        result = self.search(language=["sv"], theme=["family-support"])
        self.assertEqual(result.total, 0)
        self.assertEqual(result.hits, [])
        self.assertEqual(
            self.options(result, "language"), [("en", 1, False), ("pt", 1, False), ("sv", 0, True)]
        )
        self.assertEqual(
            self.options(result, "theme"),
            [
                ("local-strategiescities", 1, False),
                ("social-cohesion-and-polarisation", 1, False),
                ("family-support", 0, True),
            ],
        )

    def test_year_ranges_years_booleans_and_choices_filter(self):
        cases = {
            "start": (["2015-2019"], ("b", "e")),
            "updated": (["2021"], ("a", "e")),
            "peer_reviewed": (["yes"], ("a", "d")),
            "evaluation": (["internal"], ("b", "f")),
            "country": (["pt", "se"], ("b", "c", "f")),
            "tag": (["sport"], ("a", "c")),
            "funding": (["esf"], ("a", "b")),
            "organisation": (["ngo"], ("a", "c")),
            "audience": (["families"], ("b",)),
        }
        for facet_name, (slugs, expected) in cases.items():
            with self.subTest(facet=facet_name):
                result = self.search(**{facet_name: slugs})
                self.assertEqual(set(result.page_ids), set(self.ids(*expected)))
                self.assertEqual(result.total, len(expected))
                ticked = [
                    slug for slug, _count, selected in self.options(result, facet_name) if selected
                ]
                self.assertEqual(sorted(ticked), sorted(slugs))
                self.assertEqual(
                    self.options(result, facet_name),
                    [(slug, count, slug in slugs) for slug, count, _ in ALL_FACETS[facet_name]],
                )

    # --- words

    def test_title_matches_rank_above_matches_elsewhere(self):
        result = self.search("mentoring")
        self.assertEqual(result.page_ids, self.ids("a", "b"))
        self.assertEqual(result.total, 2)
        self.assertGreater(result.hits[0].score, result.hits[1].score)
        result = self.search("online")
        self.assertEqual(result.page_ids, self.ids("d", "b"))

    def test_every_word_must_occur(self):
        result = self.search("mentoring counselling")
        self.assertEqual(result.page_ids, self.ids("b"))
        self.assertFalse(result.some_words)

    def test_when_no_practice_has_every_word_those_with_some_are_listed(self):
        result = self.search("mentoring zebra")
        self.assertTrue(result.some_words)
        self.assertEqual(set(result.page_ids), set(self.ids("a", "b")))
        self.assertEqual(sum(option.count for option in result.facets["language"]), 2)
        # One unknown word alone is still no result: there is nothing to list "some" of.
        single = self.search("zebra")
        self.assertEqual((single.total, single.some_words), (0, False))
        # Hidden practices holding one of the words stay hidden.
        for hidden in ("draft", "archived", "restricted", "under_restricted_city"):
            self.assertNotIn(getattr(self.content, hidden).pk, result.page_ids)

    def test_a_misspelt_word_is_corrected_and_the_correction_suggested(self):
        result = self.search("mentorng")
        self.assertEqual(set(result.page_ids), set(self.ids("a", "b")))
        self.assertEqual((result.close_matches, result.suggestion), (True, "mentoring"))
        self.assertEqual(result.facets["network"][0].count, 2)  # counted over the corrected
        exact = self.search("mentoring")
        self.assertEqual((exact.close_matches, exact.suggestion), (False, ""))
        # Several words, one misspelt: the corrected query is suggested whole.
        self.assertEqual(self.search("mentoring counselng").suggestion, "mentoring counselling")
        # Nothing holds every corrected word: those holding some of them are listed.
        some = self.search("mentorng zebraa")
        self.assertEqual(set(some.page_ids), set(self.ids("a", "b")))
        self.assertEqual((some.some_words, some.suggestion), (True, "mentoring zebraa"))

    def test_words_are_stemmed_and_stop_words_are_not_searched(self):
        # "mediators" in the texts; "coach" in a's.
        self.assertEqual(set(self.search("mediator").page_ids), set(self.ids("c", "f")))
        self.assertEqual(self.search("coaching").page_ids, self.ids("a"))
        self.assertEqual(self.search("the coaching of teenagers").page_ids, self.ids("a"))

    def test_audiences_cities_and_evidence_are_searched(self):
        self.assertEqual(set(self.search("malmö").page_ids), set(self.ids("c")))
        self.assertIn(self.content.d.pk, self.search("online community").page_ids)
        self.rewrite(self.content.f, evidence_and_evaluation="<p>An ombudsman evaluated it.</p>")
        self.assertEqual(self.search("ombudsman").page_ids, self.ids("f"))

    def test_a_suggestion_never_comes_from_members_only_texts(self):
        self.rewrite(self.content.restricted, description="<p>Mentoring in the zucchinifarm.</p>")
        anonymous = self.search("zucchinifarn")
        self.assertEqual((anonymous.total, anonymous.suggestion), (0, ""))
        member = self.search("zucchinifarm", user=self.content.member)
        self.assertEqual(member.page_ids, self.ids("restricted"))

    def test_words_match_theme_labels_and_tags(self):
        self.assertEqual(set(self.search("helpline").page_ids), set(self.ids("b")))
        self.assertEqual(set(self.search("narratives").page_ids), set(self.ids("d")))

    def test_words_and_facets_combine(self):
        result = self.search("mentoring", city=["lisbon"])
        self.assertEqual(result.page_ids, self.ids("b"))
        self.assertEqual(self.options(result, "city"), [("ghent", 1, False), ("lisbon", 1, True)])
        self.assertEqual(
            self.options(result, "network"),
            [("city-lab-network", 1, False), ("peer-network", 1, False)],
        )

    def test_no_match_means_no_hits_and_no_options(self):
        result = self.search("zebra")
        self.assertEqual((result.total, result.hits), (0, []))
        self.assertEqual({name: options for name, options in result.facets.items() if options}, {})

    def test_the_snippet_marks_the_words(self):
        result = self.search("counselling")
        self.assertEqual(result.page_ids, self.ids("b"))
        self.assertIn("<mark>counselling</mark>", result.hits[0].highlight)

    def test_the_snippet_escapes_the_text(self):
        self.rewrite(
            self.content.e, description="<p>Pupils &lt;script&gt; write plays about belonging.</p>"
        )
        highlight = self.search("belonging").hits[0].highlight
        self.assertNotIn("<script>", highlight)
        self.assertIn("&lt;script&gt;", highlight)

    # --- sorting and paging

    def test_sort_orders_break_ties_by_title_then_page_id(self):
        cases = {
            # Case-insensitive: "after-school theatre" comes first; the two "Street mediation"
            # practices are ordered by page id.
            SortOrder.TITLE: ("e", "b", "d", "c", "f", "a"),
            SortOrder.UPDATED: ("f", "b", "e", "a", "d", "c"),  # no year last
            SortOrder.NEWEST: ("f", "c", "b", "e", "a", "d"),
            SortOrder.RELEVANCE: ("f", "c", "b", "e", "a", "d"),  # no words: newest
        }
        for sort, expected in cases.items():
            with self.subTest(sort=sort):
                result = self.search(sort=sort)
                self.assertEqual(result.page_ids, self.ids(*expected))
                self.assertTrue(all(hit.score is None for hit in result.hits))

    def test_words_sorted_by_title(self):
        result = self.search("mentoring", sort=SortOrder.TITLE)
        self.assertEqual(result.page_ids, self.ids("b", "a"))

    def test_pages_split_the_same_order(self):
        result = self.search(sort=SortOrder.TITLE, per_page=2, page=2)
        self.assertEqual(result.page_ids, self.ids("d", "c"))
        self.assertEqual((result.total, result.num_pages), (6, 3))
        self.assertEqual(self.options(result, "city"), ALL_FACETS["city"])
        beyond = self.search(sort=SortOrder.TITLE, per_page=2, page=4)
        self.assertEqual((beyond.hits, beyond.total), ([], 6))

    # --- visibility

    def test_drafts_archived_and_members_only_practices_are_never_found_or_counted(self):
        hidden = {
            self.content.draft.pk,
            self.content.archived.pk,
            self.content.restricted.pk,
            self.content.under_restricted_city.pk,
        }
        for text in ("", "mentoring", "counselling"):
            with self.subTest(text=text):
                result = self.search(text, per_page=50)
                self.assertFalse(hidden & set(result.page_ids))
        mentoring = self.search("mentoring")
        self.assertEqual(mentoring.total, 2)
        # The hidden four are all in Ghent (or Oslo), in Peer Network, themed prison and probation.
        self.assertEqual(
            self.options(mentoring, "city"), [("ghent", 1, False), ("lisbon", 1, False)]
        )
        self.assertEqual(
            self.options(mentoring, "network"),
            [("peer-network", 2, False), ("city-lab-network", 1, False)],
        )
        self.assertNotIn("prison-and-probation", [o.slug for o in self.search().facets["theme"]])
        self.assertEqual(self.search(city=["oslo"]).total, 0)

    def test_a_member_finds_and_counts_members_only_practices(self):
        result = self.search("mentoring", user=self.content.member)
        self.assertEqual(
            set(result.page_ids),
            set(self.ids("a", "b", "restricted", "under_restricted_city")),
        )
        self.assertEqual(result.total, 4)
        self.assertEqual(result.page_ids[-1], self.content.b.pk)  # the only non-title match
        self.assertEqual(
            self.options(result, "city"),
            [("ghent", 2, False), ("lisbon", 1, False), ("oslo", 1, False)],
        )
        self.assertNotIn(
            self.content.draft.pk, self.search(user=self.content.member, per_page=50).page_ids
        )
