"""The DCAT-AP catalogue (/catalog.ttl, /catalog.jsonld), read back with rdflib and checked
against the project's DCAT-AP shapes with pyshacl, as a harvester such as data.europa.eu would."""

from urllib.parse import urlsplit

import pyshacl
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase, override_settings
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SH

from practices.catalog import COUNTRY, SHAPES, VCARD
from practices.models import KeyTheme, PracticePage
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures

TTL, JSONLD = "/catalog.ttl", "/catalog.jsonld"
# Plain namespaces: pytest's collection would probe rdflib's closed ones for mock attributes.
DCAT, XSD = Namespace(str(ns.DCAT)), Namespace(str(ns.XSD))


def validate(graph, **options):
    """pyshacl's (conforms, results graph, text) for `graph` against the shipped shapes."""
    shapes = Graph().parse(SHAPES, format="turtle")
    return pyshacl.validate(
        graph, shacl_graph=shapes, inference="rdfs", allow_warnings=True, **options
    )


def results(report, severity):
    """The focus nodes and paths of the report's results of `severity`."""
    return [
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath))
        for r in report.subjects(SH.resultSeverity, severity)
    ]


class CatalogTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        themes = list(KeyTheme.objects.order_by("pk"))
        cls.public_themes = themes[:3]
        cls.older = PracticePageFactory(
            parent=cls.leak_city,
            start_year=2012,
            end_year=2016,
            countries=["FR", "DE"],
            key_themes=themes[:2],
            language="fr",
        )
        cls.newer = PracticePageFactory(
            parent=cls.leak_city,
            start_year=2018,
            country_of_origin="NL",
            key_themes=themes[1:3],
        )
        # What only hidden practices have must not reach the catalogue: a theme, countries,
        # years (before the public ones; the editor allows none after next year); and the hidden ones are published last, so that "modified" could pick them.
        cls.hidden_theme = KeyTheme.objects.create(label="Hidden theme only")
        hidden = {
            cls.members_only_practice: ("IS", 1990, 1995),
            cls.archived_practice: ("MT", 1991, 1996),
            cls.draft_practice: ("CY", 1992, 1997),
        }
        # Factories make live pages without publishing them: publish the public ones first.
        for page in (cls.public_practice, cls.older, cls.newer):
            page.save_revision().publish()
        for page, (country, start, end) in hidden.items():
            page.countries = [country]
            page.country_of_origin = country
            page.start_year, page.end_year = start, end
            page.save()
            page.key_themes.set([cls.hidden_theme])
            page.save()
            if page.live:
                page.save_revision().publish()
        for page in (cls.public_practice, cls.older, cls.newer):
            page.refresh_from_db()
        cls.member = UserFactory(username="catalog-member")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def setUp(self):
        # Public answers are kept per collection state, which settings do not move.
        cache.clear()

    def fetch(self, url=TTL, **extra):
        """The answer at `url` and its body parsed as RDF."""
        response = self.client.get(url, **extra)
        self.assertEqual(response.status_code, 200)
        rdf_format = "json-ld" if url.startswith(JSONLD) else "turtle"
        return response, Graph().parse(data=response.content.decode(), format=rdf_format)

    def dataset(self, graph):
        """The graph's one dataset."""
        (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
        return dataset

    # --- Formats

    def test_both_formats_answer_the_same_graph(self):
        turtle, turtle_graph = self.fetch(TTL)
        jsonld, jsonld_graph = self.fetch(JSONLD)
        self.assertEqual(turtle["Content-Type"], "text/turtle; charset=utf-8")
        self.assertEqual(jsonld["Content-Type"], "application/ld+json")
        self.assertGreater(len(turtle_graph), 50)
        self.assertTrue(isomorphic(turtle_graph, jsonld_graph))
        # Readable offline: the context is inline, not an address to fetch.
        self.assertIn(b'"@context": {', jsonld.content)
        self.assertIn(b'"dcat": "http://www.w3.org/ns/dcat#"', jsonld.content)

    def test_catalogue_and_dataset(self):
        _response, graph = self.fetch()
        (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
        dataset = self.dataset(graph)
        self.assertIn((catalog, DCAT.dataset, dataset), graph)
        self.assertEqual(graph.value(catalog, DCTERMS.title), Literal("Practice Hub", lang="en"))
        self.assertEqual(graph.value(catalog, FOAF.homepage), URIRef("http://testserver/"))
        self.assertEqual(graph.value(dataset, DCTERMS.title).language, "en")
        self.assertEqual(graph.value(dataset, DCTERMS.description).language, "en")
        publisher = graph.value(dataset, DCTERMS.publisher)
        self.assertIn((publisher, RDF.type, FOAF.Agent), graph)
        self.assertEqual(graph.value(publisher, FOAF.name), Literal("Practice Hub"))
        contact = graph.value(dataset, DCAT.contactPoint)
        self.assertIn((contact, RDF.type, VCARD.Kind), graph)
        self.assertEqual(graph.value(contact, VCARD.hasEmail), URIRef("mailto:webmaster@localhost"))
        self.assertIn(
            (
                dataset,
                DCAT.theme,
                URIRef("http://publications.europa.eu/resource/authority/data-theme/JUST"),
            ),
            graph,
        )
        self.assertEqual(
            graph.value(dataset, DCTERMS.accessRights),
            URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
        )

    @override_settings(PRACTICE_CATALOG_PUBLISHER="City Network Secretariat")
    def test_the_publisher_setting_names_the_publisher(self):
        _response, graph = self.fetch()
        publisher = graph.value(self.dataset(graph), DCTERMS.publisher)
        self.assertEqual(graph.value(publisher, FOAF.name), Literal("City Network Secretariat"))

    # --- What the dataset says about the collection

    def test_keywords_are_the_themes_of_public_practices_only(self):
        _response, graph = self.fetch()
        keywords = {str(k) for k in graph.objects(self.dataset(graph), DCAT.keyword)}
        self.assertEqual(keywords, {theme.label for theme in self.public_themes})
        self.assertNotIn("Hidden theme only", keywords)
        for keyword in graph.objects(self.dataset(graph), DCAT.keyword):
            self.assertEqual(keyword.language, "en")

    def test_temporal_coverage_spans_the_public_practices_years(self):
        _response, graph = self.fetch()
        period = graph.value(self.dataset(graph), DCTERMS.temporal)
        self.assertIn((period, RDF.type, DCTERMS.PeriodOfTime), graph)
        self.assertEqual(graph.value(period, DCAT.startDate), Literal("2012", datatype=XSD.gYear))
        # The newer practice runs on (no end year): its start year is the latest year known.
        self.assertEqual(graph.value(period, DCAT.endDate), Literal("2018", datatype=XSD.gYear))

    def test_spatial_coverage_is_the_public_practices_countries(self):
        _response, graph = self.fetch()
        spatial = set(graph.objects(self.dataset(graph), DCTERMS.spatial))
        # Belgium (the factories' country of origin), France and Germany in scope, the
        # Netherlands as a country of origin; not the hidden practices' Iceland, Malta, Cyprus.
        self.assertEqual(spatial, {COUNTRY.BEL, COUNTRY.FRA, COUNTRY.DEU, COUNTRY.NLD})
        for place in spatial:
            self.assertIn((place, RDF.type, DCTERMS.Location), graph)

    def test_issued_and_modified_are_the_first_and_latest_public_publish(self):
        public = PracticePage.objects.filter(
            pk__in=[self.public_practice.pk, self.older.pk, self.newer.pk]
        )
        latest = max(page.last_published_at for page in public)
        first = min(page.first_published_at for page in public)
        self.members_only_practice.refresh_from_db()
        self.assertGreater(self.members_only_practice.last_published_at, latest)
        _response, graph = self.fetch()
        dataset = self.dataset(graph)
        modified = graph.value(dataset, DCTERMS.modified)
        self.assertEqual(modified.datatype, XSD.dateTime)
        self.assertEqual(modified.toPython(), latest)
        self.assertEqual(graph.value(dataset, DCTERMS.issued).toPython(), first)
        (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
        self.assertEqual(graph.value(catalog, DCTERMS.modified).toPython(), latest)

    def test_languages_of_public_practices(self):
        _response, graph = self.fetch()
        languages = {
            str(lang).rsplit("/", 1)[1]
            for lang in graph.objects(self.dataset(graph), DCTERMS.language)
        }
        self.assertEqual(languages, {"ENG", "FRA"})

    def test_the_licence_is_the_setting(self):
        _response, graph = self.fetch()
        default = URIRef("http://creativecommons.org/licenses/by/4.0/")
        distributions = list(graph.objects(self.dataset(graph), DCAT.distribution))
        self.assertEqual(len(distributions), 5)  # JSON, CSV, the API, OAI-PMH, the feed
        for distribution in distributions:
            self.assertEqual(graph.value(distribution, DCTERMS.license), default)
        self.assertIn((default, RDF.type, DCTERMS.LicenseDocument), graph)

        zero = "https://creativecommons.org/publicdomain/zero/1.0/"
        with override_settings(PRACTICE_CATALOG_LICENSE=zero):
            cache.clear()
            _response, graph = self.fetch(JSONLD)
        for distribution in graph.objects(self.dataset(graph), DCAT.distribution):
            self.assertEqual(graph.value(distribution, DCTERMS.license), URIRef(zero))
        self.assertNotIn(default, set(graph.all_nodes()))

    @override_settings(PRACTICE_CATALOG_LICENSE="CC BY 4.0")
    def test_a_licence_that_is_no_uri_is_left_out(self):
        with self.assertLogs("practices.catalog", "WARNING"):
            _response, graph = self.fetch(TTL)
        self.assertEqual(list(graph.objects(None, DCTERMS.license)), [])
        conforms, _report, text = validate(graph)
        self.assertTrue(conforms, text)

    def test_distributions_and_services(self):
        _response, graph = self.fetch()
        dataset = self.dataset(graph)
        by_format = {}
        for distribution in graph.objects(dataset, DCAT.distribution):
            file_type = str(graph.value(distribution, DCTERMS.format)).rsplit("/", 1)[1]
            by_format.setdefault(file_type, []).append(distribution)
            self.assertIsNotNone(graph.value(distribution, DCTERMS.title))
            self.assertTrue(
                str(graph.value(distribution, DCAT.mediaType)).startswith(
                    "https://www.iana.org/assignments/media-types/"
                )
            )
        self.assertEqual(
            {k: len(v) for k, v in by_format.items()},
            {"JSON": 2, "CSV": 1, "ATOM": 1, "XML": 1},
        )
        (csv,) = by_format["CSV"]
        self.assertEqual(
            graph.value(csv, DCAT.downloadURL), URIRef("http://testserver/practices/?format=csv")
        )
        (api_distribution,) = [d for d in by_format["JSON"] if graph.value(d, DCAT.accessService)]
        self.assertEqual(
            graph.value(api_distribution, DCAT.accessURL),
            URIRef("http://testserver/api/practices/"),
        )
        self.assertIsNone(graph.value(api_distribution, DCAT.downloadURL))
        api = graph.value(api_distribution, DCAT.accessService)
        self.assertIn((api, RDF.type, DCAT.DataService), graph)
        self.assertEqual(graph.value(api, DCAT.endpointURL), URIRef("http://testserver/api/"))
        self.assertEqual(
            graph.value(api, DCAT.endpointDescription),
            URIRef("http://testserver/api/openapi.json"),
        )
        # OAI-PMH: a distribution through a data service that conforms to the protocol.
        (oai_distribution,) = by_format["XML"]
        self.assertEqual(
            graph.value(oai_distribution, DCAT.accessURL), URIRef("http://testserver/oai/")
        )
        self.assertEqual(
            graph.value(oai_distribution, DCAT.mediaType),
            URIRef("https://www.iana.org/assignments/media-types/text/xml"),
        )
        self.assertIsNone(graph.value(oai_distribution, DCAT.downloadURL))
        oai = graph.value(oai_distribution, DCAT.accessService)
        self.assertIn((oai, RDF.type, DCAT.DataService), graph)
        self.assertEqual(graph.value(oai, DCAT.endpointURL), URIRef("http://testserver/oai/"))
        self.assertEqual(
            graph.value(oai, DCAT.endpointDescription),
            URIRef("http://testserver/oai/?verb=Identify"),
        )
        self.assertEqual(
            graph.value(oai, DCTERMS.conformsTo), URIRef("http://www.openarchives.org/OAI/2.0/")
        )
        self.assertEqual(graph.value(oai, DCAT.servesDataset), dataset)
        (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
        self.assertEqual(set(graph.objects(catalog, DCAT.service)), {api, oai})

    def test_every_url_in_the_catalogue_answers(self):
        _response, graph = self.fetch()
        urls = set()
        for prop in (DCAT.accessURL, DCAT.downloadURL, DCAT.endpointDescription, DCAT.landingPage):
            urls.update(str(url) for url in graph.objects(None, prop))
        self.assertGreaterEqual(len(urls), 6)
        for url in sorted(urls):
            with self.subTest(url=url):
                parts = urlsplit(url)
                self.assertEqual(parts.netloc, "testserver")
                response = self.client.get(parts.path, query_string=parts.query)
                self.assertEqual(response.status_code, 200)

    # --- SHACL

    def test_the_catalogue_conforms_to_the_shapes_without_a_warning(self):
        for url in (TTL, JSONLD):
            with self.subTest(url=url):
                _response, graph = self.fetch(url)
                # meta_shacl: the shapes file is itself checked against SHACL's own shapes.
                conforms, report, text = validate(graph, meta_shacl=True)
                self.assertTrue(conforms, text)
                self.assertEqual(results(report, SH.Warning), [], text)
                self.assertEqual(results(report, SH.Info), [], text)

    def test_the_shapes_catch_a_missing_title_or_access_url(self):
        _response, graph = self.fetch()
        dataset = self.dataset(graph)
        distribution = graph.value(dataset, DCAT.distribution)

        untitled = Graph() + graph
        untitled.remove((dataset, DCTERMS.title, None))
        conforms, report, _text = validate(untitled)
        self.assertFalse(conforms)
        self.assertEqual(results(report, SH.Violation), [(dataset, DCTERMS.title)])

        unreachable = Graph() + graph
        unreachable.remove((distribution, DCAT.accessURL, None))
        conforms, report, _text = validate(unreachable)
        self.assertFalse(conforms)
        self.assertEqual(results(report, SH.Violation), [(distribution, DCAT.accessURL)])

    def test_the_shapes_catch_wrong_ranges_and_cardinalities(self):
        _response, graph = self.fetch()
        dataset = self.dataset(graph)
        distribution = graph.value(dataset, DCAT.distribution)
        cases = {
            # A date that is not one.
            (dataset, DCTERMS.modified): [(dataset, DCTERMS.modified, Literal("yesterday"))],
            # A licence that is not a dct:LicenseDocument, and a second one.
            (distribution, DCTERMS.license): [
                (distribution, DCTERMS.license, URIRef("http://example.org/some-licence"))
            ],
            # A publisher without a name.
            (URIRef("http://example.org/nobody"), FOAF.name): [
                (URIRef("http://example.org/nobody"), RDF.type, FOAF.Agent)
            ],
        }
        for (focus, path), triples in cases.items():
            with self.subTest(path=path):
                broken = Graph() + graph
                if path == DCTERMS.modified:
                    broken.remove((dataset, DCTERMS.modified, None))
                for triple in triples:
                    broken.add(triple)
                conforms, report, text = validate(broken)
                self.assertFalse(conforms, text)
                self.assertIn((focus, path), results(report, SH.Violation))

    def test_an_empty_collection_still_conforms(self):
        PracticePage.objects.update(archived=True)
        _response, graph = self.fetch()
        dataset = self.dataset(graph)
        self.assertEqual(list(graph.objects(dataset, DCAT.keyword)), [])
        self.assertIsNone(graph.value(dataset, DCTERMS.temporal))
        conforms, report, text = validate(graph)
        self.assertTrue(conforms, text)
        # Recommended properties the collection cannot fill are warnings, not violations.
        warned = {path for _focus, path in results(report, SH.Warning)}
        self.assertEqual(
            warned, {DCAT.keyword, DCTERMS.spatial, DCTERMS.temporal, DCTERMS.modified}
        )

    # --- Nothing hidden, the same for everyone

    def test_nothing_hidden_leaks_in_either_format(self):
        for url in (TTL, JSONLD):
            for member in (False, True):
                with self.subTest(url=url, member=member):
                    cache.clear()
                    if member:
                        self.client.force_login(self.member)
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assert_nothing_leaked(response.content)
                    content = response.content.decode()
                    self.assertNotIn(SECRET_CONTACT, content)
                    self.assertNotIn("Hidden theme only", content)
                    # No practice of its own: aggregates only.
                    self.assertNotIn(self.public_practice.slug, content)
                    self.client.logout()

    def test_a_member_gets_the_public_catalogue(self):
        _response, public = self.fetch()
        self.client.force_login(self.member)
        _response, members = self.fetch()
        self.assertTrue(isomorphic(public, members))

    # --- Odd requests

    def test_an_unknown_query_string_changes_nothing(self):
        _response, plain = self.fetch(TTL)
        response, odd = self.fetch(f"{TTL}?format=json&page=99&q=%00%ff&theme=nope")
        self.assertEqual(response["Content-Type"], "text/turtle; charset=utf-8")
        self.assertTrue(isomorphic(plain, odd))
        _response, odd = self.fetch(f"{JSONLD}?format=csv")
        self.assertTrue(isomorphic(plain, odd))

    def test_head_conditional_and_other_methods(self):
        response = self.client.head(TTL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/turtle; charset=utf-8")
        self.assertEqual(response.content, b"")
        response = self.client.get(JSONLD)
        again = self.client.get(JSONLD, headers={"If-None-Match": response["ETag"]})
        self.assertEqual(again.status_code, 304)
        for method in ("post", "put", "delete"):
            with self.subTest(method=method):
                self.assertEqual(getattr(self.client, method)(TTL).status_code, 405)
