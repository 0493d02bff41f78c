"""The naive baseline: what a first version of the faceted search would do.

Wagtail's `.search()` finds the pages holding the words; then every matching page and its
related objects are loaded (with prefetch_related, so the baseline is naive but not
pathological) and each facet is counted in Python with the same multi-select rules as the
engines: OR within a facet, AND across facets, each facet counted with every other facet's
selection applied but not its own.
"""

from collections import Counter
from dataclasses import dataclass

from practices.models import PracticePage
from search.backends.base import SortOrder
from search.facets import FACETS, START_YEAR_RANGES


@dataclass
class NaiveResult:
    """What the baseline computes: the total, the page of ids and every facet's counts."""

    total: int
    page_ids: list
    counts: dict


def _bucket(year):
    for bucket in START_YEAR_RANGES:
        if (bucket.start is None or year >= bucket.start) and (
            bucket.end is None or year < bucket.end
        ):
            return bucket.slug
    return None


def facet_values(page):
    """Facet name -> the set of slugs `page` has, walking its related objects."""
    organisation = page.organisation_type
    return {
        "network": {network.slug for network in page.networks.all()},
        "country": {country.code.lower() for country in page.countries},
        "city": {city.slug for city in page.cities.all()},
        "theme": {theme.slug for theme in page.key_themes.all()},
        "audience": {audience.slug for audience in page.target_audiences.all()},
        "organisation": {organisation.slug} if organisation else set(),
        "start": {_bucket(page.start_year)} if page.start_year else set(),
        "updated": {str(page.last_update_year)} if page.last_update_year else set(),
        "peer_reviewed": {"yes" if page.peer_reviewed else "no"},
        "evaluation": {page.evaluation_type},
        "funding": {programme.slug for programme in page.funding_programmes.all()},
        "tag": {tag.slug for tag in page.tags.all()},
        "language": {page.language},
        # Live reports only; the bench content has no view restrictions below cities.
        "adapted": {"yes" if any(report.live for report in page.adaptations.all()) else "no"},
    }


def naive_search(params):
    """Answer `params` the naive way; see the module docstring."""
    visible = PracticePage.objects.visible_to(params.user)
    if params.text:
        # Wagtail's search filters only on FilterFields (not `archived`), so search all
        # practices and narrow to the visible ones below.
        found = PracticePage.objects.search(params.text, operator="and", order_by_relevance=True)
        ranked_ids = [page.pk for page in found]
        pages = visible.filter(pk__in=ranked_ids)
    else:
        ranked_ids = None
        pages = visible
    pages = list(
        pages.select_related("organisation_type").prefetch_related(
            "networks",
            "cities",
            "key_themes",
            "target_audiences",
            "funding_programmes",
            "tags",
            "adaptations",
        )
    )
    values = [(page, facet_values(page)) for page in pages]
    selected = {facet.name: params.selected_in(facet.name) for facet in FACETS}

    def passes(page_values, name):
        wanted = selected[name]
        return not wanted or bool(page_values[name] & wanted)

    counts = {}
    for facet in FACETS:
        counter = Counter()
        for _page, page_values in values:
            if all(passes(page_values, other) for other in selected if other != facet.name):
                counter.update(page_values[facet.name])
        counts[facet.name] = counter
    hits = [page for page, page_values in values if all(passes(page_values, n) for n in selected)]
    if params.effective_sort == SortOrder.RELEVANCE:
        position = {pk: i for i, pk in enumerate(ranked_ids)}  # Wagtail's order, best first
        hits.sort(key=lambda page: position[page.pk])
    else:
        hits.sort(key=lambda page: (page.title.lower(), page.pk))
        hits.sort(key=lambda page: page.first_published_at, reverse=True)
    window = hits[params.offset : params.offset + params.per_page]
    return NaiveResult(total=len(hits), page_ids=[page.pk for page in window], counts=counts)
