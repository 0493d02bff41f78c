"""Snippets: escaped text where <mark> is the only markup."""

from django.test import SimpleTestCase

from search.highlight import SNIPPET_WORDS, clean_fragment, mark_terms


class HighlightTests(SimpleTestCase):
    def test_words_are_marked_by_prefix_and_the_rest_is_escaped(self):
        snippet = mark_terms("Mentors & <b>mentoring</b> for teens.", ["mentor"])
        self.assertEqual(
            snippet,
            "<mark>Mentors</mark> &amp; &lt;b&gt;<mark>mentoring</mark>&lt;/b&gt; for teens.",
        )

    def test_the_snippet_starts_near_the_first_match(self):
        text = (
            " ".join(f"w{n}" for n in range(100))
            + " target "
            + " ".join(f"v{n}" for n in range(100))
        )
        snippet = mark_terms(text, ["target"])
        self.assertTrue(snippet.startswith("… w92 "))
        self.assertTrue(snippet.endswith(" …"))
        self.assertIn("<mark>target</mark>", snippet)
        self.assertEqual(len(snippet.split()), SNIPPET_WORDS + 2)

    def test_without_words_the_snippet_is_the_start(self):
        self.assertEqual(mark_terms("Short text.", []), "Short text.")

    def test_regex_characters_in_words_are_literal(self):
        self.assertEqual(mark_terms("a+b (c)", ["a+b", "(c"]), "<mark>a+b</mark> (c)")

    def test_engine_fragments_keep_only_mark(self):
        fragment = (
            'Pupils &lt;script&gt; <mark>write</mark> <img src=x onerror="alert(1)"> &amp; play'
        )
        self.assertEqual(
            clean_fragment(fragment),
            "Pupils &lt;script&gt; <mark>write</mark> &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; play",
        )
