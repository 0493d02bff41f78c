"""OAI-PMH 2.0 at /oai/ (issue 17, item 5; docs/api.md): the practices for harvesters.

One URL answers the six verbs by GET or POST, in two metadata formats: Dublin Core (`oai_dc`)
and the interchange record (`practicehub`, the importer's format as XML, described by the
schema served at /oai/practicehub.xsd). Sets are hierarchical: `network` and `network:<slug>`
per public network, `theme` and `theme:<slug>` per key theme.

What a harvester may see is what an anonymous visitor may (a harvest is shared, so a signed-in
session changes nothing): PracticePage.objects.visible_to(), contacts by consent through
interchange.record_for. A practice that was once published and has left the public since
(unpublished or archived) is reported as deleted; a practice behind a view restriction
(members-only) and a draft never published are never named at all, not even as deleted.
Because a practice that becomes members-only disappears without a deleted header, and a page
deleted outright leaves nothing to report, the repository keeps deletions only as long as the
page is there and unrestricted: deletedRecord is "transient".

Lists are cut into batches of PRACTICE_OAI_BATCH_SIZE with resumption tokens signed by
django.core.signing. A token carries the original arguments and the (datestamp, id) of the
last record sent, and the next batch starts after that key: records that change during a
harvest move to its end rather than shifting the others, so nothing is skipped.

A record's datestamp is the later of the practice's last publication and the last page-log
entry that changes its record or whether it is public (publish, unpublish, move, view
restriction, archive). Renaming a city or a network, or relabelling a vocabulary term, changes
the records that name it without moving their datestamps: a harvester that cares re-harvests
in full now and then (docs/api.md says so).

Written with the standard library's ElementTree rather than a server library: pyoai's server
(the `oaipmh` module) cuts lists by offset, re-running the whole query for every batch, and its
resumption token is the arguments and the offset URL-encoded, unsigned; django-oai-pmh serves
headers and records from its own tables, a second copy of the practices fed by signals, which
would need the visibility rule applied a second time. Either way the rule, the formats and the
datestamps would have been written here anyway; what a library would have added is the XML.
"""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import DateTimeField, Exists, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.models import PageLogEntry, Site

from .conditional import per_collection_state
from .interchange import record_for
from .limits import counted, seconds_to_next_window, visitor_of
from .models import KeyTheme, NetworkPage, PracticePage
from .rules import html_to_text
from .site_address import public_address
from .visibility import unrestricted_pages, visible_pages

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
# The interchange format's namespace: a name, never fetched, the same on every deployment (the
# schema's address is each site's own). A URN because the project has no domain of its own.
PRACTICEHUB = "urn:practicehub:practice:1"

for _prefix, _uri in (
    ("oai_dc", OAI_DC),
    ("dc", DC),
    ("xsi", XSI),
    ("oai-identifier", OAI_IDENTIFIER),
    ("practicehub", PRACTICEHUB),
):
    ET.register_namespace(_prefix, _uri)

PROTOCOL_VERSION = "2.0"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DELETED_RECORD = "transient"  # why: the module's docstring
DATESTAMP = "%Y-%m-%dT%H:%M:%SZ"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
DATE = re.compile(f"{DAY.pattern}|{SECOND.pattern}")
MAX_ID = 2**31 - 1  # page ids are 32-bit: a larger one names nothing (and no database errs)
IDENTIFIER = re.compile(r"oai:(?P<host>[^:]+):practice/(?P<pk>[1-9][0-9]{0,9})")
# The oai-identifier scheme's repositoryIdentifier: a domain name (not "localhost" or an IP).
DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
# What OAI-PMH allows in a setSpec part; a slug with other characters is named by its id.
SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SET_SPEC = re.compile(rf"{SET_PART.pattern}(:{SET_PART.pattern})*")
# The protocol's metadataPrefix syntax: a prefix outside it is not echoed in <request>.
PREFIX = SET_PART
# Characters XML 1.0 cannot carry: dropped from what we write, refused in arguments.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

TOKEN_SALT = "practices.oai.resumption-token"  # noqa: S105 - a signing salt, no secret
TOKEN_LIFETIME = timedelta(hours=24)

# Per verb: the arguments it requires, those it may have, and whether a resumptionToken may
# stand instead of them (an exclusive argument).
VERBS = {
    "Identify": (set(), set(), False),
    "ListMetadataFormats": (set(), {"identifier"}, False),
    "ListSets": (set(), set(), True),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), False),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, True),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, True),
}
# The page log actions that change what a practice's record says or whether it is public;
# with the last publication they make its datestamp. (Draft edits, locks and comments do not.)
CHANGES = (
    "wagtail.publish",
    "wagtail.publish.scheduled",
    "wagtail.unpublish",
    "wagtail.unpublish.scheduled",
    "wagtail.move",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
    "wagtail.view_restriction.delete",
    "practices.archive",
    "practices.unarchive",
)
# The datestamp of a practice live without ever being published (made in code): a lower
# bound that every real datestamp passes.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The interchange record's lists, and what one item of each is called in XML.
LIST_ITEMS = {
    "key_themes": "key_theme",
    "target_audiences": "target_audience",
    "cities": "city",
    "countries": "country",
    "regions": "region",
    "networks": "network",
    "presented_at": "presentation",
    "funding_programmes": "funding_programme",
    "tags": "tag",
}
RECORD_PREFETCH = (
    "key_themes", "target_audiences", "cities", "networks", "funding_programmes", "tags",
    "presented_at",
)  # fmt: skip
ANONYMOUS = AnonymousUser()


class OaiError(Exception):
    """An OAI-PMH error condition: its code (badArgument, ...) and a sentence."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# --- XML


def _clean(value):
    """`value` as text XML can carry (characters XML 1.0 forbids dropped)."""
    return NOT_XML.sub("", str(value))


def _el(parent, tag, text=None, attrib=None):
    """A child element `tag` of `parent` (None: a lone element) with `text` and `attrib`."""
    attrib = {key: _clean(value) for key, value in (attrib or {}).items()}
    element = ET.Element(tag, attrib) if parent is None else ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = _clean(text)
    return element


def _datestamp(moment):
    """`moment` at the repository's granularity, in UTC."""
    return moment.astimezone(UTC).strftime(DATESTAMP)


def _envelope(now):
    """The OAI-PMH root element with its responseDate."""
    # The OAI namespace as the default one, declared by hand: ElementTree's default_namespace
    # option refuses the protocol's unqualified attributes (verb="..."), so OAI elements are
    # written unqualified under this xmlns and every other namespace's are qualified.
    root = _el(
        None,
        "OAI-PMH",
        attrib={"xmlns": OAI, f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_SCHEMA}"},
    )
    _el(root, "responseDate", _datestamp(now))
    return root


# --- Where things are


def _root_url():
    """The default Wagtail Site's address, where every absolute link of the site points."""
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def repository_host():
    """The host in every identifier (WAGTAILADMIN_BASE_URL's): oai:<host>:practice/<id>."""
    return public_address()[0] or "localhost"


def identifier_of(pk):
    """The OAI identifier of the practice `pk`."""
    return f"oai:{repository_host()}:practice/{pk}"


def _pk_of(identifier):
    """The practice id an identifier of this repository names, or None."""
    match = IDENTIFIER.fullmatch(identifier)
    if not match or match["host"] != repository_host() or int(match["pk"]) > MAX_ID:
        return None
    return int(match["pk"])


# --- What may be harvested


def _changed_at():
    """The datestamp expression: the later of the last publication and the last change in
    the page log that alters the record or whether it is public (CHANGES)."""
    logged = Subquery(
        PageLogEntry.objects.filter(page_id=OuterRef("pk"), action__in=CHANGES)
        .order_by("-timestamp")
        .values("timestamp")[:1]
    )
    epoch = Value(EPOCH, output_field=DateTimeField())
    # Greatest is NULL on SQLite (and MySQL) when any argument is, so neither may be.
    return Greatest(
        Coalesce("last_published_at", epoch), Coalesce(logged, epoch), output_field=DateTimeField()
    )


def harvestable():
    """Every practice OAI-PMH names, with its datestamp (`stamp`) and whether it is public
    (`is_public`; the others are reported deleted).

    The public ones are the one rule's (visible_to an anonymous visitor); the others were
    published once and are now unpublished or archived; none is behind a view restriction.
    """
    public = PracticePage.objects.visible_to(ANONYMOUS)
    pages = unrestricted_pages(PracticePage.objects.all(), ANONYMOUS).filter(
        Q(first_published_at__isnull=False) | Q(pk__in=public.values("pk"))
    )
    return pages.annotate(stamp=_changed_at(), is_public=Exists(public.filter(pk=OuterRef("pk"))))


class Sets:
    """The repository's sets, by setSpec: the public networks and the key themes, each under
    its parent set ("network", "theme")."""

    def __init__(self):
        networks = visible_pages(NetworkPage.objects.all(), ANONYMOUS).order_by("title", "pk")
        self.networks = self._specs("network", networks)
        self.themes = self._specs("theme", KeyTheme.objects.order_by("label", "pk"))

    @staticmethod
    def _specs(parent, items):
        """setSpec -> item: `parent:<slug>`, or `parent:id-<pk>` for a slug a setSpec cannot
        hold or that two items share (page slugs are unique among siblings only)."""
        items = list(items)
        slugs = [item.slug or "" for item in items]
        return {
            f"{parent}:{slug}"
            if SET_PART.fullmatch(slug) and slugs.count(slug) == 1
            else f"{parent}:id-{item.pk}": item
            for item, slug in zip(items, slugs, strict=True)
        }

    def listed(self):
        """(setSpec, setName) of every set, parents before their members."""
        yield "network", _("Networks")
        for spec, network in self.networks.items():
            yield spec, network.title
        yield "theme", _("Key themes")
        for spec, theme in self.themes.items():
            yield spec, theme.label

    def of(self, page):
        """The setSpecs of `page` (prefetched networks and key themes)."""
        network_ids = {network.pk for network in page.networks.all()}
        theme_ids = {theme.pk for theme in page.key_themes.all()}
        return [s for s, n in self.networks.items() if n.pk in network_ids] + [
            s for s, t in self.themes.items() if t.pk in theme_ids
        ]

    def narrow(self, pages, spec):
        """`pages` in the set `spec` (and its members); noRecordsMatch for no such set."""
        if spec == "network":
            members = PracticePage.objects.filter(networks__in=list(self.networks.values()))
        elif spec == "theme":
            members = PracticePage.objects.filter(key_themes__isnull=False)
        elif spec in self.networks:
            members = PracticePage.objects.filter(networks=self.networks[spec])
        elif spec in self.themes:
            members = PracticePage.objects.filter(key_themes=self.themes[spec])
        else:
            # An unknown set and a hidden network's answer alike: nothing matches.
            raise OaiError("noRecordsMatch", _("There is no such set."))
        return pages.filter(pk__in=members.values("pk"))


# --- Arguments


def _arguments(data):
    """(verb, arguments) of a request's GET or POST data; badVerb or badArgument when the
    protocol says so."""
    lists = dict(data.lists())
    verbs = lists.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        message = _("The verb is repeated.") if len(verbs) > 1 else _("No such verb.")
        raise OaiError("badVerb", message if verbs else _("The verb argument is missing."))
    verb = verbs[0]
    repeated = sorted(name for name, values in lists.items() if len(values) > 1)
    if repeated:
        raise OaiError("badArgument", _("Repeated arguments: %s.") % _names(repeated))
    args = {name: values[0] for name, values in lists.items()}
    required, optional, resumable = VERBS[verb]
    allowed = required | optional | ({"resumptionToken"} if resumable else set())
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise OaiError("badArgument", _("Arguments %(verb)s does not take: %(names)s.") % {
            "verb": verb, "names": _names(unknown)
        })  # fmt: skip
    if any(NOT_XML.search(value) for value in args.values()):
        raise OaiError("badArgument", _("An argument holds characters XML cannot carry."))
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", _("resumptionToken is an exclusive argument."))
    else:
        missing = sorted(required - set(args))
        if missing:
            raise OaiError("badArgument", _("Missing arguments: %s.") % _names(missing))
    return verb, args


def _names(names):
    """Argument names for a message, each shortened (a harvester's typo, not an essay)."""
    return ", ".join(_clean(name)[:40] for name in names)


def _bound(value, name, *, upper):
    """(the moment `value` of `from` or `until` stands for, its granularity).

    `until` is inclusive at its granularity and datestamps are shown to the second, so its
    bound is the start of the next day or second (None past the year 9999)."""
    if DAY.fullmatch(value):
        layout, step, granularity = "%Y-%m-%d", timedelta(days=1), "day"
    elif SECOND.fullmatch(value):
        layout, step, granularity = DATESTAMP, timedelta(seconds=1), "second"
    else:
        raise OaiError(
            "badArgument",
            _("%(name)s is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDThh:mm:ssZ).")
            % {"name": name},
        )
    try:
        moment = datetime.strptime(value, layout).replace(tzinfo=UTC)
    except ValueError:  # the right shape, but no such day (2024-02-30) or year (0000)
        raise OaiError(
            "badArgument", _("%(name)s is no such day or time.") % {"name": name}
        ) from None
    if upper:
        try:
            moment += step
        except OverflowError:
            moment = None
    return moment, granularity


def _window(query):
    """(from, until) bounds of a list request's `from` and `until` (either may be None)."""
    lower = upper = None
    if "from" in query:
        lower, from_granularity = _bound(query["from"], "from", upper=False)
    if "until" in query:
        upper, until_granularity = _bound(query["until"], "until", upper=True)
        until_start, _granularity = _bound(query["until"], "until", upper=False)
        if "from" in query:
            if from_granularity != until_granularity:
                raise OaiError("badArgument", _("from and until must have the same granularity."))
            if lower > until_start:
                raise OaiError("badArgument", _("from is later than until."))
    return lower, upper


def _format(prefix, formats):
    """The metadata format `prefix` if it is one of `formats`, or cannotDisseminateFormat."""
    if prefix not in formats:
        raise OaiError(
            "cannotDisseminateFormat",
            _("The metadata formats are %s.") % ", ".join(formats),
        )
    return prefix


def metadata_formats(root=None):
    """prefix -> (schema, namespace) of every metadata format, for every practice (`root`:
    the site's address, when the caller has it already)."""
    return {
        "oai_dc": (OAI_DC_SCHEMA, OAI_DC),
        "practicehub": (f"{root or _root_url()}{reverse('oai_schema')}", PRACTICEHUB),
    }


# --- Resumption tokens


def _token(verb, query, last, cursor):
    """A signed token for the batch after `last` (a record) of the list `verb` over `query`."""
    payload = {
        "verb": verb,
        "q": query,
        "after": [last.stamp.astimezone(UTC).isoformat(), last.pk],
        "cursor": cursor,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _read_token(token, verb):
    """(query, (datestamp, pk) to start after, cursor) of a token; badResumptionToken for a
    token not ours, tampered with, past its lifetime or from another verb."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
        if payload["verb"] != verb:
            raise ValueError(payload["verb"])
        query = {str(key): str(value) for key, value in payload["q"].items()}
        stamp, pk = payload["after"]
        after = (datetime.fromisoformat(stamp), int(pk))
        cursor = int(payload["cursor"])
    except signing.SignatureExpired:
        raise OaiError("badResumptionToken", _("The resumption token has expired.")) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise OaiError("badResumptionToken", _("This is not a valid resumption token.")) from None
    if "metadataPrefix" not in query:
        raise OaiError("badResumptionToken", _("This is not a valid resumption token."))
    return query, after, cursor


# --- Records


def _header(parent, page, sets):
    """A record header: identifier, datestamp, setSpecs; status="deleted" when withdrawn."""
    header = _el(parent, "header", attrib={} if page.is_public else {"status": "deleted"})
    _el(header, "identifier", identifier_of(page.pk))
    _el(header, "datestamp", _datestamp(page.stamp))
    for spec in sets.of(page):
        _el(header, "setSpec", spec)
    return header


def _record(parent, page, sets, prefix, full, schema):
    """A record: its header, and its metadata unless it is deleted (`full`: the page with
    its relations, loaded through the visibility rule; `schema`: the format's address)."""
    record = _el(parent, "record")
    _header(record, page, sets)
    if page.is_public and full is not None:
        metadata = _el(record, "metadata")
        if prefix == "oai_dc":
            dublin_core(metadata, full)
        else:
            practicehub_record(metadata, full, schema)
    return record


def _full_pages(pks):
    """The public practices `pks`, with what their records read, by id."""
    return (
        PracticePage.objects.visible_to(ANONYMOUS)
        .filter(pk__in=pks)
        .select_related("organisation_type")
        .prefetch_related(*RECORD_PREFETCH)
        .in_bulk()
    )


def dublin_core(parent, page):
    """The practice as simple Dublin Core (oai_dc), with no contact details at all."""
    record = record_for(page, ANONYMOUS)
    dc = _el(
        parent,
        f"{{{OAI_DC}}}dc",
        attrib={f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"},
    )

    def add(name, value):
        if value:
            _el(dc, f"{{{DC}}}{name}", value)

    add("title", record["title"])
    add("creator", record["organisation"]["name"])
    for subject in record["key_themes"] + record["tags"]:
        add("subject", subject)
    add("description", " ".join(html_to_text(record["description"]).split()))
    add("publisher", settings.PRACTICE_CATALOG_PUBLISHER or settings.WAGTAIL_SITE_NAME)
    for network in record["networks"]:
        add("contributor", network)
    if page.first_published_at:
        add("date", page.first_published_at.astimezone(UTC).date().isoformat())
    add("type", "Text")
    add("format", "text/html")
    add("identifier", page.full_url)
    add("source", record["source_url"])
    add("language", record["language"])
    for city in record["cities"]:
        add("coverage", f"{city['name']} ({city['country']})" if city["country"] else city["name"])
    for country in record["countries"]:
        add("coverage", country)
    if record["start_year"]:
        # An ISO 8601 interval of years; ".." is an open end (a practice still running).
        add("coverage", f"{record['start_year']}/{record['end_year'] or '..'}")
    add("rights", settings.PRACTICE_CATALOG_LICENSE)
    return dc


def practicehub_record(parent, page, schema):
    """The practice's interchange record (record_for, as the public may read it) as XML, with
    the address of its `schema`."""
    element = _el(
        parent,
        f"{{{PRACTICEHUB}}}practice",
        attrib={f"{{{XSI}}}schemaLocation": f"{PRACTICEHUB} {schema}"},
    )
    _el(element, f"{{{PRACTICEHUB}}}page_id", page.pk)
    _el(element, f"{{{PRACTICEHUB}}}url", page.full_url or "")
    for key, value in record_for(page, ANONYMOUS).items():
        _value(element, key, value)
    return element


def _value(parent, name, value):
    """One value of the record as the element `name`: lists item by item, objects key by
    key, booleans as xs:boolean; a missing value (None) as no element."""
    if value is None:
        return
    element = _el(parent, f"{{{PRACTICEHUB}}}{name}")
    if isinstance(value, dict):
        for key, item in value.items():
            _value(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _value(element, LIST_ITEMS[name], item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _clean(value)


# --- Verbs


class Harvest:
    """One request's answers, verb by verb: each returns the verb's element."""

    def __init__(self, now, root):
        self.now = now
        self.formats = metadata_formats(root)

    def identify(self, args):
        """Identify: who the repository is, how it counts time, how it keeps deletions."""
        element = _el(None, "Identify")
        _el(element, "repositoryName", settings.WAGTAIL_SITE_NAME)
        _el(element, "baseURL", base_url())
        _el(element, "protocolVersion", PROTOCOL_VERSION)
        _el(element, "adminEmail", admin_email())
        earliest = harvestable().aggregate(first=Min("stamp"))["first"] or EPOCH
        _el(element, "earliestDatestamp", _datestamp(earliest))
        _el(element, "deletedRecord", DELETED_RECORD)
        _el(element, "granularity", GRANULARITY)
        host = repository_host()
        if DOMAIN.fullmatch(host):
            description = _el(element, "description")
            scheme = _el(
                description,
                f"{{{OAI_IDENTIFIER}}}oai-identifier",
                attrib={f"{{{XSI}}}schemaLocation": f"{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}"},
            )
            for name, text in (
                ("scheme", "oai"),
                ("repositoryIdentifier", host),
                ("delimiter", ":"),
                ("sampleIdentifier", identifier_of(1)),
            ):
                _el(scheme, f"{{{OAI_IDENTIFIER}}}{name}", text)
        return element

    def list_metadata_formats(self, args):
        """ListMetadataFormats: both formats, for the repository or for one record."""
        if "identifier" in args:
            self._page(args["identifier"])
        element = _el(None, "ListMetadataFormats")
        for prefix, (schema, namespace) in self.formats.items():
            entry = _el(element, "metadataFormat")
            _el(entry, "metadataPrefix", prefix)
            _el(entry, "schema", schema)
            _el(entry, "metadataNamespace", namespace)
        return element

    def list_sets(self, args):
        """ListSets: every set in one answer (never a resumption token)."""
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", _("Sets come in one answer: no token."))
        element = _el(None, "ListSets")
        for spec, name in Sets().listed():
            entry = _el(element, "set")
            _el(entry, "setSpec", spec)
            _el(entry, "setName", name)
        return element

    def get_record(self, args):
        """GetRecord: one record in one format."""
        prefix = _format(args["metadataPrefix"], self.formats)
        page = self._page(args["identifier"])
        element = _el(None, "GetRecord")
        full = _full_pages([page.pk]).get(page.pk)
        _record(element, page, Sets(), prefix, full, self.formats[prefix][0])
        return element

    def list_identifiers(self, args):
        """ListIdentifiers: headers, batch by batch."""
        return self._list("ListIdentifiers", args)

    def list_records(self, args):
        """ListRecords: records, batch by batch."""
        return self._list("ListRecords", args)

    def _page(self, identifier):
        """The harvestable practice `identifier` names, or idDoesNotExist."""
        pk = _pk_of(identifier)
        page = (
            harvestable().prefetch_related("networks", "key_themes").filter(pk=pk).first()
            if pk
            else None
        )
        if page is None:
            raise OaiError("idDoesNotExist", _("No record has this identifier."))
        return page

    def _list(self, verb, args):
        """One batch of a list, with a token for the next when there is one."""
        if "resumptionToken" in args:
            query, after, cursor = _read_token(args["resumptionToken"], verb)
        else:
            query, after, cursor = dict(args), None, 0
        # Bad arguments first: they are reported without the request's arguments echoed.
        lower, upper = _window(query)
        if "set" in query and not SET_SPEC.fullmatch(query["set"]):
            raise OaiError("badArgument", _("set is not a setSpec (such as network:ran)."))
        prefix = _format(query["metadataPrefix"], self.formats)
        sets = Sets()
        pages = harvestable()
        if "set" in query:
            pages = sets.narrow(pages, query["set"])
        if lower:
            pages = pages.filter(stamp__gte=lower)
        if upper:
            pages = pages.filter(stamp__lt=upper)
        total = pages.count()
        if after:
            stamp, pk = after
            pages = pages.filter(Q(stamp__gt=stamp) | Q(stamp=stamp, pk__gt=pk))
        size = max(1, settings.PRACTICE_OAI_BATCH_SIZE)
        batch = list(
            pages.order_by("stamp", "pk").prefetch_related("networks", "key_themes")[: size + 1]
        )
        more, batch = len(batch) > size, batch[:size]
        if not batch:
            # Also when what a token's harvest had left has left the public since.
            raise OaiError("noRecordsMatch", _("No records match these arguments."))
        element = _el(None, verb)
        if verb == "ListRecords":
            full = _full_pages([page.pk for page in batch if page.is_public])
            for page in batch:
                _record(element, page, sets, prefix, full.get(page.pk), self.formats[prefix][0])
        else:
            for page in batch:
                _header(element, page, sets)
        if more:
            attrib = {
                "expirationDate": _datestamp(self.now + TOKEN_LIFETIME),
                "completeListSize": str(total),
                "cursor": str(cursor),
            }
            _el(element, "resumptionToken", _token(verb, query, batch[-1], cursor + len(batch)),
                attrib)  # fmt: skip
        elif after:
            # The last batch of a list given in several: an empty token says it is complete.
            _el(element, "resumptionToken", attrib={
                "completeListSize": str(total), "cursor": str(cursor)
            })  # fmt: skip
        return element


HANDLERS = {
    "Identify": Harvest.identify,
    "ListMetadataFormats": Harvest.list_metadata_formats,
    "ListSets": Harvest.list_sets,
    "GetRecord": Harvest.get_record,
    "ListIdentifiers": Harvest.list_identifiers,
    "ListRecords": Harvest.list_records,
}


def base_url(root=None):
    """The absolute address of the OAI-PMH endpoint (`root`: the site's, if known)."""
    return f"{root or _root_url()}{reverse('oai')}"


def admin_email():
    """The address Identify gives: PRACTICE_OAI_ADMIN_EMAIL, else the site's sender."""
    value = settings.PRACTICE_OAI_ADMIN_EMAIL or settings.DEFAULT_FROM_EMAIL
    return parseaddr(value)[1] or value


def _echoed(verb, args):
    """The attributes of <request> for a request whose verb and arguments are legal: each
    argument whose value has the syntax the protocol's schema gives it (a metadataPrefix
    nobody serves is echoed, one with spaces in it is not)."""
    syntax = {"metadataPrefix": PREFIX, "set": SET_SPEC, "from": DATE, "until": DATE}
    return {"verb": verb} | {
        name: value
        for name, value in args.items()
        if name not in syntax or syntax[name].fullmatch(value)
    }


def respond(data, now=None):
    """The OAI-PMH answer (UTF-8 XML bytes) to a request's arguments `data` (a QueryDict;
    None for a request too large to read)."""
    now = now or timezone.now()
    site = _root_url()
    envelope = _envelope(now)
    request_element = _el(envelope, "request", base_url(site))
    try:
        if data is None:
            raise OaiError("badArgument", _("The request has too many or too long arguments."))
        verb, args = _arguments(data)
        request_element.attrib.update({k: _clean(v) for k, v in _echoed(verb, args).items()})
        envelope.append(HANDLERS[verb](Harvest(now, site), args))
    except OaiError as error:
        # The protocol: after badVerb or badArgument, the base URL alone, no attributes.
        if error.code in ("badVerb", "badArgument"):
            request_element.attrib.clear()
        _el(envelope, "error", error.message, {"code": error.code})
    return ET.tostring(envelope, encoding="UTF-8", xml_declaration=True)


@per_collection_state
def _answer(request):
    """The XML answer, kept and validated per collection state like the other channels'.

    A kept answer's responseDate is older than the moment it is sent again; it is only kept
    while nothing changed, so a harvester that starts its next harvest from it sees no less.
    """
    try:
        data = request.POST if request.method == "POST" else request.GET
    except (RequestDataTooBig, TooManyFieldsSent):
        data = None  # Django's limits (DATA_UPLOAD_MAX_*): an OAI error, not an HTTP 400
    return HttpResponse(respond(data), content_type="text/xml; charset=utf-8")


@csrf_exempt  # harvesters POST with no session and no token; nothing is changed
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    """The one OAI-PMH URL: every verb, by GET or POST (form-encoded), errors as HTTP 200."""
    allowed = counted(
        f"oai:{visitor_of(request)}",
        settings.PRACTICE_API_CALLS_PER_VISITOR,
        settings.PRACTICE_API_WINDOW,
    )
    if not allowed:
        # OAI-PMH's own flow control: 503 with Retry-After, which harvesters honour.
        wait = seconds_to_next_window(settings.PRACTICE_API_WINDOW)
        message = _("Too many requests from here for now. Please try again in %(minutes)d minutes.")
        return HttpResponse(
            message % {"minutes": -(-wait // 60)},
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(wait)},
        )
    return _answer(request)


@require_safe
def schema(request):
    """The XML Schema of the practicehub metadata format."""
    return HttpResponse(PRACTICEHUB_XSD, content_type="application/xml; charset=utf-8")


PRACTICEHUB_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{PRACTICEHUB}"
           targetNamespace="{PRACTICEHUB}" elementFormDefault="qualified" version="1">
  <xs:annotation>
    <xs:documentation>
      One practice of a Practice Hub site as its interchange record (the importer's format,
      docs/importing.md), the OAI-PMH metadata format "practicehub": the page's id and address,
      then every key of the record in its order. Lists hold one element per item; a value the
      record does not have (null) is left out. Rich text fields are HTML, as escaped text.
      Contact details are empty unless the contact agreed to be shown (contact/public).
    </xs:documentation>
  </xs:annotation>

  <xs:element name="practice">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="page_id" type="xs:positiveInteger"/>
        <xs:element name="url" type="xs:anyURI"/>
        <xs:element name="title" type="xs:string"/>
        <xs:element name="description" type="xs:string"/>
        <xs:element name="key_themes" type="keyThemes"/>
        <xs:element name="target_audiences" type="targetAudiences"/>
        <xs:element name="cities" type="cities"/>
        <xs:element name="countries" type="countries"/>
        <xs:element name="regions" type="regions"/>
        <xs:element name="networks" type="networks"/>
        <xs:element name="start_year" type="xs:gYear" minOccurs="0"/>
        <xs:element name="end_year" type="xs:gYear" minOccurs="0"/>
        <xs:element name="deliverables" type="xs:string"/>
        <xs:element name="evidence_and_evaluation" type="xs:string"/>
        <xs:element name="evaluation_type" type="evaluationType"/>
        <xs:element name="peer_reviewed" type="xs:boolean"/>
        <xs:element name="sustainability_and_transferability" type="xs:string"/>
        <xs:element name="presented_at" type="presentations"/>
        <xs:element name="eu_funding" type="xs:string"/>
        <xs:element name="funding_programmes" type="fundingProgrammes"/>
        <xs:element name="organisation" type="organisation"/>
        <xs:element name="country_of_origin" type="countryOrNone"/>
        <xs:element name="contact" type="contact"/>
        <xs:element name="last_update_year" type="xs:gYear" minOccurs="0"/>
        <xs:element name="tags" type="tags"/>
        <xs:element name="language" type="xs:language"/>
        <xs:element name="source_url" type="xs:anyURI" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>

  <xs:simpleType name="country">
    <xs:annotation><xs:documentation>ISO 3166-1 alpha-2.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string"><xs:pattern value="[A-Z]{{2}}"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="countryOrNone">
    <xs:restriction base="xs:string"><xs:pattern value="([A-Z]{{2}})?"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="evaluationType">
    <xs:annotation>
      <xs:documentation>Empty while the practice's team has not said.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value=""/>
      <xs:enumeration value="none"/>
      <xs:enumeration value="internal"/>
      <xs:enumeration value="external"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="keyThemes"><xs:sequence>
    <xs:element name="key_theme" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="targetAudiences"><xs:sequence>
    <xs:element name="target_audience" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="cities">
    <xs:annotation><xs:documentation>The owning city first.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="city" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType><xs:sequence>
          <xs:element name="name" type="xs:string"/>
          <xs:element name="country" type="countryOrNone"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="countries"><xs:sequence>
    <xs:element name="country" type="country" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="regions"><xs:sequence>
    <xs:element name="region" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="networks">
    <xs:annotation><xs:documentation>Networks by short name.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="network" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="presentations"><xs:sequence>
    <xs:element name="presentation" minOccurs="0" maxOccurs="unbounded">
      <xs:complexType><xs:sequence>
        <xs:element name="name" type="xs:string"/>
        <xs:element name="date" type="xs:date" minOccurs="0"/>
        <xs:element name="place" type="xs:string"/>
        <xs:element name="subject" type="xs:string"/>
      </xs:sequence></xs:complexType>
    </xs:element>
  </xs:sequence></xs:complexType>
  <xs:complexType name="fundingProgrammes"><xs:sequence>
    <xs:element name="funding_programme" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="organisation"><xs:sequence>
    <xs:element name="name" type="xs:string"/>
    <xs:element name="description" type="xs:string"/>
    <xs:element name="type" type="xs:string"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="contact"><xs:sequence>
    <xs:element name="name" type="xs:string"/>
    <xs:element name="email" type="xs:string"/>
    <xs:element name="phone" type="xs:string"/>
    <xs:element name="website" type="xs:string"/>
    <xs:element name="address" type="xs:string"/>
    <xs:element name="public" type="xs:boolean"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="tags"><xs:sequence>
    <xs:element name="tag" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
</xs:schema>
"""
