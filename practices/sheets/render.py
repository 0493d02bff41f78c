"""Turn practices and cities into PDF bytes with WeasyPrint: sheets, factsheets and bundles.

Nothing here knows about requests or caching: callers decide who sees what (show_contact, the
list of practices) and this module draws exactly that. views.py and cache.py build on it.
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime

import weasyprint
from django.conf import settings
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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
)
# Tagged PDF for accessibility: structure tags, the document language and title in the catalog.
PDF_VARIANT = "pdf/ua-1"
LOGO_RENDITION = "max-480x160"


@dataclass
class Document:
    """The PDF-wide facts base.html turns into metadata: title, author, language, page counter."""

    title: str
    author: str
    language: str
    description: str = ""
    created: datetime | None = None
    page_counter_css: str = field(default_factory=lambda: page_counter_css())


@dataclass
class PracticeSheet:
    """One practice as a sheet draws it, with what this reader may see."""

    page: PracticePage
    show_contact: bool
    network: NetworkPage | None
    logo_src: str
    updated: date | None


def short_hash(value):
    """A short, stable digest of any JSON-serialisable value."""
    data = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:12]


def template_version():
    """The version of the sheet templates: the setting, the template sources and WeasyPrint's.

    Reading the sources costs nothing in production, where Django's cached template loader
    keeps them in memory.
    """
    sources = [get_template(name).template.source for name in SHEET_TEMPLATES]
    return short_hash([settings.PRACTICE_SHEET_TEMPLATE_VERSION, weasyprint.__version__, sources])


def css_string(text):
    """`text` as a quoted CSS string that cannot close the <style> element it sits in."""
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
    return mark_safe(" ".join(parts))  # noqa: S308 - built from css_string() and counters only


def first_network(page):
    """The network named in a practice's header: the first that lists it, else its parent."""
    network = next(iter(page.networks.all()), None)
    if network is None:
        parent = page.get_parent().specific
        network = parent if isinstance(parent, NetworkPage) else None
    return network


def practice_related_digest(page):
    """A digest of what a practice sheet shows that is not stored in the practice's revision.

    Vocabulary labels, city and network names, the network logo, tag names and the page's
    address: renaming any of them changes the digest, so the cached sheet is rendered again.
    """
    network = first_network(page)
    return short_hash(
        {
            "themes": [term.label for term in page.key_themes.all()],
            "audiences": [term.label for term in page.target_audiences.all()],
            "programmes": [term.label for term in page.funding_programmes.all()],
            "organisation_type": page.organisation_type.label if page.organisation_type else "",
            "cities": [city.title for city in page.cities.all()],
            "owner": page.owning_city.title if page.owning_city else "",
            "networks": [(n.title, n.short_name) for n in page.networks.all()],
            "header": network and (network.pk, network.title, _logo_name(network)),
            "tags": [tag.name for tag in page.tags.all()],
            "url": page.full_url,
        }
    )


def _logo_name(network):
    """The stored file name of a network's logo (it changes when the file is replaced)."""
    return network.logo.file.name if network.logo_id else ""


def _logo_src(network, fetcher):
    """Register the network logo's rendition with `fetcher`; "" when there is none to show."""
    if network is None or network.logo_id is None:
        return ""
    try:
        rendition = network.logo.get_rendition(LOGO_RENDITION)
    except OSError:
        # A logo whose original file is missing must not stop the sheet: leave it out.
        logger.warning("The logo of network %s could not be read; sheet drawn without it.", network)
        return ""
    return fetcher.register(rendition.file)


def _practice_sheet(page, show_contact, fetcher):
    """Collect what one practice's sheet draws."""
    network = first_network(page)
    published = page.last_published_at
    return PracticeSheet(
        page=page,
        show_contact=show_contact,
        network=network,
        logo_src=_logo_src(network, fetcher),
        updated=timezone.localdate(published) if published else None,
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
        pdf_variant=PDF_VARIANT
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
    site = page.get_site()
    return site.root_url + "/" if site else ""


def render_practice_sheet(page, *, show_contact, audience="public"):
    """The PDF sheet of one practice; the contact block only when `show_contact` is true."""
    started = time.perf_counter()
    fetcher = StorageFetcher()
    sheet = _practice_sheet(page, show_contact, fetcher)
    document = Document(
        title=page.title,
        author=_author(page),
        language=page.language or get_language(),
        description=_("Practice sheet"),
        created=page.last_published_at,
    )
    context = {"document": document, "sheet": sheet, "base_url": _site_root(page)}
    pdf = _write_pdf("practices/pdf/practice_sheet.html", context, fetcher)
    _announce("practice", page, audience, started)
    return pdf


def city_practices(city, user):
    """The practices a city's factsheet lists for `user`, as its page lists them (by title)."""
    return (
        PracticePage.objects.visible_to(user)
        .filter(Q(path__startswith=city.path) | Q(cities=city))
        .order_by("title")
        .distinct()
        .prefetch_related("key_themes", "cities")
    )


def city_related_digest(city, practices):
    """A digest of what a factsheet shows beyond the city's revision: its practice list."""
    return short_hash(
        {
            "networks": [(n.title, n.short_name) for n in city.networks.all()],
            "url": city.full_url,
            "practices": [
                (
                    p.pk,
                    p.live_revision_id,
                    p.title,
                    [t.label for t in p.key_themes.all()],
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
