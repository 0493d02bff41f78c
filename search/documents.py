"""The one place that turns practices into search documents (HOUSE_STYLE.md habit 7).

A document is built by one function, _document(), from the plain values of a practice: its
columns (_Columns) and the values of its vocabularies (RELATED). practice_to_document() reads
those values from one page object, for the index updates on publish; practice_documents()
reads them for many practices at once from rows, for rebuilds. Reading rows rather than
model instances matters: a prefetched city or network is a whole Wagtail page, and every
`.all()` on a ParentalManyToManyField goes through modelcluster, which made flattening cost
2-3 ms a practice, a few hundred documents a second (docs/benchmarks.md). The tests check
that both readings give the same documents, and use them to check that the document and the
database engine see the same practice.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from wagtail.models import PageViewRestriction
from wagtail.rich_text import get_text_for_indexing

from practices.models import PracticePage

from .facets import FACETS_BY_NAME

# Document fields searched for words, in three weighted parts: the title, the labels a
# practice is filed under, and the body (the RAN texts and the organisation). Both engines
# search exactly these fields (the database engine: search/fulltext.py; Elasticsearch:
# its mapping), which keeps their hits alike (a test compares the two lists).
TITLE_FIELDS = ("title",)
LABEL_FIELDS = ("key_theme_labels", "audience_labels", "city_names", "tag_names")
BODY_FIELDS = ("description", "evidence", "sustainability", "organisation_name")
TEXT_FIELDS = TITLE_FIELDS + LABEL_FIELDS + BODY_FIELDS

# The many-to-many relations of a practice that documents carry: relation -> {field of the
# related object: document field}. Documents hold each field's values sorted.
RELATED = {
    "networks": {"slug": "network"},
    "cities": {"slug": "city", "title": "city_names"},
    "key_themes": {"slug": "theme", "label": "key_theme_labels"},
    "target_audiences": {"slug": "audience", "label": "audience_labels"},
    "funding_programmes": {"slug": "funding"},
    "tags": {"slug": "tag", "name": "tag_names"},
}

# Practices read per query when flattening many: few enough to keep memory flat, enough to
# make the seven queries a chunk costs negligible.
CHUNK_SIZE = 2000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Columns(NamedTuple):
    """The values of one practice's own columns that its document is made of.

    The names are PracticePage lookups, so practice_documents() reads them with values_list.
    """

    pk: int
    title: str
    description: str
    evidence_and_evaluation: str
    sustainability_and_transferability: str
    organisation_name: str
    organisation_type__slug: str | None
    countries: object  # "BE,SE" from a row, or a page's list of Country objects
    start_year: int | None
    last_update_year: int | None
    peer_reviewed: bool
    evaluation_type: str
    language: str
    first_published_at: datetime | None
    path: str


def searchable_practices():
    """Every practice the index should hold (live, not archived), in page id order."""
    return PracticePage.objects.live().filter(archived=False).order_by("pk")


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
    columns = _Columns(
        pk=page.pk,
        title=page.title,
        description=page.description,
        evidence_and_evaluation=page.evidence_and_evaluation,
        sustainability_and_transferability=page.sustainability_and_transferability,
        organisation_name=page.organisation_name,
        organisation_type__slug=page.organisation_type.slug if page.organisation_type else None,
        countries=page.countries,
        start_year=page.start_year,
        last_update_year=page.last_update_year,
        peer_reviewed=page.peer_reviewed,
        evaluation_type=page.evaluation_type,
        language=page.language,
        first_published_at=page.first_published_at,
        path=page.path,
    )
    # The page's own relations, so an unsaved (in-memory) edit is what gets flattened.
    related = defaultdict(list)
    for relation, fields in RELATED.items():
        for item in getattr(page, relation).all():
            for attribute, name in fields.items():
                related[name].append(getattr(item, attribute))
    if page.pk:
        related["adaptations"] = _public_adaptations([page.pk], restricted_paths)[page.pk]
    return _document(columns, related, restricted_paths)


def _public_adaptations(page_ids, restricted_paths):
    """Practice id -> ids of its live adaptation reports outside every view restriction
    (what makes a practice "adapted elsewhere" for everyone)."""
    from practices.models import AdaptationPage

    found = defaultdict(list)
    rows = AdaptationPage.objects.live().filter(original_id__in=page_ids)
    for original_id, report_id, path in rows.values_list("original_id", "pk", "path"):
        if not any(path.startswith(restricted) for restricted in restricted_paths):
            found[original_id].append(report_id)
    return found


def practice_documents(queryset=None, chunk_size=CHUNK_SIZE):
    """Yield the documents of the practices in `queryset` (default: every searchable one) in
    page id order, equal to practice_to_document()'s, read from rows a chunk at a time
    (seven queries a chunk, no model instances)."""
    if queryset is None:
        queryset = searchable_practices()
    queryset = queryset.order_by("pk")
    restricted_paths = restricted_page_paths()
    last = None
    while True:
        remaining = queryset if last is None else queryset.filter(pk__gt=last)
        rows = [
            _Columns._make(row) for row in remaining.values_list(*_Columns._fields)[:chunk_size]
        ]
        if not rows:
            return
        first, last = rows[0].pk, rows[-1].pk
        # The chunk is every row of the queryset between its first and last ids, so the
        # relations can select the chunk with a subquery rather than thousands of parameters.
        related = _related_values(queryset.filter(pk__gte=first, pk__lte=last).values("pk"))
        adaptations = _public_adaptations([row.pk for row in rows], restricted_paths)
        for row in rows:
            related[row.pk]["adaptations"] = adaptations[row.pk]
            yield _document(row, related[row.pk], restricted_paths)


def _related_values(chunk):
    """Page id -> document field -> values, for the practices the subquery `chunk` selects."""
    found = defaultdict(lambda: defaultdict(list))
    for relation, fields in RELATED.items():
        # A fresh queryset: filtering the caller's queryset on a many-to-many relation would
        # otherwise narrow the values read through the same join. order_by() drops the page
        # tree ordering, which would add a join and a sort.
        rows = (
            PracticePage.objects.filter(pk__in=chunk)
            .filter(**{f"{relation}__isnull": False})
            .order_by()
            .values_list("pk", *(f"{relation}__{attribute}" for attribute in fields))
        )
        for page_id, *values in rows:
            for name, value in zip(fields.values(), values, strict=True):
                found[page_id][name].append(value)
    return found


def _document(columns: _Columns, related, restricted_paths):
    """The document of a practice from its columns and its related values (field -> list)."""
    slug = _facet_slug
    return {
        "page_id": columns.pk,
        # Texts, as Wagtail's index sees them (rich text without its markup).
        "title": columns.title,
        "description": get_text_for_indexing(columns.description or ""),
        "evidence": get_text_for_indexing(columns.evidence_and_evaluation or ""),
        "sustainability": get_text_for_indexing(columns.sustainability_and_transferability or ""),
        "organisation_name": columns.organisation_name,
        "key_theme_labels": sorted(related.get("key_theme_labels", ())),
        "audience_labels": sorted(related.get("audience_labels", ())),
        "city_names": sorted(related.get("city_names", ())),
        "tag_names": sorted(related.get("tag_names", ())),
        # Facets, one field per facet in search/facets.py, holding slugs or codes.
        "network": sorted(related.get("network", ())),
        "country": sorted(slug("country", code) for code in _country_codes(columns.countries)),
        "city": sorted(related.get("city", ())),
        "theme": sorted(related.get("theme", ())),
        "audience": sorted(related.get("audience", ())),
        "organisation": columns.organisation_type__slug,
        "start": columns.start_year,
        "updated": columns.last_update_year,
        "peer_reviewed": slug("peer_reviewed", columns.peer_reviewed),
        "evaluation": slug("evaluation", columns.evaluation_type),
        "funding": sorted(related.get("funding", ())),
        "tag": sorted(related.get("tag", ())),
        "language": slug("language", columns.language),
        "adapted": "yes" if related.get("adaptations") else "no",
        # Sorting. The title key is lower-cased here rather than by a keyword normalizer, so
        # it is the same key the database engine sorts on (LOWER(title)) on every cluster.
        "title_sort": columns.title.lower(),
        # Microseconds, because Elasticsearch dates keep only milliseconds and the
        # database's microseconds would otherwise order same-millisecond pages differently.
        "published": _microseconds(columns.first_published_at),
        # The tree path: a view restriction on a page hides the practices below it.
        "path": columns.path,
        # Visibility: the search excludes documents restricted by a page the user cannot pass.
        "restricted_by": sorted(
            page_id for path, page_id in restricted_paths.items() if columns.path.startswith(path)
        ),
    }


def document_texts(document):
    """(title, labels, body) of a document: the three weighted parts its words are in."""

    def joined(fields):
        parts = []
        for name in fields:
            value = document.get(name) or ""
            parts.extend(value if isinstance(value, list) else [value])
        return "\n".join(part for part in parts if part)

    return joined(TITLE_FIELDS), joined(LABEL_FIELDS), joined(BODY_FIELDS)


def _country_codes(countries):
    """ISO codes from a CountryField(multiple=True) value: the comma-separated string a row
    holds, or the list of Country objects a page holds."""
    if isinstance(countries, str):
        return [code for code in countries.split(",") if code]
    return [country.code for country in countries]


def _facet_slug(facet_name, value):
    return FACETS_BY_NAME[facet_name].to_slug(value)


def _microseconds(moment):
    if moment is None:
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)


def embedding_text(page):
    """The text of `page` that semantic search embeds (search/semantic.py), decided here.

    What a practitioner asks about comes first, since a model reads a long text in windows
    and the first one carries most: the title, the key themes, the target audiences and the
    cities, then the description (aims and working method), the evidence and evaluation, and
    sustainability and transferability.
    """
    labels = [
        ", ".join(sorted(theme.label for theme in page.key_themes.all())),
        ", ".join(sorted(audience.label for audience in page.target_audiences.all())),
        ", ".join(sorted(city.title for city in page.cities.all())),
    ]
    texts = [
        get_text_for_indexing(value or "")
        for value in (
            page.description,
            page.evidence_and_evaluation,
            page.sustainability_and_transferability,
        )
    ]
    parts = [page.title, *labels, *texts]
    return "\n".join(part.strip() for part in parts if part and part.strip())
