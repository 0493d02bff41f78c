"""Editor groups belong to a city page, never to a name (issue 12, finding 3).

Before, the group was found by its name: a second city with a name in use took over the first
city's editors, an import did the same, `setup_roles` flipped the group back and forth, and a
draft rename renamed the group before review.
"""

import json
import tempfile
from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase
from wagtail.models import GroupPagePermission

from practices.models import CityPage, KeyTheme, TargetAudience
from practices.roles import city_editor_group, setup_roles
from tests.factories import CityPageFactory


def pages_of(group):
    """The ids of the pages `group` has rights on."""
    return set(GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True))


class EditorGroupTests(TestCase):
    """Each city keeps its own editor group whatever other cities are called."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.ghent = CityPageFactory(title="Ghent", country="BE")
        cls.ghent_editors = city_editor_group(cls.ghent)

    def test_a_second_city_with_the_same_name_gets_a_group_of_its_own(self):
        other = CityPageFactory(title="Ghent", slug="ghent-us", country="US")
        other_group = city_editor_group(other)
        self.assertNotEqual(other_group, self.ghent_editors)
        self.assertEqual(other_group.name, "City editors: Ghent (US)")
        self.assertEqual(pages_of(self.ghent_editors), {self.ghent.pk})
        self.assertEqual(pages_of(other_group), {other.pk})

    def test_setup_roles_leaves_both_groups_where_they_are(self):
        other = CityPageFactory(title="Ghent", slug="ghent-us", country="US")
        before = {city: (city_editor_group(city).pk, city_editor_group(city).name)
                  for city in (self.ghent, other)}  # fmt: skip
        for _ in range(2):
            setup_roles()
            after = {city: (city_editor_group(city).pk, city_editor_group(city).name)
                     for city in (self.ghent, other)}  # fmt: skip
            self.assertEqual(after, before)
        self.assertEqual(pages_of(self.ghent_editors), {self.ghent.pk})

    def test_an_imported_city_with_a_name_in_use_does_not_take_the_group(self):
        theme_labels = list(KeyTheme.objects.values_list("label", flat=True)[:2])
        record = {
            "title": "Dutch Ghent practice",
            "description": "A practice.",
            "key_themes": theme_labels,
            "target_audiences": [TargetAudience.objects.values_list("label", flat=True)[0]],
            "cities": [{"name": "Ghent", "country": "NL"}],
            "language": "en",
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump([record], handle)
        call_command("import_practices", handle.name, stdout=StringIO(), stderr=StringIO())
        dutch = CityPage.objects.get(title="Ghent", country="NL")
        self.assertNotEqual(city_editor_group(dutch), self.ghent_editors)
        self.assertEqual(pages_of(self.ghent_editors), {self.ghent.pk})

    def test_a_group_left_with_the_old_name_is_not_taken_over(self):
        # A group named like a city but linked to none (made by hand, or a deleted city's).
        stray = Group.objects.create(name="City editors: Lisbon")
        lisbon = CityPageFactory(title="Lisbon", country="PT")
        self.assertNotEqual(city_editor_group(lisbon), stray)
        self.assertEqual(pages_of(stray), set())

    def test_a_draft_rename_keeps_the_group_name_until_it_is_published(self):
        city = CityPage.objects.get(pk=self.ghent.pk)
        city.title = "Gent"
        city.save_revision()
        self.assertEqual(city_editor_group(self.ghent).name, "City editors: Ghent")
        CityPage.objects.get(pk=self.ghent.pk).get_latest_revision().publish()
        self.assertEqual(city_editor_group(self.ghent).name, "City editors: Gent")
        self.assertEqual(city_editor_group(self.ghent), self.ghent_editors)

    def test_an_editor_cannot_rename_their_group_to_a_future_citys_name(self):
        city = CityPage.objects.get(pk=self.ghent.pk)
        city.title = "Antwerp"
        city.save_revision()  # a draft, waiting for review
        antwerp = CityPageFactory(title="Antwerp", country="BE")
        self.assertEqual(city_editor_group(antwerp).name, "City editors: Antwerp")
        self.assertEqual(pages_of(city_editor_group(antwerp)), {antwerp.pk})
        self.assertEqual(pages_of(self.ghent_editors), {self.ghent.pk})
