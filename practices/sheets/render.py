"""Turn practices and cities into PDF bytes with WeasyPrint: sheets, factsheets and bundles.

Nothing here knows about requests or caching: callers decide who sees what (show_contact, the
list of practices) and this module draws exactly that. views.py and cache.py build on it.
"""

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin

import wagtail
import weasyprint
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Page
from weasyprint.text.fonts import FontConfiguration

from ..models import CityPage, NetworkPage, PracticePage
from .fetcher import StorageFetcher
from .signals import sheet_rendered

logger = logging.getLogger(__name__)

# Every template a sheet is drawn from: their sources count in the template version, so a
# deployment that changes any of them invalidates the cached sheets by itself.
SHEET_TEMPLATES = (
    "practices/pdf/base.html",
    "practices/pdf/sheet.css",
    "practices/pdf/practice_body.html",
    "practices/pdf/practice_sheet.html",
    "practices/pdf/city_factsheet.html",
    "practices/pdf/bundle.html",
    # The factsheet includes the city page's profile component.
    "components/city_profile.html",
)
# Tagged PDF for accessibility: structure tags, the document language and title in the catalog.
PDF_VARIANT = "pdf/ua-1"
LOGO_RENDITION = "max-480x160"
# The practice's or city's own image on page one: sharp at the 60 mm x 34 mm it is drawn at.
IMAGE_RENDITION = "max-1000x560"
# What a practice sheet reads from related tables; prefetched so that each is read once
# (the template reads cities, themes, audiences and networks twice). Not the tags: a
# prefetch would lose their order (the order they were added in, as on the practice page),
# and page.tags.all() does not use a prefetch of tagged_items.
PRACTICE_PREFETCH = (
    "key_themes",
    "target_audiences",
    "funding_programmes",
    "cities",
    "networks__logo",
    "presented_at",
    "deliverable_links__document",
)
# The practice's own media, read with the page (one join instead of two queries per sheet).
PRACTICE_MEDIA = ("image", "full_document")


@dataclass
class Document:
    """The PDF-wide facts base.html turns into metadata: title, author, language."""

    title: str
    author: str
    language: str
    description: str = ""
    created: datetime | None = None


@dataclass
class PracticeSheet:
    """One practice as a sheet draws it, with what this reader may see."""

    page: PracticePage
    show_contact: bool
    network: NetworkPage | None
    logo_src: str
    updated: date | None
    image_src: str = ""
    full_document_url: str = ""


def short_hash(value):
    """A short, stable digest of any JSON-serialisable value."""
    data = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:12]


def template_version():
    """The version of the sheet templates: the setting, the template sources, and the versions
    of WeasyPrint (layout) and Wagtail (rich text rendering).

    Reading the sources costs nothing in production, where Django's cached template loader
    keeps them in memory.
    """
    sources = [get_template(name).template.source for name in SHEET_TEMPLATES]
    return short_hash(
        [
            settings.PRACTICE_SHEET_TEMPLATE_VERSION,
            weasyprint.__version__,
            wagtail.__version__,
            sources,
        ]
    )


def css_string(text):
    """`text` as a quoted CSS string, escaped so that it cannot end the rule it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return '"' + escaped.replace("<", "\\3c ") + '"'


def page_counter_css():
    """The translated "Page x of y" as a CSS content value with live page counters."""
    # Translators keep both placeholders; the words around them may move.
    pattern = _("Page %(page)s of %(pages)s")
    marked = pattern % {"page": "\0page\0", "pages": "\0pages\0"}
    parts = []
    for piece in marked.split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


# --- WeasyPrint set-up kept for the life of a thread
#
# A new FontConfiguration per PDF made fontconfig load its configuration and fonts again and
# emptied Pango's font and shaping caches, and sheet.css (inlined in a <style>) was parsed
# again for every PDF: each cost about 5 % of a render. Both are code and system fonts, not
# content, so keeping them is safe with many processes (DESIGN.md, "Scale"). They are kept
# per thread because Pango objects must not be shared between threads.
_weasyprint_state = threading.local()


def font_config():
    """This thread's WeasyPrint font configuration, created on first use."""
    config = getattr(_weasyprint_state, "font_config", None)
    if config is None:
        config = _weasyprint_state.font_config = FontConfiguration()
    return config


def stylesheets():
    """The stylesheets of every PDF: the parsed sheet.css, then the translated page counter.

    They are passed to WeasyPrint (as user-origin stylesheets) rather than inlined in the HTML,
    so that sheet.css is parsed once per thread instead of once per PDF. The HTML has no style
    of its own, so the cascade is the one the two had in a single <style>, in the same order:
    the page counter after sheet.css, and a named page (the bundle cover) still overriding it.
    The counter is tiny and depends on the language, so it is parsed for each PDF. A changed
    sheet.css (development, with template reloading) is parsed again.
    """
    source = get_template("practices/pdf/sheet.css").template.source
    parsed = getattr(_weasyprint_state, "sheet_css", None)
    if parsed is None or parsed[0] != source:
        css = weasyprint.CSS(string=render_to_string("practices/pdf/sheet.css"))
        parsed = _weasyprint_state.sheet_css = (source, css)
    counter = f"@page {{ @bottom-right {{ content: {page_counter_css()}; }} }}"
    return [parsed[1], weasyprint.CSS(string=counter)]


# A small tagged document in the sheets' fonts (regular and bold), for warm_up().
WARM_UP_HTML = (
    '<html lang="en"><head><title>Practice Hub</title></head><body>'
    "<h1>Practice sheet</h1><p>Listed for <strong>inspiration</strong>, not an endorsement.</p>"
    "</body></html>"
)


def warm_up():
    """Do once what the first PDF of a thread would otherwise pay for; return the seconds.

    Loads the URL configuration (a sheet reverses page addresses; a web worker has loaded it
    after its first request anyway), compiles the sheet templates, loads fontconfig and the
    fonts, parses the stylesheet, and lays out and writes a small tagged PDF, which loads
    Pango, HarfBuzz and the C types WeasyPrint declares (each parsed on first use, about 6 ms).
    Call it where a web worker starts (docs/pdf.md) so that no reader waits for it.
    """
    started = time.perf_counter()
    reverse("wagtail_serve", args=("",))
    for name in SHEET_TEMPLATES:
        get_template(name)
    weasyprint.HTML(string=WARM_UP_HTML).write_pdf(
        pdf_variant=PDF_VARIANT, stylesheets=stylesheets(), font_config=font_config()
    )
    return time.perf_counter() - started


# --- What a sheet shows from outside the page's own row


def first_network(page):
    """The network named in a practice's header: the first that lists it, else its parent."""
    network = next(iter(page.networks.all()), None)
    if network is None:
        parent = page.get_parent().specific
        network = parent if isinstance(parent, NetworkPage) else None
    return network


# Every row a practice sheet shows from other tables, read in one query by
# practice_related_digest(). Each SELECT gives a kind and up to six values, cast to text so
# that the columns of the UNION match. Link rows carry their id: cities, networks and tags
# are listed in the order they were linked (the first network is the one in the header), so
# linking them again in another order changes the digest. The parent is the owning city, or
# the network the practice lives under (whose logo the header shows when no network lists
# the practice). Vocabulary terms carry their label in every language: a sheet shows the
# reader's, and a curator's new translation must render the stored sheets again. Meetings
# and deliverable links follow publishing, but pages saved without a revision are keyed on
# their own row only (cache.SheetKey), so they count here too. The practice's image and full
# document are read with their files: an image or document whose file is replaced keeps its
# id, yet the sheet shows the new picture and address.
#
# Written as SQL because the same UNION built with the ORM took longer to compile on every
# download than the database took to answer it, and the dozen queries it replaces were the
# largest cost of serving a stored sheet (docs/benchmarks.md). Plain SQL (UNION ALL, CAST,
# LEFT JOIN) that SQLite and PostgreSQL both run; the table names are Django's defaults.
PRACTICE_RELATED_SQL = """
SELECT 'theme', CAST(t.label AS VARCHAR), CAST(t.label_fr AS VARCHAR),
       CAST(t.label_nl AS VARCHAR), CAST(t.label_de AS VARCHAR), CAST(t.label_es AS VARCHAR),
       NULL
FROM practices_keytheme t
JOIN practices_practicepage_key_themes l ON l.keytheme_id = t.id
WHERE l.practicepage_id = %(page)s
UNION ALL
SELECT 'audience', CAST(t.label AS VARCHAR), CAST(t.label_fr AS VARCHAR),
       CAST(t.label_nl AS VARCHAR), CAST(t.label_de AS VARCHAR), CAST(t.label_es AS VARCHAR),
       NULL
FROM practices_targetaudience t
JOIN practices_practicepage_target_audiences l ON l.targetaudience_id = t.id
WHERE l.practicepage_id = %(page)s
UNION ALL
SELECT 'programme', CAST(t.label AS VARCHAR), CAST(t.label_fr AS VARCHAR),
       CAST(t.label_nl AS VARCHAR), CAST(t.label_de AS VARCHAR), CAST(t.label_es AS VARCHAR),
       NULL
FROM practices_fundingprogramme t
JOIN practices_practicepage_funding_programmes l ON l.fundingprogramme_id = t.id
WHERE l.practicepage_id = %(page)s
UNION ALL
SELECT 'organisation type', CAST(t.label AS VARCHAR), CAST(t.label_fr AS VARCHAR),
       CAST(t.label_nl AS VARCHAR), CAST(t.label_de AS VARCHAR), CAST(t.label_es AS VARCHAR),
       NULL
FROM practices_organisationtype t
WHERE t.id = %(organisation_type)s
UNION ALL
SELECT 'city', CAST(l.id AS VARCHAR), CAST(p.path AS VARCHAR), CAST(p.title AS VARCHAR),
       NULL, NULL, NULL
FROM wagtailcore_page p
JOIN practices_practicepage_cities l ON l.citypage_id = p.id
WHERE l.practicepage_id = %(page)s
UNION ALL
SELECT 'network', CAST(l.id AS VARCHAR), CAST(p.path AS VARCHAR), CAST(p.title AS VARCHAR),
       CAST(n.short_name AS VARCHAR), CAST(i.file AS VARCHAR), NULL
FROM wagtailcore_page p
JOIN practices_networkpage n ON n.page_ptr_id = p.id
JOIN practices_practicepage_networks l ON l.networkpage_id = p.id
LEFT JOIN wagtailimages_image i ON i.id = n.logo_id
WHERE l.practicepage_id = %(page)s
UNION ALL
SELECT 'parent', CAST(p.path AS VARCHAR), CAST(p.title AS VARCHAR),
       CAST(n.short_name AS VARCHAR), CAST(i.file AS VARCHAR), NULL, NULL
FROM wagtailcore_page p
LEFT JOIN practices_networkpage n ON n.page_ptr_id = p.id
LEFT JOIN wagtailimages_image i ON i.id = n.logo_id
WHERE p.path = %(parent_path)s
UNION ALL
SELECT 'tag', CAST(l.id AS VARCHAR), CAST(t.name AS VARCHAR), NULL, NULL, NULL, NULL
FROM practices_practicetag t
JOIN practices_taggedpractice l ON l.tag_id = t.id
WHERE l.content_object_id = %(page)s
UNION ALL
SELECT 'meeting', CAST(m.sort_order AS VARCHAR), CAST(m.id AS VARCHAR),
       CAST(m.name AS VARCHAR), CAST(m.date AS VARCHAR), CAST(m.place AS VARCHAR),
       CAST(m.subject AS VARCHAR)
FROM practices_practicepresentation m
WHERE m.page_id = %(page)s
UNION ALL
SELECT 'deliverable', CAST(d.sort_order AS VARCHAR), CAST(d.id AS VARCHAR),
       CAST(d.title AS VARCHAR), CAST(d.url AS VARCHAR), CAST(d.document_id AS VARCHAR),
       CAST(f.file AS VARCHAR)
FROM practices_practicedeliverablelink d
LEFT JOIN wagtaildocs_document f ON f.id = d.document_id
WHERE d.page_id = %(page)s
UNION ALL
SELECT 'adaptation', CAST(p.id AS VARCHAR), CAST(p.title AS VARCHAR), CAST(c.title AS VARCHAR),
       NULL, NULL, NULL
FROM wagtailcore_page p
JOIN practices_adaptationpage a ON a.page_ptr_id = p.id
JOIN wagtailcore_page c ON c.path = SUBSTR(p.path, 1, LENGTH(p.path) - 4)
WHERE a.original_id = %(page)s AND p.live
UNION ALL
SELECT 'media', CAST(m.image_id AS VARCHAR), CAST(m.image_alt AS VARCHAR),
       CAST(i.file AS VARCHAR), CAST(m.full_document_id AS VARCHAR), CAST(d.file AS VARCHAR),
       CAST(d.file_size AS VARCHAR)
FROM practices_practicepage m
LEFT JOIN wagtailimages_image i ON i.id = m.image_id
LEFT JOIN wagtaildocs_document d ON d.id = m.full_document_id
WHERE m.page_ptr_id = %(page)s
UNION ALL
SELECT 'evidence explanation', CAST(e.explanation AS VARCHAR), NULL, NULL, NULL, NULL, NULL
FROM practices_evidenceexplanation e
UNION ALL
SELECT 'restriction', CAST(r.id AS VARCHAR), CAST(r.restriction_type AS VARCHAR), NULL, NULL,
       NULL, NULL
FROM wagtailcore_pageviewrestriction r
JOIN wagtailcore_page p ON p.id = r.page_id
WHERE SUBSTR(%(path)s, 1, LENGTH(p.path)) = p.path
"""


def practice_related_digest(page):
    """A digest of what a practice sheet shows that is not stored in the practice's own row.

    Vocabulary labels (in every language), city and network names, the network logo, the
    practice's image (its file and alt text) and full document (its file), tag names,
    meetings and deliverable links, its adaptations, the evidence badge's explanation, the
    view restrictions over it (its "Members only" marker), and the page's address: changing
    any of them (even with a bulk update that sends no signal) changes the digest, so the
    stored sheet is rendered again.
    One query; the rows are sorted because a UNION has no order, and each row carries what
    orders it on the sheet (page paths, sort orders), so a new order changes the digest too.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            PRACTICE_RELATED_SQL,
            {
                "page": page.pk,
                "organisation_type": page.organisation_type_id,
                "parent_path": page.path[: -Page.steplen],
                # A view restriction on the page or above it: the sheet's "Members only" marker.
                "path": page.path,
            },
        )
        rows = sorted(tuple("" if value is None else str(value) for value in row) for row in cursor)
    return short_hash({"rows": rows, "url": page.full_url})


def _image_src(image, spec, fetcher, owner):
    """Register `image`'s `spec` rendition with `fetcher`; "" when there is none to show."""
    if image is None:
        return ""
    try:
        rendition = image.get_rendition(spec)
        if not rendition.file.storage.exists(rendition.file.name):
            # A rendition whose file is gone (media restored without its renditions, or a
            # cached rendition outliving its row) would be left out silently: make it again.
            rendition.purge_from_cache()
            type(rendition).objects.filter(pk=rendition.pk).delete()
            rendition = image.get_rendition(spec)
    except OSError:
        # An image whose original file is missing must not stop the sheet: leave it out.
        logger.warning("The image of %s could not be read; sheet drawn without it.", owner)
        return ""
    return fetcher.register(rendition.file)


def _logo_src(network, fetcher):
    """Register the network logo's rendition with `fetcher`; "" when there is none to show."""
    if network is None or network.logo_id is None:
        return ""
    return _image_src(network.logo, LOGO_RENDITION, fetcher, f"network {network}")


def _absolute(page, url):
    """`url` (a site-relative address such as a document's) as an absolute URL on page's site."""
    url_parts = page.get_url_parts()
    root = url_parts[1] if url_parts and url_parts[1] else ""
    return urljoin(root + "/", url)


def _practice_sheet(page, show_contact, fetcher):
    """Collect what one practice's sheet draws."""
    network = first_network(page)
    published = page.last_published_at
    document = page.full_document if page.full_document_id else None
    return PracticeSheet(
        page=page,
        show_contact=show_contact,
        network=network,
        logo_src=_logo_src(network, fetcher),
        updated=timezone.localdate(published) if published else None,
        image_src=_image_src(
            page.image if page.image_id else None, IMAGE_RENDITION, fetcher, f"practice {page}"
        ),
        # The reader of a sheet can read the practice, so may download its document too.
        full_document_url=_absolute(page, document.url) if document else "",
    )


def _author(page):
    """Who a practice sheet names as its author: the organisation, else the network or site."""
    if page.organisation_name:
        return page.organisation_name
    network = first_network(page)
    return network.title if network else settings.WAGTAIL_SITE_NAME


def _write_pdf(template, context, fetcher):
    """Render `template` with `context` and lay it out as a tagged PDF."""
    html = render_to_string(template, context)
    # Relative links in rich text resolve against the site's root URL; resources never do,
    # because the fetcher only serves the files the sheet registered.
    base_url = context.get("base_url") or None
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT, stylesheets=stylesheets(), font_config=font_config()
    )


def _announce(kind, page, audience, started):
    """Announce that a PDF was really rendered (not served from the cache)."""
    sheet_rendered.send(
        sender=type(page) if page is not None else None,
        kind=kind,
        page=page,
        audience=audience,
        seconds=time.perf_counter() - started,
    )


def _site_root(page):
    """The root URL of the page's site, for absolute links in the PDF."""
    # get_url_parts() reads Wagtail's cached site root paths; get_site() would also query Site.
    url_parts = page.get_url_parts()
    return url_parts[1] + "/" if url_parts and url_parts[1] else ""


def render_practice_sheet(page, *, show_contact, audience="public"):
    """The PDF sheet of one practice; the contact block only when `show_contact` is true."""
    started = time.perf_counter()
    prefetch_related_objects([page], *PRACTICE_PREFETCH)
    fetcher = StorageFetcher()
    sheet = _practice_sheet(page, show_contact, fetcher)
    document = Document(
        title=page.title,
        author=_author(page),
        # The sheet's headings are in the reader's language; the practice's own text keeps
        # its language on its <article lang> (practice_body.html).
        language=get_language() or settings.LANGUAGE_CODE,
        description=_("Practice sheet"),
        created=page.last_published_at,
    )
    context = {"document": document, "sheet": sheet, "base_url": _site_root(page)}
    pdf = _write_pdf("practices/pdf/practice_sheet.html", context, fetcher)
    _announce("practice", page, audience, started)
    return pdf


def city_practices(city, user):
    """The practices a city's factsheet lists for `user`: those its page lists, in order."""
    # Only the cities' names are shown; whole city pages cost more than the list itself.
    return city.practices_for(user).prefetch_related(
        "key_themes", Prefetch("cities", CityPage.objects.only("title"))
    )


def city_related_digest(city, practices):
    """A digest of what a factsheet shows beyond the city's revision: its practice list."""
    # The image's file, not only its id: a replaced file keeps the id but changes the picture.
    image = (city.image_id, city.image_alt, city.image.file.name if city.image_id else "")
    return short_hash(
        {
            "image": image,
            "networks": [(n.title, n.short_name) for n in city.networks.all()],
            "url": city.full_url,
            "practices": [
                (
                    p.pk,
                    p.live_revision_id,
                    p.title,
                    # In the reader's language: the factsheet shows that label.
                    [t.localized_label for t in p.key_themes.all()],
                    [c.title for c in p.cities.all()],
                    p.full_url,
                )
                for p in practices
            ],
        }
    )


def render_city_factsheet(city: CityPage, practices, *, audience="public"):
    """The PDF factsheet of a city: its profile, then the given practices."""
    started = time.perf_counter()
    fetcher = StorageFetcher()
    published = city.last_published_at
    document = Document(
        title=_("%(city)s: city factsheet") % {"city": city.title},
        author=city.title,
        language=get_language(),
        description=_("City factsheet"),
        created=published,
    )
    context = {
        "document": document,
        "city": city,
        "image_src": _image_src(
            city.image if city.image_id else None, IMAGE_RENDITION, fetcher, f"city {city}"
        ),
        "practices": list(practices),
        "updated": timezone.localdate(published) if published else None,
        "base_url": _site_root(city),
    }
    pdf = _write_pdf("practices/pdf/city_factsheet.html", context, fetcher)
    _announce("city", city, audience, started)
    return pdf


def render_bundle(entries, *, title, criteria=(), left_out=0):
    """One PDF of several practices: a cover, a contents page and each practice's sheet.

    `entries` is a list of (practice, show_contact) pairs in the order to print them;
    `criteria` are (label, value) pairs describing how they were chosen, for the cover;
    `left_out` counts the requested practices that could not be included.
    """
    started = time.perf_counter()
    fetcher = StorageFetcher()
    sheets = [_practice_sheet(page, show_contact, fetcher) for page, show_contact in entries]
    document = Document(
        title=title,
        author=settings.WAGTAIL_SITE_NAME,
        language=get_language(),
        description=_("A bundle of %(count)d practice sheets") % {"count": len(sheets)},
    )
    context = {
        "document": document,
        "sheets": sheets,
        "criteria": list(criteria),
        "left_out": left_out,
        "today": timezone.localdate(),
        "base_url": _site_root(sheets[0].page) if sheets else "",
    }
    pdf = _write_pdf("practices/pdf/bundle.html", context, fetcher)
    _announce("bundle", None, "", started)
    return pdf
