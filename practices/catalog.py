"""The DCAT-AP catalogue of the collection at /catalog.ttl and /catalog.jsonld (docs/api.md).

One dcat:Catalog holding one dcat:Dataset, the practice collection, with its distributions:
the JSON and CSV downloads of the practices index, the read API and OAI-PMH (each a
dcat:DataService too) and the Atom feed. The dataset is described by aggregates only (key
themes as keywords, the years and countries covered, when it was first and last published),
never by a practice of its own, and every aggregate counts what the anonymous public may see:
the catalogue is the same for every reader, signed in or not, as harvesters share it.

Terms come from the EU's authority tables (data themes, countries, languages, file types,
access rights), as DCAT-AP asks; the shapes in practices/shapes/dcat-ap.ttl check the result
(tests/practices/test_catalog.py).
"""

import logging
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Max, Min
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe
from django_countries import countries
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from wagtail.models import Site

from .conditional import per_collection_state
from .feeds import FEED_SIZE
from .models import KeyTheme, PracticeIndexPage, PracticePage

logger = logging.getLogger(__name__)

# The DCAT-AP shapes the catalogue is checked against (data, read by path; not a module).
SHAPES = Path(__file__).with_name("shapes") / "dcat-ap.ttl"

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(f"{EU}data-theme/")
COUNTRY = Namespace(f"{EU}country/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
IANA = "https://www.iana.org/assignments/media-types/"
OAI_PMH = URIRef("http://www.openarchives.org/OAI/2.0/")

# The JSON-LD's context: prefixes only, written inline so a processor needs nothing online.
CONTEXT = {
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}
FORMATS = {
    "turtle": ("turtle", "text/turtle; charset=utf-8"),
    "json-ld": ("json-ld", "application/ld+json"),
}

# The EU data themes the collection is about, with the authority table's labels (DCAT-AP
# asks a category for its label, so that a harvester need not fetch the table).
THEMES = {
    DATA_THEME.JUST: "Justice, legal system and public safety",
    DATA_THEME.SOCI: "Population and society",
}
# ISO 639-1 (the practices' `language`) to the EU language table: the EU's official languages
# and the others the collection's cities write in. A language not listed is left out.
LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA",
    "et": "EST", "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA",
    "lt": "LIT", "lv": "LAV", "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON",
    "sk": "SLK", "sl": "SLV", "sv": "SWE", "ar": "ARA", "is": "ISL", "mk": "MKD", "nb": "NOB",
    "no": "NOR", "ru": "RUS", "sq": "SQI", "sr": "SRP", "tr": "TUR", "uk": "UKR",
}  # fmt: skip

TITLE = "Good practices in preventing violent extremism, polarisation and urban violence"
DESCRIPTION = (
    "Practices that cities, networks and organisations across Europe use to prevent "
    "radicalisation, violent extremism, polarisation and urban violence, described with the "
    "fields of the RAN Collection practice template: aim and working method, key themes, "
    "target audiences, geographical scope, evidence and evaluation, sustainability and "
    "transferability, funding and the organisation behind each practice. Public practices "
    "only; contact details only where the contact agreed to be shown."
)


def _en(text):
    return Literal(text, lang="en")


def _path(name):
    """The path of the URL named `name`, or None while that channel has no route."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _root():
    """The default Wagtail Site's address (where every absolute link of the site points)."""
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _licence():
    """PRACTICE_CATALOG_LICENSE as an IRI, or None (and a logged warning) when it is not one."""
    value = settings.PRACTICE_CATALOG_LICENSE
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        # An unusable setting must not take the catalogue down: it goes out without licence
        # (the shapes warn of that) and the log says why.
        logger.warning("PRACTICE_CATALOG_LICENSE is not an http(s) URI: %r", value)
        return None
    return URIRef(value)


def _language_code(code):
    """The EU language table's code for an ISO 639-1 code (or a variant like pt-br), or None."""
    return LANGUAGES.get((code or "").split("-")[0].lower())


def collection_summary():
    """The aggregates the dataset is described by, over the public practices only."""
    public = PracticePage.objects.visible_to(AnonymousUser())
    dates = public.aggregate(
        start=Min("start_year"),
        # A practice still running has no end year: its start year is the latest one known.
        end=Max(Coalesce("end_year", "start_year")),
        issued=Min("first_published_at"),
        modified=Max("last_published_at"),
    )
    themes = (
        KeyTheme.objects.filter(practices__in=public.values("pk"))
        .distinct()
        .order_by("label")
        .values_list("label", flat=True)
    )
    codes = set()
    for scope, origin in public.values_list("countries", "country_of_origin"):
        # A multiple CountryField reads back as the stored "BE,FR" from values_list.
        if isinstance(scope, str):
            scope = scope.split(",")
        codes.update(str(code) for code in scope or () if code)
        if origin:
            codes.add(str(origin))
    alpha3 = sorted({countries.alpha3(code) for code in codes} - {""})
    languages = {_language_code(code) for code in public.values_list("language", flat=True)}
    return {
        **dates,
        "themes": list(themes),
        "countries": alpha3,
        "languages": sorted(languages - {None}),
    }


class CatalogGraph:
    """Builds the catalogue's graph: call build() once."""

    def __init__(self):
        self.graph = Graph()
        for prefix, namespace in CONTEXT.items():
            self.graph.bind(prefix, namespace)
        self.root = _root()
        self.base = f"{self.root}{reverse('catalog_ttl')}#"
        self.site_name = settings.WAGTAIL_SITE_NAME
        self.summary = collection_summary()

    def add(self, subject, predicate, obj):
        """Add one triple (none when `obj` is None: a value the settings do not give)."""
        if obj is not None:
            self.graph.add((subject, predicate, obj))

    def node(self, name, rdf_class):
        """This document's node `#name`, a `rdf_class`."""
        return self.typed(URIRef(f"{self.base}{name}"), rdf_class)

    def typed(self, node, rdf_class):
        """`node`, stated to be a `rdf_class` (the shapes check the class of each value)."""
        self.add(node, RDF.type, rdf_class)
        return node

    def authority(self, table, code, rdf_class):
        """An entry of an EU authority table, a `rdf_class` in that table's scheme."""
        node = self.typed(URIRef(f"{EU}{table}/{code}"), rdf_class)
        self.add(node, SKOS.inScheme, URIRef(f"{EU}{table}"))
        return node

    def build(self):
        """The whole graph: the catalogue, its dataset and each way to get the data."""
        licence = _licence()
        self.licence = licence and self.typed(licence, DCTERMS.LicenseDocument)
        self.homepage = self.typed(URIRef(f"{self.root}/"), FOAF.Document)
        self.publisher = self.node("publisher", FOAF.Agent)
        name = settings.PRACTICE_CATALOG_PUBLISHER or self.site_name
        self.add(self.publisher, FOAF.name, Literal(name))
        self.add(self.publisher, FOAF.homepage, self.homepage)
        self.contact = self.contact_point()
        self.themes = []
        for theme, label in THEMES.items():
            self.themes.append(self.typed(theme, SKOS.Concept))
            self.add(theme, SKOS.prefLabel, _en(label))
            self.add(theme, SKOS.inScheme, self.theme_scheme())
        self.dataset = self.node("practices", DCAT.Dataset)
        self.catalog = self.node("catalog", DCAT.Catalog)
        self.describe_catalog()
        self.describe_dataset()
        self.downloads()
        self.api()
        self.oai()
        self.feed()
        return self.graph

    def theme_scheme(self):
        """The EU data themes as a skos:ConceptScheme with its title."""
        scheme = self.typed(URIRef(f"{EU}data-theme"), SKOS.ConceptScheme)
        self.add(scheme, DCTERMS.title, _en("Data theme"))
        return scheme

    def contact_point(self):
        """The site's own address as a vCard (never a practice's contact)."""
        contact = self.node("contact", VCARD.Kind)
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        self.add(contact, VCARD.fn, Literal(name or self.site_name))
        if address:
            self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{address}"))
        return contact

    def spatial_and_dates(self, subject):
        """The countries covered and the first and latest publication, on `subject`."""
        for code in self.summary["countries"]:
            self.add(subject, DCTERMS.spatial, self.authority("country", code, DCTERMS.Location))
        if self.summary["issued"]:
            self.add(subject, DCTERMS.issued, Literal(self.summary["issued"]))
        if self.summary["modified"]:
            self.add(subject, DCTERMS.modified, Literal(self.summary["modified"]))

    def describe_catalog(self):
        """The catalogue's own properties."""
        catalog = self.catalog
        self.add(catalog, DCTERMS.title, _en(self.site_name))
        description = f"The open data of {self.site_name}: {TITLE.lower()}."
        self.add(catalog, DCTERMS.description, _en(description))
        self.add(catalog, DCTERMS.publisher, self.publisher)
        self.add(catalog, FOAF.homepage, self.homepage)
        self.add(catalog, DCTERMS.license, self.licence)
        site_language = _language_code(settings.LANGUAGE_CODE)
        if site_language:
            language = self.authority("language", site_language, DCTERMS.LinguisticSystem)
            self.add(catalog, DCTERMS.language, language)
        self.add(catalog, DCAT.themeTaxonomy, self.theme_scheme())
        self.add(catalog, DCAT.dataset, self.dataset)
        self.spatial_and_dates(catalog)

    def describe_dataset(self):
        """The dataset: what the collection is, about, where and when, and who to ask."""
        dataset, summary = self.dataset, self.summary
        self.add(dataset, DCTERMS.title, _en(TITLE))
        self.add(dataset, DCTERMS.description, _en(DESCRIPTION))
        self.add(dataset, DCTERMS.identifier, Literal(str(dataset)))
        self.add(dataset, DCTERMS.publisher, self.publisher)
        self.add(dataset, DCAT.contactPoint, self.contact)
        public = self.authority("access-right", "PUBLIC", DCTERMS.RightsStatement)
        self.add(dataset, DCTERMS.accessRights, public)
        for theme in self.themes:
            self.add(dataset, DCAT.theme, theme)
        for label in summary["themes"]:
            self.add(dataset, DCAT.keyword, _en(label))
        for code in summary["languages"]:
            language = self.authority("language", code, DCTERMS.LinguisticSystem)
            self.add(dataset, DCTERMS.language, language)
        self.spatial_and_dates(dataset)
        if summary["start"] or summary["end"]:
            period = self.node("period", DCTERMS.PeriodOfTime)
            self.add(dataset, DCTERMS.temporal, period)
            for predicate, year in (
                (DCAT.startDate, summary["start"]),
                (DCAT.endDate, summary["end"]),
            ):
                if year:
                    self.add(period, predicate, Literal(f"{year:04d}", datatype=XSD.gYear))

    def distribution(self, name, title, description, url, file_type, media_type, download):
        """A dcat:Distribution of the dataset at `url` (also its downloadURL if `download`)."""
        distribution = self.node(name, DCAT.Distribution)
        self.add(self.dataset, DCAT.distribution, distribution)
        self.add(distribution, DCTERMS.title, _en(title))
        self.add(distribution, DCTERMS.description, _en(description))
        self.add(distribution, DCTERMS.license, self.licence)
        self.add(distribution, DCAT.accessURL, URIRef(url))
        if download:
            self.add(distribution, DCAT.downloadURL, URIRef(url))
        file_format = self.authority("file-type", file_type, DCTERMS.MediaTypeOrExtent)
        self.add(distribution, DCTERMS.format, file_format)
        self.add(
            distribution, DCAT.mediaType, self.typed(URIRef(IANA + media_type), DCTERMS.MediaType)
        )
        stable = self.authority("planned-availability", "STABLE", SKOS.Concept)
        self.add(stable, SKOS.prefLabel, _en("stable"))
        self.add(distribution, DCATAP.availability, stable)
        return distribution

    def service(self, name, title, description, endpoint, endpoint_description):
        """A dcat:DataService of the catalogue serving the dataset at `endpoint`."""
        service = self.node(name, DCAT.DataService)
        self.add(self.catalog, DCAT.service, service)
        self.add(service, DCTERMS.title, _en(title))
        self.add(service, DCTERMS.description, _en(description))
        self.add(service, DCAT.endpointURL, URIRef(endpoint))
        self.add(service, DCAT.endpointDescription, URIRef(endpoint_description))
        self.add(service, DCAT.servesDataset, self.dataset)
        self.add(service, DCTERMS.license, self.licence)
        self.add(service, DCTERMS.publisher, self.publisher)
        self.add(service, DCAT.contactPoint, self.contact)
        for theme in self.themes:
            self.add(service, DCAT.theme, theme)
        return service

    def downloads(self):
        """The JSON and CSV downloads of the practices index (when there is one)."""
        index = PracticeIndexPage.objects.live().first()
        if index is None:
            return
        landing = index.full_url
        self.add(self.dataset, DCAT.landingPage, self.typed(URIRef(landing), FOAF.Document))
        note = (
            f" Up to {settings.PRACTICE_DOWNLOAD_MAX} practices a download, in the search "
            "page's order; add the search page's filters to the URL to narrow it."
        )
        self.distribution(
            "json",
            "The collection as JSON",
            "A list of records in the interchange format (docs/importing.md)." + note,
            f"{landing}?format=json",
            "JSON",
            "application/json",
            download=True,
        )
        self.distribution(
            "csv",
            "The collection as CSV",
            "UTF-8, one practice a row, the importer's spreadsheet layout." + note,
            f"{landing}?format=csv",
            "CSV",
            "text/csv",
            download=True,
        )

    def api(self):
        """The read API: a data service, and the practices list as a distribution through it."""
        api_root, practices = _path("api:api-root"), _path("api:practices")
        if not (api_root and practices):
            return
        service = self.service(
            "api",
            f"{self.site_name} read API",
            "Practices (searched as the site's search page does), cities, networks, events, "
            "adaptation reports and vocabularies, as JSON; described by an OpenAPI document.",
            f"{self.root}{api_root}",
            f"{self.root}{_path('api:openapi-json') or api_root}",
        )
        distribution = self.distribution(
            "api-practices",
            "The practices through the read API",
            "Searchable, paged JSON lists of the practices and each practice by its id.",
            f"{self.root}{practices}",
            "JSON",
            "application/json",
            download=False,
        )
        self.add(distribution, DCAT.accessService, service)

    def oai(self):
        """OAI-PMH: a data service, and the records as a distribution through it."""
        oai = _path("oai")
        if not oai:
            return
        service = self.service(
            "oai",
            f"{self.site_name} OAI-PMH",
            "The practices for harvesting with OAI-PMH 2.0: Dublin Core (oai_dc) and the "
            "interchange record (practicehub) as metadata formats, sets by network and by key "
            "theme, withdrawn practices as deleted records; described by its Identify answer.",
            f"{self.root}{oai}",
            f"{self.root}{oai}?verb=Identify",
        )
        self.add(service, DCTERMS.conformsTo, self.typed(OAI_PMH, DCTERMS.Standard))
        distribution = self.distribution(
            "oai-pmh",
            "The practices over OAI-PMH",
            "Every public practice as an OAI-PMH record, harvested in batches with resumption "
            "tokens, selectively by datestamp (from, until) and set.",
            f"{self.root}{oai}",
            "XML",
            "text/xml",
            download=False,
        )
        self.add(distribution, DCAT.accessService, service)

    def feed(self):
        """The Atom feed of the newest practices."""
        feed = _path("practices_feed_atom")
        if feed:
            self.distribution(
                "atom",
                "The newest practices as an Atom feed",
                f"The {FEED_SIZE} practices published last.",
                f"{self.root}{feed}",
                "ATOM",
                "application/atom+xml",
                download=True,
            )


def build_graph():
    """The catalogue as an rdflib Graph: one catalogue, one dataset, its distributions."""
    return CatalogGraph().build()


def serialize(graph, rdf_format):
    """`graph` as Turtle or JSON-LD (compacted with CONTEXT) text."""
    if rdf_format == "json-ld":
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return graph.serialize(format=rdf_format)


@require_safe
@per_collection_state
def catalog(request, rdf_format):
    """The catalogue in `rdf_format` ("turtle" or "json-ld"), the same for every reader."""
    name, content_type = FORMATS[rdf_format]
    return HttpResponse(serialize(build_graph(), name), content_type=content_type)
