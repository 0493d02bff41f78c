"""The practices every search test runs on, chosen so that expectations are unambiguous.

Six practices are public (A to F). Four more contain the word "mentoring" but must never be
found by an anonymous visitor: a draft, an archived practice, a members-only practice and
one under a members-only city. Query words avoid inflected forms and the key-theme labels,
so stemming differences between the engines cannot change which practices match.
"""

import datetime
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from practices.models import (
    FundingProgramme,
    KeyTheme,
    OrganisationType,
    PracticePage,
    TargetAudience,
)
from practices.visibility import MEMBERS_GROUP
from search import index
from tests.factories import (
    CityPageFactory,
    NetworkPageFactory,
    PracticePageFactory,
    UserFactory,
)


def practice(title, parent, description, *, published=None, tags=(), **fields):
    """A live practice with its vocabularies given by slug."""
    vocabularies = {
        "key_themes": (KeyTheme, fields.pop("themes", ())),
        "target_audiences": (TargetAudience, fields.pop("audiences", ())),
        "funding_programmes": (FundingProgramme, fields.pop("funding", ())),
    }
    cities = fields.pop("cities", ())
    networks = fields.pop("networks", ())
    organisation = fields.pop("organisation", None)
    page = PracticePageFactory(
        title=title,
        parent=parent,
        description=f"<p>{description}</p>",
        key_themes=[],
        target_audiences=[],
        organisation_type=OrganisationType.objects.get(slug=organisation) if organisation else None,
        **fields,
    )
    for name, (model, slugs) in vocabularies.items():
        getattr(page, name).set(model.objects.filter(slug__in=slugs))
    page.cities.set(cities)
    page.networks.set(networks)
    page.tags.add(*tags)
    page.save()
    if published:
        PracticePage.objects.filter(pk=page.pk).update(first_published_at=published)
    # The index is written on post_save, before modelcluster writes the tags and many-to-many
    # links; in the site, publishing writes it again (page_published), as done here.
    index.write([page.pk])
    return page


def moment(year, month, day):
    """An aware datetime at noon."""
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def members_only(page):
    """Restrict `page` and its subtree to the Members group."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(name=MEMBERS_GROUP)[0])
    return restriction


def member():
    """A signed-in user in the Members group."""
    user = UserFactory(username="search-member")
    user.groups.add(Group.objects.get_or_create(name=MEMBERS_GROUP)[0])
    return user


def build():
    """Create the search test content; return it as attributes (a, b, ..., ghent, ...)."""
    peer = NetworkPageFactory(title="Peer Network", short_name="PEER", slug="peer-network")
    lab = NetworkPageFactory(title="City Lab Network", short_name="LAB", slug="city-lab-network")
    ghent = CityPageFactory(title="Ghent", slug="ghent", country="BE")
    lisbon = CityPageFactory(title="Lisbon", slug="lisbon", country="PT")
    malmo = CityPageFactory(title="Malmö", slug="malmo", country="SE")
    oslo = CityPageFactory(title="Oslo", slug="oslo", country="NO")

    a = practice(
        "Youth mentoring", ghent, "Volunteers coach teenagers every week in sports clubs.",
        cities=[ghent], countries=["BE"], networks=[peer],
        themes=["vulnerable-youth-and-youth-engagement-in-pcve", "family-support"],
        audiences=["youthpupilsstudents"], organisation="ngo", start_year=2012,
        last_update_year=2021, peer_reviewed=True, evaluation_type="external",
        funding=["esf"], tags=["sport"], language="en", published=moment(2021, 3, 1),
    )  # fmt: skip
    b = practice(
        "Family support line", lisbon, "Parents receive mentoring and counselling by phone and online.",
        cities=[lisbon], countries=["PT"], networks=[peer, lab],
        themes=["family-support", "early-prevention"], audiences=["families"],
        organisation="governmental-institution", start_year=2016, last_update_year=2023,
        peer_reviewed=False, evaluation_type="internal", funding=["esf", "erasmus"],
        tags=["helpline"], language="pt", published=moment(2022, 5, 1),
    )  # fmt: skip
    c = practice(
        "Street mediation", malmo, "Trained mediators walk the streets at night and calm conflicts.",
        cities=[malmo, ghent], countries=["SE", "BE"], networks=[lab],
        themes=["social-cohesion-and-polarisation", "local-strategiescities"],
        audiences=["general-public", "youthpupilsstudents"], organisation="ngo",
        start_year=2021, last_update_year=None, peer_reviewed=False, evaluation_type="none",
        tags=["sport", "outreach"], language="sv", published=moment(2023, 1, 10),
    )  # fmt: skip
    d = practice(
        "Online counter narratives", peer, "Videos made by former extremists answer propaganda in comment sections.",
        cities=[], countries=["NL"], networks=[peer],
        themes=["alternative-and-counter-narratives", "internet-and-radicalisation"],
        audiences=["online-community"], organisation="foundation", start_year=2008,
        last_update_year=2019, peer_reviewed=True, evaluation_type="external",
        funding=["horizon-2020"], language="en", published=moment(2020, 7, 1),
    )  # fmt: skip
    e = practice(
        "after-school theatre", ghent, "Pupils write and perform plays about belonging; volunteers from the theatre help.",
        cities=[ghent], countries=["BE"], networks=[],
        themes=["formalinformal-education", "early-prevention"],
        audiences=["youthpupilsstudents", "educatorsacademics"],
        organisation="academicresearch-institution", start_year=2019, last_update_year=2021,
        peer_reviewed=False, evaluation_type="none", language="en", published=moment(2021, 3, 1),
    )  # fmt: skip
    f = practice(
        "Street mediation", lisbon, "Municipal mediators meet neighbours after disputes.",
        cities=[lisbon], countries=["PT"], networks=[lab],
        themes=["social-cohesion-and-polarisation", "multi-agency-cooperation"],
        audiences=["authorities"], organisation="governmental-institution", start_year=2024,
        last_update_year=2024, peer_reviewed=False, evaluation_type="internal", language="pt",
        published=moment(2024, 2, 1),
    )  # fmt: skip

    hidden_fields = {
        "networks": [peer],
        "themes": ["prison-and-probation"],
        "published": moment(2025, 1, 1),
    }
    draft = practice(
        "Mentoring in prisons", ghent, "Mentoring and counselling.", cities=[ghent], **hidden_fields
    )
    draft.unpublish()
    archived = practice(
        "Mentoring archive", ghent, "Mentoring and counselling.", cities=[ghent], **hidden_fields
    )
    archived.archived = True
    archived.save()
    restricted = practice(
        "Mentoring for members",
        ghent,
        "Mentoring and counselling.",
        cities=[ghent],
        **hidden_fields,
    )
    members_only(restricted)
    under_restricted_city = practice(
        "Harbour mentoring", oslo, "Mentoring and counselling.", cities=[oslo], **hidden_fields
    )
    members_only(oslo)

    return SimpleNamespace(
        a=a, b=b, c=c, d=d, e=e, f=f,
        draft=draft, archived=archived, restricted=restricted,
        under_restricted_city=under_restricted_city,
        peer=peer, lab=lab, ghent=ghent, lisbon=lisbon, malmo=malmo, oslo=oslo,
        member=member(),
    )  # fmt: skip
