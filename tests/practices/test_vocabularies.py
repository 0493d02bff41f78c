"""Vocabularies: listings with usage counts and status, renamed slugs keep search links working,
and merging practice tags (practices/tag_merge.py)."""

import feedparser
from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse
from wagtail.models import ModelLogEntry

from practices.follow import search_form
from practices.models import KeyTheme, PracticePage, PracticeTag, TargetAudience
from practices.tag_merge import merge_tags
from search.backends import get_backend
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory

# What tests/search/engines.py sets for Elasticsearch; that module is not imported here, as its
# `elasticsearch` marker is registered for tests/search only (--strict-markers).
ELASTICSEARCH_OPTIONS = {"node_class": "tests.search.transport.PlainJsonNode"}


def found_titles(response):
    """The titles of the practices on a search page, in order."""
    return [card.practice.title for card in response.context["cards"]]


class VocabularyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen")
        cls.curator = UserFactory(username="curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.editor = UserFactory(username="editor")
        cls.editor.groups.set([Group.objects.get(name="City editors: Mechelen")])
        cls.theme = KeyTheme.objects.get(label="Internet and radicalisation")
        cls.other_theme = KeyTheme.objects.get(label="Formers")
        cls.online = PracticePageFactory(
            title="Online safe spaces", parent=cls.city, key_themes=[cls.theme, cls.other_theme]
        )
        cls.gaming = PracticePageFactory(
            title="Gaming tournament", parent=cls.city, key_themes=[cls.theme, cls.other_theme]
        )
        cls.unrelated = PracticePageFactory(title="Street mediation", parent=cls.city)

    def tag(self, practice, *names):
        """Tag a practice and publish it, as an editor would."""
        practice.tags.add(*names)
        practice.save_revision().publish()


class ListingTests(VocabularyTestCase):
    def test_the_theme_listing_shows_usage_description_and_status_in_words(self):
        unused = KeyTheme.objects.create(label="Hybrid threats", active=False)
        self.client.force_login(self.curator)
        response = self.client.get(reverse("wagtailsnippets_practices_keytheme:list"))
        self.assertEqual(response.status_code, 200)
        rows = {
            row.instance.label: row
            for row in response.context["table"].rows
            if hasattr(row, "instance")
        }
        self.assertEqual(rows["Internet and radicalisation"].instance.practice_count, 2)
        self.assertEqual(rows["Hybrid threats"].instance.practice_count, 0)
        html = response.content.decode()
        self.assertIn(">Practices<", html.replace("\n", "").replace("  ", ""))
        self.assertIn("Inactive", html)
        self.assertNotIn(">True<", html)
        self.assertNotIn(">False<", html)
        # The seeded description (migration 0021), shortened.
        self.assertIn("Prevention online: for example online safe spaces", html)
        del unused

    def test_the_listing_search_finds_seeded_terms_by_label_and_description(self):
        self.client.force_login(self.curator)
        url = reverse("wagtailsnippets_practices_keytheme:list")
        for words in ("internet", "safe spaces"):
            response = self.client.get(url, {"q": words})
            labels = [row.instance.label for row in response.context["table"].rows]
            self.assertEqual(labels, ["Internet and radicalisation"], words)

    def test_the_listing_sorts_by_usage(self):
        self.client.force_login(self.curator)
        url = reverse("wagtailsnippets_practices_keytheme:list")
        response = self.client.get(url, {"ordering": "-practice_count"})
        labels = [row.instance.label for row in response.context["table"].rows]
        self.assertIn(labels[0], {"Internet and radicalisation", "Formers"})
        counts = [row.instance.practice_count for row in response.context["table"].rows]
        self.assertEqual(counts, sorted(counts, reverse=True))

    def test_the_tag_listing_counts_tagged_practices(self):
        self.tag(self.online, "gaming")
        self.tag(self.gaming, "gaming")
        self.client.force_login(self.curator)
        response = self.client.get(reverse("wagtailsnippets_practices_practicetag:list"))
        rows = {row.instance.name: row.instance for row in response.context["table"].rows}
        self.assertEqual(rows["gaming"].practice_count, 2)
        self.assertContains(response, "Merge into one tag")

    def test_editors_see_a_themes_description_on_its_checkbox(self):
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk))
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'title="{self.theme.description}"', html=False, count=1)

    def test_audience_descriptions_come_only_from_sources(self):
        self.assertTrue(TargetAudience.objects.get(label="Authorities").description)
        self.assertEqual(TargetAudience.objects.get(label="Families").description, "")


class RenamedSlugTests(VocabularyTestCase):
    def test_an_old_theme_slug_redirects_for_good_to_the_same_practices(self):
        old_slug = self.theme.slug
        before = self.client.get("/practices/", {"theme": old_slug, "sort": "title"})
        self.assertEqual(found_titles(before), ["Gaming tournament", "Online safe spaces"])
        self.theme.slug = "online-radicalisation"
        self.theme.save()
        self.assertEqual(KeyTheme.objects.get(pk=self.theme.pk).former_slugs, [old_slug])

        response = self.client.get("/practices/", {"theme": old_slug, "sort": "title"})
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/practices/?theme=online-radicalisation&sort=title")
        self.assertEqual(response["Cache-Control"], "max-age=86400")
        after = self.client.get(response["Location"])
        self.assertEqual(found_titles(after), found_titles(before))
        self.assertNotContains(after, "do not exist any more")

    def test_old_slugs_work_in_feeds_and_saved_searches(self):
        old_slug = self.theme.slug
        self.theme.slug = "online-radicalisation"
        self.theme.save()
        feed = feedparser.parse(self.client.get("/feeds/search.atom", {"theme": old_slug}).content)
        self.assertEqual(
            sorted(entry.title for entry in feed.entries),
            ["Gaming tournament", "Online safe spaces"],
        )
        self.assertIn("Internet and radicalisation", feed.feed.title)
        # What a saved search (and its digest) reads back from its stored query string.
        form = search_form(f"theme={old_slug}", self.curator)
        self.assertEqual(form.params.selected["theme"], frozenset({"online-radicalisation"}))
        self.assertEqual(form.querystring(), "theme=online-radicalisation")

    def test_a_slug_that_never_existed_is_still_ignored_with_a_notice(self):
        response = self.client.get("/practices/", {"theme": "no-such-theme"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "do not exist any more")

    def test_a_slug_given_back_is_current_again(self):
        old_slug = self.theme.slug
        self.theme.slug = "online-radicalisation"
        self.theme.save()
        self.theme.slug = old_slug
        self.theme.save()
        self.assertEqual(
            KeyTheme.objects.get(pk=self.theme.pk).former_slugs, ["online-radicalisation"]
        )
        response = self.client.get("/practices/", {"theme": old_slug})
        self.assertEqual(response.status_code, 200)


class TagMergeTests(VocabularyTestCase):
    def setUp(self):
        self.tag(self.online, "gaming", "games")
        self.tag(self.gaming, "video games")
        self.tag(self.unrelated, "mediation")
        self.gaming_tag = PracticeTag.objects.get(name="gaming")
        self.games_tag = PracticeTag.objects.get(name="games")
        self.video_tag = PracticeTag.objects.get(name="video games")

    def merge_url(self, *tags):
        """The bulk action's URL as the listing links it: the ticked ids, back to the listing."""
        url = reverse("wagtail_bulk_action", args=("practices", "practicetag", "merge"))
        listing = reverse("wagtailsnippets_practices_practicetag:list")
        return f"{url}?{'&'.join(f'id={tag.pk}' for tag in tags)}&next={listing}"

    def merge(self, tags, **data):
        self.client.force_login(self.curator)
        return self.client.post(self.merge_url(*tags), data, follow=True)

    def test_the_confirmation_page_lists_the_tags_with_their_counts(self):
        self.client.force_login(self.curator)
        response = self.client.get(self.merge_url(self.gaming_tag, self.video_tag))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Keep this tag")
        self.assertContains(response, "1 practice")

    def test_merging_repoints_practices_once_and_deletes_the_others(self):
        response = self.merge(
            [self.gaming_tag, self.games_tag, self.video_tag], keep=self.gaming_tag.pk
        )
        self.assertContains(response, "2 tags merged into “gaming”. 2 practices re-tagged.")
        self.assertEqual(
            set(PracticeTag.objects.values_list("name", flat=True)), {"gaming", "mediation"}
        )
        online = PracticePage.objects.get(pk=self.online.pk)
        self.assertEqual(list(online.tags.names()), ["gaming"])  # once, not twice
        gaming = PracticePage.objects.get(pk=self.gaming.pk)
        self.assertEqual(list(gaming.tags.names()), ["gaming"])
        # The search finds both practices under the kept tag, and by the old tags' links.
        tagged = self.client.get("/practices/", {"tag": "gaming", "sort": "title"})
        self.assertEqual(found_titles(tagged), ["Gaming tournament", "Online safe spaces"])
        old = self.client.get("/practices/", {"tag": self.video_tag.slug})
        self.assertEqual(old.status_code, 301)
        self.assertEqual(old["Location"], "/practices/?tag=gaming")
        # Audit log.
        entry = ModelLogEntry.objects.get(action="practices.merge_tags")
        self.assertEqual(entry.object_id, str(self.gaming_tag.pk))
        self.assertEqual(sorted(entry.data["merged"]), ["games", "video games"])
        self.assertEqual(entry.user, self.curator)

    def test_a_practice_with_an_unpublished_draft_keeps_the_tag_in_its_draft(self):
        # The editor adds "video games" in a draft only: nothing live carries it.
        self.unrelated.tags.add("video games")
        self.unrelated.save_revision()
        draft_only = PracticePage.objects.get(pk=self.unrelated.pk)
        self.assertTrue(draft_only.has_unpublished_changes)
        self.assertNotIn("video games", list(draft_only.tags.names()))
        # And the live practice has a draft too, with the tag.
        self.gaming.title = "Gaming tournament (draft)"
        self.gaming.save_revision()

        self.merge([self.video_tag, self.gaming_tag], keep=self.gaming_tag.pk)
        for pk in (self.unrelated.pk, self.gaming.pk):
            draft = PracticePage.objects.get(pk=pk).get_latest_revision_as_object()
            self.assertIn("gaming", list(draft.tags.names()))
            self.assertNotIn("video games", list(draft.tags.names()))
        # Publishing the draft keeps the merged tag.
        PracticePage.objects.get(pk=self.unrelated.pk).get_latest_revision().publish()
        published = PracticePage.objects.get(pk=self.unrelated.pk)
        self.assertEqual(sorted(published.tags.names()), ["gaming", "mediation"])

    def test_merging_into_a_new_name(self):
        self.merge([self.games_tag, self.video_tag], new_name="  Video   gaming ")
        kept = PracticeTag.objects.get(name="Video gaming")
        self.assertEqual(
            set(PracticePage.objects.filter(tags=kept).values_list("title", flat=True)),
            {"Online safe spaces", "Gaming tournament"},
        )
        self.assertFalse(PracticeTag.objects.filter(name__in=["games", "video games"]).exists())
        self.assertEqual(set(kept.former_slugs), {self.games_tag.slug, self.video_tag.slug})

    def test_bad_choices_change_nothing(self):
        response = self.merge([self.gaming_tag, self.video_tag])
        self.assertContains(response, "Choose the tag to keep, or type a new name.")
        response = self.merge(
            [self.gaming_tag, self.video_tag], keep=self.gaming_tag.pk, new_name="x"
        )
        self.assertContains(response, "not both")
        response = self.merge([self.gaming_tag], keep=self.gaming_tag.pk)
        self.assertContains(response, "Tick at least two tags")
        response = self.merge([self.gaming_tag, self.video_tag], keep=self.games_tag.pk)
        self.assertEqual(response.status_code, 200)  # a tag not ticked is no choice
        self.assertEqual(PracticeTag.objects.count(), 4)
        self.assertFalse(ModelLogEntry.objects.filter(action="practices.merge_tags").exists())

    def test_a_city_editor_may_not_merge(self):
        self.client.force_login(self.editor)
        url = self.merge_url(self.gaming_tag, self.video_tag)
        # Wagtail turns a refusal into a redirect to the dashboard with a message.
        refused = self.client.get(url, follow=True)
        self.assertEqual(refused.redirect_chain[0][1], 302)
        self.assertContains(refused, "Sorry, you do not have permission")
        self.assertNotContains(refused, "Keep this tag")
        response = self.client.post(url, {"keep": self.gaming_tag.pk})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(PracticeTag.objects.count(), 4)
        self.assertFalse(ModelLogEntry.objects.filter(action="practices.merge_tags").exists())

    def test_a_renamed_tag_slug_redirects_too(self):
        self.video_tag.slug = "videogames"
        self.video_tag.save()
        response = self.client.get("/practices/", {"tag": "video-games"})
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/practices/?tag=videogames")


class ElasticsearchTests(VocabularyTestCase):
    """The same on the Elasticsearch engine: its index holds slugs, so a merge re-indexes.

    Its own in-memory osmem-server, set up like tests/search/conftest.py and engines.py.
    """

    @classmethod
    def setUpClass(cls):
        """An osmem server for this class, and the engine pointed at it."""
        from osmem_server import OsmemServer

        server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
        cls.addClassCleanup(server.close)
        search = {
            "BACKEND": "search.backends.elasticsearch",
            "URL": server.url,
            "INDEX": "test-vocabularies",
            "TIMEOUT": 5,
            "OPTIONS": ELASTICSEARCH_OPTIONS,
        }
        override = override_settings(PRACTICE_SEARCH=search)
        override.enable()
        cls.addClassCleanup(override.disable)
        super().setUpClass()

    def setUp(self):
        with self.captureOnCommitCallbacks(execute=True):
            get_backend().rebuild()

    def search(self, **query):
        """The titles an anonymous search finds, by title."""
        response = self.client.get("/practices/", {**query, "sort": "title"})
        self.assertEqual(response.status_code, 200)
        return found_titles(response)

    def test_an_old_theme_slug_finds_the_same_practices(self):
        old_slug = self.theme.slug
        before = self.search(theme=old_slug)
        self.assertEqual(before, ["Gaming tournament", "Online safe spaces"])
        with self.captureOnCommitCallbacks(execute=True):
            self.theme.slug = "online-radicalisation"
            self.theme.save()
        response = self.client.get("/practices/", {"theme": old_slug, "sort": "title"})
        self.assertEqual(response.status_code, 301)
        self.assertEqual(self.search(theme="online-radicalisation"), before)

    def test_a_merge_reindexes_the_practices_under_the_kept_tag(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.tag(self.online, "gaming")
            self.tag(self.gaming, "video games")
        self.assertEqual(self.search(tag="gaming"), ["Online safe spaces"])
        kept, other = (
            PracticeTag.objects.get(name="gaming"),
            PracticeTag.objects.get(name="video games"),
        )
        with self.captureOnCommitCallbacks(execute=True):
            merge_tags(kept, [other], user=self.curator)
        self.assertEqual(self.search(tag="gaming"), ["Gaming tournament", "Online safe spaces"])
        self.assertEqual(self.client.get("/practices/", {"tag": "video-games"}).status_code, 301)
