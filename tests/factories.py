"""factory_boy + wagtail-factories builders, one per model, placed in the real page tree."""

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from practices.models import (
    AdaptationPage,
    CityIndexPage,
    CityPage,
    EventPage,
    KeyTheme,
    NetworkIndexPage,
    NetworkPage,
    PracticePage,
    TargetAudience,
)


def _rich(text):
    return f"<p>{text}</p>"


class NetworkPageFactory(wagtail_factories.PageFactory):
    """A live network under the Networks index created by the migrations."""

    class Meta:
        model = NetworkPage

    title = factory.Sequence(lambda n: f"Network {n}")
    short_name = factory.Sequence(lambda n: f"NET{n}")
    description = _rich("A network of cities.")
    parent = factory.LazyFunction(lambda: NetworkIndexPage.objects.get())


class CityPageFactory(wagtail_factories.PageFactory):
    """A live city under the Cities index."""

    class Meta:
        model = CityPage

    title = factory.Sequence(lambda n: f"City {n}")
    country = "BE"
    parent = factory.LazyFunction(lambda: CityIndexPage.objects.get())


class EventPageFactory(wagtail_factories.PageFactory):
    """A live event under a new network."""

    class Meta:
        model = EventPage

    title = factory.Sequence(lambda n: f"Meeting {n}")
    date = factory.Faker("date_object")
    place = "Online"
    parent = factory.SubFactory(NetworkPageFactory)


class PracticePageFactory(wagtail_factories.PageFactory):
    """A complete, live practice under a new city, with two themes and one audience."""

    class Meta:
        model = PracticePage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Practice {n}")
    description = _rich("Prevents radicalisation of young people through mentoring.")
    country_of_origin = "BE"
    parent = factory.SubFactory(CityPageFactory)

    @factory.post_generation
    def key_themes(self, create, extracted, **kwargs):
        """Default: the first two key themes (the RAN rule)."""
        if create:
            self.key_themes.set(extracted if extracted is not None else KeyTheme.objects.all()[:2])
            self.save()

    @factory.post_generation
    def target_audiences(self, create, extracted, **kwargs):
        """Default: one audience."""
        if create:
            audiences = extracted if extracted is not None else TargetAudience.objects.all()[:1]
            self.target_audiences.set(audiences)
            self.save()


class UserFactory(factory.django.DjangoModelFactory):
    """A user with the password "password"."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class AdaptationPageFactory(wagtail_factories.PageFactory):
    """A live adaptation report under a city."""

    class Meta:
        model = AdaptationPage

    title = "Theatre against polarisation, Ghent"
    what_adapted = "<p>We took over the weekly sessions and shortened them to six weeks.</p>"
    results = "<p>Forty pupils took part in the first year.</p>"
