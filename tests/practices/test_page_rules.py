"""Where each page type may live (parent_page_types / subpage_types), one rule per test."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from practices.models import (
    AdaptationPage,
    CityIndexPage,
    CityPage,
    EventPage,
    HomePage,
    NetworkIndexPage,
    NetworkPage,
    PracticeIndexPage,
    PracticePage,
    UnfiledPracticesPage,
)


class PagePlacementTests(WagtailPageTestCase):
    def test_home_page_lives_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_home_page_holds_the_three_indexes_and_the_unfiled_practices(self):
        self.assertAllowedSubpageTypes(
            HomePage, {CityIndexPage, NetworkIndexPage, PracticeIndexPage, UnfiledPracticesPage}
        )

    def test_unfiled_practices_holds_practices_and_only_the_importer_makes_it(self):
        self.assertAllowedSubpageTypes(UnfiledPracticesPage, {PracticePage})
        self.assertAllowedParentPageTypes(UnfiledPracticesPage, {HomePage})
        # Not offered in the admin's "add child page" (is_creatable).
        self.assertNotIn(UnfiledPracticesPage, HomePage.creatable_subpage_models())

    def test_indexes_live_under_home(self):
        for index in (CityIndexPage, NetworkIndexPage, PracticeIndexPage):
            with self.subTest(index=index.__name__):
                self.assertAllowedParentPageTypes(index, {HomePage})

    def test_city_index_holds_only_cities(self):
        self.assertAllowedSubpageTypes(CityIndexPage, {CityPage})

    def test_network_index_holds_only_networks(self):
        self.assertAllowedSubpageTypes(NetworkIndexPage, {NetworkPage})

    def test_practice_index_has_no_children(self):
        self.assertAllowedSubpageTypes(PracticeIndexPage, set())

    def test_city_lives_under_the_city_index(self):
        self.assertAllowedParentPageTypes(CityPage, {CityIndexPage})

    def test_city_holds_its_practices_and_its_adaptations_of_others(self):
        self.assertAllowedSubpageTypes(CityPage, {PracticePage, AdaptationPage})

    def test_an_adaptation_lives_under_a_city_and_holds_nothing(self):
        self.assertAllowedParentPageTypes(AdaptationPage, {CityPage})
        self.assertAllowedSubpageTypes(AdaptationPage, set())

    def test_network_lives_under_the_network_index(self):
        self.assertAllowedParentPageTypes(NetworkPage, {NetworkIndexPage})

    def test_network_holds_events_and_practices_without_a_city(self):
        self.assertAllowedSubpageTypes(NetworkPage, {EventPage, PracticePage})

    def test_event_lives_under_a_network_and_has_no_children(self):
        self.assertAllowedParentPageTypes(EventPage, {NetworkPage})
        self.assertAllowedSubpageTypes(EventPage, set())

    def test_practice_lives_under_a_city_a_network_or_unfiled_and_has_no_children(self):
        # Unfiled practices: where the importer files records with neither (a curator moves
        # them on).
        self.assertAllowedParentPageTypes(
            PracticePage, {CityPage, NetworkPage, UnfiledPracticesPage}
        )
        self.assertAllowedSubpageTypes(PracticePage, set())

    def test_a_practice_cannot_be_created_under_an_index_or_an_event(self):
        for parent in (CityIndexPage, NetworkIndexPage, PracticeIndexPage, EventPage, HomePage):
            with self.subTest(parent=parent.__name__):
                self.assertCanNotCreateAt(parent, PracticePage)

    def test_singletons_cannot_be_created_twice(self):
        home = HomePage.objects.get()
        for index in (CityIndexPage, NetworkIndexPage, PracticeIndexPage):
            with self.subTest(index=index.__name__):
                self.assertFalse(index.can_create_at(home))
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))
