"""The fixed, seeded mix of 50 searches every engine and the naive baseline answer."""

import random
from urllib.parse import urlencode

from practices.models import (
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkPage,
    OrganisationType,
    TargetAudience,
)
from search.backends.base import SearchParams, SortOrder
from search.facets import START_YEAR_RANGES

from .generate import COUNTRIES, LANGUAGES, TAG_WORDS, WORDS

QUERY_COUNT = 50
# Words for queries come from the common-to-middling part of the Zipf list, so 1-3 words
# (all required) still match something at 1k practices, and some match a great deal.
QUERY_WORDS = WORDS[3:300]


def facet_values():
    """Facet name -> slugs a visitor can tick, read from the vocabularies in the database."""

    def slugs(model):
        return list(model.objects.order_by("pk").values_list("slug", flat=True))

    return {
        "network": slugs(NetworkPage),
        "country": [code.lower() for code in COUNTRIES],
        # The first cities are the ones a seeded draw reaches at every size.
        "city": slugs(CityPage)[:50],
        "theme": slugs(KeyTheme),
        "audience": slugs(TargetAudience),
        "organisation": slugs(OrganisationType),
        "start": [bucket.slug for bucket in START_YEAR_RANGES],
        "updated": [str(year) for year in range(2005, 2026)],
        "peer_reviewed": ["yes", "no"],
        "evaluation": ["none", "internal", "external"],
        "funding": slugs(FundingProgramme),
        "tag": TAG_WORDS[:60],
        "language": sorted(set(LANGUAGES)),
    }


def query_mix(seed=6, count=QUERY_COUNT):
    """`count` SearchParams: a fifth with no words, the rest 1-3 words; 0-3 ticked values
    (sometimes two in one facet, to exercise OR within a facet); relevance or newest first."""
    rng = random.Random(seed)  # noqa: S311 - a query mix, not secrets
    values = facet_values()
    names = sorted(values)
    mix = []
    for i in range(count):
        text = "" if i % 5 == 0 else " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 3)))
        selected = {}
        for _ in range(rng.randint(0, 3)):
            name = rng.choice(names)
            selected.setdefault(name, set()).add(rng.choice(values[name]))
        sort = SortOrder.RELEVANCE if i % 2 else SortOrder.NEWEST
        mix.append(
            SearchParams(
                text=text,
                selected={name: frozenset(slugs) for name, slugs in selected.items()},
                sort=sort,
            )
        )
    return mix


def to_querystring(params):
    """The search page's GET parameters for `params` (for the HTTP load test)."""
    pairs = [("q", params.text)] if params.text else []
    for name, slugs in sorted(params.selected.items()):
        pairs += [(name, slug) for slug in sorted(slugs)]
    pairs.append(("sort", str(params.sort)))
    return urlencode(pairs)
