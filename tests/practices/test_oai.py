"""OAI-PMH (/oai/) harvested with a real client, Sickle, whose requests go through Django's test
client: every verb, batches and resumption tokens, from/until, sets, both metadata formats (the
practicehub record validated against the schema the site serves), deleted records, every error
the protocol names for bad input, and what must never reach a harvester."""

import math
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import Group
from django.core import signing
from django.core.cache import cache
from django.test import TestCase, override_settings
from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator
from wagtail.models import PageLogEntry

from practices.curation import set_archived
from practices.models import KeyTheme, PracticePage, PracticePresentation
from practices.oai import TOKEN_SALT
from practices.roles import make_members_only
from tests.factories import CityPageFactory, NetworkPageFactory, PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ph": "urn:practicehub:practice:1",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The fifteen elements of simple Dublin Core, all oai_dc may hold.
DUBLIN_CORE = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip


class _Answer:
    """A Django test response dressed as the requests.Response Sickle reads."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.encoding = "utf-8"

    @property
    def text(self):
        return self.content.decode(self.encoding)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise AssertionError(f"HTTP {self.status_code}: {self.content[:200]!r}")


class DjangoSickle(Sickle):
    """Sickle, harvesting through django.test.Client (GET, or POST form-encoded as harvesters
    send it); every answer is kept in `answers` for the tests to read."""

    def __init__(self, client, http_method="GET", **options):
        super().__init__("http://testserver/oai/", http_method=http_method, **options)
        self.client = client
        self.answers = []

    def _request(self, kwargs):
        if self.http_method == "GET":
            response = self.client.get("/oai/", kwargs)
        else:
            response = self.client.post(
                "/oai/", urlencode(kwargs), content_type="application/x-www-form-urlencoded"
            )
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        self.answers.append(response)
        return _Answer(response)


def pk_of(identifier):
    """The page id in an identifier of this repository."""
    return int(identifier.rsplit("/", 1)[1])


def stamp(page, moment):
    """Give `page` the datestamp `moment`: its last publication and its page log entries."""
    PracticePage.objects.filter(pk=page.pk).update(last_published_at=moment)
    PageLogEntry.objects.filter(page_id=page.pk).update(timestamp=moment)


class OaiTestCase(LeakFixtures, TestCase):
    """The leak fixtures, plus public practices in two networks and two withdrawn ones."""

    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.themes = list(KeyTheme.objects.order_by("pk")[:4])
        cls.ran = NetworkPageFactory(title="Radicalisation Awareness Network", short_name="RAN")
        cls.efus = NetworkPageFactory(title="European Forum for Urban Security", short_name="EFUS")
        cls.closed_network = NetworkPageFactory(title="Closed circle network quokka")
        make_members_only(cls.closed_network)
        cls.ghent = CityPageFactory(title="Ghent")
        cls.mentoring = PracticePageFactory(
            title="Youth mentoring in parks",
            parent=cls.ghent,
            key_themes=cls.themes[:2],
            contact_name="Open Contact",
            contact_email="open@team.example",
            contact_consent=True,
            start_year=2019,
            countries=["BE", "NL"],
            source_url="https://ran.example.org/practices/17",
            language="nl",
        )
        cls.mentoring.networks.set([cls.ran])
        cls.mentoring.cities.set([cls.ghent, cls.leak_city])
        cls.mentoring.tags.add("online outreach")
        PracticePresentation.objects.create(
            page=cls.mentoring, name="RAN LOCAL", date="2021-05-27", place="Online"
        )
        cls.theatre = PracticePageFactory(
            title="Theatre against polarisation", parent=cls.ghent, key_themes=cls.themes[2:4]
        )
        cls.theatre.networks.set([cls.efus])
        cls.hotline = PracticePageFactory(title="Family hotline", parent=cls.ghent)
        cls.hotline.networks.set([cls.ran, cls.efus])
        # Published once, then withdrawn: reported as deleted.
        cls.unpublished = PracticePageFactory(title="Unpublished practice", parent=cls.ghent)
        cls.archived = PracticePageFactory(title="Archived after publication", parent=cls.ghent)
        # Published while members-only, then unpublished: never named, even as deleted.
        cls.members_withdrawn = PracticePageFactory(
            title="Members withdrawn practice okapi", parent=cls.leak_city
        )
        make_members_only(cls.members_withdrawn)
        cls.public = [
            cls.public_practice, cls.mentoring, cls.theatre, cls.hotline,
        ]  # fmt: skip
        # Factories make live pages without publishing them: publish as an editor would.
        for page in [
            *cls.public, cls.unpublished, cls.archived, cls.members_only_practice,
            cls.members_withdrawn,
        ]:  # fmt: skip
            page.save_revision().publish()
        cls.unpublished.refresh_from_db()
        cls.unpublished.unpublish()
        set_archived(cls.archived, True, user=None)
        cls.members_withdrawn.refresh_from_db()
        cls.members_withdrawn.unpublish()
        cls.deleted = [cls.unpublished, cls.archived]
        cls.hidden = [
            cls.members_only_practice, cls.draft_practice, cls.archived_practice,
            cls.members_withdrawn,
        ]  # fmt: skip
        cls.member = UserFactory(username="oai-member")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def setUp(self):
        cache.clear()
        self.sickle = DjangoSickle(self.client)

    def get(self, **args):
        """The parsed answer to a GET with `args` (a dict; lists repeat an argument)."""
        response = self.client.get("/oai/", args)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        return etree.fromstring(response.content)

    def error_of(self, tree):
        """(code, <request> attributes) of an OAI error answer."""
        (error,) = tree.findall("oai:error", NS)
        return error.get("code"), dict(tree.find("oai:request", NS).attrib)

    def identifier(self, page):
        """The OAI identifier of `page` on the test server."""
        return f"oai:testserver:practice/{page.pk}"


class OaiVerbTests(OaiTestCase):
    """The six verbs as a harvester uses them."""

    # --- Identify, ListMetadataFormats, ListSets

    def test_identify(self):
        identify = self.sickle.Identify()
        self.assertEqual(identify.repositoryName, "Practice Hub")
        self.assertEqual(identify.baseURL, "http://testserver/oai/")
        self.assertEqual(identify.protocolVersion, "2.0")
        self.assertEqual(identify.adminEmail, "webmaster@localhost")
        self.assertEqual(identify.deletedRecord, "transient")
        self.assertEqual(identify.granularity, "YYYY-MM-DDThh:mm:ssZ")
        # The earliest datestamp is the earliest record's, public or deleted.
        records = list(self.sickle.ListIdentifiers(metadataPrefix="oai_dc"))
        self.assertEqual(identify.earliestDatestamp, min(h.datestamp for h in records))
        # "testserver" is no domain name, so no oai-identifier description.
        tree = etree.fromstring(self.sickle.answers[0].content)
        self.assertIsNone(tree.find(".//id:oai-identifier", NS))

    @override_settings(
        PRACTICE_OAI_ADMIN_EMAIL="OAI desk <oai@practices.example.org>",
        WAGTAILADMIN_BASE_URL="https://practices.example.org",
    )
    def test_identify_settings_and_identifier_scheme(self):
        identify = self.sickle.Identify()
        self.assertEqual(identify.adminEmail, "oai@practices.example.org")
        tree = etree.fromstring(self.sickle.answers[0].content)
        self.assertEqual(
            tree.findtext(".//id:oai-identifier/id:repositoryIdentifier", namespaces=NS),
            "practices.example.org",
        )
        self.assertEqual(
            tree.findtext(".//id:oai-identifier/id:sampleIdentifier", namespaces=NS),
            "oai:practices.example.org:practice/1",
        )
        header = next(iter(self.sickle.ListIdentifiers(metadataPrefix="oai_dc")))
        self.assertTrue(header.identifier.startswith("oai:practices.example.org:practice/"))
        record = self.sickle.GetRecord(identifier=header.identifier, metadataPrefix="oai_dc")
        self.assertEqual(record.header.identifier, header.identifier)
        # Another host's identifier names nothing here.
        with self.assertRaises(oaiexceptions.IdDoesNotExist):
            self.sickle.GetRecord(
                identifier=f"oai:testserver:practice/{pk_of(header.identifier)}",
                metadataPrefix="oai_dc",
            )

    def test_list_metadata_formats(self):
        formats = {f.metadataPrefix: f for f in self.sickle.ListMetadataFormats()}
        self.assertEqual(set(formats), {"oai_dc", "practicehub"})
        self.assertEqual(formats["oai_dc"].schema, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
        self.assertEqual(formats["oai_dc"].metadataNamespace, NS["oai_dc"])
        self.assertEqual(formats["practicehub"].schema, "http://testserver/oai/practicehub.xsd")
        self.assertEqual(formats["practicehub"].metadataNamespace, NS["ph"])
        for page in (self.mentoring, self.unpublished):
            with self.subTest(page=page.title):
                prefixes = {
                    f.metadataPrefix
                    for f in self.sickle.ListMetadataFormats(identifier=self.identifier(page))
                }
                self.assertEqual(prefixes, {"oai_dc", "practicehub"})
        for page in self.hidden:
            with self.subTest(page=page.title), self.assertRaises(oaiexceptions.IdDoesNotExist):
                list(self.sickle.ListMetadataFormats(identifier=self.identifier(page)))

    def test_list_sets(self):
        sets = {s.setSpec: s.setName for s in self.sickle.ListSets()}
        ran, efus = f"network:{self.ran.slug}", f"network:{self.efus.slug}"
        self.assertEqual(sets["network"], "Networks")
        self.assertEqual(sets[ran], "Radicalisation Awareness Network")
        self.assertEqual(sets[efus], "European Forum for Urban Security")
        self.assertEqual(sets["theme"], "Key themes")
        for theme in KeyTheme.objects.all():
            self.assertEqual(sets[f"theme:{theme.slug}"], theme.label)
        self.assertNotIn(f"network:{self.closed_network.slug}", sets)
        self.assertNotIn("Closed circle network quokka", sets.values())
        # Parents come before their members; one answer, no token.
        specs = list(sets)
        self.assertLess(specs.index("network"), specs.index(ran))
        self.assertLess(specs.index("theme"), specs.index(f"theme:{self.themes[0].slug}"))
        self.assertIsNone(self.get(verb="ListSets").find(".//oai:resumptionToken", NS))

    def test_network_sets_of_the_same_slug_are_told_apart(self):
        # Page slugs are unique among siblings only.
        twin = NetworkPageFactory(title="Twin network", parent=self.efus, slug=self.ran.slug)
        sets = {s.setSpec for s in self.sickle.ListSets()}
        self.assertIn(f"network:id-{self.ran.pk}", sets)
        self.assertIn(f"network:id-{twin.pk}", sets)
        self.assertNotIn(f"network:{self.ran.slug}", sets)

    # --- Lists in batches

    @override_settings(PRACTICE_OAI_BATCH_SIZE=2)
    def test_list_records_in_batches_gives_every_record_once(self):
        for method in ("GET", "POST"):
            with self.subTest(method=method):
                sickle = DjangoSickle(self.client, http_method=method)
                records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
                ids = [pk_of(r.header.identifier) for r in records]
                expected = {p.pk for p in self.public + self.deleted}
                self.assertEqual(len(ids), len(set(ids)))
                self.assertEqual(set(ids), expected)
                self.assertEqual(len(sickle.answers), math.ceil(len(expected) / 2))
                # Datestamp order: each batch starts where the last one ended.
                stamps = [r.header.datestamp for r in records]
                self.assertEqual(stamps, sorted(stamps))
                tokens = [
                    etree.fromstring(a.content).find(".//oai:resumptionToken", NS)
                    for a in sickle.answers
                ]
                self.assertEqual([t.get("cursor") for t in tokens], ["0", "2", "4"])
                self.assertEqual({t.get("completeListSize") for t in tokens}, {"6"})
                self.assertTrue(all(t.text for t in tokens[:-1]))
                self.assertIsNone(tokens[-1].text)  # the list is complete
                self.assertIsNone(tokens[-1].get("expirationDate"))
                self.assertTrue(SECOND.fullmatch(tokens[0].get("expirationDate")))

    @override_settings(PRACTICE_OAI_BATCH_SIZE=2)
    def test_list_identifiers_in_batches(self):
        headers = list(self.sickle.ListIdentifiers(metadataPrefix="practicehub"))
        ids = [pk_of(h.identifier) for h in headers]
        self.assertEqual(sorted(ids), sorted(p.pk for p in self.public + self.deleted))
        deleted = {pk_of(h.identifier) for h in headers if h.deleted}
        self.assertEqual(deleted, {p.pk for p in self.deleted})
        public = list(self.sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=True))
        self.assertEqual({pk_of(h.identifier) for h in public}, {p.pk for p in self.public})

    @override_settings(PRACTICE_OAI_BATCH_SIZE=2)
    def test_a_record_that_changes_mid_harvest_is_not_skipped(self):
        records = self.sickle.ListRecords(metadataPrefix="oai_dc")
        seen = [pk_of(next(records).header.identifier), pk_of(next(records).header.identifier)]
        # Republish the first record sent: under offset paging every later record would
        # shift down one place and one would be skipped.
        first = PracticePage.objects.get(pk=seen[0])
        first.title = "Republished mid-harvest"
        first.save_revision().publish()
        seen += [pk_of(r.header.identifier) for r in records]
        self.assertEqual(set(seen), {p.pk for p in self.public + self.deleted})
        # The change moved the record to the end of the list: sent again, with its new title.
        self.assertEqual(seen.count(first.pk), 2)
        self.assertEqual(seen[-1], first.pk)
        again = self.sickle.GetRecord(identifier=self.identifier(first), metadataPrefix="oai_dc")
        self.assertEqual(again.metadata["title"], ["Republished mid-harvest"])

    @override_settings(PRACTICE_OAI_BATCH_SIZE=2)
    def test_a_record_withdrawn_mid_harvest_is_sent_as_deleted(self):
        records = self.sickle.ListRecords(metadataPrefix="oai_dc")
        seen = [next(records).header.identifier, next(records).header.identifier]
        self.theatre.refresh_from_db()
        self.theatre.unpublish()
        rest = list(records)
        theatre = [r for r in rest if r.header.identifier == self.identifier(self.theatre)]
        self.assertEqual([r.deleted for r in theatre][-1:], [True])
        self.assertEqual(len(set(seen + [r.header.identifier for r in rest])), 6)

    # --- from / until

    def test_from_and_until_select_by_datestamp_at_either_granularity(self):
        moments = {
            self.public_practice: datetime(2020, 3, 1, 9, 0, 0, tzinfo=UTC),
            self.mentoring: datetime(2020, 6, 1, 12, 0, 0, 500000, tzinfo=UTC),
            self.theatre: datetime(2021, 1, 1, 0, 0, 0, tzinfo=UTC),
            self.hotline: datetime(2022, 7, 4, 23, 59, 59, tzinfo=UTC),
            self.unpublished: datetime(2023, 1, 1, tzinfo=UTC),
            self.archived: datetime(2023, 5, 5, tzinfo=UTC),
        }
        for page, moment in moments.items():
            stamp(page, moment)

        def harvest(**dates):
            return {
                pk_of(h.identifier)
                for h in self.sickle.ListIdentifiers(metadataPrefix="oai_dc", **dates)
            }

        def pks(*pages):
            return {page.pk for page in pages}

        identify = self.sickle.Identify()
        self.assertEqual(identify.earliestDatestamp, "2020-03-01T09:00:00Z")
        self.assertEqual(
            harvest(**{"from": "2020-01-01", "until": "2020-12-31"}),
            pks(self.public_practice, self.mentoring),
        )
        # until is inclusive at its granularity: the whole day, the whole second.
        self.assertEqual(harvest(until="2020-06-01"), pks(self.public_practice, self.mentoring))
        self.assertEqual(
            harvest(until="2020-06-01T12:00:00Z"), pks(self.public_practice, self.mentoring)
        )
        self.assertEqual(harvest(until="2020-06-01T11:59:59Z"), pks(self.public_practice))
        # from is inclusive too.
        self.assertEqual(
            harvest(**{"from": "2022-07-04T23:59:59Z"}),
            pks(self.hotline, self.unpublished, self.archived),
        )
        self.assertEqual(harvest(**{"from": "2023-01-01"}), pks(self.unpublished, self.archived))
        # Datestamps are shown at the granularity, in UTC.
        header = next(
            h
            for h in self.sickle.ListIdentifiers(metadataPrefix="oai_dc")
            if pk_of(h.identifier) == self.mentoring.pk
        )
        self.assertEqual(header.datestamp, "2020-06-01T12:00:00Z")
        # The ends of the calendar are dates like the others.
        self.assertEqual(harvest(**{"from": "0001-01-01", "until": "9999-12-31"}), pks(*moments))
        self.assertEqual(harvest(until="9999-12-31T23:59:59Z"), pks(*moments))
        with self.assertRaises(oaiexceptions.NoRecordsMatch):
            harvest(**{"from": "2030-01-01"})
        with self.assertRaises(oaiexceptions.NoRecordsMatch):
            harvest(until="2019-12-31T23:59:59Z")

    # --- Sets

    def test_sets_narrow_a_list(self):
        def harvest(spec):
            return {
                pk_of(r.header.identifier)
                for r in self.sickle.ListRecords(metadataPrefix="oai_dc", set=spec)
            }

        self.assertEqual(harvest(f"network:{self.ran.slug}"), {self.mentoring.pk, self.hotline.pk})
        self.assertEqual(harvest(f"network:{self.efus.slug}"), {self.theatre.pk, self.hotline.pk})
        self.assertEqual(harvest("network"), {self.mentoring.pk, self.theatre.pk, self.hotline.pk})
        self.assertEqual(harvest(f"theme:{self.themes[3].slug}"), {self.theatre.pk})
        # Every practice has key themes; the deleted ones keep theirs.
        self.assertEqual(harvest("theme"), {p.pk for p in self.public + self.deleted})
        # A record's header names its sets.
        record = self.sickle.GetRecord(
            identifier=self.identifier(self.hotline), metadataPrefix="oai_dc"
        )
        self.assertEqual(
            set(record.header.setSpecs),
            {f"network:{self.ran.slug}", f"network:{self.efus.slug}"}
            | {f"theme:{t.slug}" for t in self.hotline.key_themes.all()},
        )
        # An unknown set and a members-only network's answer alike.
        for spec in ("network:nowhere", f"network:{self.closed_network.slug}", "city"):
            with self.subTest(spec=spec), self.assertRaises(oaiexceptions.NoRecordsMatch):
                harvest(spec)

    # --- GetRecord and the two formats

    def test_get_record_as_dublin_core(self):
        record = self.sickle.GetRecord(
            identifier=self.identifier(self.mentoring), metadataPrefix="oai_dc"
        )
        self.assertFalse(record.deleted)
        self.assertTrue(SECOND.fullmatch(record.header.datestamp))
        dc = record.metadata
        self.assertEqual(dc["title"], ["Youth mentoring in parks"])
        self.assertEqual(dc["identifier"], [self.mentoring.full_url])
        self.assertCountEqual(
            dc["subject"], [t.label for t in self.themes[:2]] + ["online outreach"]
        )
        self.assertEqual(
            dc["description"], ["Prevents radicalisation of young people through mentoring."]
        )
        self.assertEqual(dc["contributor"], ["RAN"])
        self.assertEqual(dc["language"], ["nl"])
        self.assertEqual(dc["source"], ["https://ran.example.org/practices/17"])
        self.assertIn("2019/..", dc["coverage"])
        self.assertIn("Ghent (BE)", dc["coverage"])
        self.assertEqual(dc["rights"], ["http://creativecommons.org/licenses/by/4.0/"])
        # Simple Dublin Core only, and no contact in it, consented or not.
        tree = etree.fromstring(self.sickle.answers[-1].content)
        (element,) = tree.findall(".//oai:metadata/oai_dc:dc", NS)
        for child in element:
            self.assertEqual(etree.QName(child).namespace, NS["dc"])
            self.assertIn(etree.QName(child).localname, DUBLIN_CORE)
        self.assertNotIn(b"open@team.example", self.sickle.answers[-1].content)

    def test_get_record_as_practicehub_validates_against_the_served_schema(self):
        response = self.client.get("/oai/practicehub.xsd")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml; charset=utf-8")
        schema = etree.XMLSchema(etree.fromstring(response.content))
        for page in (self.mentoring, self.public_practice, self.theatre):
            with self.subTest(page=page.title):
                record = self.sickle.GetRecord(
                    identifier=self.identifier(page), metadataPrefix="practicehub"
                )
                tree = etree.fromstring(self.sickle.answers[-1].content)
                (practice,) = tree.findall(".//oai:metadata/ph:practice", NS)
                self.assertEqual(
                    practice.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"),
                    f"{NS['ph']} http://testserver/oai/practicehub.xsd",
                )
                # Validated as a document of its own, as a harvester stores it.
                document = etree.fromstring(etree.tostring(practice))
                self.assertTrue(schema.validate(document), schema.error_log)
                self.assertEqual(record.metadata["page_id"], [str(page.pk)])
        mentoring = self.sickle.GetRecord(
            identifier=self.identifier(self.mentoring), metadataPrefix="practicehub"
        )
        tree = etree.fromstring(self.sickle.answers[-1].content)

        def text(path):
            return [e.text for e in tree.iterfind(f".//ph:practice/{path}", NS)]

        self.assertEqual(text("ph:title"), ["Youth mentoring in parks"])
        self.assertEqual(text("ph:cities/ph:city/ph:name"), ["Ghent", "Leakton"])
        self.assertEqual(text("ph:networks/ph:network"), ["RAN"])
        self.assertEqual(text("ph:presented_at/ph:presentation/ph:date"), ["2021-05-27"])
        self.assertEqual(text("ph:contact/ph:email"), ["open@team.example"])  # consented
        self.assertEqual(text("ph:start_year"), ["2019"])
        self.assertEqual(text("ph:end_year"), [])  # null: no element
        self.assertEqual(mentoring.header.identifier, self.identifier(self.mentoring))
        # No consent: the contact is there, empty.
        self.sickle.GetRecord(
            identifier=self.identifier(self.public_practice), metadataPrefix="practicehub"
        )
        self.assertNotIn(SECRET_CONTACT.encode(), self.sickle.answers[-1].content)
        tree = etree.fromstring(self.sickle.answers[-1].content)
        self.assertEqual(text("ph:contact/ph:public"), ["false"])
        self.assertEqual(text("ph:contact/ph:name"), [None])

    def test_the_envelope(self):
        """What the OAI-PMH schema asks of every answer (its file is not read offline here)."""
        self.sickle.GetRecord(identifier=self.identifier(self.theatre), metadataPrefix="oai_dc")
        self.sickle.Identify()
        list(self.sickle.ListSets())
        for answer in self.sickle.answers:
            tree = etree.fromstring(answer.content)
            self.assertEqual(tree.tag, f"{{{OAI}}}OAI-PMH")
            self.assertEqual(
                tree.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"),
                f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
            )
            children = [etree.QName(c).localname for c in tree]
            self.assertEqual(children[:2], ["responseDate", "request"])
            self.assertEqual(len(children), 3)
            self.assertTrue(SECOND.fullmatch(tree.findtext("oai:responseDate", namespaces=NS)))
            self.assertEqual(tree.findtext("oai:request", namespaces=NS), "http://testserver/oai/")
        request = etree.fromstring(self.sickle.answers[0].content).find("oai:request", NS)
        self.assertEqual(
            dict(request.attrib),
            {
                "verb": "GetRecord",
                "identifier": self.identifier(self.theatre),
                "metadataPrefix": "oai_dc",
            },
        )

    # --- Deleted records

    def test_withdrawn_practices_are_deleted_records(self):
        unpublished_at = PracticePage.objects.get(pk=self.unpublished.pk).last_published_at
        for page in self.deleted:
            for prefix in ("oai_dc", "practicehub"):
                with self.subTest(page=page.title, prefix=prefix):
                    record = self.sickle.GetRecord(
                        identifier=self.identifier(page), metadataPrefix=prefix
                    )
                    self.assertTrue(record.deleted)
                    self.assertEqual(record.header.identifier, self.identifier(page))
                    tree = etree.fromstring(self.sickle.answers[-1].content)
                    self.assertEqual(tree.find(".//oai:header", NS).get("status"), "deleted")
                    self.assertIsNone(tree.find(".//oai:metadata", NS))
                    self.assertNotIn(page.title.encode(), self.sickle.answers[-1].content)
        # The datestamp of a deletion is when it left the public (the unpublish logged later
        # than the last publication).
        header = next(
            h
            for h in self.sickle.ListIdentifiers(metadataPrefix="oai_dc")
            if pk_of(h.identifier) == self.unpublished.pk
        )
        self.assertGreaterEqual(header.datestamp, unpublished_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        # An incremental harvest from then on hears of the deletion.
        later = {
            pk_of(h.identifier): h.deleted
            for h in self.sickle.ListIdentifiers(
                metadataPrefix="oai_dc", **{"from": header.datestamp}
            )
        }
        self.assertIs(later.get(self.unpublished.pk), True)

    def test_a_practice_published_again_is_no_longer_deleted(self):
        set_archived(self.archived, False, user=None)
        record = self.sickle.GetRecord(
            identifier=self.identifier(self.archived), metadataPrefix="oai_dc"
        )
        self.assertFalse(record.deleted)
        self.assertEqual(record.metadata["title"], ["Archived after publication"])


class OaiErrorTests(OaiTestCase):
    """Every error condition as the protocol names it: HTTP 200, XML, never a server error."""

    def assert_error(self, expected, args=None, *, echoed=True, method="get", **extra):
        """The answer to `args` is one error `expected`; attributes echoed or not."""
        if method == "get":
            response = self.client.get("/oai/", args, **extra)
        else:
            response = self.client.post(
                "/oai/",
                urlencode(args, doseq=True) if isinstance(args, dict) else args,
                content_type="application/x-www-form-urlencoded",
            )
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        code, attributes = self.error_of(etree.fromstring(response.content))
        self.assertEqual(code, expected, response.content)
        if echoed:
            self.assertIn("verb", attributes)
        else:
            self.assertEqual(attributes, {})
        return attributes

    def test_bad_verb(self):
        for args in (
            {},
            {"verb": "ListEverything"},
            {"verb": ["Identify", "Identify"]},
            {"verb": ""},
            {"verb": "identify"},
            {"metadataPrefix": "oai_dc"},
        ):
            with self.subTest(args=args):
                self.assert_error("badVerb", args, echoed=False)
        with self.assertRaises(oaiexceptions.BadVerb):
            list(OAIResponseIterator(self.sickle, {"verb": "ListAll"}))

    def test_bad_argument(self):
        token = self.token()
        cases = [
            {"verb": "Identify", "metadataPrefix": "oai_dc"},  # unknown for the verb
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "blue"},
            {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "practicehub"]},  # repeated
            {"verb": "ListRecords"},  # required missing
            {"verb": "ListIdentifiers", "from": "2020-01-01"},
            {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
            {"verb": "GetRecord", "identifier": self.identifier(self.theatre)},
            {"verb": "ListRecords", "resumptionToken": token, "metadataPrefix": "oai_dc"},
            {"verb": "ListSets", "set": "network"},
            {"verb": "ListMetadataFormats", "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "network::x"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": ""},
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "x\x00y"},
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_error("badArgument", args, echoed=False)
        with self.assertRaises(oaiexceptions.BadArgument):
            list(self.sickle.ListRecords(metadataPrefix="oai_dc", flavour="vanilla"))

    def test_bad_dates_are_bad_arguments(self):
        for dates in (
            {"from": "yesterday"},
            {"from": "2020-13-01"},
            {"from": "2023-02-29"},
            {"until": "0000-01-01"},
            {"from": "99999-01-01"},
            {"from": "9" * 4000},
            {"from": "2020-01-01T10:00:00"},  # no Z
            {"from": "2020-01-01T10:00:00+02:00"},
            {"from": "2020-01-01T10:00Z"},
            {"from": "2020-01-01T10:00:00.5Z"},  # finer than the repository's granularity
            {"from": "2020-01-01T25:00:00Z"},
            {"from": " 2020-01-01"},
            {"from": "２０２０-01-01"},  # digits, but not ASCII ones
            {"from": "2020-01-01", "until": "2020-12-31T00:00:00Z"},  # two granularities
            {"from": "2021-01-01", "until": "2020-12-31"},  # from after until
        ):
            for verb in ("ListRecords", "ListIdentifiers"):
                with self.subTest(dates=dates, verb=verb):
                    args = {"verb": verb, "metadataPrefix": "oai_dc", **dates}
                    self.assert_error("badArgument", args, echoed=False)
        # Even with a format nobody serves: the bad argument is said first.
        self.assert_error(
            "badArgument", {"verb": "ListRecords", "metadataPrefix": "marc", "from": "soon"},
            echoed=False,
        )  # fmt: skip

    def test_cannot_disseminate_format(self):
        for args in (
            {"verb": "ListRecords", "metadataPrefix": "marc21"},
            {"verb": "ListIdentifiers", "metadataPrefix": "OAI_DC"},
            {
                "verb": "GetRecord",
                "metadataPrefix": "mods",
                "identifier": self.identifier(self.theatre),
            },
        ):
            with self.subTest(args=args):
                attributes = self.assert_error("cannotDisseminateFormat", args)
                self.assertEqual(attributes["metadataPrefix"], args["metadataPrefix"])
        # A prefix outside the protocol's syntax is not echoed.
        attributes = self.assert_error(
            "cannotDisseminateFormat", {"verb": "ListRecords", "metadataPrefix": "dc <x>"}
        )
        self.assertNotIn("metadataPrefix", attributes)
        with self.assertRaises(oaiexceptions.CannotDisseminateFormat):
            self.sickle.GetRecord(identifier=self.identifier(self.theatre), metadataPrefix="x")

    def test_id_does_not_exist(self):
        for identifier in (
            "oai:testserver:practice/999999",
            "oai:testserver:practice/99999999999999999999",
            "oai:testserver:practice/0",
            "oai:testserver:practice/-1",
            "oai:testserver:practice/01",
            "oai:elsewhere.example:practice/1",
            f"oai:testserver:city/{self.ghent.pk}",
            f"oai:testserver:practice/{self.ghent.pk}",  # a page, but no practice
            self.mentoring.full_url,
            "",
            "x" * 5000,
            *[self.identifier(page) for page in self.hidden],
        ):
            for args in (
                {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier},
                {"verb": "ListMetadataFormats", "identifier": identifier},
            ):
                with self.subTest(args=args):
                    self.assert_error("idDoesNotExist", args)

    def test_no_records_match(self):
        for args in (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "1999-12-31"},
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "network:nowhere"},
        ):
            with self.subTest(args=args):
                self.assert_error("noRecordsMatch", args)

    @override_settings(PRACTICE_OAI_BATCH_SIZE=1)
    def token(self, verb="ListRecords"):
        """A real resumption token of a list of `verb`."""
        tree = self.get(verb=verb, metadataPrefix="oai_dc")
        return tree.findtext(".//oai:resumptionToken", namespaces=NS)

    @override_settings(PRACTICE_OAI_BATCH_SIZE=1)
    def test_bad_resumption_token(self):
        token = self.token()
        identifiers_token = self.token("ListIdentifiers")
        self.assertTrue(token)
        value, signature = token.rsplit(":", 1)
        payload = signing.loads(token, salt=TOKEN_SALT)
        flipped = "A" if value[5] != "A" else "B"

        class PastSigner(signing.TimestampSigner):
            def timestamp(self):
                return signing.b62_encode(int((datetime.now(UTC) - timedelta(days=2)).timestamp()))

        expired = PastSigner(salt=TOKEN_SALT).sign_object(payload, compress=True)
        other_salt = signing.dumps(payload, salt="another.purpose", compress=True)
        forged = signing.dumps({**payload, "after": ["not a date", 1]}, salt=TOKEN_SALT)
        for bad in (
            "",
            "garbage",
            "x" * 10000,
            value[:5] + flipped + value[6:] + ":" + signature,  # the payload tampered with
            value + ":" + signature[:-2] + "xx",  # the signature tampered with
            token[:-1],
            token + "=",
            expired,
            other_salt,
            forged,
            identifiers_token,  # another verb's list
            "\u00e9\u00e8" * 10,
        ):
            with self.subTest(token=bad[:40]):
                attributes = self.assert_error(
                    "badResumptionToken", {"verb": "ListRecords", "resumptionToken": bad}
                )
                self.assertEqual(attributes, {"verb": "ListRecords", "resumptionToken": bad})
        # ListSets never gives a token, so none is good.
        self.assert_error("badResumptionToken", {"verb": "ListSets", "resumptionToken": token})
        # The real one works, by GET and by POST.
        for method in ("get", "post"):
            tree = etree.fromstring(
                getattr(self.client, method)(
                    "/oai/",
                    {"verb": "ListRecords", "resumptionToken": token},
                ).content
            )
            self.assertIsNone(tree.find("oai:error", NS))
            self.assertEqual(len(tree.findall(".//oai:record", NS)), 1)
        with self.assertRaises(oaiexceptions.BadResumptionToken):
            list(OAIResponseIterator(self.sickle, {"verb": "ListRecords", "resumptionToken": "x"}))

    def test_post_form_encoding_and_its_limits(self):
        self.assert_error("badVerb", "", method="post", echoed=False)
        self.assert_error(
            "badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "x": "1"},
            method="post", echoed=False,
        )  # fmt: skip
        # More fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): an OAI error, not 400.
        many = "verb=Identify&" + "&".join(f"a{i}=1" for i in range(1500))
        self.assert_error("badArgument", many, method="post", echoed=False)
        response = self.client.get(f"/oai/?{many}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.error_of(etree.fromstring(response.content))[0], "badArgument")
        # A POST's query string is not its arguments.
        response = self.client.post(
            "/oai/?verb=Identify", "", content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(self.error_of(etree.fromstring(response.content))[0], "badVerb")
        # Undecodable bytes and characters XML cannot carry never make a server error.
        response = self.client.get("/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=%ff%00")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.error_of(etree.fromstring(response.content))[0], "badArgument")
        response = self.client.get("/oai/?verb=Identify%00")
        self.assertEqual(self.error_of(etree.fromstring(response.content))[0], "badVerb")

    def test_methods_head_and_conditional_requests(self):
        response = self.client.head("/oai/?verb=Identify")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        response = self.client.get("/oai/", {"verb": "Identify"})
        again = self.client.get(
            "/oai/", {"verb": "Identify"}, headers={"If-None-Match": response["ETag"]}
        )
        self.assertEqual(again.status_code, 304)
        for method in ("put", "delete", "patch"):
            with self.subTest(method=method):
                self.assertEqual(getattr(self.client, method)("/oai/").status_code, 405)
        self.assertEqual(self.client.post("/oai/practicehub.xsd").status_code, 405)

    @override_settings(PRACTICE_API_CALLS_PER_VISITOR=2)
    def test_too_many_requests_answer_503_with_retry_after(self):
        for _ in range(2):
            self.assertEqual(self.client.get("/oai/", {"verb": "Identify"}).status_code, 200)
        response = self.client.get("/oai/", {"verb": "Identify"})
        self.assertEqual(response.status_code, 503)
        self.assertGreater(int(response["Retry-After"]), 0)


class OaiLeakTests(OaiTestCase):
    """Nothing hidden reaches a harvester in any verb, signed in or not."""

    def every_answer(self, client):
        """The bodies of every verb, in every format, for every practice there is."""
        requests = [
            {"verb": "Identify"},
            {"verb": "ListMetadataFormats"},
            {"verb": "ListSets"},
        ]
        for prefix in ("oai_dc", "practicehub"):
            requests += [
                {"verb": "ListIdentifiers", "metadataPrefix": prefix},
                {"verb": "ListRecords", "metadataPrefix": prefix},
                {"verb": "ListRecords", "metadataPrefix": prefix, "set": "network"},
            ]
            for page in PracticePage.objects.all():
                requests += [
                    {"verb": "GetRecord", "metadataPrefix": prefix, "identifier": self.identifier(page)},
                    {"verb": "ListMetadataFormats", "identifier": self.identifier(page)},
                ]  # fmt: skip
        bodies = []
        for args in requests:
            for method in (client.get, client.post):
                response = method("/oai/", args)
                self.assertEqual(response.status_code, 200)
                bodies.append(response.content.decode())
        return bodies

    def assert_clean(self, bodies):
        """No hidden practice, identifier, network or contact in any of `bodies`."""
        hidden_ids = [self.identifier(page) for page in self.hidden]
        for body in bodies:
            self.assert_nothing_leaked(body)
            for identifier in hidden_ids:
                # An identifier ends at the element's end: "/12<" is not "/123<".
                self.assertNotIn(f"{identifier}<", body)
            for marker in ("Closed circle network quokka", self.closed_network.slug,
                           "Members withdrawn practice okapi", SECRET_CONTACT, "Secret Person"):  # fmt: skip
                self.assertNotIn(marker, body)

    def test_nothing_hidden_reaches_the_public(self):
        self.assert_clean(self.every_answer(self.client))

    def test_nothing_hidden_reaches_a_signed_in_member_either(self):
        self.client.force_login(self.member)
        member_bodies = self.every_answer(self.client)
        self.assert_clean(member_bodies)
        # A harvest is shared: a member's answers are the public's (but for the moment).
        self.client.logout()
        cache.clear()
        public_bodies = self.every_answer(self.client)
        moment = re.compile(
            r"<responseDate>[^<]*</responseDate>|<resumptionToken[^>]*>[^<]*</resumptionToken>"
        )
        self.assertEqual(
            [moment.sub("", b) for b in member_bodies], [moment.sub("", b) for b in public_bodies]
        )

    def test_a_superuser_session_changes_nothing(self):
        self.client.force_login(UserFactory(username="oai-admin", is_superuser=True))
        self.assert_clean(self.every_answer(self.client))

    @override_settings(PRACTICE_OAI_BATCH_SIZE=1)
    def test_tokens_and_counts_say_nothing_of_hidden_practices(self):
        harvested = list(DjangoSickle(self.client).ListIdentifiers(metadataPrefix="oai_dc"))
        self.assertEqual(len(harvested), len(self.public) + len(self.deleted))
        tree = self.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
        size = tree.find(".//oai:resumptionToken", NS).get("completeListSize")
        self.assertEqual(int(size), len(self.public) + len(self.deleted))
