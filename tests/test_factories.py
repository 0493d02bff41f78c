"""Every factory builds a valid object in the real page tree."""

from django.test import TestCase

from .factories import (
    CityPageFactory,
    EventPageFactory,
    NetworkPageFactory,
    PracticePageFactory,
    UserFactory,
)


class FactoryTests(TestCase):
    def test_each_factory_builds_a_live_page_in_the_right_place(self):
        practice = PracticePageFactory()
        self.assertTrue(practice.live)
        self.assertEqual(practice.get_parent().specific_class.__name__, "CityPage")
        self.assertEqual(practice.key_themes.count(), 2)
        self.assertEqual(practice.target_audiences.count(), 1)
        for factory in (CityPageFactory, NetworkPageFactory, EventPageFactory):
            page = factory()
            self.assertTrue(page.live, factory.__name__)
            self.assertEqual(page.get_parent().depth, page.depth - 1)

    def test_user_factory_sets_a_usable_password(self):
        user = UserFactory()
        self.assertTrue(user.check_password("password"))
