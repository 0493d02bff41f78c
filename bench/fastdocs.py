"""A prototype of the proposed faster flattening for the Elasticsearch rebuild.

search.documents.practice_to_document() walks model instances: every prefetched city and
network is a full Wagtail Page object, and every `.all()` on a ParentalManyToManyField goes
through modelcluster's live-queryset machinery. That costs several milliseconds a practice
in Python, which caps a rebuild at a few hundred practices a second before the cluster does
any work. This builds the same documents from flat `values_list` rows (one query per
relation per chunk, no model instances); the benchmark checks that the documents are equal
and times both.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from wagtail.rich_text import get_text_for_indexing

from practices.models import PracticePage, TaggedPractice
from search.documents import restricted_page_paths

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIELDS = (
    "pk",
    "title",
    "description",
    "sustainability_and_transferability",
    "organisation_name",
    "organisation_type__slug",
    "countries",
    "start_year",
    "last_update_year",
    "peer_reviewed",
    "evaluation_type",
    "language",
    "first_published_at",
    "path",
)
# Document field -> (through model, its column to the target, the target's slug lookup).
RELATIONS = {
    "network": (PracticePage.networks.through, "networkpage__slug"),
    "city": (PracticePage.cities.through, "citypage__slug"),
    "audience": (PracticePage.target_audiences.through, "targetaudience__slug"),
    "funding": (PracticePage.funding_programmes.through, "fundingprogramme__slug"),
}


def _codes(value):
    if not value:
        return []
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return [getattr(country, "code", country) for country in value]


def _related(ids):
    """Document field -> page id -> sorted values, one query per relation."""
    found = defaultdict(lambda: defaultdict(list))
    for name, (through, lookup) in RELATIONS.items():
        rows = through.objects.filter(practicepage_id__in=ids).values_list(
            "practicepage_id", lookup
        )
        for page_id, slug in rows:
            found[name][page_id].append(slug)
    themes = PracticePage.key_themes.through.objects.filter(practicepage_id__in=ids)
    for page_id, slug, label in themes.values_list(
        "practicepage_id", "keytheme__slug", "keytheme__label"
    ):
        found["theme"][page_id].append(slug)
        found["key_theme_labels"][page_id].append(label)
    tags = TaggedPractice.objects.filter(content_object_id__in=ids)
    for page_id, slug, name in tags.values_list("content_object_id", "tag__slug", "tag__name"):
        found["tag"][page_id].append(slug)
        found["tag_names"][page_id].append(name)
    return found


def fast_documents(queryset=None, chunk=2000):
    """Yield (page id, document) for every searchable practice, as practice_to_document would."""
    if queryset is None:
        queryset = PracticePage.objects.live().filter(archived=False)
    queryset = queryset.order_by("pk")
    restricted = restricted_page_paths()
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).values_list(*FIELDS)[:chunk])
        if not rows:
            return
        last = rows[-1][0]
        related = _related([row[0] for row in rows])
        for row in rows:
            pk, title, description, sustainability, organisation, organisation_type = row[:6]
            countries, start, updated, peer_reviewed, evaluation, language = row[6:12]
            published, path = row[12:]
            relations = {name: sorted(values.get(pk, ())) for name, values in related.items()}
            yield (
                pk,
                {
                    "page_id": pk,
                    "title": title,
                    "description": get_text_for_indexing(description or ""),
                    "sustainability": get_text_for_indexing(sustainability or ""),
                    "organisation_name": organisation,
                    "key_theme_labels": relations.get("key_theme_labels", []),
                    "tag_names": relations.get("tag_names", []),
                    "network": relations.get("network", []),
                    "country": sorted(code.lower() for code in _codes(countries)),
                    "city": relations.get("city", []),
                    "theme": relations.get("theme", []),
                    "audience": relations.get("audience", []),
                    "organisation": organisation_type,
                    "start": start,
                    "updated": updated,
                    "peer_reviewed": "yes" if peer_reviewed else "no",
                    "evaluation": evaluation,
                    "funding": relations.get("funding", []),
                    "tag": relations.get("tag", []),
                    "language": language,
                    "title_sort": title.lower(),
                    "published": (published - _EPOCH) // timedelta(microseconds=1)
                    if published
                    else None,
                    "restricted_by": sorted(
                        page_id for prefix, page_id in restricted.items() if path.startswith(prefix)
                    ),
                },
            )
