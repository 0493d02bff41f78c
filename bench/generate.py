"""Synthetic practices in bulk, deterministic for a seed, written straight into the database.

Rows are inserted without Page.save() or add_child(): the treebeard paths, depths and
numchild are computed here, the multi-table child rows go in through QuerySet._insert
(bulk_create refuses multi-table inheritance), and the many-to-many rows with bulk_create.
Wagtail's search index is then filled with the search backend's own bulk add_items.
It refuses to run unless settings.PRACTICE_ALLOW_VOLUME_DATA is true and the database is
not one listed in settings.BENCH_FORBIDDEN_DATABASES (HOUSE_STYLE.md habit 13).
"""

import random
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.text import slugify
from wagtail.models import Locale, Page

from practices.models import (
    CityIndexPage,
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkIndexPage,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TaggedPractice,
    TargetAudience,
)

# Wagtail's treebeard alphabet and step length: a path is 4 base-36 digits per level.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "NO",
    "CH",
    "GB",
    "IS",
    "AL",
    "BA",
    "ME",
    "MK",
    "RS",
    "TR",
    "UA",
    "MD",
    "GE",
]
NETWORKS = [
    ("Radicalisation Awareness Network", "RAN"),
    ("European Forum for Urban Security", "Efus"),
    ("Strong Cities Network", "SCN"),
    ("icommit", "icommit"),
    ("Nordic Safe Cities", "NSC"),
    ("European Network of Deradicalisation", "ENoD"),
]
LANGUAGES = ["en"] * 14 + ["de", "fr", "nl", "es", "it", "pl"]
TAG_COUNT = 300
WORD_COUNT = 1500
BATCH = 500

# The word list is fixed (its own seed), so every data seed draws from the same words and the
# query mix can name words that occur.
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["an", "el", "or", "is", "um"]


def word_list(count=WORD_COUNT):
    """A fixed list of distinct pronounceable words, most frequent first."""
    rng = random.Random(20260601)  # noqa: S311 - test data, not secrets
    words, seen = [], set()
    while len(words) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


WORDS = word_list()
TAG_WORDS = WORDS[200 : 200 + TAG_COUNT]


def zipf_weights(count, exponent=1.0):
    """Cumulative Zipf weights for `count` ranks (rank 1 the most likely)."""
    return list(accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


WORD_WEIGHTS = zipf_weights(len(WORDS), 0.9)
TAG_WEIGHTS = zipf_weights(TAG_COUNT, 1.1)


def check_allowed():
    """Refuse unless a setting allows volume data and the database is not a protected one."""
    if not getattr(settings, "PRACTICE_ALLOW_VOLUME_DATA", False):
        raise ImproperlyConfigured(
            "Volume data is only generated with PRACTICE_ALLOW_VOLUME_DATA = True "
            "(use DJANGO_SETTINGS_MODULE=bench.settings and a BENCH_DATABASE_URL of its own)."
        )
    name = str(connection.settings_dict["NAME"])
    forbidden = getattr(settings, "BENCH_FORBIDDEN_DATABASES", set())
    if name in forbidden or name.endswith("/db.sqlite3") or name == "db.sqlite3":
        raise ImproperlyConfigured(f"Refusing to generate volume data into {name}.")


def path_step(position):
    """The 4-character path step of the `position`-th child (1-based), as treebeard writes it."""
    digits = ""
    while position:
        position, digit = divmod(position, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits.rjust(STEPLEN, "0")


def bulk_pages(model, pages):
    """Insert `pages` (instances of a Page subclass) in bulk: base rows, then child rows.

    The base rows return their ids (PostgreSQL and SQLite >= 3.35 both can), which become
    the child rows' page_ptr_id.
    """
    base_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    child_fields = model._meta.local_concrete_fields
    for start in range(0, len(pages), BATCH):
        batch = pages[start : start + BATCH]
        rows = Page._base_manager._insert(
            batch, fields=base_fields, returning_fields=[Page._meta.pk], using="default"
        )
        for page, (pk,) in zip(batch, rows, strict=True):
            page.id = page.page_ptr_id = pk
        model._base_manager._insert(batch, fields=child_fields, using="default")
        for page in batch:
            page._state.adding = False  # saved: later queries treat it as an existing row
    return pages


class Generator:
    """Builds networks, cities and practices for one size and seed."""

    def __init__(self, size, seed=1):
        """Remember the size and seed; nothing is written until run()."""
        check_allowed()  # before the first query, so a refused database is never opened
        self.size = size
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.locale = Locale.objects.order_by("pk").first()
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def words(self, count):
        """`count` words drawn from the fixed list with Zipf frequencies."""
        return self.rng.choices(WORDS, cum_weights=WORD_WEIGHTS, k=count)

    def paragraph(self, low, high):
        """Rich text of low..high words in paragraphs of about 60 words."""
        words = self.words(self.rng.randint(low, high))
        parts = [" ".join(words[i : i + 60]) for i in range(0, len(words), 60)]
        return "".join(f"<p>{part.capitalize()}.</p>" for part in parts)

    def title(self):
        """A practice title of 2-6 words."""
        return " ".join(self.words(self.rng.randint(2, 6))).capitalize()

    def _page(self, model, parent, position, title, slug, content_type, **fields):
        published = fields.pop("published", self.now)
        return model(
            title=title,
            draft_title=title,
            slug=slug,
            path=parent.path + path_step(position),
            depth=parent.depth + 1,
            numchild=0,
            url_path=f"{parent.url_path}{slug}/",
            content_type=content_type,
            locale=self.locale,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            **fields,
        )

    def run(self, log=print):
        """Write everything in one transaction and fill Wagtail's search index; return timings."""
        check_allowed()
        if PracticePage.objects.exists():
            raise ImproperlyConfigured("The database already holds practices; use a fresh one.")
        timings = {}
        started = time.perf_counter()
        with transaction.atomic():
            networks = self.make_networks()
            cities = self.make_cities()
            self.make_practices(cities, networks)
        timings["rows"] = time.perf_counter() - started
        log(f"  {self.size} practices written in {timings['rows']:.1f} s")
        started = time.perf_counter()
        fill_search_index()
        timings["search_index"] = time.perf_counter() - started
        log(f"  Wagtail's search index (the admin's) filled in {timings['search_index']:.1f} s")
        started = time.perf_counter()
        from search import index

        index.rebuild()
        timings["database_index"] = time.perf_counter() - started
        log(f"  The database engine's index written in {timings['database_index']:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return timings

    def make_networks(self):
        """The six networks under the networks index."""
        parent = NetworkIndexPage.objects.get()
        content_type = ContentType.objects.get_for_model(NetworkPage)
        pages = [
            self._page(
                NetworkPage, parent, i, title, slugify(short), content_type, short_name=short
            )
            for i, (title, short) in enumerate(NETWORKS, start=1)
        ]
        bulk_pages(NetworkPage, pages)
        Page.objects.filter(pk=parent.pk).update(numchild=len(pages))
        return pages

    def make_cities(self):
        """N/20 cities over the countries (a few countries hold most of them)."""
        parent = CityIndexPage.objects.get()
        content_type = ContentType.objects.get_for_model(CityPage)
        country_weights = zipf_weights(len(COUNTRIES), 0.8)
        count = max(10, self.size // 20)
        pages = []
        for i in range(1, count + 1):
            name = " ".join(self.words(self.rng.randint(1, 2))).title()
            country = self.rng.choices(COUNTRIES, cum_weights=country_weights)[0]
            pages.append(
                self._page(
                    CityPage, parent, i, name, f"{slugify(name)}-{i}", content_type, country=country
                )
            )
        bulk_pages(CityPage, pages)
        Page.objects.filter(pk=parent.pk).update(numchild=len(pages))
        return pages

    def make_practices(self, cities, networks):
        """The practices: 90% under a city, the rest under a network, with all their links."""
        content_type = ContentType.objects.get_for_model(PracticePage)
        themes = list(KeyTheme.objects.values_list("pk", flat=True))
        audiences = list(TargetAudience.objects.values_list("pk", flat=True))
        organisation_types = list(OrganisationType.objects.values_list("pk", flat=True))
        programmes = list(FundingProgramme.objects.values_list("pk", flat=True))
        tags = PracticeTag.objects.bulk_create(
            [PracticeTag(name=word, slug=word) for word in TAG_WORDS]
        )
        tag_ids = [tag.pk for tag in tags]
        children = {page.pk: 0 for page in [*cities, *networks]}
        first = self.now - timedelta(days=3650)
        links = {name: [] for name in ("city", "network", "theme", "audience", "funding", "tag")}

        pages = []
        for i in range(self.size):
            rng = self.rng
            owner_city = rng.choice(cities)
            scope = [owner_city]
            if rng.random() < 0.4:  # many practices run in several cities
                scope += rng.sample(cities, rng.randint(1, 3))
            scope = list(dict.fromkeys(scope))
            parent = owner_city if rng.random() < 0.9 else rng.choice(networks)
            children[parent.pk] += 1
            title = self.title()
            start_year = rng.randint(2000, 2025)
            published = first + timedelta(seconds=rng.randrange(3650 * 86400), microseconds=i)
            countries = sorted({str(city.country) for city in scope})
            page = self._page(
                PracticePage,
                parent,
                children[parent.pk],
                title,
                f"{slugify(title)[:40]}-{i}",
                content_type,
                published=published,
                description=self.paragraph(150, 300),
                sustainability_and_transferability=self.paragraph(20, 60),
                countries=countries,
                country_of_origin=countries[0],
                start_year=start_year,
                end_year=rng.choice([None, None, None, min(2026, start_year + rng.randint(1, 6))]),
                last_update_year=rng.randint(start_year, 2025),
                evaluation_type=rng.choice(["none", "none", "internal", "external"]),
                peer_reviewed=rng.random() < 0.2,
                organisation_name=" ".join(self.words(2)).title(),
                organisation_type_id=rng.choice(organisation_types),
                language=rng.choice(LANGUAGES),
                contact_name="Contact person",
                contact_email=f"contact{i}@example.org",
                contact_consent=rng.random() < 0.5,
            )
            page._links = {
                "city": [city.pk for city in scope],
                "network": rng.sample([n.pk for n in networks], rng.randint(1, 2)),
                "theme": rng.sample(themes, 2),
                "audience": rng.sample(audiences, rng.randint(1, 4)),
                "funding": rng.sample(programmes, rng.choice([0, 0, 1, 1, 2])),
                "tag": list(
                    dict.fromkeys(
                        rng.choices(tag_ids, cum_weights=TAG_WEIGHTS, k=rng.randint(1, 5))
                    )
                ),
            }
            pages.append(page)
            if len(pages) == 2000:
                self._write(pages, links)
                pages = []
        if pages:
            self._write(pages, links)
        for parent_pk, count in children.items():
            if count:
                Page.objects.filter(pk=parent_pk).update(numchild=count)

    def _write(self, pages, links):
        """Insert a batch of practices and their many-to-many rows."""
        bulk_pages(PracticePage, pages)
        through = {
            "city": (PracticePage.cities.through, "citypage_id"),
            "network": (PracticePage.networks.through, "networkpage_id"),
            "theme": (PracticePage.key_themes.through, "keytheme_id"),
            "audience": (PracticePage.target_audiences.through, "targetaudience_id"),
            "funding": (PracticePage.funding_programmes.through, "fundingprogramme_id"),
        }
        for name, (model, column) in through.items():
            model.objects.bulk_create(
                [
                    model(practicepage_id=page.pk, **{column: target})
                    for page in pages
                    for target in page._links[name]
                ],
                batch_size=2000,
            )
        TaggedPractice.objects.bulk_create(
            [
                TaggedPractice(content_object_id=page.pk, tag_id=tag)
                for page in pages
                for tag in page._links["tag"]
            ],
            batch_size=2000,
        )


def fill_search_index(chunk=1000):
    """Index every practice, city and network into Wagtail's search index in bulk chunks
    (the admin's page search reads it; the practice search has its own, search/index.py)."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    for model in (NetworkPage, CityPage, PracticePage):
        index = backend.get_index_for_model(model)
        queryset = model.get_indexed_objects().order_by("pk")
        if model is PracticePage:
            # modelsearch's indexer reads each RelatedFields value five times (title, body,
            # autocomplete, ...) and does not prefetch these two: ten queries per practice.
            queryset = queryset.prefetch_related("key_themes", "tags")
        last = 0
        while True:
            objects = list(queryset.filter(pk__gt=last)[:chunk])
            if not objects:
                break
            index.add_items(model, objects)
            last = objects[-1].pk


def generate(size, seed=1, log=print):
    """Generate `size` practices into the configured (bench) database; return timings."""
    return Generator(size, seed).run(log=log)
