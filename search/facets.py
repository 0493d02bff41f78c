"""The facet table: every facet of the practice search, named once (DESIGN.md, "Search").

Both engines, the search form and the templates read FACETS. A facet's `name` is its URL
parameter, its field in the Elasticsearch document and its key in SearchResult.facets. URLs
and the index carry slugs or codes; labels are looked up in the vocabularies at query time,
so renaming a term never needs a re-index to show the new label.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf.global_settings import LANGUAGES
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices.models import (
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
)
from practices.models.vocabularies import (
    TRANSLATED_LANGUAGES,
    VocabularyTerm,
    current_slugs,
)

from .backends.base import FacetOption

TERMS = "terms"  # one value (or several) per practice; counted per value
RANGES = "ranges"  # a number counted into fixed buckets

BY_COUNT = "count"  # most practices first, then by label
NEWEST_FIRST = "newest"  # years, latest first
FIXED = "fixed"  # the order the facet defines

# A visitor ticking more boxes than this in one facet is not browsing; the rest are ignored.
MAX_SELECTED_PER_FACET = 50


@dataclass(frozen=True)
class Facet:
    """A facet whose values are slugs stored as they are (language, evaluation type, ...).

    `orm_path` is the PracticePage lookup that yields the value in the database engine.
    """

    name: str
    label: Promise
    orm_path: str
    ordering: str = BY_COUNT
    kind: str = TERMS
    # The database stores several values in one comma-separated column (CountryField).
    comma_separated: bool = False

    def to_slug(self, value: Any) -> str:
        """The URL slug of a value read from the database or the index."""
        return str(value)

    def from_slug(self, slug: str) -> Any:
        """The database value a slug stands for."""
        return slug

    def known(self, slugs: Iterable[str]) -> set[str]:
        """The slugs among `slugs` that name a value of this facet."""
        return set(self.labels(slugs))

    def labels(self, slugs: Iterable[str]) -> dict[str, str]:
        """Human labels for the known slugs among `slugs`."""
        raise NotImplementedError

    def renamed(self, slugs: Iterable[str]) -> dict[str, str]:
        """{old slug: current slug} for those of `slugs` a value had before a rename or merge."""
        return {}

    def options(
        self,
        counts: Mapping[str, int],
        selected: frozenset[str],
        all_labels: Mapping[str, str] | None = None,
    ) -> list[FacetOption]:
        """The checkboxes to show: every value counted above zero, plus the selected ones.

        Both engines hand their counts to this one method, so labels and order never differ.
        `all_labels` (slug -> label of every value) saves looking the labels up.
        """
        # An empty value (an evaluation not stated yet) is nothing to filter on; one engine
        # counts it and the other does not index it, so it is left out here for both.
        slugs = {slug for slug, count in counts.items() if count > 0 and slug} | set(selected)
        if all_labels is None:
            labels = self.labels(slugs)
        else:
            labels = {slug: all_labels[slug] for slug in slugs if slug in all_labels}
        options = [
            FacetOption(slug, labels.get(slug, slug), counts.get(slug, 0), slug in selected)
            for slug in slugs
        ]
        return sorted(options, key=self._sort_key)

    def _sort_key(self, option: FacetOption):
        return (-option.count, option.label.casefold(), option.slug)


# Slugs above which a vocabulary's labels are read whole: a query with a parameter per slug
# costs more than reading every label (500 cities: 5.5 ms against 1.8 ms on PostgreSQL).
LABELS_READ_ALL_ABOVE = 50


@dataclass(frozen=True)
class VocabularyFacet(Facet):
    """A facet over a vocabulary model or page type with a unique `slug`."""

    model: type | None = None
    label_field: str = "label"

    def labels(self, slugs):
        """Labels from the vocabulary, so a renamed term shows its new label at once."""
        slugs = set(slugs)
        if not slugs:
            return {}
        if len(slugs) > LABELS_READ_ALL_ABOVE:
            return {slug: label for slug, label in self.all_labels().items() if slug in slugs}
        return self._read_labels(self.model.objects.filter(slug__in=slugs))

    def all_labels(self):
        """Slug -> label of every value in the vocabulary."""
        return self._read_labels(self.model.objects.all())

    def _label_fields(self):
        """The columns a label is read from: the active language's label first, when the
        vocabulary has one (VocabularyTerm.label_fr, ...), then the English label."""
        code = (get_language() or "").split("-")[0].lower()
        translated = code in TRANSLATED_LANGUAGES and self.label_field == "label"
        if translated and issubclass(self.model, VocabularyTerm):
            return (f"label_{code}", self.label_field)
        return (self.label_field,)

    def _read_labels(self, terms):
        """Slug -> label of `terms` in the reader's language, falling back to English.

        Read at query time on both engines (their documents carry slugs only), so a label a
        curator translates shows at once, with no re-index, and the index stays English.
        """
        fields = self._label_fields()
        rows = terms.values_list("slug", *fields)
        return {slug: next((label for label in labels if label), "") for slug, *labels in rows}

    def renamed(self, slugs):
        """Slugs a term or tag had before (its `former_slugs`), mapped to its slug now, so
        saved and shared search URLs outlive a renamed slug or a tag merge."""
        if not hasattr(self.model, "former_slugs"):
            return {}  # cities and networks: pages, which keep no former slugs
        return current_slugs(self.model, slugs)


@dataclass(frozen=True)
class ChoiceFacet(Facet):
    """A facet over a fixed set of values, each with a label (and maybe a database value)."""

    choices: Mapping[str, Any] = field(default_factory=dict)  # slug -> label
    values: Mapping[str, Any] = field(default_factory=dict)  # slug -> database value

    def from_slug(self, slug):
        """The database value (booleans differ from their slugs)."""
        return self.values.get(slug, slug)

    def to_slug(self, value):
        """The slug of a database value."""
        for slug, database_value in self.values.items():
            if database_value == value:
                return slug
        return str(value)

    def labels(self, slugs):
        """Labels from the fixed choices, translated (Django's language names are marked
        with gettext_noop, so they are translated here)."""
        return {slug: gettext(str(self.choices[slug])) for slug in slugs if slug in self.choices}

    def _sort_key(self, option):
        if self.ordering == FIXED:
            # A value outside the fixed list (an evaluation not stated yet: "") goes last.
            order = list(self.choices)
            return (order.index(option.slug) if option.slug in order else len(order),)
        return super()._sort_key(option)


@dataclass(frozen=True)
class CountryFacet(Facet):
    """Countries by ISO 3166-1 alpha-2 code, labelled with their names."""

    def to_slug(self, value):
        """Codes travel in lower case in URLs (?country=be)."""
        return str(value).lower()

    def from_slug(self, slug):
        """The upper-case code the database stores."""
        return slug.upper()

    def labels(self, slugs):
        """Country names for the codes django-countries knows."""
        # The code -> name mapping, read once: countries.name() per code is ~50x slower.
        names = countries.countries
        return {slug: str(names[slug.upper()]) for slug in slugs if slug.upper() in names}


@dataclass(frozen=True)
class YearFacet(Facet):
    """A year, one option per year, latest first."""

    ordering: str = NEWEST_FIRST

    def from_slug(self, slug):
        """The year as a number."""
        return int(slug)

    def labels(self, slugs):
        """A year is its own label."""
        return {slug: slug for slug in slugs if re.fullmatch(r"(19|20|21)\d\d", slug)}

    def _sort_key(self, option):
        return (-int(option.slug),)


@dataclass(frozen=True)
class YearRange:
    """A bucket of years: `start` included, `end` excluded; None leaves that side open."""

    slug: str
    label: Promise
    start: int | None
    end: int | None


@dataclass(frozen=True)
class YearRangeFacet(Facet):
    """A year counted into fixed buckets (the start of a practice)."""

    kind: str = RANGES
    ordering: str = FIXED
    ranges: tuple[YearRange, ...] = ()

    def labels(self, slugs):
        """The bucket labels."""
        by_slug = {bucket.slug: str(bucket.label) for bucket in self.ranges}
        return {slug: by_slug[slug] for slug in slugs if slug in by_slug}

    def _sort_key(self, option):
        return ([bucket.slug for bucket in self.ranges].index(option.slug),)


START_YEAR_RANGES = (
    YearRange("before-2010", _("Before 2010"), None, 2010),
    YearRange("2010-2014", _("2010 to 2014"), 2010, 2015),
    YearRange("2015-2019", _("2015 to 2019"), 2015, 2020),
    YearRange("2020-2024", _("2020 to 2024"), 2020, 2025),
    YearRange("2025-later", _("2025 or later"), 2025, None),
)

FACETS: tuple[Facet, ...] = (
    VocabularyFacet(
        "network", _("Network"), "networks__slug", model=NetworkPage, label_field="title"
    ),
    CountryFacet("country", _("Country"), "countries", comma_separated=True),
    VocabularyFacet("city", _("City"), "cities__slug", model=CityPage, label_field="title"),
    VocabularyFacet("theme", _("Key theme"), "key_themes__slug", model=KeyTheme),
    VocabularyFacet(
        "audience", _("Target audience"), "target_audiences__slug", model=TargetAudience
    ),
    VocabularyFacet(
        "organisation", _("Type of organisation"), "organisation_type__slug", model=OrganisationType
    ),
    YearRangeFacet("start", _("Start of the practice"), "start_year", ranges=START_YEAR_RANGES),
    YearFacet("updated", _("Last update"), "last_update_year"),
    ChoiceFacet(
        "peer_reviewed",
        _("Peer review"),
        "peer_reviewed",
        ordering=FIXED,
        choices={"yes": _("Peer reviewed"), "no": _("Not peer reviewed")},
        values={"yes": True, "no": False},
    ),
    ChoiceFacet(
        "evaluation",
        _("Evaluation"),
        "evaluation_type",
        ordering=FIXED,
        choices=dict(PracticePage.EvaluationType.choices),
    ),
    VocabularyFacet(
        "funding", _("Funding programme"), "funding_programmes__slug", model=FundingProgramme
    ),
    VocabularyFacet("tag", _("Tag"), "tags__slug", model=PracticeTag, label_field="name"),
    ChoiceFacet(
        "language",
        _("Language"),
        "language",
        choices=dict(LANGUAGES),
    ),
    # Whether another city published an adaptation report of it (practices/models/adaptations.py).
    ChoiceFacet(
        "adapted",
        _("Adapted elsewhere"),
        "adaptations",
        ordering=FIXED,
        choices={"yes": _("Adapted in another city"), "no": _("Not adapted yet")},
    ),
)

FACETS_BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}
