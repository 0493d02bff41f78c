"""schema.org JSON-LD in the pages' heads, read back with rdflib as a harvester would."""

import re

from django.contrib.auth.models import Group
from django.test import TestCase
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from practices.models import FundingProgramme, KeyTheme
from tests.factories import EventPageFactory, PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures

SDO = Namespace("https://schema.org/")
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


class JsonLdTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.practice = PracticePageFactory(
            title="Mentoring </script><b>young</b> people",
            parent=cls.leak_city,
            start_year=2019,
            contact_email="open@team.example",
            contact_consent=True,
        )
        cls.theme = KeyTheme.objects.order_by("pk").first()
        cls.practice.key_themes.set([cls.theme])
        cls.practice.funding_programmes.set([FundingProgramme.objects.order_by("pk").first()])
        cls.practice.save_revision().publish()
        cls.event = EventPageFactory(title="RAN LOCAL meeting", place="Online")

    def graph(self, url):
        """The page's JSON-LD, parsed; fails if there is not exactly one block."""
        html = self.client.get(url).content.decode()
        (block,) = SCRIPT.findall(html)
        self.assertNotIn("</script", block)  # the title's markup is escaped
        return Graph().parse(data=block, format="json-ld"), block

    def test_a_practice_is_a_project_about_its_key_themes(self):
        graph, _block = self.graph(self.practice.url)
        subject = URIRef(self.practice.full_url)
        self.assertIn((subject, RDF.type, SDO.Project), graph)
        self.assertIn((subject, SDO.name, Literal(self.practice.title)), graph)
        (term,) = graph.objects(subject, SDO.about)
        self.assertIn((term, RDF.type, SDO.DefinedTerm), graph)
        self.assertIn((term, SDO.name, Literal(self.theme.label)), graph)
        term_set = graph.value(term, SDO.inDefinedTermSet)
        self.assertIn((term_set, RDF.type, SDO.DefinedTermSet), graph)
        (grant,) = graph.objects(subject, SDO.funding)
        self.assertIn((grant, RDF.type, SDO.Grant), graph)
        self.assertIn((subject, SDO.foundingDate, Literal("2019")), graph)
        city = URIRef(self.leak_city.full_url)
        self.assertIn((city, RDF.type, SDO.City), graph)
        contact = graph.value(subject, SDO.contactPoint)
        self.assertEqual(graph.value(contact, SDO.email), Literal("open@team.example"))

    def test_cities_networks_and_events(self):
        graph, _block = self.graph(self.leak_city.url)
        self.assertIn((URIRef(self.leak_city.full_url), RDF.type, SDO.City), graph)
        network = self.event.get_parent().specific
        graph, _block = self.graph(network.url)
        self.assertIn((URIRef(network.full_url), RDF.type, SDO.Organization), graph)
        graph, _block = self.graph(self.event.url)
        event = URIRef(self.event.full_url)
        self.assertIn((event, RDF.type, SDO.Event), graph)
        self.assertIsNotNone(graph.value(event, SDO.startDate))
        self.assertEqual(
            graph.value(graph.value(event, SDO.organizer), SDO.name), Literal(network.title)
        )

    def test_other_pages_and_routes_carry_none(self):
        for url in ("/practices/", self.practice.url + "contact/"):
            with self.subTest(url=url):
                self.assertEqual(SCRIPT.findall(self.client.get(url).content.decode()), [])

    def test_an_unconsented_contact_is_in_the_members_json_ld_only(self):
        _graph, block = self.graph(self.public_practice.url)
        self.assertNotIn(SECRET_CONTACT, block)
        self.assertNotIn("contactPoint", block)
        self.assert_nothing_leaked(block)
        member = UserFactory(username="member")
        member.groups.set([Group.objects.get(name="Members")])
        self.client.force_login(member)
        _graph, block = self.graph(self.public_practice.url)
        self.assertIn(SECRET_CONTACT, block)

    def test_the_city_page_json_ld_names_no_hidden_practice(self):
        _graph, block = self.graph(self.leak_city.url)
        self.assert_nothing_leaked(block)
