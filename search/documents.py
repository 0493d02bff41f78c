"""The one place that turns a practice page into a search document (HOUSE_STYLE.md habit 7).

The Elasticsearch engine indexes what practice_to_document() returns, and the tests use it to
check that the document and the database engine see the same practice.
"""

from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch
from wagtail.models import PageViewRestriction
from wagtail.rich_text import get_text_for_indexing

from practices.models import CityPage, NetworkPage, PracticePage

from .facets import FACETS_BY_NAME

# Document fields searched for words, and the PracticePage search_fields they mirror. The
# database engine searches Wagtail's index of those search_fields; searching the same texts
# here is what keeps the two engines' hits identical (a test compares the two lists).
TEXT_FIELDS = {
    "title": "title",
    "description": "description",
    "sustainability": "sustainability_and_transferability",
    "organisation_name": "organisation_name",
    "key_theme_labels": "key_themes",
    "tag_names": "tags",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def searchable_practices():
    """Every practice the index should hold (live, not archived), ready to flatten."""
    return (
        PracticePage.objects.live()
        .filter(archived=False)
        .select_related("organisation_type")
        .prefetch_related(
            # The document needs only their slugs; whole Page instances cost a third more.
            Prefetch("networks", queryset=NetworkPage.objects.only("slug")),
            Prefetch("cities", queryset=CityPage.objects.only("slug")),
            "key_themes",
            "target_audiences",
            "funding_programmes",
            "tags",
        )
        .order_by("pk")
    )


def is_searchable(page) -> bool:
    """True when `page` belongs in the index: a live practice that is not archived."""
    return isinstance(page, PracticePage) and page.live and not page.archived


def restricted_page_paths() -> dict[str, int]:
    """Tree path -> page id of every page with a view restriction (pass it when flattening
    many pages, to look the restrictions up once)."""
    return dict(PageViewRestriction.objects.values_list("page__path", "page_id"))


def practice_to_document(page: PracticePage, restricted_paths: dict[str, int] | None = None):
    """The search document of one practice: its texts, facet values, sort keys and the ids
    of the restricted pages (itself or ancestors) a visitor must pass to see it."""
    if restricted_paths is None:
        restricted_paths = restricted_page_paths()
    slug = _facet_slug
    return {
        "page_id": page.pk,
        # Texts, as Wagtail's index sees them (rich text without its markup).
        "title": page.title,
        "description": get_text_for_indexing(page.description or ""),
        "sustainability": get_text_for_indexing(page.sustainability_and_transferability or ""),
        "organisation_name": page.organisation_name,
        "key_theme_labels": sorted(theme.label for theme in page.key_themes.all()),
        "tag_names": sorted(tag.name for tag in page.tags.all()),
        # Facets, one field per facet in search/facets.py, holding slugs or codes.
        "network": sorted(network.slug for network in page.networks.all()),
        "country": sorted(slug("country", country.code) for country in page.countries),
        "city": sorted(city.slug for city in page.cities.all()),
        "theme": sorted(theme.slug for theme in page.key_themes.all()),
        "audience": sorted(audience.slug for audience in page.target_audiences.all()),
        "organisation": page.organisation_type.slug if page.organisation_type else None,
        "start": page.start_year,
        "updated": page.last_update_year,
        "peer_reviewed": slug("peer_reviewed", page.peer_reviewed),
        "evaluation": slug("evaluation", page.evaluation_type),
        "funding": sorted(programme.slug for programme in page.funding_programmes.all()),
        "tag": sorted(tag.slug for tag in page.tags.all()),
        "language": slug("language", page.language),
        # Sorting. The title key is lower-cased here rather than by a keyword normalizer, so
        # it is the same key the database engine sorts on (LOWER(title)) on every cluster.
        "title_sort": page.title.lower(),
        # Microseconds, because Elasticsearch dates keep only milliseconds and the
        # database's microseconds would otherwise order same-millisecond pages differently.
        "published": _microseconds(page.first_published_at),
        # Visibility: the search excludes documents restricted by a page the user cannot pass.
        "restricted_by": sorted(
            page_id for path, page_id in restricted_paths.items() if page.path.startswith(path)
        ),
    }


def _facet_slug(facet_name, value):
    return FACETS_BY_NAME[facet_name].to_slug(value)


def _microseconds(moment):
    if moment is None:
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)
